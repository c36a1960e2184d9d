// Runs work concurrently across keys but in order within a key: each agency's submissions are
// handled in the order it sent them, different agencies in parallel.
export class Lanes {
  private tails = new Map<string, Promise<void>>();
  private active = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get inFlight() {
    return this.active;
  }

  /** Waits for a free slot, then queues `work` behind earlier work of the same key. */
  async run(key: string, work: () => Promise<void>): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    const prev = this.tails.get(key) ?? Promise.resolve();
    const tail: Promise<void> = prev
      .then(work)
      .catch(() => undefined) // work reports its own failures; a lane never stalls on one
      .finally(() => {
        this.active--;
        if (this.tails.get(key) === tail) this.tails.delete(key);
        this.waiters.shift()?.();
      });
    this.tails.set(key, tail);
  }

  async idle(): Promise<void> {
    while (this.tails.size) await Promise.allSettled([...this.tails.values()]);
  }
}
