// Appending a made-up past (history.ts) to the live audit chain, fast: each entry chained and
// signed as the coordinator's writer does (chain.ts chainRecord, one registered key), published
// under its event id as msgID (Nats-Msg-Id, as writer.ts does) with the stream sequence it must
// land on (Nats-Expected-Last-Sequence), and many publishes in flight at once. A single writer on
// a quiet exchange needs no retry logic: anything else stored meanwhile makes the next publish
// refused, and the run stops there rather than leave a forked chain behind.
//
// Published as plain messages with a reply subject, the stream's acknowledgements read by one
// subscription: a JetStream client publish (a request each, with its own timer and promise) cost
// twice as much per record as chaining and signing it.
import { jetstreamManager } from "@nats-io/jetstream";
import { createInbox, headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { chainRecord, type ChainHead } from "../../shared/audit/chain.ts";
import { readAuditHead } from "../../shared/audit/writer.ts";
import { type AuditEntry, subjects } from "../../shared/contracts/index.ts";
import { COORDINATOR_USER } from "../../shared/nats/connect.ts";

/** Records sent and not yet acknowledged at most: enough to keep the broker busy, bounded in memory. */
const WINDOW = 2_048;
/**
 * Records published between two waits: what is published between two waits leaves in one socket
 * write, so a write carries a chunk, not one record (a write each cost as much as a signature).
 */
const CHUNK = 256;
/** Records that share one `recordedAt` (the writer stamps a batch of up to 500 the same way). */
const STAMP_EVERY = 256;
const PROGRESS_EVERY_MS = 5_000;
/** The broker answers within this, or the run fails. */
const STALL_MS = 30_000;

export interface Appended {
  records: number;
  ms: number;
  /** The chain's head after the last record, and its stream sequence. */
  head: ChainHead & { streamSeq: number };
}

/** A stream acknowledgement as the broker sends it. */
interface PubAck {
  seq?: number;
  duplicate?: boolean;
  error?: { code: number; description: string };
}

/** The stream's answers to the records sent, counted in order; the first that is not "stored where expected" fails the run. */
class Answers {
  readonly inbox = createInbox(subjects.inboxPrefix(COORDINATOR_USER));
  private readonly sub: Subscription;
  count = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(nc: NatsConnection, private readonly baseStreamSeq: number) {
    // Not async: callbacks only count (DESIGN.md section 5).
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (_e, m) => {
        const i = Number(m.subject.slice(this.inbox.length + 1));
        this.failure ??= refusal(m.json<PubAck>(), i, this.baseStreamSeq + i + 1);
        this.count++;
        this.wake?.();
      },
    });
  }

  /** Resolves once no more than `outstanding` of `sent` are unanswered. */
  async settle(sent: number, outstanding: number) {
    while (!this.failure && sent - this.count > outstanding) {
      const before = this.count;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, STALL_MS);
      }).finally(() => clearTimeout(timer));
      if (this.count === before && !this.failure) throw new Error(`history: the broker acknowledged nothing for ${STALL_MS / 1000} s (${sent - this.count} records unanswered)`);
    }
    if (this.failure) throw this.failure;
  }

  close() {
    this.sub.unsubscribe();
  }
}

function refusal(ack: PubAck, i: number, streamSeq: number): Error | undefined {
  if (ack.error) return new Error(`history: the record for stream sequence ${streamSeq} was refused: ${ack.error.description} (${ack.error.code})`);
  if (ack.duplicate) return new Error(`history: record ${i + 1} of this append was taken for a duplicate: its event id was stored before`);
  if (ack.seq !== streamSeq) return new Error(`history: record ${i + 1} of this append was stored at stream sequence ${ack.seq}, expected ${streamSeq}`);
  return undefined;
}

/**
 * Appends `count` entries from `next` after the chain's current head, signed with `seed` (a
 * coordinator key the registry lists), on a coordinator's connection. `onProgress` hears a line
 * every few seconds.
 */
export async function appendHistory(nc: NatsConnection, seed: string, next: () => AuditEntry, count: number, onProgress?: (line: string) => void): Promise<Appended> {
  const start = await readAuditHead(await jetstreamManager(nc));
  const answers = new Answers(nc, start.streamSeq);
  let head: ChainHead = start;
  const t0 = performance.now();
  let reported = t0;
  let recordedAt = "";
  try {
    for (let i = 0; i < count; i++) {
      if (i % CHUNK === 0) {
        await answers.settle(i, WINDOW - CHUNK);
        const now = performance.now();
        if (onProgress && now - reported >= PROGRESS_EVERY_MS) {
          reported = now;
          onProgress(`${i.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} records (${Math.round(i / ((now - t0) / 1000)).toLocaleString("en-US")}/s)`);
        }
      }
      if (i % STAMP_EVERY === 0) recordedAt = new Date().toISOString();
      const entry = next();
      const record = chainRecord(head, entry, recordedAt, seed);
      head = { seq: record.seq, hash: record.hash };
      const h = headers();
      h.set("Nats-Msg-Id", entry.eventId);
      h.set("Nats-Expected-Last-Sequence", String(start.streamSeq + i));
      nc.publish(subjects.audit, JSON.stringify(record), { reply: `${answers.inbox}.${i}`, headers: h });
    }
    await answers.settle(count, 0);
  } finally {
    answers.close();
  }
  return { records: count, ms: performance.now() - t0, head: { ...head, streamSeq: start.streamSeq + count } };
}
