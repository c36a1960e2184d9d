// The audit chain as the one record of deliveries: batched records expand to one event per
// delivery (shaped as recorded alone), and the view built from them tracks each delivery.
import { describe, expect, it } from "vitest";
import { acknowledgedEntry, type ChainEvent, perDelivery, receiptedEntry } from "../../shared/audit/deliveries.ts";
import type { AuditEntryOf, ESCALATION_STEPS } from "../../shared/contracts/index.ts";
import { TrackingView } from "../../shared/exchange/tracking-view.ts";

const T0 = Date.parse("2026-09-21T08:00:00.000Z");
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const [A, B, C] = ["019a0000-0000-7000-8000-00000000000a", "019a0000-0000-7000-8000-00000000000b", "019a0000-0000-7000-8000-00000000000c"];

type Step = (typeof ESCALATION_STEPS)[number];
const delivered = (messageId: string, recipients: string[], at = iso(0), deadline = iso(10)): AuditEntryOf<"delivered"> => ({
  eventId: `delivered:${messageId}`, event: "delivered", actor: "ATIX", messageId, kind: "alert", at,
  data: { recipients, deadline, precedence: "FLASH", originator: "AZ" },
});
const receipt = (actor: string, receiptId: string, items: { messageId: string; at: string }[]) =>
  receiptedEntry(actor, receiptId, items.map((i) => ({ ...i, kind: "alert", agency: "AZ", data: {} })));
const ack = (actor: string, ackId: string, items: { messageId: string; at: string; latencyMs: number; withinDeadline: boolean }[]) =>
  acknowledgedEntry(actor, ackId, items.map(({ messageId, at, ...d }) => ({ messageId, at, kind: "alert", agency: "AZ", data: { officer: `${actor}-DO-1`, action: "acting", precedence: "FLASH", ...d } })));
const retracted = (refersTo: string, at: string): AuditEntryOf<"retracted"> => ({
  eventId: `retracted:${C}`, event: "retracted", actor: "AZ", messageId: C, kind: "alert-retraction", at,
  data: { refersTo, recipients: ["KZ", "RU"], precedence: "FLASH", ackDeadline: iso(20) },
});
const escalated = (messageId: string, recipient: string, step: Step): AuditEntryOf<"escalated"> => ({
  eventId: `escalated:${messageId}:${recipient}:${step}`, event: "escalated", actor: "ATIX", messageId, kind: "alert", agency: recipient, at: iso(10),
  data: { step, recipient, escalationId: C, precedence: "FLASH", deadline: iso(10) },
});
/** One escalation message of `step` to `notify` (its `batch`), covering several late deliveries: the first in the record's fields. */
const coalesced = (step: Step, notify: string, batch: number, items: { messageId: string; recipient: string }[], at = iso(10)): AuditEntryOf<"escalated"> => {
  const [first, ...rest] = items as [(typeof items)[number], ...typeof items];
  return {
    eventId: `escalated:${step}:${notify}:${batch}`, event: "escalated", actor: "ATIX", messageId: first.messageId, kind: "alert", agency: notify, at,
    data: {
      step, batch, escalationId: C, recipient: first.recipient, precedence: "FLASH", deadline: iso(10),
      ...(rest.length ? { more: rest.map((i) => ({ ...i, kind: "alert", precedence: "FLASH" as const, deadline: iso(10) })) } : {}),
    },
  };
};

describe("perDelivery", () => {
  it("expands a message's one delivered record into one per recipient, as if each was recorded alone", () => {
    expect(perDelivery(delivered(A, ["KZ", "RU"]))).toEqual(
      ["KZ", "RU"].map((agency) => ({
        eventId: `delivered:${A}`, event: "delivered", actor: "ATIX", messageId: A, kind: "alert", at: iso(0), agency,
        data: { deadline: iso(10), precedence: "FLASH", originator: "AZ" },
      })),
    );
  });

  it("expands a batched receipt or acknowledgement: the first in the record's fields, the others from data.more", () => {
    const r = receipt("KZ", "r1", [{ messageId: A, at: iso(1) }, { messageId: B, at: iso(2) }]);
    expect(r).toMatchObject({ eventId: "receipted:r1", actor: "KZ", messageId: A, agency: "AZ", at: iso(1), data: { receiptId: "r1", more: [{ messageId: B, at: iso(2) }] } });
    expect(perDelivery(r).map((e) => [e.messageId, e.agency, e.at, e.data])).toEqual([
      [A, "AZ", iso(1), { receiptId: "r1" }],
      [B, "AZ", iso(2), { receiptId: "r1" }],
    ]);
    const a = ack("KZ", "k1", [{ messageId: A, at: iso(3), latencyMs: 180_000, withinDeadline: true }, { messageId: B, at: iso(12), latencyMs: 720_000, withinDeadline: false }]);
    expect(perDelivery(a).map((e) => [e.event, e.actor, e.messageId, e.data])).toEqual([
      ["acknowledged", "KZ", A, { ackId: "k1", officer: "KZ-DO-1", action: "acting", precedence: "FLASH", latencyMs: 180_000, withinDeadline: true }],
      ["acknowledged", "KZ", B, { ackId: "k1", officer: "KZ-DO-1", action: "acting", precedence: "FLASH", latencyMs: 720_000, withinDeadline: false }],
    ]);
  });

  it("expands a coalesced escalation: one event per late delivery, each sharing the step, the batch and the escalation message", () => {
    const r = coalesced("backup-contact", "RU", 2, [{ messageId: A, recipient: "KZ" }, { messageId: A, recipient: "KG" }, { messageId: B, recipient: "KZ" }]);
    expect(perDelivery(r).map((e) => [e.messageId, e.agency, e.data])).toEqual([
      [A, "RU", { step: "backup-contact", batch: 2, escalationId: C, recipient: "KZ", precedence: "FLASH", deadline: iso(10) }],
      [A, "RU", { step: "backup-contact", batch: 2, escalationId: C, recipient: "KG", precedence: "FLASH", deadline: iso(10) }],
      [B, "RU", { step: "backup-contact", batch: 2, escalationId: C, recipient: "KZ", precedence: "FLASH", deadline: iso(10) }],
    ]);
  });

  it("passes through records that stand for one delivery or none, and a delivery already expanded", () => {
    const single = receipt("KZ", "r2", [{ messageId: A, at: iso(1) }]);
    expect(single.data).toEqual({ receiptId: "r2" });
    const one = perDelivery(delivered(A, ["KZ"]));
    for (const r of [single, retracted(A, iso(5)), escalated(A, "KZ", "reminder"), ...one]) expect(perDelivery(r)).toEqual([r]);
  });

  it("refuses to write a batched record covering nothing", () => {
    expect(() => receiptedEntry("KZ", "r3", [])).toThrow(/at least one item/);
  });
});

describe("TrackingView", () => {
  /** A's deliveries to KZ and RU, B's to KZ; KZ receipts and acknowledges both in one go. */
  const story = [
    delivered(A, ["KZ", "RU"]),
    delivered(B, ["KZ"], iso(1)),
    receipt("KZ", "r1", [{ messageId: A, at: iso(1) }, { messageId: B, at: iso(2) }]),
    ack("KZ", "k1", [{ messageId: A, at: iso(3), latencyMs: 180_000, withinDeadline: true }, { messageId: B, at: iso(12), latencyMs: 660_000, withinDeadline: false }]),
  ];
  const viewOf = (records: ChainEvent[]) => {
    const v = new TrackingView();
    for (const r of records) v.apply(r);
    return v;
  };

  it("tracks each delivery of a delivered batch, in the order its recipients were named", () => {
    const v = viewOf(story.slice(0, 2));
    expect(v.ofMessage(A).map((t) => t.recipient)).toEqual(["KZ", "RU"]);
    expect(v.get(A, "RU")).toEqual({
      messageId: A, kind: "alert", originator: "AZ", recipient: "RU", precedence: "FLASH", deliveredAt: iso(0), deadline: iso(10), state: "delivered", escalations: {},
    });
    expect(v.size).toBe(3);
    expect(v.openCount).toBe(3);
  });

  it("applies every delivery a batched receipt and acknowledgement cover", () => {
    const v = viewOf(story);
    expect(v.get(A, "KZ")).toMatchObject({ state: "acknowledged", receiptId: "r1", receiptAt: iso(1), ackId: "k1", ackAt: iso(3), ackBy: "KZ-DO-1", ackLatencyMs: 180_000, withinDeadline: true });
    expect(v.get(B, "KZ")).toMatchObject({ state: "acknowledged", receiptId: "r1", receiptAt: iso(2), ackId: "k1", ackAt: iso(12), ackLatencyMs: 660_000, withinDeadline: false });
    expect(v.get(A, "RU")?.state).toBe("delivered");
    expect([...v.open()].map((t) => `${t.messageId}.${t.recipient}`)).toEqual([`${A}.RU`]);
  });

  it("keeps the first receipt and acknowledgement of a delivery; later ones and strangers' change nothing", () => {
    const v = viewOf([
      ...story,
      receipt("KZ", "r9", [{ messageId: A, at: iso(5) }]),
      ack("KZ", "k9", [{ messageId: A, at: iso(6), latencyMs: 360_000, withinDeadline: true }]),
      delivered(A, ["KZ", "RU"], iso(7)),
      // TR was never sent A.
      ack("TR", "k8", [{ messageId: A, at: iso(6), latencyMs: 360_000, withinDeadline: true }]),
    ]);
    expect(v.get(A, "KZ")).toMatchObject({ state: "acknowledged", deliveredAt: iso(0), receiptId: "r1", ackId: "k1", ackAt: iso(3) });
    expect(v.get(A, "TR")).toBeUndefined();
    expect(v.size).toBe(3);
  });

  it("counts an acknowledgement without a receipt as received then", () => {
    const v = viewOf([delivered(A, ["RU"]), ack("RU", "k2", [{ messageId: A, at: iso(4), latencyMs: 240_000, withinDeadline: true }])]);
    expect(v.get(A, "RU")).toMatchObject({ state: "acknowledged", receiptAt: iso(4), ackAt: iso(4) });
    expect(v.get(A, "RU")?.receiptId).toBeUndefined();
  });

  it("closes the open deliveries of a retracted alert, not those already acknowledged", () => {
    const v = viewOf([...story, retracted(A, iso(5))]);
    expect(v.get(A, "RU")?.state).toBe("closed");
    expect(v.get(A, "KZ")?.state).toBe("acknowledged");
    expect(v.openCount).toBe(0);
    // Acknowledged after all: recorded, and it stays closed.
    v.apply(ack("RU", "k3", [{ messageId: A, at: iso(6), latencyMs: 360_000, withinDeadline: true }]));
    expect(v.get(A, "RU")).toMatchObject({ state: "closed", ackId: "k3" });
  });

  it("marks an escalation step done for the delivery it was about", () => {
    const v = viewOf([...story, escalated(A, "RU", "reminder")]);
    expect(v.get(A, "RU")?.escalations).toEqual({ reminder: "done" });
    expect(v.get(A, "KZ")?.escalations).toEqual({});
  });

  it("marks the step done for every delivery a coalesced escalation lists, and knows the last batch of each step to each agency", () => {
    const v = viewOf([...story, delivered(C, ["RU", "KZ"], iso(2)), coalesced("reminder", "RU", 1, [{ messageId: A, recipient: "RU" }, { messageId: C, recipient: "RU" }])]);
    expect(v.get(A, "RU")?.escalations).toEqual({ reminder: "done" });
    expect(v.get(C, "RU")?.escalations).toEqual({ reminder: "done" });
    expect(v.get(C, "KZ")?.escalations).toEqual({});
    expect(v.lastEscalation("reminder", "RU")).toEqual({ batch: 1, atMs: T0 + 10 * 60_000, items: 2 });
    v.apply(coalesced("reminder", "RU", 2, [{ messageId: C, recipient: "RU" }], iso(20)));
    expect(v.lastEscalation("reminder", "RU")).toEqual({ batch: 2, atMs: T0 + 20 * 60_000, items: 1 });
    // A record of an earlier version (one per delivery, no batch) settles its step and counts no batch.
    v.apply(escalated(C, "KZ", "reminder"));
    expect(v.get(C, "KZ")?.escalations).toEqual({ reminder: "done" });
    expect(v.lastEscalation("reminder", "KZ")).toBeUndefined();
  });

  it("is the same after every record is applied again (records are applied as written and as read back)", () => {
    const all = [...story, retracted(A, iso(5)), escalated(A, "RU", "reminder")];
    const once = viewOf(all);
    const twice = viewOf([...all, ...all]);
    expect([...twice.all()]).toEqual([...once.all()]);
    expect(twice.openCount).toBe(once.openCount);
    expect(twice.ofMessage(A)).toEqual(once.ofMessage(A));
  });

  it("finds the open deliveries past their deadline, earliest first in, and drops those acknowledged since", () => {
    const v = new TrackingView();
    // Deadlines at 10 min (A) and, delivered later with the same window, 15 min (B).
    v.apply(delivered(A, ["KZ", "RU"]));
    v.apply(delivered(B, ["KZ"], iso(5), iso(15)));
    const overdue = (min: number) => [...v.overdue(T0 + min * 60_000)].map((t) => `${t.messageId === A ? "A" : "B"}.${t.recipient}`).sort();
    expect(overdue(9)).toEqual([]);
    expect(overdue(10)).toEqual(["A.KZ", "A.RU"]);
    v.apply(ack("RU", "k1", [{ messageId: A, at: iso(11), latencyMs: 660_000, withinDeadline: false }]));
    expect(overdue(12)).toEqual(["A.KZ"]);
    expect(overdue(15)).toEqual(["A.KZ", "B.KZ"]);
    v.apply(retracted(A, iso(16)));
    expect(overdue(16)).toEqual(["B.KZ"]);
    // Every step taken: still open, but nothing more can fall due.
    for (const step of ["reminder", "backup-contact", "originator"] as const) v.apply(escalated(B, "KZ", step));
    expect(overdue(30)).toEqual([]);
    expect(v.openCount).toBe(1);
  });

  it("applies a record it wrote once, not again when it is read back from the chain", () => {
    const v = new TrackingView();
    const d = { ...delivered(A, ["KZ"]), eventId: `delivered:${A}` };
    v.applyWritten(d);
    const k = { ...ack("KZ", "k1", [{ messageId: A, at: iso(1), latencyMs: 60_000, withinDeadline: true }]), eventId: "acknowledged:k1" };
    v.applyWritten(k);
    v.applyRead(d);
    v.applyRead(k);
    expect(v.get(A, "KZ")).toMatchObject({ state: "acknowledged", ackId: "k1" });
    // Another writer's record (not written here) is applied when read.
    v.applyRead(delivered(B, ["KZ"]));
    expect(v.get(B, "KZ")?.state).toBe("delivered");
  });

  it("forgets settled deliveries made before a time, keeps open and recent ones, and tells which deliveries it would have forgotten", () => {
    const v = new TrackingView({ forgetting: true });
    v.apply(delivered(A, ["KZ", "RU"]));
    v.apply(delivered(B, ["KZ"], iso(30), iso(40)));
    v.apply(ack("KZ", "k1", [{ messageId: A, at: iso(1), latencyMs: 60_000, withinDeadline: true }, { messageId: B, at: iso(31), latencyMs: 60_000, withinDeadline: true }]));
    expect(v.prune(T0 + 20 * 60_000)).toBe(1); // A to KZ: settled and older; A to RU is open, B too recent
    expect(v.get(A, "KZ")).toBeUndefined();
    expect(v.get(A, "RU")?.state).toBe("delivered");
    expect(v.ofMessage(A).map((t) => t.recipient)).toEqual(["RU"]);
    expect(v.wasPruned(A, T0)).toBe(true); // A's deliveries' time
    expect(v.wasPruned(C, T0 + 30 * 60_000)).toBe(false); // a message not read yet, made as recently as B
    expect(v.wasPruned(B, T0 + 30 * 60_000)).toBe(true); // B was read: a delivery of it not here was forgotten
    expect(v.prune(T0 + 60 * 60_000)).toBe(1); // B to KZ now
    expect(v.size).toBe(1);
  });

  it("keeps at most so many settled deliveries, oldest settled first, whatever their age, and still knows them for forgotten", () => {
    const v = new TrackingView({ forgetting: true });
    v.apply(delivered(A, ["KZ", "RU", "TR"]));
    v.apply(ack("RU", "r1", [{ messageId: A, at: iso(1), latencyMs: 60_000, withinDeadline: true }]));
    v.apply(ack("KZ", "k1", [{ messageId: A, at: iso(2), latencyMs: 120_000, withinDeadline: true }]));
    expect(v.prune(T0 - 1, 1)).toBe(1); // nothing is old enough, but two settled are one too many: RU's went first
    expect(v.get(A, "RU")).toBeUndefined();
    expect(v.get(A, "KZ")?.state).toBe("acknowledged");
    expect(v.get(A, "TR")?.state).toBe("delivered"); // open ones are never forgotten
    expect([v.openCount, v.openOf("AZ"), v.openOf("KZ")]).toEqual([1, 1, 0]); // per originator, for its share
    expect(v.wasPruned(A, T0)).toBe(true);
    expect(v.wasPruned(C, T0)).toBe(false);
  });
});
