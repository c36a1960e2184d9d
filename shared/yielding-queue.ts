// Work that yields to everything else: tasks run in slices of about `sliceMs` per turn of the
// event loop, so what arrives on a socket meanwhile (a FLASH alert) is read and started before
// the next slice. A process hosting many agencies runs their receipts, acknowledgements, presence
// and officers' intake through one: a burst of bookkeeping must not hold up a FLASH delivery
// behind hundreds of signatures. (One task per turn was too slow: with a busy loop, turns are
// long, and the bookkeeping fell behind. The coordinator orders its work the same way, fairly
// between agencies: services/coordinator/fair-queue.ts.) The queue can be held still (`hold`),
// for at most `maxHoldMs` in a row, so a steady stream of holders cannot starve it.

/**
 * A task as an object: what is queued per delivery (an agency's intake) runs as a method of the
 * object it already keeps, not as a closure, which would be two more objects per delivery in flight.
 */
export interface QueuedStep {
  runQueued(): void;
}
export type QueuedTask = (() => void) | QueuedStep;

export class YieldingQueue {
  private tasks: QueuedTask[] = [];
  private head = 0;
  /** A step is due (tasks are waiting). */
  private scheduled = false;
  /** A step is queued with the event loop (at most one at a time); `timer` if it waits out a hold. */
  private queued = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waiters: (() => void)[] = [];
  /** Run tasks are dropped from the front this often under steady load (it may never drain). */
  private static readonly COMPACT_AFTER = 4_096;
  private holds = 0;
  /** When a step was first turned away by a hold since a slice last ran. */
  private blockedSince: number | undefined;

  constructor(
    private readonly sliceMs = 2,
    private readonly maxHoldMs = 25,
  ) {}

  push(task: QueuedTask) {
    this.tasks.push(task);
    if (!this.scheduled) {
      this.scheduled = true;
      this.queue(0);
    }
  }

  /** Stops the queue until the returned release is called (by every holder). Releasing twice is harmless. */
  hold(): () => void {
    this.holds++;
    return releaseOnce(() => {
      if (--this.holds === 0 && this.scheduled) this.queue(0);
    });
  }

  get size() {
    return this.tasks.length - this.head;
  }

  /** Resolves once every task pushed so far has run. */
  drained(): Promise<void> {
    return this.size ? new Promise((r) => this.waiters.push(r)) : Promise.resolve();
  }

  private queue(delayMs: number) {
    if (this.queued && !(this.timer && delayMs === 0)) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queued = true;
    if (delayMs > 0) this.timer = setTimeout(this.step, delayMs);
    else setImmediate(this.step);
  }

  private step = () => {
    this.queued = false;
    this.timer = undefined;
    if (this.holds > 0) {
      // Held: the release schedules the next slice. Holds that keep coming, even one after the
      // other without overlapping, let a slice through once the queue has waited maxHoldMs.
      this.blockedSince ??= performance.now();
      const heldFor = performance.now() - this.blockedSince;
      if (heldFor < this.maxHoldMs) return this.queue(Math.ceil(this.maxHoldMs - heldFor));
    }
    this.blockedSince = undefined;
    const until = performance.now() + this.sliceMs;
    try {
      do {
        const task = this.tasks[this.head++];
        if (typeof task === "function") task();
        else task?.runQueued();
      } while (this.head < this.tasks.length && performance.now() < until);
    } finally {
      if (this.head < this.tasks.length) {
        if (this.head >= YieldingQueue.COMPACT_AFTER) {
          this.tasks = this.tasks.slice(this.head);
          this.head = 0;
        }
        this.queue(0);
      } else {
        this.tasks = [];
        this.head = 0;
        this.scheduled = false;
        this.waiters.splice(0).forEach((w) => w());
      }
    }
  };
}

/** A release that does its work the first time it is called only: holders may release twice. */
export function releaseOnce(release: () => void): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
  };
}
