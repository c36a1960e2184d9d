// Sends items in as few messages as the pace allows: one send at a time, and whatever arrives
// meanwhile goes out together in the next, each batch waiting `lingerMs` for company. With no
// linger a lone item leaves at once (after the current I/O turn, so deliveries read in the same
// turn share one message).
import { KeyedItems } from "../keyed-items.ts";

/** Told how its item's send ended. An item may be its own (enqueue): no promise per item. */
export interface BatchOutcome<R> {
  sent(r: R): void;
  failed(e: Error): void;
}

/**
 * An item waiting in the queue with its outcome. An object that is both (enqueueEntry) is its own
 * entry: under load thousands wait at once, and a wrapper each would outlive the young generation.
 * An entry waits in one queue at a time.
 */
export interface BatchEntry<T, R> {
  readonly item: T;
  readonly outcome: BatchOutcome<R>;
  /** What withdraw() finds it by; none: it cannot be withdrawn. */
  readonly key?: string | undefined;
  /** Set by the batcher: in its queue (waiting, or withdrawn and not yet passed over). */
  queued?: boolean;
  /** Set by the batcher: withdrawn while queued. */
  withdrawn?: boolean;
}
type Waiting<T, R> = BatchEntry<T, R>;

/** An object that is its own entry, item and outcome: what enqueueEntry takes without a wrapper. */
export abstract class SelfBatchEntry<R> implements BatchOutcome<R> {
  queued = false;
  withdrawn = false;
  get item(): this {
    return this;
  }
  get outcome(): BatchOutcome<R> {
    return this;
  }
  abstract sent(r: R): void;
  abstract failed(e: Error): void;
}

export class Batcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  /**
   * Waiting items added with a key (not yet in a send): withdraw() takes them out in O(1). Nearly
   * always one per key (a delivery read twice before its receipt left makes two): no array then.
   */
  private readonly byKey = new KeyedItems<Waiting<T, R>>();
  private withdrawnWaiting = 0;
  private sending = false;
  /** The current wait: lingerMs when items come now and then, growing while they keep coming. */
  private wait: number;
  private lastSentAt = 0;

  constructor(
    private readonly send: (items: T[]) => Promise<R>,
    private readonly max: number,
    /** How long the first item waits for company (wall ms); 0: only the current I/O turn. */
    private readonly lingerMs = 0,
    /**
     * The longest wait under sustained load. While items keep coming (during a send, or within
     * the current wait after one) the wait doubles up to this; a quieter spell brings it back to
     * lingerMs. Items that keep coming then go out in fuller messages (each is one signature for
     * the coordinator to check), while a lone item still waits only lingerMs.
     */
    private readonly maxLingerMs = lingerMs,
    /**
     * Where a send starts (its synchronous part: building and signing the message). Agencies
     * hosted in one process pass one shared YieldingQueue: their batches, which fall due
     * together, then go out in slices, with the deliveries arriving meanwhile read in between.
     */
    private readonly schedule?: (task: () => void) => void,
  ) {
    this.wait = lingerMs;
  }

  /** Resolves with what sending its batch returned; rejects if that send failed. */
  add(item: T, key?: string): Promise<R> {
    return new Promise((resolve, reject) => this.enqueue(item, { sent: resolve, failed: reject }, key));
  }

  /**
   * As add(), with the outcome told to `outcome`. Used per delivery: a node under load holds
   * thousands of items in flight, and every object each one keeps outlives the young generation.
   */
  enqueue(item: T, outcome: BatchOutcome<R>, key?: string): void {
    this.enqueueEntry({ item, outcome, key, queued: false, withdrawn: false });
  }

  /** As enqueue(), for an entry that is its own item and outcome (no object per item). */
  enqueueEntry(w: BatchEntry<T, R>): void {
    // Queued twice, it would be sent twice, and one withdrawn and queued again would upset the count of those waiting.
    if (w.queued) throw new Error("expected an entry not already in the batch's queue; an entry waits once at a time");
    w.queued = true;
    w.withdrawn = false;
    this.queue.push(w);
    if (w.key !== undefined) this.byKey.add(w.key, w);
    if (this.sending) return;
    this.sending = true;
    if (this.lingerMs <= 0) return void setImmediate(() => void this.drain());
    // Items still coming (this one soon after the last send): wait longer for company.
    this.wait = Date.now() - this.lastSentAt < this.wait ? Math.min(this.maxLingerMs, this.wait * 2) : this.lingerMs;
    setTimeout(() => void this.drain(), this.wait);
  }

  get waiting(): number {
    return this.queue.length - this.withdrawnWaiting;
  }

  /**
   * Takes the waiting items added with `key` out of the queue (not those already in a send):
   * they will not be sent, and the caller tells each one's outcome.
   */
  withdraw(key: string): BatchOutcome<R>[] {
    const taken = this.byKey.takeAll(key);
    for (const w of taken) w.withdrawn = true;
    this.withdrawnWaiting += taken.length;
    return taken.map((w) => w.outcome);
  }

  /** The next batch: up to `max` items that were not withdrawn, no longer findable by key. */
  private take(): Waiting<T, R>[] {
    const batch: Waiting<T, R>[] = [];
    let i = 0;
    for (; i < this.queue.length && batch.length < this.max; i++) {
      const w = this.queue[i]!;
      w.queued = false;
      if (w.withdrawn) {
        this.withdrawnWaiting--;
        continue;
      }
      batch.push(w);
      if (w.key !== undefined) this.byKey.remove(w.key, w);
    }
    this.queue.splice(0, i);
    return batch;
  }

  private scheduled(items: T[], schedule: (task: () => void) => void): Promise<R> {
    return new Promise<R>((resolve, reject) =>
      schedule(() => {
        try {
          this.send(items).then(resolve, reject);
        } catch (e) {
          reject(e as Error);
        }
      }),
    );
  }

  private async drain() {
    // The first batch of a busy spell waited before drain began (add); a full batch never waits.
    for (let first = true; this.waiting > 0; first = false) {
      // Under load every batch waits for company, not only the first: fewer, fuller messages
      // (each is one signature to check at the coordinator) rather than one per publish turn.
      if (this.lingerMs > 0 && this.waiting < this.max && !first) await new Promise((r) => setTimeout(r, this.wait));
      const batch = this.take();
      if (!batch.length) continue; // all withdrawn while it waited
      let r: R;
      try {
        const items = batch.map((w) => w.item);
        r = await (this.schedule ? this.scheduled(items, this.schedule) : this.send(items));
      } catch (e) {
        for (const w of batch) tellFailed(w.outcome, e as Error);
        continue;
      } finally {
        this.lastSentAt = Date.now();
        if (this.waiting) this.wait = Math.min(this.maxLingerMs, this.wait * 2);
      }
      for (const w of batch) tellSent(w.outcome, r);
    }
    this.sending = false;
  }
}

/**
 * Tells one item its outcome. An outcome that throws is a bug of its own: it is raised on its own
 * (an uncaught exception, as a throwing promise handler would be), and the other items and later
 * batches are still told.
 */
export function tellSent<R>(outcome: BatchOutcome<R>, r: R): void {
  try {
    outcome.sent(r);
  } catch (err) {
    raise(err);
  }
}

export function tellFailed(outcome: BatchOutcome<unknown>, e: Error): void {
  try {
    outcome.failed(e);
  } catch (err) {
    raise(err);
  }
}

function raise(err: unknown) {
  queueMicrotask(() => {
    throw err;
  });
}
