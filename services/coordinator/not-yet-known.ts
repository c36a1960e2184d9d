// Two coordinator instances share the submissions: a receipt, hit or answer may reach the one
// that did not accept what it names, a few milliseconds after the acceptance, before that
// message's record is stored (it is written alongside the deliveries, not before them). Such a
// reference is not refused at once: while the id is young and the submission was stored only
// moments ago, it is handed back and judged again. Both bounds keep a flood of made-up references
// from costing more than a few readings each. Ids carry simulated time (shared/messaging/compose.ts):
// "young" is measured on the exchange's clock, its bounds scaled by the clock's speed.
import type { SimClock } from "../../shared/clock.ts";

/** How long (wall time) after its id was made a message may still be on its way into the store. */
export const STORE_LAG_MS = 30_000;
/** How long after the submission naming it was stored it is judged again (about once a second). */
export const JUDGED_AGAIN_FOR_MS = 5_000;
/** An id dated further ahead than this is not taken for young (a clock a little ahead is). */
const AHEAD_MS = 5_000;

/** The creation time of a UUID v7 (its first 48 bits), or undefined for any other id. */
export function v7Time(id: string): number | undefined {
  if (id.length !== 36 || id[14] !== "7") return undefined;
  const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Whether the message `id`, named by a submission stored at `storedAtMs` (wall), may exist but not
 * be stored yet, at wall time `wallNow`, on the exchange's `clock`.
 */
export function mayBeOnItsWay(id: string, storedAtMs: number, clock: Pick<SimClock, "at" | "speed" | "paused">, wallNow = Date.now()): boolean {
  if (wallNow - storedAtMs >= JUDGED_AGAIN_FOR_MS) return false;
  const made = v7Time(id);
  if (made === undefined) return false;
  const simNow = clock.at(wallNow);
  const rate = clock.paused ? 1 : Math.max(1, clock.speed);
  return made <= simNow + AHEAD_MS * rate && simNow - made < STORE_LAG_MS * rate;
}
