// Appends events to the audit chain. Several coordinator instances may write at once: each
// write expects the stream's last sequence (optimistic concurrency), so the chain never forks;
// the event id is the JetStream msgID, so a retried event is never recorded twice.
//
// A publish that got no answer (a timeout, a node down, a leader election) may still be stored,
// even later. Such a record is never chained again as a new version (its successor, expecting the
// event id, would then follow the wrong version): it is sent again exactly as it was, same bytes
// and expectations, until the stream answers — stored, "duplicate" (it had been stored), or
// refused (then it never will be). Only refused events are chained anew, on a freshly read head.
//
// A "duplicate" answer counts as written only when the stored message is a record of that very
// event (this writer's, or another instance's version of it). Anything else stored under the
// event's msgID is an error: it is logged and the event is recorded anew under the next msgID of
// its sequence (`<eventId>~1`, `~2`, …), which a retry after a crash walks the same way, so the
// event is still recorded once.
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, type JetStreamManager, type PubAck, type StoredMsg } from "@nats-io/jetstream";
import { type AuditEntry, type AuditRecord, StoredAuditRecord } from "../contracts/audit.ts";
import { streams, subjects } from "../contracts/subjects.ts";
import type { Logger } from "../log.ts";
import { durablePublisher, type JetStreamPublisher } from "../nats/jetstream-publisher.ts";
import { isExpectationRefused, isNoMessageFound, isTransient } from "../nats/errors.ts";
import { retryTransient } from "../nats/retry.ts";
import { chainRecord, type ChainHead, GENESIS } from "./chain.ts";

interface Head extends ChainHead {
  streamSeq: number;
}
interface Pending {
  entry: AuditEntry;
  /** How many msgIDs of the event were found taken by something else (see msgIdOf). */
  displaced: number;
  resolve: () => void;
  reject: (e: Error) => void;
}
/** One record as sent: repeated byte for byte while its fate is unknown. */
interface Send {
  record: AuditRecord;
  data: string;
  msgId: string;
  expectSeq: number;
  expectMsgId?: string;
}
/**
 * What became of a sent record: stored as sent, recorded by another writer in another version,
 * refused, or its msgID found taken by a message that is not a record of the event.
 */
type Fate = { is: "ours"; streamSeq: number } | { is: "theirs"; streamSeq: number } | { is: "refused" } | { is: "displaced"; streamSeq: number };

/** How long a record without an answer is sent again before the batch fails (its events are then retried by their callers). */
const SETTLE_FOR_MS = 60_000;
const MAX_BATCH = 500;

/** How far back the head is looked for past messages that are not records. */
const MAX_FOREIGN = 10_000;
/** msgIDs of one event tried before its write fails: each was found taken by something else. */
const MAX_DISPLACED = 8;

/** The msgID of an event's record: its event id, then `<eventId>~N` once N were found taken. */
export const msgIdOf = (eventId: string, displaced: number) => (displaced ? `${eventId}~${displaced}` : eventId);

/** The chain record a stored message holds, or undefined when it is not one. */
function recordIn(m: StoredMsg | null): StoredAuditRecord | undefined {
  // Readers follow the chain's subject only: a record under another is not in the chain.
  if (!m || m.subject !== subjects.audit) return undefined;
  let value: unknown;
  try {
    value = m.json();
  } catch {
    return undefined;
  }
  const parsed = StoredAuditRecord.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

async function recordAt(jsm: JetStreamManager, seq: number): Promise<StoredAuditRecord | undefined> {
  const m = await jsm.streams.getMessage(streams.audit.name, { seq }).catch((e: Error) => {
    if (isNoMessageFound(e)) return null; // removed: nothing there
    throw e;
  });
  return recordIn(m);
}

/**
 * The chain's last record, and the stream's last sequence to expect on the next write. Messages
 * after the last record that are not records (only coordinators can write there now, but an
 * exchange run by an earlier ATIX may hold copies and replies its observer had the server store)
 * are passed over: the chain goes
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
  private jsm: JetStreamManager | undefined;
  /** Records this writer appended (for status and tests). */
  written = 0;
  /** Records in the batch being written. */
  private writing = 0;
  private readonly publisher: JetStreamPublisher;

  /** `seed`: the writing instance's signing key (SU…), registered in the registry's coordinator keys. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    private readonly seed: string,
  ) {
    this.publisher = durablePublisher(nc);
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
      (urgent ? this.urgent : this.queue).push({ entry, displaced: 0, resolve, reject });
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
      const sends: Send[] = [];
      todo.forEach((p, i) => {
        const record = (h = chainRecord(h, p.entry, recordedAt, this.seed));
        // A later record of the pipeline may match the sequence after a refused one (another
        // instance wrote in between): it must also follow its own predecessor by id.
        const prev = sends[i - 1];
        sends.push({ record, data: JSON.stringify(record), msgId: msgIdOf(p.entry.eventId, p.displaced), expectSeq: head.streamSeq + i, ...(prev ? { expectMsgId: prev.msgId } : {}) });
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
        if (f.is === "displaced") {
          intact = false;
          p.displaced++;
          const error = `audit chain: the msgID ${sends[i]!.msgId} of event ${p.entry.eventId} is taken by stream message ${f.streamSeq}, which is not a record of that event; recording the event anew as ${msgIdOf(p.entry.eventId, p.displaced)}`;
          this.log.error({ messageId: p.entry.messageId, eventId: p.entry.eventId, streamSeq: f.streamSeq, msgId: sends[i]!.msgId }, error);
          if (p.displaced > MAX_DISPLACED) return p.reject(new Error(`${error}: gave up after ${MAX_DISPLACED} taken msgIDs`));
          return retry.push(p);
        }
        if (f.is === "ours") {
          this.written++;
          if (intact) advanced = { seq: sends[i]!.record.seq, hash: sends[i]!.record.hash, streamSeq: f.streamSeq };
          // Stored behind a predecessor that is not ours: only another writer's version of the same event at that place lets this happen.
          else this.log.error({ messageId: p.entry.messageId, eventId: p.entry.eventId, streamSeq: f.streamSeq }, "audit record stored after another writer's version of its predecessor");
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
    return this.publisher.publish(subjects.audit, s.data, { msgID: s.msgId, headers: hdrs, timeout });
  }

  /** Settles a record's fate: sends it again as it was while the answer is a transient failure. */
  private async fateOf(s: Send, first: PromiseSettledResult<PubAck>): Promise<Fate> {
    let res = first;
    const until = Date.now() + SETTLE_FOR_MS;
    while (res.status === "rejected" && isTransient(res.reason)) {
      if (Date.now() > until) throw new Error(`audit chain: no answer for ${s.record.eventId} within ${SETTLE_FOR_MS} ms`, { cause: res.reason });
      this.log.warn({ messageId: s.record.messageId, eventId: s.record.eventId, err: res.reason }, "audit write without an answer; sending it again as it was");
      await new Promise((r) => setTimeout(r, 250));
      [res] = await Promise.allSettled([this.publish(s, 5_000)]);
    }
    if (res.status === "rejected") {
      if (isExpectationRefused(res.reason)) return { is: "refused" };
      throw res.reason;
    }
    if (!res.value.duplicate) return { is: "ours", streamSeq: res.value.seq };
    // Recorded before: by this very send (an earlier attempt got through), or by another instance
    // in another version of the record. Or the msgID was taken by something that is no record of
    // the event at all: then the event is not in the chain.
    const streamSeq = res.value.seq;
    const stored = await retryTransient(() => recordAt(this.jsm!, streamSeq));
    if (stored?.hash === s.record.hash) return { is: "ours", streamSeq };
    if (stored?.eventId === s.record.eventId) return { is: "theirs", streamSeq };
    return { is: "displaced", streamSeq };
  }
}
