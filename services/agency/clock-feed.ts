// The exchange clock as an agency sees it: the latest ClockState broadcast on atix.clock,
// adopted into a SimClock, with a change signal so sim-time timers can be re-armed.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { ClockState, SimClock } from "../../shared/clock.ts";
import { subjects } from "../../shared/contracts/index.ts";
import { followLive } from "../../shared/nats/live.ts";

const same = (a: ClockState, b: ClockState) =>
  a.simAnchor === b.simAnchor && a.wallAnchor === b.wallAnchor && a.speed === b.speed && a.paused === b.paused;

export class ClockFeed {
  readonly clock: SimClock;
  private readonly listeners = new Set<(state: ClockState) => void>();

  /** Without an initial state the clock runs at real time until the first broadcast arrives. */
  constructor(initial?: ClockState) {
    this.clock = initial ? new SimClock(ClockState.parse(initial)) : SimClock.start(1);
  }

  /** Adopts a state; returns whether it changed anything (the every-second repeats do not). */
  adopt(state: ClockState): boolean {
    if (same(state, this.clock.snapshot())) return false;
    this.clock.adopt(state);
    for (const fn of this.listeners) fn(state);
    return true;
  }

  onChange(fn: (state: ClockState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Follows broadcasts on a connection (core NATS, not stored). The callback stays synchronous;
   * a malformed broadcast is ignored, the clock keeps its last good state.
   */
  attach(nc: NatsConnection, subject: string = subjects.clock): Subscription {
    return followLive(nc, subject, (msg) => {
      try {
        const parsed = ClockState.safeParse(msg.json());
        if (parsed.success) this.adopt(parsed.data);
      } catch {
        // not JSON: ignore
      }
    });
  }
}
