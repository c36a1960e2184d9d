// The facilitator's clock controls: pause / resume, slower / faster and, where a scenario is
// played, "next inject". The dashboard itself only observes (its NATS user cannot write);
// whoever owns the clock hands it these controls: `atix run` (the runner's admin connection and
// its in-process agencies' clock feed) and `atix up` (its own exchange).
import type { NatsConnection } from "@nats-io/transport-node";
import { ClockState, SimClock } from "../../shared/clock.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import type { ClockFeed } from "../agency/clock-feed.ts";

export interface ClockChange {
  pause?: boolean;
  speed?: number;
}

/** Where "next inject" took the clock. */
export interface NextInject {
  clock: ClockState;
  /** The inject's MSEL number and simulated time. */
  inject: number;
  at: string;
  /** Background messages of the hours passed over, not sent. */
  skipped: number;
}

/** A control the facilitator asked for that cannot be done now; the message says why. */
export class ClockRefusal extends Error {}

export interface ClockControls {
  /** Applies a change; resolves with the clock now in force. */
  change(change: ClockChange): Promise<ClockState>;
  /** Moves the clock to just before the next scripted inject (only while a scenario plays). */
  nextInject?(): Promise<NextInject>;
}

/** Speeds the page offers and the server accepts: a day takes from 24 h down to ~29 s. */
export const MIN_SPEED = 1;
export const MAX_SPEED = 3_000;

/** Changes to the exchange clock, applied one at a time; `update` edits it through a SimClock. */
export interface ExchangeClock extends ClockControls {
  update(edit: (clock: SimClock) => void): Promise<ClockState>;
}

/**
 * Re-anchors at the current simulated time (so nothing jumps), adopts the new state in the
 * in-process agencies at once (`feed`, the runner's), and writes it to the config bucket, which
 * the coordinators watch and re-broadcast on atix.clock for every other agency process.
 */
export async function exchangeClock(admin: NatsConnection, feed?: ClockFeed): Promise<ExchangeClock> {
  const store = await openStore(admin);
  let last: Promise<unknown> = Promise.resolve();
  const current = async () => feed?.clock.snapshot() ?? (await store.clock.get(CONFIG_KEYS.clock))?.value;
  const update = (edit: (clock: SimClock) => void) => {
    const next = last.then(async () => {
      const now = await current();
      if (!now) throw new ClockRefusal("the exchange has no clock yet");
      const clock = new SimClock(now);
      edit(clock);
      const state = ClockState.parse(clock.snapshot());
      feed?.adopt(state);
      await store.clock.put(CONFIG_KEYS.clock, state);
      return state;
    });
    last = next.catch(() => undefined);
    return next;
  };
  return {
    update,
    change: (change) =>
      update((clock) => {
        if (change.speed !== undefined) clock.setSpeed(Math.min(MAX_SPEED, Math.max(MIN_SPEED, change.speed)));
        if (change.pause === true) clock.pause();
        if (change.pause === false) clock.resume();
      }),
  };
}
