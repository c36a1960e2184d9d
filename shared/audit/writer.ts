// Appends events to the audit chain. Several coordinator instances may write at once: each
// write expects the stream's last sequence (optimistic concurrency), so the chain never forks;
// the event id is the JetStream msgID, so a retried event is never recorded twice.
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { type AuditEntry, AuditRecord } from "../contracts/audit.ts";
import { streams, subjects } from "../contracts/subjects.ts";
import type { Logger } from "../log.ts";
import { chainRecord, type ChainHead, GENESIS } from "./chain.ts";

interface Head extends ChainHead {
  streamSeq: number;
}
interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (e: Error) => void;
}

const MAX_BATCH = 500;

export async function readAuditHead(jsm: JetStreamManager): Promise<Head> {
  try {
    const m = await jsm.streams.getMessage(streams.audit.name, { last_by_subj: subjects.audit });
    if (!m) return { ...GENESIS, streamSeq: 0 };
    const r = AuditRecord.parse(m.json());
    return { seq: r.seq, hash: r.hash, streamSeq: m.seq };
  } catch (e) {
    if (/no message found|not found/i.test((e as Error).message)) return { ...GENESIS, streamSeq: 0 };
    throw e;
  }
}

export class AuditWriter {
  private head: Head | undefined;
  private queue: Pending[] = [];
  private running = false;
  private readonly js: JetStreamClient;
  private jsm: JetStreamManager | undefined;
  /** Records this writer appended (for status and tests). */
  written = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {
    this.js = jetstream(nc);
  }

  /** Resolves once the event is durably in the chain (or was already). */
  append(entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain() {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.writeBatch(batch);
        } catch (e) {
          this.log.error({ err: e, events: batch.length }, "audit write failed");
          this.head = undefined;
          batch.forEach((p) => p.reject(e as Error));
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
      this.jsm ??= await jetstreamManager(this.nc);
      const head = (this.head ??= await readAuditHead(this.jsm));
      const recordedAt = new Date().toISOString();
      let h: ChainHead = head;
      const records = todo.map((p) => (h = chainRecord(h, p.entry, recordedAt)));
      // Pipelined: the server applies them in order; after the first refusal the rest fail too.
      const results = await Promise.allSettled(
        records.map((r, i) => {
          const hdrs = headers();
          hdrs.set("Nats-Expected-Last-Sequence", String(head.streamSeq + i));
          // A later record of the pipeline may match the sequence after a refused one (another
          // instance wrote in between): it must also follow its own predecessor by id.
          if (i > 0) hdrs.set("Nats-Expected-Last-Msg-Id", records[i - 1]!.eventId);
          return this.js.publish(subjects.audit, JSON.stringify(r), { msgID: r.eventId, headers: hdrs, timeout: 10_000 });
        }),
      );
      const retry: Pending[] = [];
      let advanced: Head | undefined;
      results.forEach((res, i) => {
        const p = todo[i]!;
        if (res.status === "fulfilled" && res.value.duplicate) return p.resolve(); // recorded before
        if (res.status === "fulfilled" && !retry.length) {
          advanced = { seq: records[i]!.seq, hash: records[i]!.hash, streamSeq: res.value.seq };
          this.written++;
          return p.resolve();
        }
        retry.push(p);
      });
      // Anything refused or written after a refusal is re-chained on a freshly read head.
      this.head = retry.length ? undefined : advanced ?? head;
      todo = retry;
    }
  }
}
