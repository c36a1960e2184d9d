// Coalescing escalations (services/coordinator/escalation-decisions.ts), without a broker: Given
// overdue deliveries and the batches already sent, When the escalator looks at time T, Then which
// escalation messages start, and what each lists.
import { describe, expect, it } from "vitest";
import { type NotifyFor, planEscalations, type PlanInput, type Step } from "../../services/coordinator/escalation-decisions.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { timesOf } from "../../shared/exchange/tracking-view.ts";

const T0 = Date.parse("2026-09-21T08:00:00.000Z");
const MIN = 60_000;
const iso = (min: number) => new Date(T0 + min * MIN).toISOString();
const id = (n: number) => `01a0c54f-8c80-70d6-b8c7-${String(n).padStart(12, "0")}`;

/** A FLASH delivery of message n to `recipient`, delivered at minute `at` (deadline 10 min later). */
const delivery = (n: number, recipient: string, at = 0, originator = "KZ"): TrackingRecord => ({
  messageId: id(n), kind: "alert", originator, recipient, precedence: "FLASH", deliveredAt: iso(at), deadline: iso(at + 10), state: "delivered", escalations: {},
});

// Reminder at the deadline, backup contact half a window later, originator a window later (the defaults).
const AFTER: Record<Step, number> = { reminder: 0, "backup-contact": 0.5, originator: 1 };
const dueAt = (t: TrackingRecord, s: Step) => {
  const { deliveredMs, deadlineMs } = timesOf(t);
  return deadlineMs + AFTER[s] * (deadlineMs - deliveredMs);
};
// RU is the hub of TJ and KG; AZ has none.
const HUB: Record<string, string> = { TJ: "RU", KG: "RU" };
const notifyFor: NotifyFor = (t, s) =>
  s === "reminder" ? { agency: t.recipient } : s === "originator" ? { agency: t.originator } : HUB[t.recipient] && HUB[t.recipient] !== t.originator ? { agency: HUB[t.recipient]!, via: "CIS" } : undefined;

function plan(overdue: TrackingRecord[], atMin: number, over: Partial<PlanInput> = {}) {
  return planEscalations({
    overdue, nowMs: T0 + atMin * MIN, dueAt, notifyFor, last: () => undefined, windowMs: 10 * MIN, busy: () => false, maxBatches: 10, ...over,
  });
}
const summary = (p: ReturnType<typeof plan>) => p.batches.map((b) => `${b.step}→${b.notify}#${b.batch}: ${b.items.map((i) => `${i.messageId.slice(-2)}/${i.recipient}`).join(" ")}`);

describe("coalescing", () => {
  it("reminds a desk that missed 300 deadlines once, listing all of them", () => {
    const missed = Array.from({ length: 300 }, (_, n) => delivery(n, "TJ"));
    const p = plan(missed, 10);
    expect(p.batches).toHaveLength(1);
    expect(p.batches[0]).toMatchObject({ step: "reminder", notify: "TJ", batch: 1 });
    expect(p.batches[0]!.items).toHaveLength(300);
  });

  it("tells each agency once per step: a reminder per late desk, one notice to their hub, one to the originator", () => {
    const late = [delivery(1, "TJ"), delivery(1, "KG"), delivery(2, "TJ")];
    expect(summary(plan(late, 10))).toEqual(["reminder→TJ#1: 01/TJ 02/TJ", "reminder→KG#1: 01/KG"]);
    for (const t of late) t.escalations.reminder = "done";
    expect(summary(plan(late, 15))).toEqual(["backup-contact→RU#1: 01/KG 01/TJ 02/TJ"]);
    for (const t of late) t.escalations["backup-contact"] = "done";
    expect(summary(plan(late, 20))).toEqual(["originator→KZ#1: 01/KG 01/TJ 02/TJ"]);
  });

  it("lists each delivery's via on a backup-contact item", () => {
    const t = delivery(1, "TJ");
    t.escalations.reminder = "done";
    expect(plan([t], 15).batches[0]!.items[0]).toMatchObject({ recipient: "TJ", via: "CIS" });
  });

  it("skips a step that needs no notice (no hub, or the hub is the originator), on every instance alike", () => {
    const noHub = delivery(1, "AZ");
    const hubIsOriginator = delivery(2, "TJ", 0, "RU");
    noHub.escalations.reminder = "done";
    hubIsOriginator.escalations.reminder = "done";
    const p = plan([noHub, hubIsOriginator], 15);
    expect(p.batches).toEqual([]);
    expect(p.skipped.map(([t, s]) => `${t.recipient}:${s}`)).toEqual(["AZ:backup-contact", "TJ:backup-contact"]);
  });

  it("waits for the window after a batch to the same agency, then numbers the next one after it", () => {
    const late = [delivery(3, "TJ", 5)];
    const last = (s: Step, n: string) => (s === "reminder" && n === "TJ" ? { batch: 4, atMs: T0 + 10 * MIN, items: 2 } : undefined);
    expect(plan(late, 15, { last }).batches).toEqual([]); // due at 15, but TJ was reminded at 10: wait until 20
    expect(summary(plan(late, 20, { last }))).toEqual(["reminder→TJ#5: 03/TJ"]);
  });

  it("follows a full batch at once: a long list goes out in parts of at most maxItems", () => {
    const missed = Array.from({ length: 7 }, (_, n) => delivery(n, "TJ"));
    const first = plan(missed, 10, { maxItems: 3 });
    expect(first.batches[0]!.items.map((i) => i.messageId.slice(-1))).toEqual(["0", "1", "2"]);
    const last = () => ({ batch: 1, atMs: T0 + 10 * MIN, items: 3 });
    for (const t of missed.slice(0, 3)) t.escalations.reminder = "done";
    expect(plan(missed, 10, { maxItems: 3, last }).batches[0]).toMatchObject({ batch: 2, items: [{ messageId: id(3) }, { messageId: id(4) }, { messageId: id(5) }] });
  });

  it("starts nothing for a step and agency under way here or elsewhere, and at most maxBatches at once", () => {
    const late = [delivery(1, "TJ"), delivery(1, "KG"), delivery(1, "AZ")];
    expect(summary(plan(late, 10, { busy: (s, n) => n === "TJ" })).map((x) => x.split(":")[0])).toEqual(["reminder→KG#1", "reminder→AZ#1"]);
    expect(plan(late, 10, { maxBatches: 1 }).batches).toHaveLength(1);
  });

  it("orders what a batch lists by deadline, then message and recipient: the same list on every instance", () => {
    const late = [delivery(2, "TJ", 1), delivery(1, "TJ", 2), delivery(0, "TJ", 1)];
    expect(plan(late, 20).batches[0]!.items.map((i) => i.messageId.slice(-1))).toEqual(["0", "2", "1"]);
  });

  it("leaves a delivery alone before its step is due, and after every step is taken", () => {
    const early = delivery(1, "TJ", 5);
    const done = delivery(2, "TJ");
    done.escalations = { reminder: "done", "backup-contact": "skipped", originator: "done" };
    expect(plan([early, done], 14).batches).toEqual([]);
  });
});
