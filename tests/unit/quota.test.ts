// Quota decisions (services/coordinator/quota.ts), without a broker: Given an agency's recent
// submissions and answers, When another is stored, Then it is within quota or refused rate-limited.
import { describe, expect, it } from "vitest";
import { answered, handedBack, isIdle, judgeCopies, judgeQuota, newCopyBudget, newQuotaState, type QuotaState } from "../../services/coordinator/quota.ts";
import type { Quotas } from "../../shared/exchange/settings.ts";

const Q: Quotas = { maxInFlight: 3, perMinute: 60, burst: 5, copiedMiBPerHour: 512 };

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
  const roomy: Quotas = { maxInFlight: 1000, perMinute: 60, burst: 5, copiedMiBPerHour: 512 };

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

describe("delivery copies", () => {
  const MIB = 1024 * 1024;
  const copiesQ: Quotas = { ...Q, copiedMiBPerHour: 10 };
  const KIB_256 = 256 * 1024;

  it("lets an hour's worth of copies through at once, then refuses, saying how much is left and what to do", () => {
    const b = newCopyBudget(copiesQ);
    // 256 KiB to 10 named recipients: 2.5 MiB each; four fit in 10 MiB, the fifth does not.
    const verdicts = [0, 0, 0, 0, 0].map((t) => judgeCopies(b, "KZ", KIB_256, 10, t, copiesQ));
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, true, true, false]);
    expect(verdicts[4]).toEqual({
      ok: false,
      reason: { code: "rate-limited", path: "", message: "expected at most 10 MiB of delivery copies an hour from one agency: this message would store 10 copies of 262144 bytes (2.50 MiB) and KZ has 0.0 KiB left; wait, or send it smaller or to fewer agencies, then resubmit with a new id" },
    });
  });

  it("counts a broadcast stored once as one copy, however many it reaches", () => {
    const b = newCopyBudget(copiesQ);
    const ok = Array.from({ length: 40 }, () => judgeCopies(b, "KZ", KIB_256, 1, 0, copiesQ)).filter((v) => v.ok).length;
    expect(ok).toBe(40);
  });

  it("refills at the hourly rate, judged by when the stream stored each message", () => {
    const b = newCopyBudget(copiesQ);
    expect(judgeCopies(b, "KZ", 10 * MIB, 1, 0, copiesQ).ok).toBe(true);
    expect(judgeCopies(b, "KZ", 1 * MIB, 1, 5 * 60_000, copiesQ).ok).toBe(false); // 0.83 MiB back after 5 minutes
    expect(judgeCopies(b, "KZ", 1 * MIB, 1, 6 * 60_000, copiesQ).ok).toBe(true); // 1 MiB back after 6
    expect(judgeCopies(b, "KZ", 10 * MIB, 1, 10 * 3_600_000, copiesQ).ok).toBe(true); // never more than an hour's worth
    expect(judgeCopies(b, "KZ", 1, 1, 10 * 3_600_000, copiesQ).ok).toBe(false);
  });

  it("refuses a message larger than an hour's worth outright, saying so", () => {
    const v = judgeCopies(newCopyBudget(copiesQ), "KZ", KIB_256, 50, 0, copiesQ);
    expect(v).toMatchObject({ ok: false, reason: { code: "rate-limited", message: expect.stringContaining("more than an hour's worth; send it smaller or to fewer agencies") } });
  });
});
