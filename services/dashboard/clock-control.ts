// The facilitator's pause / resume / speed buttons. The dashboard itself only observes (its NATS
// user cannot write); whoever owns the clock hands it a controller. `atix run` does, with the
// runner's own admin connection and the in-process agencies' clock feed.
import type { NatsConnection } from "@nats-io/transport-node";
import { ClockState, SimClock } from "../../shared/clock.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import type { ClockFeed } from "../agency/clock-feed.ts";

export interface ClockChange {
  pause?: boolean;
  speed?: number;
}

/** Applies a change to the exchange clock; resolves with the clock now in force. */
export type ClockController = (change: ClockChange) => Promise<ClockState>;

/** Speeds the page offers and the server accepts: a day takes from 24 h down to ~29 s. */
export const MIN_SPEED = 1;
export const MAX_SPEED = 3_000;

/**
 * The runner's path: re-anchor at the current simulated time (so nothing jumps), adopt the new
 * state in the in-process agencies at once, and write it to the config bucket, which the
 * coordinators watch and re-broadcast on atix.clock. Changes are applied one at a time.
 */
export async function runnerClockController(admin: NatsConnection, feed: ClockFeed): Promise<ClockController> {
  const store = await openStore(admin);
  let last: Promise<unknown> = Promise.resolve();
  return (change) => {
    const next = last.then(async () => {
      const clock = new SimClock(feed.clock.snapshot());
      if (change.speed !== undefined) clock.setSpeed(Math.min(MAX_SPEED, Math.max(MIN_SPEED, change.speed)));
      if (change.pause === true) clock.pause();
      if (change.pause === false) clock.resume();
      const state = ClockState.parse(clock.snapshot());
      feed.adopt(state);
      await store.clock.put(CONFIG_KEYS.clock, state);
      return state;
    });
    last = next.catch(() => undefined);
    return next;
  };
}
