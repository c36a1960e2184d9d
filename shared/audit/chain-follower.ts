// Following the audit chain live, through whatever a cluster does meanwhile: a coordinator
// instance (which may create consumers) takes the records through an ordered consumer. Its
// watchdog: a follower lost with a broker node, or stalled without an error (its consumer's node
// died and it was not recreated), is opened again from the next record it had not handed on, so
// every record comes once, in order. Observers, which may create no consumer, follow it with
// followChainLive (chain-live.ts); both hand records on alike and end where ChainReader.end says.
import { DeliverPolicy, type ConsumerMessages, jetstream, PubHeaders } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import { streams, subjects } from "../contracts/subjects.ts";
import type { Logger } from "../log.ts";
import { retryTransient } from "../nats/retry.ts";
import { type ChainMessage, ChainReader, decodeStored } from "./chain-read.ts";

/** The chain's end (ChainReader.end, its one definition) through elections. */
const endVia = (reader: ChainReader) => retryTransient(() => reader.end());

export interface ChainFollower {
  /** Stream sequence of the next record expected: every record before it was handed on. */
  next(): number;
  /** Whether every record stored by now was handed on (waiting up to `waitMs` for it). */
  current(waitMs?: number): Promise<boolean>;
  /** Resolves once every record stored when following began has been handed on. */
  readonly caughtUp: Promise<void>;
  /** Set only when following cannot go on at all (the connection closed); following ended there. */
  readonly failure: Error | undefined;
  stop(): Promise<void>;
}

/** Where following begins: from the next record written, or from stream sequence `fromSeq`. */
export type ChainStart = { fromNow: true } | { fromSeq: number };
/** What a follower hands each record to, with its stream sequence. */
export type OnRecord = (streamSeq: number, record: unknown) => void;

/**
 * A follower's first record and its catching up, from the chain's end when following begins
 * (`fromNow` is resolved there once, so a reopened follower resumes where it was): `caughtUp`
 * resolves once `passed(next)` is told a `next` past that end.
 */
export function startOf(from: ChainStart, end: number) {
  let resolve!: () => void;
  const caughtUp = new Promise<void>((r) => (resolve = r));
  const passed = (next: number) => {
    if (next > end) resolve();
  };
  const first = "fromSeq" in from ? Math.max(1, from.fromSeq) : end + 1;
  passed(first);
  return { first, caughtUp, passed };
}

/** Whether a follower has handed on every record up to the chain's end now, waiting up to `waitMs` for it. */
async function handedOnUpTo(end: number, next: () => number, stopped: () => boolean, waitMs: number): Promise<boolean> {
  for (const until = Date.now() + waitMs; next() <= end && Date.now() < until && !stopped(); ) await sleep(20);
  return next() > end;
}

/** A following loop as its readers see it (the consumer follower here and the consumer-free one, chain-live.ts). */
export function asFollower(loop: {
  next: () => number;
  end: () => Promise<number>;
  stopped: () => boolean;
  failure: () => Error | undefined;
  caughtUp: Promise<void>;
  stop: () => Promise<void>;
}): ChainFollower {
  return {
    next: loop.next,
    current: async (waitMs = 2_000) => handedOnUpTo(await loop.end(), loop.next, loop.stopped, waitMs),
    caughtUp: loop.caughtUp,
    get failure() {
      return loop.failure();
    },
    stop: loop.stop,
  };
}

/** Following cannot go on: the connection closed (the one thing reading again cannot mend). */
export const connectionClosed = (next: number) => new Error(`following the audit chain failed: the connection closed (next record ${next})`);

/** Hands a record to its reader; one it cannot take is reported and passed (reading it again would fail again). */
export function handOn(onRecord: OnRecord, log: Logger | undefined) {
  return (streamSeq: number, record: unknown) => {
    try {
      onRecord(streamSeq, record);
    } catch (err) {
      log?.error({ err, streamSeq }, "a record of the audit chain could not be applied; passed over");
    }
  };
}

/** An ordered consumer on the chain from `startSeq`: nothing is acknowledged or changed. */
async function orderedFrom(nc: NatsConnection, startSeq: number): Promise<ConsumerMessages> {
  const consumer = await jetstream(nc).consumers.get(streams.audit.name, {
    filter_subjects: subjects.audit,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, startSeq),
  });
  return consumer.consume({ max_messages: 1000 });
}

export interface ChainFollowOptions {
  log?: Logger;
  /** How often a quiet follower is checked against the chain's length (default 2 s). */
  stallCheckMs?: number;
  /**
   * Records the reader has already (it wrote them), by their msgID: passed over undecoded. Told
   * the stored bytes, so a reader that needs the last record can decode it when it asks.
   */
  known?: (msgId: string, streamSeq: number, data: Uint8Array) => boolean;
}

/** Hands every record from `from` on to `onRecord`, in stream order, once each. */
export async function followChain(nc: NatsConnection, from: ChainStart, onRecord: OnRecord, opts: ChainFollowOptions = {}): Promise<ChainFollower> {
  const { log, known } = opts;
  const hand = handOn(onRecord, log);
  // One reader for every check (each would otherwise cost a request of its own).
  const reader = await retryTransient(() => ChainReader.of(nc));
  const { first, caughtUp, passed } = startOf(from, await endVia(reader));
  let next = first;
  let stopped = false;
  let failure: Error | undefined;
  let follower: ConsumerMessages | undefined;
  const pause = new AbortController();
  // The chain was already ahead at the last check and nothing came since: the follower is
  // stopped, the loop reopens it. (A record stored just before a check is not a stall.)
  let seenAtLastCheck = next;
  let lastAtLastCheck = 0;
  let checking = false;
  const watchdog = setInterval(() => {
    if (checking) return; // a check slowed by an election must not overlap the next one
    checking = true;
    void endVia(reader)
      .then((last) => {
        if (!stopped && lastAtLastCheck >= next && next === seenAtLastCheck) {
          log?.warn({ nextSeq: next, lastSeq: last }, "the audit chain grew but nothing came; following it again");
          follower?.stop();
        }
        seenAtLastCheck = next;
        lastAtLastCheck = last;
      })
      .catch(() => undefined)
      .finally(() => (checking = false));
  }, opts.stallCheckMs ?? 2_000);
  const done = (async () => {
    while (!stopped) {
      try {
        follower = await orderedFrom(nc, next);
        if (stopped) follower.stop(); // stop() came while it was being opened
        for await (const m of follower) {
          if (m.seq < next) continue; // already handed on (never twice, whatever a consumer replays)
          next = m.seq + 1;
          const msgId = known && m.headers?.get(PubHeaders.MsgIdHdr);
          if (!msgId || !known!(msgId, m.seq, m.data)) {
            const { streamSeq, record }: ChainMessage = decodeStored(m.seq, m.data);
            hand(streamSeq, record);
          }
          passed(next);
        }
      } catch (e) {
        if (!stopped && !nc.isClosed()) log?.warn({ err: e, nextSeq: next }, "following the audit chain failed; opening it again");
      }
      // A closed connection is the one thing reopening cannot mend.
      if (!stopped && nc.isClosed()) failure = connectionClosed(next);
      if (stopped || failure) break;
      await sleep(500, undefined, { signal: pause.signal }).catch(() => undefined);
    }
    clearInterval(watchdog);
  })();
  const stop = async () => {
    stopped = true;
    clearInterval(watchdog);
    pause.abort();
    follower?.stop();
    await done;
  };
  return asFollower({ next: () => next, end: () => endVia(reader), stopped: () => stopped, failure: () => failure, caughtUp, stop });
}
