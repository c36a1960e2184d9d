// One parse per stored broadcast per process. Every agency hosted in a process (a simulation or
// the bench runs ~90 in one) reads the same stored broadcast: same stream message, same bytes, so
// the first parse and validation serves them all. The result is deep-frozen: one agency's code
// must not change what another reads (a mutation throws, ESM being strict). The bytes are
// compared too (a memcmp, far cheaper than a parse): a stream recreated, or another exchange in
// the same process (tests), reuses sequence numbers.
import { type Message, parseMessageText, type ParseResult } from "../../shared/contracts/index.ts";

/** Enough for every broadcast in flight across the hosted agencies; the oldest entry goes first. */
export const BROADCAST_PARSE_MEMO_SIZE = 2_000;

const memo = new Map<string, { data: Uint8Array; parsed: ParseResult<Message> }>();

/** The parse of the broadcast stored at `seq` in `stream`; `data` is its bytes, parsed on first sight. */
export function parseBroadcast(stream: string, seq: number, data: Uint8Array): ParseResult<Message> {
  const key = `${stream}:${seq}`;
  const hit = memo.get(key);
  if (hit && Buffer.compare(hit.data, data) === 0) return hit.parsed;
  const parsed = deepFreeze(parseMessageText(data));
  memo.delete(key);
  memo.set(key, { data: data.slice(), parsed }); // a copy: the client may reuse its read buffers
  // Maps iterate in insertion order: the first key is the oldest.
  if (memo.size > BROADCAST_PARSE_MEMO_SIZE) memo.delete(memo.keys().next().value!);
  return parsed;
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

const named = new Map<string, ReadonlySet<string>>();

/**
 * The recipients a broadcast names in its header, read once per stored message (same key as the
 * parse); undefined when it names none (the whole registry but the sender).
 */
export function broadcastRecipients(stream: string, seq: number, header: string | undefined): ReadonlySet<string> | undefined {
  if (!header) return undefined;
  const key = `${stream}:${seq}:${header.length}`;
  let set = named.get(key);
  if (!set) {
    set = new Set(header.split(","));
    named.set(key, set);
    if (named.size > BROADCAST_PARSE_MEMO_SIZE) named.delete(named.keys().next().value!);
  }
  return set;
}
