// Actions at simulated offsets, run in order as the clock reaches them. Actions due together
// start together; the play ends when all have run and the end time is reached.
import type { SimClock } from "../../shared/clock.ts";

interface Entry {
  at: number;
  order: number;
  run: () => Promise<void>;
}

export class Timeline {
  private entries: Entry[] = [];
  private n = 0;
  private inFlight = new Set<Promise<void>>();
  errors: unknown[] = [];

  add(at: number, run: () => Promise<void>) {
    const e = { at, order: this.n++, run };
    const i = this.entries.findIndex((x) => x.at > at);
    this.entries.splice(i < 0 ? this.entries.length : i, 0, e);
  }

  async play(clock: SimClock, simStart: number, simEnd: number, stop: () => boolean) {
    while (!stop()) {
      const next = this.entries[0];
      const target = next ? simStart + next.at : simEnd;
      const wait = clock.wallDelayUntil(target);
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, Math.min(wait, 100)));
        continue;
      }
      if (!next) break;
      this.entries.shift();
      const p = next.run().catch((e) => void this.errors.push(e));
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
    await Promise.allSettled([...this.inFlight]);
  }
}
