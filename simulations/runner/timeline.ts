// Actions at simulated offsets, run in order as the clock reaches them. Actions due together
// start together; the play ends when all have run and the end time is reached. Entries may carry
// a tag, so the facilitator's "next inject" can find the next scripted one and pass over the
// background traffic before it.
import type { SimClock } from "../../shared/clock.ts";

interface Entry<T> {
  at: number;
  order: number;
  run: () => Promise<void>;
  tag: T | undefined;
}

export class Timeline<T = string> {
  private entries: Entry<T>[] = [];
  private n = 0;
  private inFlight = new Set<Promise<void>>();
  errors: unknown[] = [];

  add(at: number, run: () => Promise<void>, tag?: T) {
    const e = { at, order: this.n++, run, tag };
    const i = this.entries.findIndex((x) => x.at > at);
    this.entries.splice(i < 0 ? this.entries.length : i, 0, e);
  }

  /** Offset of the first entry not yet started that has `tag`. */
  nextAt(tag: T): number | undefined {
    return this.entries.find((e) => e.tag === tag)?.at;
  }

  /** Removes the entries with `tag` due before `at` without running them; returns how many. */
  skip(before: number, tag: T): number {
    const kept = this.entries.filter((e) => e.at >= before || e.tag !== tag);
    const skipped = this.entries.length - kept.length;
    this.entries = kept;
    return skipped;
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
