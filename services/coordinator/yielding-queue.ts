// Work that yields to everything else: tasks run in slices of about `sliceMs` per turn of the
// event loop, so what arrives on a socket meanwhile (a FLASH alert) is read and started before
// the next slice. The coordinator runs receipts, acknowledgements and presence through it: a burst
// of bookkeeping must not hold up an alert behind hundreds of signature checks. (One task per
// turn was too slow: with a busy loop, turns are long, and the bookkeeping fell behind.)
export class YieldingQueue {
  private tasks: (() => void)[] = [];
  private head = 0;
  private scheduled = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly sliceMs = 2) {}

  push(task: () => void) {
    this.tasks.push(task);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.step);
    }
  }

  get size() {
    return this.tasks.length - this.head;
  }

  /** Resolves once every task pushed so far has run. */
  drained(): Promise<void> {
    return this.size ? new Promise((r) => this.waiters.push(r)) : Promise.resolve();
  }

  private step = () => {
    const until = performance.now() + this.sliceMs;
    try {
      do this.tasks[this.head++]?.();
      while (this.head < this.tasks.length && performance.now() < until);
    } finally {
      if (this.head < this.tasks.length) setImmediate(this.step);
      else {
        this.tasks = [];
        this.head = 0;
        this.scheduled = false;
        this.waiters.splice(0).forEach((w) => w());
      }
    }
  };
}
