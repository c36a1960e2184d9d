// Following the audit chain through an ordered consumer (nothing is acknowledged or changed): how
// a coordinator instance, which may create consumers, keeps its view live (chain-follower.ts).
// Observers, which may not, read and follow it by direct gets (chain-read.ts, chain-live.ts).
import { DeliverPolicy, type ConsumerMessages, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { streams, subjects } from "../contracts/subjects.ts";
import { isNoMessageFound, isStreamNotFound } from "../nats/errors.ts";
import { type ChainMessage, decodeStored } from "./chain-read.ts";

/**
 * The stream sequence of the last message on the chain's subject (0 when there is none): where
 * the chain ends for its readers. The stream's own last sequence can lie past it, when the server
 * stored a message there under another subject (an exchange run by an earlier ATIX, whose observer
 * could make it: docs/audit.md, "Who can write to the chain").
 */
export async function chainEnd(jsm: JetStreamManager): Promise<number> {
  try {
    return (await jsm.streams.getMessage(streams.audit.name, { last_by_subj: subjects.audit }))?.seq ?? 0;
  } catch (e) {
    if (isNoMessageFound(e)) return 0;
    if (isStreamNotFound(e))
      throw new Error(`no audit chain here: stream ${streams.audit.name} does not exist (is the exchange up?)`, { cause: e });
    throw e;
  }
}

async function orderedFrom(jsm: JetStreamManager, startSeq: number): Promise<ConsumerMessages> {
  const consumer = await jsm.jetstream().consumers.get(streams.audit.name, {
    filter_subjects: subjects.audit,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, startSeq),
  });
  return consumer.consume({ max_messages: 1000 });
}

export interface AuditFollower extends AsyncIterable<ChainMessage> {
  /** Stream sequence of the first record this follower delivers. */
  readonly startSeq: number;
  /** Ends the iteration. */
  stop(): void;
}

/** Live tail of the chain: from the next record written (`fromNow`) or from stream sequence `fromSeq`. */
export async function followAudit(nc: NatsConnection, from: { fromNow: true } | { fromSeq: number }): Promise<AuditFollower> {
  const jsm = await jetstreamManager(nc);
  const startSeq = "fromSeq" in from ? Math.max(1, from.fromSeq) : (await chainEnd(jsm)) + 1;
  const iter = await orderedFrom(jsm, startSeq);
  return {
    startSeq,
    stop: () => iter.stop(),
    async *[Symbol.asyncIterator]() {
      try {
        for await (const m of iter) yield decodeStored(m.seq, m.data);
      } finally {
        iter.stop();
      }
    },
  };
}
