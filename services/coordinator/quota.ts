// Whether a submission is within its agency's quota (settings `quotas`, docs/operations.md): a
// pure decision on the agency's recent history in this coordinator instance, judged once per
// submission in the agency's order, before anything else about it (so a refused one costs a
// few microseconds and no signature check). Two limits, both in wall time, from when the stream
// stored each submission (not when it is judged: a coordinator's backlog must not count against
// the agency):
// - in flight: how many of the agency's earlier submissions were still unanswered when this one
//   was stored;
// - rate: a token bucket of `burst` submissions, refilled at `perMinute`.
// A third limit is judged on an acceptance, once its recipients are known (judgeCopies): the
// delivery copies it would store, in bytes, against a bucket of `copiedMiBPerHour`. Within the
// other two, one agency could otherwise fill the deliveries stream (which then takes nothing more
// from anyone) with large messages to many named recipients in a minute or two.
import type { RejectionReason } from "../../shared/contracts/index.ts";
import type { Quotas } from "../../shared/exchange/settings.ts";

export interface QuotaState {
  /** Submissions the bucket still allows at once, as of `lastStoredMs`. */
  tokens: number;
  /** When the stream stored the last submission judged (wall ms). */
  lastStoredMs: number;
  /** Taken up here and not answered yet. */
  unanswered: number;
  /** When recent ones were answered (wall ms, ascending): the newest `maxInFlight` or more. */
  answeredAt: number[];
}

export const newQuotaState = (q: Quotas): QuotaState => ({ tokens: q.burst, lastStoredMs: Number.NEGATIVE_INFINITY, unanswered: 0, answeredAt: [] });

export type QuotaVerdict = { ok: true } | { ok: false; reason: RejectionReason };

/** How many entries of `sorted` (ascending) are greater than `x`. */
function countAfter(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/**
 * Judges a submission of `sender` stored at `storedAtMs`, and takes it up: within quota, it takes
 * a token. Either way it counts as unanswered until `answered()` (a refusal is an answer too).
 */
export function judgeQuota(s: QuotaState, sender: string, storedAtMs: number, q: Quotas): QuotaVerdict {
  // Earlier ones unanswered now, and those answered only after this one was stored.
  const inFlight = s.unanswered + countAfter(s.answeredAt, storedAtMs);
  const elapsed = Math.max(0, storedAtMs - s.lastStoredMs);
  s.tokens = Math.min(q.burst, s.tokens + (Number.isFinite(elapsed) ? (elapsed * q.perMinute) / 60_000 : q.burst));
  s.lastStoredMs = Math.max(s.lastStoredMs, storedAtMs);
  s.unanswered++;
  if (inFlight >= q.maxInFlight)
    return refuse(`expected at most ${q.maxInFlight} submissions in flight: ${inFlight} earlier ones from ${sender} were not answered yet when this one was stored; wait for their outcomes, then resubmit with a new id`);
  if (s.tokens < 1)
    return refuse(`expected at most ${q.perMinute} submissions a minute (${q.burst} at once): ${sender} sends faster; slow down, then resubmit with a new id`);
  s.tokens -= 1;
  return { ok: true };
}

/** A submission taken up by judgeQuota was answered (accepted, rejected or refused) at `atMs`. */
export function answered(s: QuotaState, atMs: number, q: Quotas) {
  s.unanswered = Math.max(0, s.unanswered - 1);
  const a = s.answeredAt;
  // Answers come in time order; a clock step back is clamped so the list stays sorted.
  a.push(a.length ? Math.max(a[a.length - 1]!, atMs) : atMs);
  // Trimmed in halves, not on every answer.
  if (a.length > 2 * q.maxInFlight) a.splice(0, a.length - q.maxInFlight);
}

/** A submission taken up was handed back unanswered (it will be judged again when it returns). */
export function handedBack(s: QuotaState) {
  s.unanswered = Math.max(0, s.unanswered - 1);
}

/** Nothing left to remember: no submission unanswered, the bucket full again by `nowMs`, no answer in flight's reach. */
export function isIdle(s: QuotaState, nowMs: number, q: Quotas): boolean {
  const refilled = s.tokens + ((nowMs - s.lastStoredMs) * q.perMinute) / 60_000 >= q.burst;
  return s.unanswered === 0 && refilled;
}

const MIB = 1024 * 1024;
const HOUR_MS = 3_600_000;

/** Bytes of delivery copies an agency's acceptances may still store at once, as of `lastStoredMs`. */
export interface CopyBudget {
  bytes: number;
  lastStoredMs: number;
}

export const newCopyBudget = (q: Quotas): CopyBudget => ({ bytes: q.copiedMiBPerHour * MIB, lastStoredMs: Number.NEGATIVE_INFINITY });

const inMiB = (bytes: number) => (bytes < MIB ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 2 : 0)} MiB`);

/**
 * Judges an acceptance of `sender`'s message of `size` bytes (stored at `storedAtMs`) that would
 * store `copies` copies of it, and takes them from the budget when within it.
 */
export function judgeCopies(s: CopyBudget, sender: string, size: number, copies: number, storedAtMs: number, q: Quotas): QuotaVerdict {
  const hourly = q.copiedMiBPerHour * MIB;
  const elapsed = Math.max(0, storedAtMs - s.lastStoredMs);
  // copiedMiBPerHour is bounded (settings.ts), so `hourly` is finite and the bucket never NaN.
  s.bytes = Math.min(hourly, s.bytes + (Number.isFinite(elapsed) ? (elapsed * hourly) / HOUR_MS : hourly));
  s.lastStoredMs = Math.max(s.lastStoredMs, storedAtMs);
  const bytes = size * copies;
  if (bytes <= s.bytes) {
    s.bytes -= bytes;
    return { ok: true };
  }
  const what = `${copies} ${copies === 1 ? "copy" : "copies"} of ${size} bytes (${inMiB(bytes)})`;
  return refuse(
    bytes > hourly
      ? `expected at most ${q.copiedMiBPerHour} MiB of delivery copies an hour from one agency: this message would store ${what}, more than an hour's worth; send it smaller or to fewer agencies`
      : `expected at most ${q.copiedMiBPerHour} MiB of delivery copies an hour from one agency: this message would store ${what} and ${sender} has ${inMiB(s.bytes)} left; wait, or send it smaller or to fewer agencies, then resubmit with a new id`,
  );
}

const refuse = (message: string): QuotaVerdict => ({ ok: false, reason: { code: "rate-limited", path: "", message: message.slice(0, 1000) } });
