// Quota decisions (services/coordinator/quota.ts), without a broker: Given an agency's recent
// submissions and answers, When another is stored, Then it is within quota or refused rate-limited.
import { describe, expect, it } from "vitest";
import { answered, handedBack, isIdle, judgeQuota, newQuotaState, type QuotaState } from "../../services/coordinator/quota.ts";
import type { Quotas } from "../../shared/exchange/settings.ts";

const Q: Quotas = { maxInFlight: 3, perMinute: 60, burst: 5 };

/** Given submissions stored at these wall times (ms), judged in order: what each was. */
function judgeAll(s: QuotaState, storedAt: number[], q = Q) {
  return storedAt.map((t) => {
    const v = judgeQuota(s, "KZ", t, q);
    return v.ok ? "ok" : v.reason.message.includes("in flight") ? "in-flight" : "rate";
  });
}

describe("in flight", () => {
  it("refuses a submission stored while maxInFlight earlier ones were unanswered", () => {
    const s = newQuotaState(Q);
    expect(judgeAll(s, [0, 1, 2, 3, 4])).toEqual(["ok", "ok", "ok", "in-flight", "in-flight"]);
  });

  it("counts what was answered only after this one was stored: a slow coordinator does not reset the count", () => {
    const s = newQuotaState(Q);
    judgeAll(s, [0, 1, 2]);
    // All three answered at 100 ms, but the next one was stored at 50 ms, while they were in flight.
    for (let i = 0; i < 3; i++) answered(s, 100, Q);
    expect(judgeAll(s, [50])).toEqual(["in-flight"]);
  });

  it("allows the next once earlier ones were answered before it was stored", () => {
    const s = newQuotaState(Q);
    judgeAll(s, [0, 1, 2]);
    for (let i = 0; i < 3; i++) answered(s, 10, Q);
    expect(judgeAll(s, [20, 21])).toEqual(["ok", "ok"]);
  });

  it("counts a refusal as an answer, and a hand-back as neither (judged again when it comes back)", () => {
    const s = newQuotaState(Q);
    judgeAll(s, [0, 1]);
    handedBack(s);
    expect(s.unanswered).toBe(1);
    answered(s, 5, Q);
    expect(s.unanswered).toBe(0);
  });
});

describe("rate", () => {
  const roomy: Quotas = { maxInFlight: 1000, perMinute: 60, burst: 5 };

  it("allows a burst, then one a second (60 a minute)", () => {
    const s = newQuotaState(roomy);
    expect(judgeAll(s, [0, 0, 0, 0, 0, 0, 500, 1000, 1100, 2000], roomy)).toEqual(["ok", "ok", "ok", "ok", "ok", "rate", "rate", "ok", "rate", "ok"]);
  });

  it("does not charge refused submissions: a flood sustained at any speed gets the rate through, no more", () => {
    const s = newQuotaState(roomy);
    // 10 a second for 10 s after the burst.
    const times = Array.from({ length: 100 }, (_, i) => 100 + i * 100);
    const ok = judgeAll(s, times, roomy).filter((x) => x === "ok").length;
    expect(ok).toBeGreaterThanOrEqual(5 + 9);
    expect(ok).toBeLessThanOrEqual(5 + 10);
  });

  it("refills to the burst after a quiet spell, and judges by when the stream stored it, not when it is judged", () => {
    const s = newQuotaState(roomy);
    judgeAll(s, [0, 0, 0, 0, 0], roomy);
    expect(judgeAll(s, [60_000, 60_000, 60_000, 60_000, 60_000, 60_000], roomy)).toEqual(["ok", "ok", "ok", "ok", "ok", "rate"]);
  });

  it("says what was expected and what to do", () => {
    const s = newQuotaState({ ...roomy, burst: 1 });
    judgeQuota(s, "KZ", 0, { ...roomy, burst: 1 });
    const v = judgeQuota(s, "KZ", 0, { ...roomy, burst: 1 });
    expect(v).toEqual({ ok: false, reason: { code: "rate-limited", path: "", message: expect.stringMatching(/^expected at most 60 submissions a minute \(1 at once\): KZ sends faster; slow down, then resubmit with a new id$/) } });
  });
});

describe("forgetting", () => {
  it("is idle once nothing is unanswered and the bucket is full again", () => {
    const s = newQuotaState(Q);
    judgeAll(s, [0]);
    expect(isIdle(s, 1_000, Q)).toBe(false);
    answered(s, 10, Q);
    expect(isIdle(s, 100, Q)).toBe(false); // one token short for a second
    expect(isIdle(s, 1_000, Q)).toBe(true);
  });
});
