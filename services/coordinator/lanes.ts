// Runs work concurrently across keys but in order within a key: each agency's submissions are
// decided in the order it sent them, different agencies in parallel. Work may hand back a
// continuation (writes still under way): the key's next work starts without waiting for it,
// but it keeps its slot, so what is in flight stays bounded.
// (Wrapped in an object: an async function returning a bare promise would be flattened into it.)
export type Work = () => Promise<{ rest: Promise<unknown> } | void>;

export class Lanes {
  private tails = new Map<string, Promise<void>>();
  private continuing = new Set<Promise<void>>();
  private active = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get inFlight() {
    return this.active;
  }

  /** Waits for a free slot, then queues `work` behind earlier work of the same key. */
  async run(key: string, work: Work): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    const prev = this.tails.get(key) ?? Promise.resolve();
    // Work reports its own failures; a lane never stalls on one.
    const ordered = prev.then(work).catch(() => undefined);
    const tail: Promise<void> = ordered.then(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    const finished: Promise<void> = ordered
      .then((r) => r?.rest)
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        this.continuing.delete(finished);
        this.active--;
        this.waiters.shift()?.();
      });
    this.continuing.add(finished);
  }

  /** Resolves when all work and its continuations are done. */
  async idle(): Promise<void> {
    while (this.tails.size || this.continuing.size) await Promise.allSettled([...this.tails.values(), ...this.continuing]);
  }
}
