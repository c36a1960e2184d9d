// Every delivery is checked before a node acts on it: an agency's message against that agency's
// key in the registry, the coordinator's (acceptances, rejections, escalations) against the
// registry's coordinator keys. Agencies hosted in one process share the check: the same stored
// bytes (a broadcast, or one message's copies to several hosted recipients) are verified once per
// process, not once per agency (an Ed25519 verification costs some 130 µs; a broadcast reaches 89).
import { BoundedMap } from "../../shared/bounded.ts";
import { COORDINATOR_ID, type Message, verify, type VerifyResult } from "../../shared/contracts/index.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";

/** What a node needs of the registry: the agencies' and the coordinators' public keys. */
export type RegistryKeys = { agencies: Pick<RegistryData["agencies"][number], "id" | "publicKey">[]; coordinators: Pick<RegistryData["coordinators"][number], "publicKey">[] };

/** Whom a node believes: the registry's public keys. */
export interface SenderKeys {
  /** The agency's registered public key. */
  agency(id: string): string | undefined;
  /** Whether `key` is one the coordinators sign with. */
  coordinator(key: string): boolean;
}

export function senderKeysOf(registry: RegistryKeys): SenderKeys {
  const agencies = new Map(registry.agencies.map((a) => [a.id, a.publicKey]));
  const coordinators = new Set(registry.coordinators.map((k) => k.publicKey));
  return { agency: (id) => agencies.get(id), coordinator: (key) => coordinators.has(key) };
}

/** Verdicts remembered: enough for every message in flight across the hosted agencies. */
export const VERIFY_MEMO_SIZE = 2_000;
/**
 * Messages up to this size are remembered with a copy of their bytes (alerts are a few KiB): the
 * memo holds at most VERIFY_MEMO_SIZE × this. A larger one is verified for each delivery.
 */
const MEMO_MAX_BYTES = 16 * 1024;
const memo = new BoundedMap<string, { data: Uint8Array; key: string; verdict: VerifyResult }>(VERIFY_MEMO_SIZE);

/** What verification has cost this process (the bench reports it per delivery). */
export const verification = { checks: 0, verified: 0, micros: 0 };

/**
 * Whether `m` (parsed from `data`, the stored bytes) carries a valid signature of its sender. The
 * verdict is a function of the bytes and the key alone: a delivery with the same bytes, checked
 * against the same key, gets the remembered verdict (bytes compared, far cheaper than a verification).
 */
export function verifyDelivery(m: Message, data: Uint8Array, keys: SenderKeys): VerifyResult {
  verification.checks++;
  const sig = m.signature;
  if (!sig) return { ok: false, reason: "expected a signature: unsigned" };
  const key = m.sender === COORDINATOR_ID ? (keys.coordinator(sig.key) ? sig.key : undefined) : keys.agency(m.sender);
  if (!key)
    return {
      ok: false,
      reason: m.sender === COORDINATOR_ID ? `expected a coordinator key of the registry; ${sig.key} is not one` : `expected an agency of the registry; ${m.sender} is not one`,
    };
  const id = `${m.id}:${sig.value}`;
  const hit = memo.get(id);
  if (hit && hit.key === key && Buffer.compare(hit.data, data) === 0) return hit.verdict;
  const started = performance.now();
  const verdict = verify(m, key);
  verification.micros += (performance.now() - started) * 1000;
  verification.verified++;
  if (data.byteLength <= MEMO_MAX_BYTES) memo.set(id, { data: data.slice(), key, verdict }); // a copy: the client may reuse its read buffers
  return verdict;
}
