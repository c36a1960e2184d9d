// Two coordinator instances share the submissions: a receipt, hit or answer may reach the one
// that did not accept what it names, a few milliseconds after the acceptance, before that
// message's record is stored (it is written alongside the deliveries, not before them). Such a
// reference is not refused at once: while the id is young and the submission was stored only
// moments ago, it is handed back and judged again. Both bounds keep a flood of made-up references
// from costing more than a few readings each.

/** How long after its id was made a message may still be on its way into the store. */
export const STORE_LAG_MS = 30_000;
/** How long after the submission naming it was stored it is judged again (about once a second). */
export const JUDGED_AGAIN_FOR_MS = 5_000;
/** An id dated further ahead than this is not taken for young (a clock a little ahead is). */
const AHEAD_MS = 5_000;

/** Thrown to hand a submission back (nak): what it names may just not be stored yet. */
export class NotYetKnown extends Error {
  override readonly name = "NotYetKnown";
}

/** The creation time of a UUID v7 (its first 48 bits), or undefined for any other id. */
export function v7Time(id: string): number | undefined {
  if (id.length !== 36 || id[14] !== "7") return undefined;
  const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Whether the message `id`, named by a submission stored at `storedAtMs`, may exist but not be
 * stored yet, at wall time `nowMs`.
 */
export function mayBeOnItsWay(id: string, storedAtMs: number, nowMs = Date.now()): boolean {
  const made = v7Time(id);
  return made !== undefined && made <= nowMs + AHEAD_MS && nowMs - made < STORE_LAG_MS && nowMs - storedAtMs < JUDGED_AGAIN_FOR_MS;
}
