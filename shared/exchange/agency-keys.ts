// An agency's keys and when each is valid. The agency makes its keys (`atix keys new`, `atix keys
// rotate`); the exchange registers only public keys, each with a validity in wall time: the
// broker's clock stamps every stored message, and neither a sender's `sentAt` nor the exchange's
// simulated clock (which a facilitator pauses, speeds up or sets back) can move it. A rotation
// gives the new key a start and the old one an end after an overlap, during which both sign and
// authenticate. Pure decisions, shared by the coordinator (submissions), the nodes (deliveries),
// `atix status` and the dashboard (presence), the broker's accounts and the registration commands.
import type { AgencyKey, AgencyRegistryEntry } from "../contracts/index.ts";

/** How long a replaced key stays valid beside its successor unless the operator says otherwise. */
export const DEFAULT_OVERLAP_MS = 3_600_000;

type Keyed = Pick<AgencyRegistryEntry, "id" | "publicKey" | "keys">;

/** Every key of the agency, oldest first: its `keys`, or its one key without bounds. */
export const keysOf = (entry: Pick<AgencyRegistryEntry, "publicKey" | "keys">): AgencyKey[] => entry.keys ?? [{ publicKey: entry.publicKey }];

const UNBOUNDED: AgencyKey = Object.freeze({ publicKey: "" });

/**
 * The agency's key `publicKey` with its validity, or undefined when the registry lists no such key
 * for it. (The common case, an agency with one key, allocates nothing.)
 */
export function keyOf(entry: Keyed, publicKey: string): AgencyKey | undefined {
  if (!entry.keys) return publicKey === entry.publicKey ? UNBOUNDED : undefined;
  return entry.keys.find((k) => k.publicKey === publicKey);
}

export type KeyVerdict = { ok: true } | { ok: false; reason: string };
const OK: KeyVerdict = { ok: true };

/** Whether `key` of `agency` was valid at wall time `atMs` (when the exchange stored the message). */
export function validAt(agency: string, key: AgencyKey, atMs: number): KeyVerdict {
  if (key.validFrom && atMs < Date.parse(key.validFrom))
    return { ok: false, reason: `expected a key of ${agency} valid when the message was stored (${new Date(atMs).toISOString()}); ${key.publicKey} is valid only from ${key.validFrom}` };
  if (key.validUntil && atMs >= Date.parse(key.validUntil))
    return {
      ok: false,
      reason: `expected a key of ${agency} valid when the message was stored; ${key.publicKey} was retired at ${key.validUntil} (the key was rotated), and this message was stored at ${new Date(atMs).toISOString()}; sign with the key registered after it`,
    };
  return OK;
}

/** Whether the agency may authenticate with `key` at wall time `nowMs`: until its end (a key not yet valid is not registered yet). */
const authenticates = (key: AgencyKey, nowMs: number) => !key.validUntil || nowMs < Date.parse(key.validUntil);

/** The keys the broker lets the agency log in with at `nowMs`. */
export const authKeys = (entry: Pick<AgencyRegistryEntry, "publicKey" | "keys">, nowMs: number): string[] =>
  keysOf(entry).filter((k) => authenticates(k, nowMs)).map((k) => k.publicKey);

/** The next moment after `nowMs` at which some agency's key stops authenticating (the broker's accounts change then). */
export function nextKeyEnd(entries: readonly Pick<AgencyRegistryEntry, "publicKey" | "keys">[], nowMs: number): number | undefined {
  let next: number | undefined;
  for (const e of entries)
    for (const k of e.keys ?? []) {
      const end = k.validUntil ? Date.parse(k.validUntil) : undefined;
      if (end !== undefined && end > nowMs && (next === undefined || end < next)) next = end;
    }
  return next;
}

/**
 * Which of `own` (the public keys whose seeds an agency holds) it signs with at `nowMs`: the most
 * recently registered one valid then. Undefined when the registry lists none of them as valid.
 */
export function signingKey(entry: Keyed, own: ReadonlySet<string>, nowMs: number): string | undefined {
  const keys = keysOf(entry);
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i]!;
    if (own.has(k.publicKey) && validAt(entry.id, k, nowMs).ok) return k.publicKey;
  }
  return undefined;
}

/** At most this many keys per agency: a rotation beyond it is refused, naming the limit. */
export const MAX_AGENCY_KEYS = 50;

export type Registered =
  | { change: "none" }
  | { change: "registered"; publicKey: string; keys: AgencyKey[]; retiring?: { publicKey: string; validUntil: string }[] }
  | { change: "refused"; reason: string };

/**
 * `publicKey` registered as the agency's key from `nowMs` on. The keys it had stay listed (what
 * they signed while valid must still verify); each still valid is given an end `overlapMs` later
 * (or keeps an earlier one), so both sign and authenticate meanwhile. A key the agency had before
 * cannot come back: a retired key stays retired.
 */
export function registerKey(entry: Keyed, publicKey: string, nowMs: number, overlapMs: number): Registered {
  if (publicKey === entry.publicKey) return { change: "none" };
  const had = keysOf(entry);
  if (had.some((k) => k.publicKey === publicKey))
    return { change: "refused", reason: `${entry.id}: ${publicKey} was ${entry.id}'s key before and has been replaced; a replaced key cannot be registered again (make a new pair with \`atix keys rotate\`)` };
  if (had.length >= MAX_AGENCY_KEYS)
    return { change: "refused", reason: `${entry.id}: it has had ${had.length} keys, the most the registry keeps; ask the exchange to archive its oldest` };
  const end = nowMs + Math.max(0, overlapMs);
  const retiring: { publicKey: string; validUntil: string }[] = [];
  const keys = had.map((k) => {
    if (k.validUntil && Date.parse(k.validUntil) <= end) return k;
    const validUntil = new Date(end).toISOString();
    retiring.push({ publicKey: k.publicKey, validUntil });
    return { ...k, validUntil };
  });
  keys.push({ publicKey, validFrom: new Date(nowMs).toISOString() });
  return { change: "registered", publicKey, keys, ...(retiring.length ? { retiring } : {}) };
}

/**
 * Who else holds `publicKey`: another agency (any of its keys, past ones too), a coordinator's
 * signing key, or one of `others` (the exchange's own NATS users). Every identity signs and logs in
 * with a key of its own: a shared key would let one sign as the other, and the broker refuses an
 * authorisation that names a key twice.
 */
export function keyHolder(
  registry: { agencies: readonly Keyed[]; coordinators?: readonly { id: string; publicKey: string }[] },
  publicKey: string,
  agency: string,
  others: readonly { user: string; publicKey: string }[] = [],
): string | undefined {
  for (const a of registry.agencies) if (a.id !== agency && keysOf(a).some((k) => k.publicKey === publicKey)) return a.id;
  for (const c of registry.coordinators ?? []) if (c.publicKey === publicKey) return `the coordinator signing key ${c.id}`;
  return others.find((o) => o.publicKey === publicKey)?.user;
}

/** The one-line refusal of a key another identity holds. */
export const sharedKeyRefusal = (file: string, publicKey: string, holder: string) =>
  `${file}: publicKey: ${publicKey} is already the key of ${holder}; every identity needs a key of its own`;
