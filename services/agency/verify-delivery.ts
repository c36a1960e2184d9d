// Every delivery is checked before a node acts on it: an agency's message against the key of that
// agency it names, which the registry must list for it as valid when the message was stored (a
// rotated key still verifies what it signed before its end), the coordinator's (acceptances,
// rejections, escalations) against the registry's coordinator keys. The keys follow the registry
// as it changes (host.ts reads each new revision). Agencies hosted in one process share the check:
// the same stored bytes (a broadcast, or one message's copies to several hosted recipients) are
// verified once per process, not once per agency (an Ed25519 verification costs some 130 µs; a
// broadcast reaches 89).
import { BoundedMap } from "../../shared/bounded.ts";
import { type AgencyKey, COORDINATOR_ID, type Message, SUBMITTED_AT_HEADER, verify, type VerifyResult } from "../../shared/contracts/index.ts";
import { keyOf, validAt } from "../../shared/exchange/agency-keys.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";

type AgencyEntry = RegistryData["agencies"][number];
/** What a node needs of the registry: the agencies' and the coordinators' public keys. */
export type RegistryKeys = { agencies: Pick<AgencyEntry, "id" | "publicKey" | "keys">[]; coordinators: Pick<RegistryData["coordinators"][number], "publicKey">[] };

/** Whom a node believes: the registry's public keys, as of its latest revision read. */
export class SenderKeys {
  private agencies = new Map<string, Pick<AgencyEntry, "id" | "publicKey" | "keys">>();
  private coordinators = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(registry: RegistryKeys) {
    this.adopt(registry);
  }

  /** A newer revision of the registry: keys registered or rotated since apply from now on. */
  adopt(registry: RegistryKeys) {
    this.agencies = new Map(registry.agencies.map((a) => [a.id, a]));
    this.coordinators = new Set(registry.coordinators.map((k) => k.publicKey));
    for (const fn of this.listeners) fn();
  }

  /** Called after each revision adopted (a node whose own key was rotated looks for its new seed). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The agency's registry entry (its keys). */
  entry(id: string) {
    return this.agencies.get(id);
  }
  /** The agency's key `publicKey` with its validity; undefined when the registry lists no such key of it. */
  agencyKey(id: string, publicKey: string): AgencyKey | undefined {
    const e = this.agencies.get(id);
    return e && keyOf(e, publicKey);
  }
  /** Whether `key` is one the coordinators sign with. */
  coordinator(key: string): boolean {
    return this.coordinators.has(key);
  }
}

export const senderKeysOf = (registry: RegistryKeys) => new SenderKeys(registry);

/** What a stored delivery tells of when it was stored (a JetStream message). */
export type StoredDelivery = { headers?: { get(k: string): string } | undefined; info: { timestampNanos: number } };

/**
 * When the exchange stored a delivery's message (wall ms): the submission's time when the
 * coordinator gave it (a key being retired), else the delivery's own.
 */
export function storedAt(msg: StoredDelivery): number {
  const submitted = msg.headers?.get(SUBMITTED_AT_HEADER);
  const ms = submitted ? Date.parse(submitted) : Number.NaN;
  return Number.isFinite(ms) ? ms : Math.floor(msg.info.timestampNanos / 1e6);
}

/** Verdicts remembered: enough for every message in flight across the hosted agencies. */
export const VERIFY_MEMO_SIZE = 2_000;
/**
 * Messages up to this size are remembered with a copy of their bytes (alerts are a few KiB): the
 * memo holds at most VERIFY_MEMO_SIZE × this. A larger one is verified for each delivery.
 */
const MEMO_MAX_BYTES = 16 * 1024;
const memo = new BoundedMap<string, { data: Uint8Array; key: string; verdict: VerifyResult }>(VERIFY_MEMO_SIZE);

/** Verdicts on broadcasts, by the process's one parse of each (broadcast-parse.ts: same stored bytes). */
const byBroadcast = new WeakMap<object, { key: string; verdict: VerifyResult }>();

/** What verification has cost this process (the bench reports it per delivery). */
export const verification = { checks: 0, verified: 0, micros: 0 };

/**
 * Whether `m` (parsed from `data`, the stored bytes) carries a valid signature of its sender.
 * `stored` tells when the exchange stored the message; it is read only for a key with a validity
 * (one rotated, or registered late). The signature's verdict is a function of the
 * bytes and the key alone: a delivery with the same bytes, checked against the same key, gets the
 * remembered verdict (bytes compared, far cheaper than a verification). `broadcast`, the
 * process's one parse of a stored broadcast (readBroadcast), keeps its verdict for every agency.
 */
export function verifyDelivery(m: Message, data: Uint8Array, keys: SenderKeys, stored: StoredDelivery, broadcast?: object): VerifyResult {
  verification.checks++;
  const sig = m.signature;
  if (!sig) return { ok: false, reason: "expected a signature: unsigned" };
  let key: string | undefined;
  if (m.sender === COORDINATOR_ID) {
    if (!keys.coordinator(sig.key)) return { ok: false, reason: `expected a coordinator key of the registry; ${sig.key} is not one` };
    key = sig.key;
  } else {
    const k = keys.agencyKey(m.sender, sig.key);
    if (!k)
      return {
        ok: false,
        reason: keys.entry(m.sender) ? `expected a registered public key of ${m.sender}; ${sig.key} is not one` : `expected an agency of the registry; ${m.sender} is not one`,
      };
    if (k.validFrom || k.validUntil) {
      const valid = validAt(m.sender, k, storedAt(stored));
      if (!valid.ok) return valid;
    }
    key = sig.key;
  }
  // A broadcast's parse stands for its bytes (compared when it was read): no key to build, no bytes to compare again.
  const known = broadcast && byBroadcast.get(broadcast);
  if (known && known.key === key) return known.verdict;
  const id = `${m.id}:${sig.value}`;
  const hit = memo.get(id);
  if (hit && hit.key === key && Buffer.compare(hit.data, data) === 0) {
    if (broadcast) byBroadcast.set(broadcast, { key, verdict: hit.verdict });
    return hit.verdict;
  }
  const started = performance.now();
  const verdict = verify(m, key);
  verification.micros += (performance.now() - started) * 1000;
  verification.verified++;
  if (data.byteLength <= MEMO_MAX_BYTES) memo.set(id, { data: data.slice(), key, verdict }); // a copy: the client may reuse its read buffers
  if (broadcast) byBroadcast.set(broadcast, { key, verdict });
  return verdict;
}
