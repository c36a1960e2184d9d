// The simulated duty officer: when does a person at this post acknowledge a delivery? Pure
// functions of the roster's duty profile, the post's local time and a seeded PRNG.
import type { DutyProfile, Precedence } from "../../shared/contracts/index.ts";
import { inHours, localHour, nextLocalHour } from "./local-time.ts";
import { normal, type Rng, uniform } from "../../shared/prng.ts";

export type DutyStatus = "on-duty" | "reduced" | "unstaffed";
type Time = number | Date;

const MINUTE_MS = 60_000;
const ms = (t: Time) => (typeof t === "number" ? t : t.getTime());

/** Higher precedence is handled first (ACP 121): the day delay is scaled by these. */
export const PRECEDENCE_FACTOR: Record<Precedence, number> = { FLASH: 0.5, IMMEDIATE: 0.75, PRIORITY: 1, ROUTINE: 1.2 };

/** After a reminder escalation the officer acts within this many minutes (if anyone is there). */
export const REMINDER_MINUTES = { min: 1, max: 3 } as const;
/** The on-call officer of an unstaffed post, called out by a FLASH or IMMEDIATE reminder. */
export const CALL_OUT_MINUTES = { min: 5, max: 15 } as const;

/** Whether `t` falls in the post's local night hours (wrapping midnight). */
export function isNight(profile: DutyProfile, timeZone: string, t: Time): boolean {
  return inHours(localHour(timeZone, ms(t)), profile.nightHours.from, profile.nightHours.to);
}

export function dutyStatus(profile: DutyProfile, timeZone: string, simTime: Time): DutyStatus {
  if (profile.profile === "24/7" || !isNight(profile, timeZone, simTime)) return "on-duty";
  return profile.profile === "reduced-night" ? "reduced" : "unstaffed";
}

/** When dutyStatus next changes (simulated ms), or undefined if it never does. */
export function nextDutyChange(profile: DutyProfile, timeZone: string, simTime: Time): number | undefined {
  const { from, to } = profile.nightHours;
  if (profile.profile === "24/7" || from === to) return undefined;
  return nextLocalHour(timeZone, ms(simTime), isNight(profile, timeZone, simTime) ? to : from);
}

/**
 * One day-time handling delay in minutes: log-normal with the roster's median and 95th
 * percentile (sigma = ln(p95/median) / 1.645, 1.645 being the standard normal's 95th percentile).
 */
export function sampleDelayMinutes(ackDelay: DutyProfile["ackDelay"], rng: Rng): number {
  const sigma = Math.log(ackDelay.p95Minutes / ackDelay.medianMinutes) / 1.645;
  return ackDelay.medianMinutes * Math.exp(sigma * normal(rng));
}

/** The simulated time (ms) at which the officer acknowledges a delivery that arrived at `arrivedAt`. */
export function acknowledgeAt(profile: DutyProfile, timeZone: string, arrivedAt: Time, precedence: Precedence, rng: Rng): number {
  const t0 = ms(arrivedAt);
  const work = sampleDelayMinutes(profile.ackDelay, rng) * PRECEDENCE_FACTOR[precedence] * MINUTE_MS;
  if (profile.profile === "business-hours") return workInShifts(profile, timeZone, t0, work);
  // Staffed round the clock: the night watch is slower (reduced-night strongly, 24/7 mildly,
  // each by the roster's nightFactor).
  return t0 + work * (isNight(profile, timeZone, t0) ? profile.nightFactor : 1);
}

/**
 * Business-hours posts are empty at night: work starts with the next shift (nightHours.to, local),
 * and what is unfinished when the shift ends carries over to the next morning.
 */
function workInShifts(profile: DutyProfile, timeZone: string, start: number, workMs: number): number {
  const { from, to } = profile.nightHours;
  if (from === to) return start + workMs;
  let t = isNight(profile, timeZone, start) ? nextLocalHour(timeZone, start, to) : start;
  let left = workMs;
  for (let day = 0; day < 366; day++) {
    const shiftEnd = nextLocalHour(timeZone, t, from);
    if (t + left <= shiftEnd) return t + left;
    left -= shiftEnd - t;
    t = nextLocalHour(timeZone, shiftEnd, to);
  }
  return t + left;
}

/**
 * A reminder escalation reached the post at `remindedAt`: a staffed post now acts within 1–3
 * minutes; it never makes the officer slower. An unstaffed post has nobody at the desk, but for
 * FLASH and IMMEDIATE the reminder calls out the officer on call, who acknowledges within
 * 5–15 minutes; lower precedences wait for the morning shift.
 */
export function afterReminder(
  profile: DutyProfile,
  timeZone: string,
  dueAt: number,
  remindedAt: Time,
  rng: Rng,
  precedence: Precedence = "ROUTINE",
): number {
  const t = ms(remindedAt);
  if (dueAt <= t) return dueAt;
  if (dutyStatus(profile, timeZone, t) === "unstaffed") {
    if (precedence !== "FLASH" && precedence !== "IMMEDIATE") return dueAt;
    return Math.min(dueAt, t + uniform(rng, CALL_OUT_MINUTES.min, CALL_OUT_MINUTES.max) * MINUTE_MS);
  }
  return Math.min(dueAt, t + uniform(rng, REMINDER_MINUTES.min, REMINDER_MINUTES.max) * MINUTE_MS);
}

/** Call sign of the officer on watch: three 8-hour watches a day, local time (1: 08–16, 2: 16–24, 3: 00–08). */
export function officerOnWatch(agency: string, timeZone: string, simTime: Time): string {
  const h = localHour(timeZone, ms(simTime));
  return `${agency}-DO-${h >= 8 && h < 16 ? 1 : h >= 16 ? 2 : 3}`;
}
