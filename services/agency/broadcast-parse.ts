// One parse per stored broadcast per process. Every agency hosted in a process (a simulation or
// the bench runs ~90 in one) reads the same stored broadcast: same stream message, same bytes, so
// the first parse and validation (and read of its recipients header) serves them all. The result is deep-frozen: one agency's code
// must not change what another reads (a mutation throws, ESM being strict). The bytes are
// compared too (a memcmp, far cheaper than a parse): a stream recreated, or another exchange in
// the same process (tests), reuses sequence numbers.
import { type Message, parseMessageText, type ParseResult, RECIPIENTS_HEADER } from "../../shared/contracts/index.ts";
import { BoundedMap } from "../../shared/bounded.ts";

/** Enough for every broadcast in flight across the hosted agencies; the oldest entry goes first. */
export const BROADCAST_PARSE_MEMO_SIZE = 2_000;

/** A stored broadcast as every hosted agency reads it. */
export interface BroadcastRead {
  parsed: ParseResult<Message>;
  /** The recipients its header names; undefined when it names none (the whole registry but the sender). */
  recipients: ReadonlySet<string> | undefined;
}

/** By stream sequence (a number: no key to build and hash per delivery); the stream is compared too. */
const memo = new BoundedMap<number, { stream: string; data: Uint8Array; read: BroadcastRead }>(BROADCAST_PARSE_MEMO_SIZE);

/** What carries a stored broadcast's headers (a JsMsg); read only on first sight. */
export interface StoredHeaders {
  readonly headers?: { get(key: string): string } | undefined;
}

/**
 * The broadcast stored at `seq` in `stream`: `data` is its bytes, parsed (and its recipients
 * header, from `stored`, read) on first sight only.
 */
export function readBroadcast(stream: string, seq: number, data: Uint8Array, stored: StoredHeaders): BroadcastRead {
  const hit = memo.get(seq);
  if (hit && hit.stream === stream && Buffer.compare(hit.data, data) === 0) return hit.read;
  const named = stored.headers?.get(RECIPIENTS_HEADER);
  const read = deepFreeze({ parsed: parseMessageText(data), recipients: named ? new Set(named.split(",")) : undefined });
  memo.set(seq, { stream, data: data.slice(), read }); // a copy: the client may reuse its read buffers
  return read;
}

/** For tests: how many parses are remembered. */
export const broadcastParseMemoSize = () => memo.size;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
