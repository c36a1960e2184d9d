// Appends events to the audit chain. Several coordinator instances may write at once: each
// write expects the stream's last sequence (optimistic concurrency), so the chain never forks;
// the event id is the JetStream msgID, so a retried event is never recorded twice.
//
// A publish that got no answer (a timeout, a node down, a leader election) may still be stored,
// even later. Such a record is never chained again as a new version (its successor, expecting the
// event id, would then follow the wrong version): it is sent again exactly as it was, same bytes
// and expectations, until the stream answers — stored, "duplicate" (it had been stored), or
// refused (then it never will be). Only refused events are chained anew, on a freshly read head.
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck, type StoredMsg } from "@nats-io/jetstream";
import { type AuditEntry, AuditRecord } from "../contracts/audit.ts";
import { streams, subjects } from "../contracts/subjects.ts";
import type { Logger } from "../log.ts";
import { isTransient, retryTransient } from "../nats/retry.ts";
import { chainRecord, type ChainHead, GENESIS } from "./chain.ts";

interface Head extends ChainHead {
  streamSeq: number;
}
interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (e: Error) => void;
}
/** One record as sent: repeated byte for byte while its fate is unknown. */
interface Send {
  record: AuditRecord;
  data: string;
  expectSeq: number;
  expectMsgId?: string;
}
/** What became of a sent record: stored as sent, recorded by another writer in another version, or refused. */
type Fate = { is: "ours"; streamSeq: number } | { is: "theirs"; streamSeq: number } | { is: "refused" };

const REFUSED = /wrong last sequence|last msg ?id mismatch|wrong last msg ?id/i;
/** How long a record without an answer is sent again before the batch fails (its events are then retried by their callers). */
const SETTLE_FOR_MS = 60_000;
const MAX_BATCH = 500;

/** How far back the head is looked for past messages that are not records. */
const MAX_FOREIGN = 10_000;

/** The chain record a stored message holds, or undefined when it is not one. */
function recordIn(m: StoredMsg | null): AuditRecord | undefined {
  // Readers follow the chain's subject only: a record under another is not in the chain.
  if (!m || m.subject !== subjects.audit) return undefined;
  let value: unknown;
  try {
    value = m.json();
  } catch {
    return undefined;
  }
  const parsed = AuditRecord.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

async function recordAt(jsm: JetStreamManager, seq: number): Promise<AuditRecord | undefined> {
  const m = await jsm.streams.getMessage(streams.audit.name, { seq }).catch((e: Error) => {
    if (/no message found/i.test(e.message)) return null; // removed: nothing there
    throw e;
  });
  return recordIn(m);
}

/**
 * The chain's last record, and the stream's last sequence to expect on the next write. Messages
 * after the last record that are not records (the server can be made to store copies and replies
 * there, see the known holes in permissions.integration.test.ts) are passed over: the chain goes
 * on after them and the exchange keeps running. Those on the chain's subject make every
 * verification fail there; those under other subjects are not read as part of the chain at all.
 */
export async function readAuditHead(jsm: JetStreamManager, log?: Logger): Promise<Head> {
  // The stream's end first, then what is stored up to it: a record appended meanwhile lies past
  // it and makes the next write (expecting this end) refused, never chained on a stale head.
  const { state } = await jsm.streams.info(streams.audit.name);
  const end = state.last_seq;
  if (!state.messages) return { ...GENESIS, streamSeq: end };
  for (let seq = end; seq >= state.first_seq && end - seq <= MAX_FOREIGN; seq--) {
    const r = await recordAt(jsm, seq);
    if (!r) continue;
    if (seq !== end)
      log?.error({ streamSeq: end, foreign: end - seq, lastRecord: r.seq, lastRecordStreamSeq: seq },
        "the audit stream ends in messages that are not chain records (stored by the server for something other than a coordinator); the chain goes on after them");
    return { seq: r.seq, hash: r.hash, streamSeq: end };
  }
  if (end - state.first_seq <= MAX_FOREIGN) {
    log?.error({ streamSeq: end }, "the audit stream holds no chain record, only other messages; the chain starts after them");
    return { ...GENESIS, streamSeq: end };
  }
  throw new Error(`audit chain: the last ${MAX_FOREIGN} messages of stream ${streams.audit.name} (up to ${end}) are not chain records; the chain's head cannot be found`);
}

export class AuditWriter {
  private head: Head | undefined;
  private queue: Pending[] = [];
  /** Records that go before those queued in `queue` (see append). */
  private urgent: Pending[] = [];
  private running = false;
  private readonly js: JetStreamClient;
  private jsm: JetStreamManager | undefined;
  /** Records this writer appended (for status and tests). */
  written = 0;
  /** Records in the batch being written. */
  private writing = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {
    this.js = jetstream(nc);
  }

  /**
   * Records waiting to be written, and being written. Whatever appends must keep this bounded
   * (the coordinator's intake starts nothing new while it is high): appending never refuses.
   */
  get backlog(): number {
    return this.urgent.length + this.queue.length + this.writing;
  }

  /**
   * Resolves once the event is durably in the chain (or was already). An `urgent` event (the
   * acceptance of an alert, on which its sender waits) is written before those queued without,
   * in its own order: a flood's refusals, receipts and acknowledgements do not stand in front of
   * another agency's alert. Only what may come before what was queued earlier is urgent (an
   * acceptance's records are, a retraction's are not: it closes deliveries an earlier record may
   * acknowledge).
   */
  append(entry: AuditEntry, urgent = false): Promise<void> {
    return new Promise((resolve, reject) => {
      (urgent ? this.urgent : this.queue).push({ entry, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain() {
    this.running = true;
    try {
      while (this.urgent.length || this.queue.length) {
        const batch = this.urgent.splice(0, MAX_BATCH);
        if (batch.length < MAX_BATCH) batch.push(...this.queue.splice(0, MAX_BATCH - batch.length));
        this.writing = batch.length;
        try {
          await this.writeBatch(batch);
        } catch (e) {
          this.log.error({ err: e, events: batch.length }, "audit write failed");
          this.head = undefined;
          batch.forEach((p) => p.reject(e as Error));
        } finally {
          this.writing = 0;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async writeBatch(batch: Pending[]) {
    let todo = batch;
    for (let attempt = 0; todo.length; attempt++) {
      if (attempt > 50) throw new Error("audit chain: gave up after 50 conflicting writes");
      const jsm = (this.jsm ??= await retryTransient(() => jetstreamManager(this.nc)));
      const head = (this.head ??= await retryTransient(() => readAuditHead(jsm, this.log)));
      const recordedAt = new Date().toISOString();
      let h: ChainHead = head;
      const sends: Send[] = todo.map((p, i) => {
        const record = (h = chainRecord(h, p.entry, recordedAt));
        // A later record of the pipeline may match the sequence after a refused one (another
        // instance wrote in between): it must also follow its own predecessor by id.
        return { record, data: JSON.stringify(record), expectSeq: head.streamSeq + i, ...(i > 0 ? { expectMsgId: todo[i - 1]!.entry.eventId } : {}) };
      });
      // Pipelined: the server applies them in order; after the first refusal the rest fail too.
      const first = await Promise.allSettled(sends.map((s) => this.publish(s, 10_000)));
      const fates: Fate[] = [];
      // In order, so a record sent again reaches the stream before its successor is sent again.
      for (const [i, res] of first.entries()) fates.push(await this.fateOf(sends[i]!, res));

      const retry: Pending[] = [];
      let advanced: Head = head;
      let intact = true;
      fates.forEach((f, i) => {
        const p = todo[i]!;
        if (f.is === "refused") {
          intact = false;
          return retry.push(p);
        }
        if (f.is === "ours") {
          this.written++;
          if (intact) advanced = { seq: sends[i]!.record.seq, hash: sends[i]!.record.hash, streamSeq: f.streamSeq };
          // Stored behind a predecessor that is not ours: only another writer's version of the same event at that place lets this happen.
          else this.log.error({ msgId: p.entry.messageId, eventId: p.entry.eventId, streamSeq: f.streamSeq }, "audit record stored after another writer's version of its predecessor");
        } else intact = false; // recorded by another writer: the event is in the chain, ours is not
        p.resolve();
      });
      // Anything refused, or after something not ours, is chained anew on a freshly read head.
      this.head = intact ? advanced : undefined;
      todo = retry;
    }
  }

  private publish(s: Send, timeout: number): Promise<PubAck> {
    const hdrs = headers();
    hdrs.set("Nats-Expected-Last-Sequence", String(s.expectSeq));
    if (s.expectMsgId) hdrs.set("Nats-Expected-Last-Msg-Id", s.expectMsgId);
    return this.js.publish(subjects.audit, s.data, { msgID: s.record.eventId, headers: hdrs, timeout });
  }

  /** Settles a record's fate: sends it again as it was while the answer is a transient failure. */
  private async fateOf(s: Send, first: PromiseSettledResult<PubAck>): Promise<Fate> {
    let res = first;
    const until = Date.now() + SETTLE_FOR_MS;
    while (res.status === "rejected" && isTransient(res.reason)) {
      if (Date.now() > until) throw new Error(`audit chain: no answer for ${s.record.eventId} within ${SETTLE_FOR_MS} ms`, { cause: res.reason });
      this.log.warn({ msgId: s.record.messageId, eventId: s.record.eventId, err: res.reason }, "audit write without an answer; sending it again as it was");
      await new Promise((r) => setTimeout(r, 250));
      [res] = await Promise.allSettled([this.publish(s, 5_000)]);
    }
    if (res.status === "rejected") {
      if (REFUSED.test((res.reason as Error).message)) return { is: "refused" };
      throw res.reason;
    }
    if (!res.value.duplicate) return { is: "ours", streamSeq: res.value.seq };
    // Recorded before: by this very send (an earlier attempt got through), or in another version.
    const stored = await retryTransient(() => this.jsm!.streams.getMessage(streams.audit.name, { seq: res.value.seq }));
    const hash = stored ? (stored.json<{ hash?: string }>().hash ?? "") : "";
    return { is: hash === s.record.hash ? "ours" : "theirs", streamSeq: res.value.seq };
  }
}
