// Reading the audit chain as stored: in stream order through an ordered consumer (nothing is
// acknowledged or changed), either up to the record that was last when reading began, or live.
import { DeliverPolicy, type ConsumerMessages, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { streams, subjects } from "../contracts/subjects.ts";

export interface StoredAuditRecord {
  /** The stream sequence it is stored at. */
  streamSeq: number;
  /** The record as parsed JSON (not validated: verifiers judge it); the text itself when it is not JSON. */
  record: unknown;
  /** Set when the stored data is not JSON. */
  notJson?: true;
}

export interface AuditStreamState {
  /** Stream sequences of the first and last stored message (0 when empty). */
  firstSeq: number;
  lastSeq: number;
  messages: number;
}

export async function auditStreamState(jsm: JetStreamManager): Promise<AuditStreamState> {
  try {
    const { state } = await jsm.streams.info(streams.audit.name);
    return { firstSeq: state.messages ? state.first_seq : 0, lastSeq: state.messages ? state.last_seq : 0, messages: state.messages };
  } catch (e) {
    if (/stream not found/i.test((e as Error).message))
      // With its cause: during a leader election a cluster says "stream not found" for a moment,
      // and retryTransient retries that briefly (retry.ts).
      throw new Error(`no audit chain here: stream ${streams.audit.name} does not exist (is the exchange up?)`, { cause: e });
    throw e;
  }
}

/**
 * The stream sequence of the last message on the chain's subject (0 when there is none): where
 * the chain ends for its readers. The stream's own last sequence can lie past it, when the server
 * stored a message there under another subject (see the known holes in permissions.integration.test.ts).
 */
export async function chainEnd(jsm: JetStreamManager): Promise<number> {
  try {
    return (await jsm.streams.getMessage(streams.audit.name, { last_by_subj: subjects.audit }))?.seq ?? 0;
  } catch (e) {
    if (/no message found/i.test((e as Error).message)) return 0;
    if (/stream not found/i.test((e as Error).message))
      throw new Error(`no audit chain here: stream ${streams.audit.name} does not exist (is the exchange up?)`, { cause: e });
    throw e;
  }
}

const decode = (streamSeq: number, data: Uint8Array): StoredAuditRecord => {
  const text = new TextDecoder().decode(data);
  try {
    return { streamSeq, record: JSON.parse(text) };
  } catch {
    return { streamSeq, record: text, notJson: true };
  }
};

async function orderedFrom(jsm: JetStreamManager, startSeq: number): Promise<ConsumerMessages> {
  const consumer = await jsm.jetstream().consumers.get(streams.audit.name, {
    filter_subjects: subjects.audit,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, startSeq),
  });
  return consumer.consume({ max_messages: 1000 });
}

/**
 * The chain as stored now: every record up to the stream's last sequence when reading began,
 * in order. Ends by itself, also on an empty stream; records appended meanwhile are left out.
 */
export async function* readAudit(nc: NatsConnection, opts: { fromSeq?: number } = {}): AsyncGenerator<StoredAuditRecord> {
  const jsm = await jetstreamManager(nc);
  const lastSeq = await chainEnd(jsm);
  const from = opts.fromSeq ?? 1;
  if (!lastSeq || from > lastSeq) return;
  const iter = await orderedFrom(jsm, from);
  try {
    for await (const m of iter) {
      if (m.seq > lastSeq) break;
      yield decode(m.seq, m.data);
      // Nothing more stored (the last one may have been removed since): done.
      if (m.seq >= lastSeq || m.info.pending === 0) break;
    }
  } finally {
    iter.stop();
  }
}

export interface AuditFollower extends AsyncIterable<StoredAuditRecord> {
  /** Stream sequence of the first record this follower delivers. */
  readonly startSeq: number;
  /** Ends the iteration. */
  stop(): void;
}

/** Live tail of the chain: from the next record written (`fromNow`) or from stream sequence `fromSeq`. */
export async function followAudit(nc: NatsConnection, from: { fromNow: true } | { fromSeq: number }): Promise<AuditFollower> {
  const jsm = await jetstreamManager(nc);
  const startSeq = "fromSeq" in from ? Math.max(1, from.fromSeq) : (await auditStreamState(jsm)).lastSeq + 1;
  const iter = await orderedFrom(jsm, startSeq);
  return {
    startSeq,
    stop: () => iter.stop(),
    async *[Symbol.asyncIterator]() {
      try {
        for await (const m of iter) yield decode(m.seq, m.data);
      } finally {
        iter.stop();
      }
    },
  };
}
