// The coordinator's order of work (services/coordinator/fair-queue.ts), without a broker:
// agencies take turns, FLASH goes first within a turn, one agency decides in its own order while
// its writes overlap, slots bound the work in hand, and bookkeeping waits behind alerts only so long.
import { describe, expect, it } from "vitest";
import { FairQueue, type FairLimits, type Urgency } from "../../services/coordinator/fair-queue.ts";

interface Item {
  sender: string;
  urgency: Urgency;
  n: number;
}

const LIMITS: FairLimits = { slots: 100, senderSlots: 100, bookkeepingSlots: 100, queuePerSender: 1000, maxHoldMs: 25, sliceMs: 2 };

/** Given agencies' queued submissions (urgency per item), in the order they were pulled. */
function given(queues: Record<string, Urgency[]>, limits: Partial<FairLimits> = {}) {
  const q = new FairQueue<Item>({ ...LIMITS, ...limits });
  let n = 0;
  for (const [sender, items] of Object.entries(queues)) for (const urgency of items) q.offer({ sender, urgency, n: n++ });
  return q;
}

/** When each picked submission is decided at once and its writes finish at once: the order picked. */
function drain(q: FairQueue<Item>, now = 0): string[] {
  const order: string[] = [];
  for (let w = q.next(now); w; w = q.next(now)) {
    order.push(`${w.sender}${w.n}`);
    q.decided(w.sender);
    q.released(w);
  }
  return order;
}

/** As drain, with alerts allowed only for some agencies. */
function drain2(q: FairQueue<Item>, allowed: (s: string) => boolean): string[] {
  const order: string[] = [];
  for (let w = q.next(0, { urgent: allowed }); w; w = q.next(0, { urgent: allowed })) {
    order.push(`${w.sender}${w.n}`);
    q.decided(w.sender);
    q.released(w);
  }
  return order;
}

describe("fair order", () => {
  it("lets agencies take turns: a flood from one costs the others one turn per round", () => {
    // KZ pulled 6 before AZ's and RU's arrived.
    const q = given({ KZ: [1, 1, 1, 1, 1, 1], AZ: [1, 1], RU: [1] });
    expect(drain(q)).toEqual(["KZ0", "AZ6", "RU8", "KZ1", "AZ7", "KZ2", "KZ3", "KZ4", "KZ5"]);
  });

  it("serves FLASH first within what is fair: one FLASH per agency per round, before other urgent work and bookkeeping", () => {
    const q = given({ KZ: [0, 0, 0], AZ: [2, 2], RU: [1], TR: [0] });
    expect(drain(q)).toEqual(["KZ0", "TR6", "KZ1", "KZ2", "RU5", "AZ3", "AZ4"]);
  });

  it("lifts an agency's receipts queued before its alert: decided in its order, at the alert's priority", () => {
    // AZ acknowledges a flood (bookkeeping) with a FLASH alert behind; RU has an ordinary alert.
    const q = given({ RU: [1], AZ: [2, 2, 0], KZ: [2] });
    expect(drain(q)).toEqual(["AZ1", "AZ2", "AZ3", "RU0", "KZ4"]);
  });

  it("decides one agency's submissions in its order, one at a time, while earlier writes go on", () => {
    const q = given({ AZ: [1, 1, 1] });
    const first = q.next(0)!;
    expect(first.n).toBe(0);
    expect(q.next(0)).toBeUndefined(); // AZ's first is still being decided
    q.decided("AZ"); // decided; its writes are under way (not released)
    const second = q.next(0)!;
    expect(second.n).toBe(1);
    q.decided("AZ");
    expect(q.inFlight).toBe(2); // both still hold their slots until written
    q.released(first);
    q.released(second);
    expect(q.next(0)!.n).toBe(2);
  });
});

describe("bounds", () => {
  it("starts nothing beyond its slots, writes included, until one is released", () => {
    const q = given({ AZ: [1, 1], KZ: [1] }, { slots: 2 });
    const a = q.next(0)!;
    q.decided(a.sender);
    const k = q.next(0)!;
    q.decided(k.sender);
    expect(q.next(0)).toBeUndefined();
    q.released(k);
    expect(q.next(0)).toMatchObject({ sender: "AZ", n: 1 });
  });

  it("keeps a share of the slots for the others: one agency alone uses at most senderSlots", () => {
    const q = given({ KZ: [1, 1, 1, 1] }, { slots: 4, senderSlots: 3 });
    for (let i = 0; i < 3; i++) q.decided(q.next(0)!.sender);
    expect(q.next(0)).toBeUndefined(); // KZ holds 3 of 4
    q.offer({ sender: "AZ", urgency: 1, n: 99 });
    expect(q.next(0)).toMatchObject({ sender: "AZ" });
  });

  it("says when an agency's queue is full (the rest waits in the stream) and counts what waits", () => {
    const q = given({ KZ: [1, 1] }, { queuePerSender: 2 });
    expect(q.hasRoom("KZ")).toBe(false);
    expect(q.hasRoom("AZ")).toBe(true);
    expect(q.queued).toBe(2);
    q.next(0);
    expect(q.hasRoom("KZ")).toBe(true);
    expect(q.queued).toBe(1);
  });

  it("leaves an agency's alerts waiting while it is at its share of open deliveries, others' and bookkeeping going on", () => {
    const q = given({ KZ: [0, 0], TR: [1], AZ: [2] });
    const notKz = (s: string) => s !== "KZ";
    expect(drain2(q, notKz)).toEqual(["TR2", "AZ3"]);
    expect(q.next(0, { urgent: notKz })).toBeUndefined();
    // Its place in line kept: first once allowed again.
    expect(q.next(0)).toMatchObject({ sender: "KZ", n: 0 });
  });

  it("keeps slots for alerts: bookkeeping uses at most bookkeepingSlots, and waits while told to (the audit writer is behind)", () => {
    const q = given({ AZ: [2], KZ: [2], RU: [2] }, { slots: 3, bookkeepingSlots: 2 });
    for (let i = 0; i < 2; i++) q.decided(q.next(0)!.sender);
    expect(q.next(0)).toBeUndefined(); // a third slot is free, but not for bookkeeping
    q.offer({ sender: "TR", urgency: 0, n: 9 });
    expect(q.next(0)).toMatchObject({ sender: "TR" });
    const p = given({ AZ: [2], KZ: [1] });
    expect(p.next(0, { bookkeeping: false })).toMatchObject({ sender: "KZ" });
    expect(p.next(0, { bookkeeping: false })).toBeUndefined();
  });

  it("hands back everything still waiting (when stopping)", () => {
    const q = given({ KZ: [1, 1], AZ: [2] });
    expect(q.takeAllQueued().map((i) => i.n).sort()).toEqual([0, 1, 2]);
    expect(q.queued).toBe(0);
    expect(q.next(0)).toBeUndefined();
  });
});

describe("bookkeeping behind alerts", () => {
  it("waits while an alert holds it, for at most maxHoldMs in a row, then gets a slice", () => {
    const q = given({ KZ: [2, 2, 2] });
    const release = q.hold();
    expect(q.next(0)).toBeUndefined();
    expect(q.next(20)).toBeUndefined();
    const w = q.next(25)!; // waited 25 ms: a slice of 2 ms
    q.decided(w.sender);
    q.released(w);
    const w2 = q.next(26)!;
    expect(w2).toMatchObject({ n: 1 }); // still within the slice
    q.decided("KZ");
    q.released(w2);
    expect(q.next(28)).toBeUndefined(); // the slice is over: held again
    release();
    expect(q.next(28)).toMatchObject({ n: 2 });
  });

  it("does not hold alerts back: they go first whatever holds", () => {
    const q = given({ AZ: [2], KZ: [0] });
    q.hold();
    expect(q.next(0)).toMatchObject({ sender: "KZ" });
  });
});
