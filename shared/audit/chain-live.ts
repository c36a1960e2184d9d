// Following the audit chain live without a consumer. The audit stream republishes every record it
// stores on `atix.audit.stored`, with its stream sequence; a follower takes those in order and
// fills any gap (a copy lost while reconnecting, a burst it could not keep) with direct gets, and
// checks the chain's end every second, so nothing is missed and nothing comes twice. A chain
// stored by an earlier ATIX (whose stream does not republish) is followed by that check alone.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import { RepublishHeaders } from "@nats-io/jetstream";
import { streams, subjects } from "../contracts/subjects.ts";
import type { Logger } from "../log.ts";
import { asFollower, type ChainFollower, type ChainStart, connectionClosed, handOn, type OnRecord, startOf } from "./chain-follower.ts";
import { type ChainMessage, ChainReader, decodeStored } from "./chain-read.ts";

export interface LiveChainOptions {
  log?: Logger;
  /** How often the chain's end is checked besides the republished copies (default 1 s). */
  checkMs?: number;
}

/** Copies held while the follower is busy; beyond it they are dropped and read back by gets. */
const MAX_QUEUED = 10_000;

/** Hands every record from `from` on to `onRecord`, in stream order, once each. */
export async function followChainLive(nc: NatsConnection, from: ChainStart, onRecord: OnRecord, opts: LiveChainOptions = {}): Promise<ChainFollower> {
  const log = opts.log;
  const reader = await ChainReader.of(nc);
  const queued: ChainMessage[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  // Subscribed before the start is read: a record stored meanwhile comes as a copy, or is read.
  const sub: Subscription = nc.subscribe(subjects.auditStored, {
    callback: (err, m) => {
      // Only the audit stream's own copies: a member can steer an answer it may ask for (a direct
      // get of another stream, say) onto this subject in its own account.
      const h = err ? undefined : m.headers;
      if (h?.get(RepublishHeaders.Stream) !== streams.audit.name || h.get(RepublishHeaders.Subject) !== subjects.audit) return;
      const seq = Number(h.get(RepublishHeaders.Sequence));
      if (!seq) return;
      if (queued.length < MAX_QUEUED) queued.push(decodeStored(seq, m.data));
      else overflowed = true;
      poke();
    },
  });
  await nc.flush();
  const { first, caughtUp, passed } = startOf(from, await reader.end());
  let next = first;
  let stopped = false;
  let failure: Error | undefined;
  let check = true;
  const ticker = setInterval(() => {
    check = true;
    poke();
  }, opts.checkMs ?? 1_000);

  const handRecord = handOn(onRecord, log);
  const hand = (m: ChainMessage) => {
    next = m.streamSeq + 1;
    handRecord(m.streamSeq, m.record);
    passed(next);
  };
  /** Reads what lies between `next` and `to` (inclusive) by direct gets. */
  const readUpTo = async (to: number) => {
    for await (const m of reader.read({ fromSeq: next, toSeq: to })) {
      if (stopped) return;
      hand(m);
    }
    next = Math.max(next, to + 1);
    passed(next);
  };

  const done = (async () => {
    while (!stopped) {
      try {
        if (check || overflowed) {
          check = overflowed = false;
          const end = await reader.end();
          if (end >= next) await readUpTo(end);
        }
        while (queued.length && !stopped) {
          const m = queued.shift()!;
          if (m.streamSeq < next) continue;
          if (m.streamSeq > next) await readUpTo(m.streamSeq - 1);
          hand(m);
        }
      } catch (e) {
        if (nc.isClosed()) failure = connectionClosed(next);
        else if (!stopped) log?.warn({ err: e, nextSeq: next }, "following the audit chain failed; reading it again");
        if (failure) break;
        check = true;
        await sleep(500);
        continue;
      }
      if (!stopped && !queued.length && !check && !overflowed) await new Promise<void>((r) => (wake = r));
    }
    clearInterval(ticker);
    sub.unsubscribe();
  })();

  const stop = async () => {
    stopped = true;
    clearInterval(ticker);
    poke();
    await done;
  };
  return asFollower({ next: () => next, end: () => reader.end(), stopped: () => stopped, failure: () => failure, caughtUp, stop });
}
