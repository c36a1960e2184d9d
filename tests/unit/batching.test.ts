// The pieces that let a busy node and the coordinator keep up: receipts and acknowledgements
// batched into one signed message (the coordinator's order of work: fair-queue.test.ts).
import { afterEach, describe, expect, it, vi } from "vitest";
import { AcknowledgementMessage, BATCH_MAX, parseMessage, ReceiptMessage } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { type BatchEntry, type BatchOutcome, Batcher } from "../../shared/messaging/batcher.ts";
import { acknowledgementFor, receiptFor } from "../../services/agency/reactions.ts";
import { YieldingQueue } from "../../shared/yielding-queue.ts";
import { type HeldReceipt, ReceiptHold } from "../../services/agency/receipt-hold.ts";
import { KeyedItems } from "../../shared/keyed-items.ts";
import { testAlertBody } from "../support/exchange.ts";

const T = "2026-09-21T10:00:00.000Z";
const alertFrom = (sender: string) => compose("alert", testAlertBody(), { sender, sentAt: T });
const tick = () => new Promise((r) => setImmediate(r));
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

// Waits are on fake time (vi.useFakeTimers: setTimeout, setImmediate, Date and performance), so
// lingers are exact and nothing waits on the wall clock.
afterEach(() => void vi.useRealTimers());

describe("Batcher", () => {
  it("sends a lone item at once, and what arrives during a send together in the next", async () => {
    const sends: number[][] = [];
    const gates = [deferred(), deferred(), deferred()];
    const b = new Batcher(async (items: number[]) => {
      sends.push(items);
      await gates[sends.length - 1]!.promise;
      return sends.length;
    }, 3);
    const first = b.add(1);
    await tick();
    expect(sends).toEqual([[1]]);
    const later = [2, 3, 4, 5].map((i) => b.add(i));
    expect(b.waiting).toBe(4);
    gates[0]!.resolve();
    expect(await first).toBe(1);
    await tick();
    expect(sends).toEqual([[1], [2, 3, 4]]); // at most `max` per send
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(later)).toEqual([2, 2, 2, 3]);
    expect(sends).toEqual([[1], [2, 3, 4], [5]]);
  });

  it("with a linger, lets the first item wait for company", async () => {
    const sends: number[][] = [];
    vi.useFakeTimers();
    const b = new Batcher(async (items: number[]) => void sends.push(items), 10, 30);
    const all = [b.add(1)];
    await vi.advanceTimersByTimeAsync(10);
    all.push(b.add(2), b.add(3));
    expect(sends).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    await Promise.all(all);
    expect(sends).toEqual([[1, 2, 3]]);
  });

  it("waits longer while items keep coming, up to its longest wait, and the usual wait once they stop", async () => {
    vi.useFakeTimers();
    const sends: { at: number; items: number[] }[] = [];
    const t0 = Date.now();
    const b = new Batcher(async (items: number[]) => void sends.push({ at: Date.now() - t0, items }), 100, 10, 40);
    // A steady stream: an item every 2 ms for 200 ms.
    const all: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      all.push(b.add(i));
      await vi.advanceTimersByTimeAsync(2);
    }
    await vi.runAllTimersAsync();
    await Promise.all(all);
    const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
    // The gaps grow from about the linger to about the longest wait, so later batches are fuller.
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(35);
    expect(Math.max(...gaps)).toBeLessThan(80);
    expect(sends.at(-2)!.items.length).toBeGreaterThan(sends[0]!.items.length);
    expect(sends.flatMap((s) => s.items)).toEqual([...Array(100).keys()]);
    // Quiet again (longer than the longest wait): a lone item waits only the linger.
    await vi.advanceTimersByTimeAsync(60);
    let sent = false;
    const last = b.add(100).then(() => (sent = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toBe(true);
    await last;
  });

  it("after a full batch, lets the next partial one wait for company too", async () => {
    vi.useFakeTimers();
    const sends: { items: number[]; at: number }[] = [];
    const t0 = performance.now();
    const b = new Batcher(async (items: number[]) => void sends.push({ items, at: performance.now() - t0 }), 3, 30);
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => b.add(i)));
    await vi.runAllTimersAsync();
    await all;
    expect(sends.map((s) => s.items)).toEqual([[1, 2, 3], [4, 5]]);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(25);
  });

  it("lets waiting items be withdrawn by key: they are not sent, and a batch left empty sends nothing", async () => {
    vi.useFakeTimers();
    const sends: string[][] = [];
    const b = new Batcher(async (items: string[]) => (sends.push(items), sends.length), 10, 30);
    const a = b.add("a", "k1");
    void b.add("b", "k2");
    const c = b.add("c", "k1");
    expect(b.waiting).toBe(3);
    const taken = b.withdraw("k1");
    expect(taken).toHaveLength(2);
    expect(b.waiting).toBe(1);
    expect(b.withdraw("k1")).toEqual([]);
    taken.forEach((w) => w.sent(-1));
    await expect(Promise.all([a, c])).resolves.toEqual([-1, -1]);
    await vi.advanceTimersByTimeAsync(30);
    expect(sends).toEqual([["b"]]);
    expect(b.withdraw("k2")).toEqual([]); // sent already: nothing to withdraw

    const lone = new Batcher(async (items: string[]) => (sends.push(items), 0), 10, 20);
    void lone.add("x", "only");
    lone.withdraw("only");
    await vi.advanceTimersByTimeAsync(20);
    expect(sends).toEqual([["b"]]);
    expect(lone.waiting).toBe(0);
  });

  it("withdraws by key only what has not gone into a send, when one key has items on both sides of a batch", async () => {
    vi.useFakeTimers();
    const sends: string[][] = [];
    let release!: () => void;
    const b = new Batcher(async (items: string[]) => {
      sends.push(items);
      await new Promise<void>((r) => (release = r));
      return sends.length;
    }, 2, 10);
    void b.add("x", "k1");
    void b.add("y", "k2");
    const z = b.add("z", "k1");
    await vi.advanceTimersByTimeAsync(10);
    expect(sends).toEqual([["x", "y"]]); // z waits: the batch was full
    const taken = b.withdraw("k1");
    expect(taken).toHaveLength(1);
    taken[0]!.sent(-1);
    await expect(z).resolves.toBe(-1);
    release();
    await vi.advanceTimersByTimeAsync(50);
    expect(sends).toEqual([["x", "y"]]);
    expect(b.waiting).toBe(0);
  });

  it("tells items added with enqueue their outcome, with no promise per item", async () => {
    let fail = false;
    const b = new Batcher(async (items: string[]) => {
      if (fail) throw new Error("broker away");
      return items.join("+");
    }, 10);
    const told: string[] = [];
    const outcome = (name: string) => ({ sent: (r: string) => told.push(`${name} sent in ${r}`), failed: (e: Error) => told.push(`${name} failed: ${e.message}`) });
    b.enqueue("a", outcome("a"));
    b.enqueue("b", outcome("b"), "kb");
    await tick();
    expect(told).toEqual(["a sent in a+b", "b sent in a+b"]);
    fail = true;
    b.enqueue("c", outcome("c"));
    await tick();
    await tick();
    expect(told.slice(2)).toEqual(["c failed: broker away"]);
  });

  it("queues an entry that is its own item and outcome: sent and told, withdrawn by its key, and queued again after a failed send", async () => {
    // Given a send that fails once, and entries as the agency's intake makes them (one object each).
    let fail = false;
    const sends: string[][] = [];
    const b = new Batcher(async (items: SelfEntry[]) => {
      if (fail) throw new Error("broker away");
      sends.push(items.map((x) => x.name));
      return sends.length;
    }, 10);
    const told: string[] = [];
    class SelfEntry implements BatchEntry<SelfEntry, number>, BatchOutcome<number> {
      withdrawn?: boolean;
      constructor(
        readonly name: string,
        readonly key?: string,
      ) {}
      get item() {
        return this;
      }
      get outcome() {
        return this;
      }
      sent(n: number) {
        told.push(`${this.name} sent in send ${n}`);
      }
      failed(e: Error) {
        told.push(`${this.name} failed: ${e.message}`);
      }
    }
    const a = new SelfEntry("a", "ka");
    const c = new SelfEntry("c");
    // When one is withdrawn by its key before the send, it is not sent and its outcome is handed back.
    b.enqueueEntry(a);
    b.enqueueEntry(new SelfEntry("b", "kb"));
    // An entry waits once at a time: queued again meanwhile, it would be sent twice.
    expect(() => b.enqueueEntry(a)).toThrow(/expected an entry not already in the batch's queue/);
    expect(b.withdraw("ka")).toEqual([a]);
    // Withdrawn, it is still in the queue until the next batch passes over it.
    expect(() => b.enqueueEntry(a)).toThrow(/expected an entry not already in the batch's queue/);
    await tick();
    expect(sends).toEqual([["b"]]);
    expect(told).toEqual(["b sent in send 1"]);
    // When a send fails, its entry is told; queued again (a kept task's next run), it is sent.
    fail = true;
    b.enqueueEntry(c);
    await tick();
    await tick();
    expect(told.at(-1)).toBe("c failed: broker away");
    fail = false;
    b.enqueueEntry(c);
    b.enqueueEntry(a);
    await tick();
    expect(sends.at(-1)).toEqual(["c", "a"]);
    expect(told.slice(-2)).toEqual(["c sent in send 2", "a sent in send 2"]);
    expect(b.waiting).toBe(0);
  });

  it("tells a send that failed with no error (a bare reject) as failed, never as sent", async () => {
    const b = new Batcher((_items: string[]) => Promise.reject(undefined as unknown as Error), 10);
    const told: string[] = [];
    b.enqueue("a", { sent: () => told.push("sent"), failed: () => told.push("failed") });
    await tick();
    await tick();
    expect(told).toEqual(["failed"]);
  });

  it("raises an outcome that throws on its own, and still tells the rest of the batch and sends the next", async () => {
    const raised: (() => void)[] = [];
    const spy = vi.spyOn(globalThis, "queueMicrotask").mockImplementation((fn) => void raised.push(fn));
    try {
      const sends: string[][] = [];
      const b = new Batcher(async (items: string[]) => void sends.push(items), 10);
      const told: string[] = [];
      b.enqueue("a", { sent: () => { throw new Error("listener bug"); }, failed: () => told.push("a failed") });
      b.enqueue("b", { sent: () => told.push("b sent"), failed: () => told.push("b failed") });
      await tick();
      expect(told).toEqual(["b sent"]);
      expect(raised).toHaveLength(1);
      expect(() => raised[0]!()).toThrow("listener bug");
      const later = b.add("c");
      await tick();
      await later;
      expect(sends).toEqual([["a", "b"], ["c"]]);
    } finally {
      spy.mockRestore();
    }
  });

  it("rejects every item of a failed send and carries on with the next", async () => {
    let fail = true;
    const b = new Batcher(async (items: string[]) => {
      if (fail) throw new Error("broker away");
      return items.join();
    }, 10);
    const lost = [b.add("a"), b.add("b")];
    await expect(Promise.all(lost)).rejects.toThrow("broker away");
    await Promise.allSettled(lost);
    fail = false;
    expect(await b.add("c")).toBe("c");
  });
});

describe("Batcher with a shared queue (agencies hosted in one process)", () => {
  it("starts its sends through the queue, and reports what a send throws synchronously as that batch's failure", async () => {
    vi.useFakeTimers();
    const q = new YieldingQueue(0);
    const release = q.hold();
    const started: number[][] = [];
    const ok = new Batcher(async (items: number[]) => (started.push(items), items.length), 10, 0, 0, (t) => q.push(t));
    const bad = new Batcher((): Promise<number> => {
      throw new Error("no key");
    }, 10, 0, 0, (t) => q.push(t));
    const sent = ok.add(1);
    const failed = bad.add(2);
    await vi.advanceTimersByTimeAsync(20);
    expect(started).toEqual([]); // held: nothing signed or sent yet
    const outcomes = [expect(sent).resolves.toBe(1), expect(failed).rejects.toThrow("no key")];
    release();
    await vi.runAllTimersAsync();
    await Promise.all(outcomes);
    expect(started).toEqual([[1]]);
  });
});

describe("batched receipts and acknowledgements", () => {
  const [a, b, c] = [alertFrom("AZ"), alertFrom("KZ"), alertFrom("TR")];

  it("covers several deliveries in one valid message, threaded on the first", () => {
    const r = receiptFor([{ delivered: a, at: T }, { delivered: b, at: T }, { delivered: c, at: T }], "UZ", T);
    expect(ReceiptMessage.safeParse(r).success).toBe(true);
    expect(r.body).toEqual({ messageId: a.id, receivedAt: T, more: [{ messageId: b.id, receivedAt: T }, { messageId: c.id, receivedAt: T }] });
    expect(r.inReplyTo).toBe(a.id);
    const ack = acknowledgementFor([{ delivered: a, at: T, officer: "UZ-DO-1", action: "acting" }, { delivered: b, at: T, officer: "UZ-DO-1", action: "noted" }], "UZ");
    expect(AcknowledgementMessage.safeParse(ack).success).toBe(true);
    expect(ack.body.more).toEqual([{ messageId: b.id, officer: "UZ-DO-1", action: "noted", acknowledgedAt: T }]);
  });

  it("is the familiar single form for one delivery (no `more`)", () => {
    expect(receiptFor([{ delivered: a, at: T }], "UZ", T).body).toEqual({ messageId: a.id, receivedAt: T });
  });

  it("names a delivery read twice before its receipt left only once", () => {
    const r = receiptFor([{ delivered: a, at: T }, { delivered: b, at: T }, { delivered: a, at: T }], "UZ", T);
    expect(r.body).toEqual({ messageId: a.id, receivedAt: T, more: [{ messageId: b.id, receivedAt: T }] });
    expect(parseMessage(r).ok).toBe(true);
    const k = acknowledgementFor([{ delivered: b, at: T, officer: "UZ-DO-1", action: "noted" }, { delivered: b, at: T, officer: "UZ-DO-1", action: "noted" }], "UZ");
    expect(k.body.more).toBeUndefined();
  });

  it("refuses a delivery named twice, and more than BATCH_MAX in all, at the field", () => {
    const twice = receiptFor([{ delivered: a, at: T }, { delivered: b, at: T }], "UZ", T);
    twice.body.more = [...twice.body.more!, { messageId: a.id, receivedAt: T }];
    const r = parseMessage(twice);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([expect.objectContaining({ path: "body.more[1].messageId", message: expect.stringContaining("repeated") })]);
    const many = Array.from({ length: BATCH_MAX + 1 }, () => ({ delivered: alertFrom("AZ"), at: T }));
    const tooMany = parseMessage(receiptFor(many, "UZ", T));
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok) expect(tooMany.problems[0]?.path).toBe("body.more");
  });
});


describe("ReceiptHold", () => {
  // Given receipts held for an acknowledgement due at once, when it comes, it takes them (none is
  // sent); when no acknowledgement will, or it does not come in time, they go into the batch.
  // A receipt as the intake holds one: the hold's marks on it; `label` tells the copies apart.
  type TestReceipt = HeldReceipt & { label: string };
  const setUp = (maxMs = 1_000) => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const hold = new ReceiptHold<TestReceipt>(maxMs, (x) => sent.push(x.label));
    const made = new Map<string, TestReceipt>();
    const r = (id: string, label = id): TestReceipt => {
      const x = { key: id, label, heldSinceMs: 0, held: false };
      made.set(label, x);
      return x;
    };
    const the = (label: string) => made.get(label)!;
    return { hold, sent, r, the };
  };
  const labels = (xs: TestReceipt[]) => xs.map((x) => x.label);

  it("hands the held receipts of a message to its acknowledgement, and lets none of them go", async () => {
    const { hold, sent, r, the } = setUp();
    hold.hold(r("m1", "m1 (own)"));
    hold.hold(r("m1", "m1 (broadcast)"));
    hold.hold(r("m2"));
    expect(labels(hold.take("m1"))).toEqual(["m1 (own)", "m1 (broadcast)"]);
    expect(labels(hold.take("m1"))).toEqual([]);
    // Held once at a time: held again while held, it would be let go twice.
    expect(() => hold.hold(the("m2"))).toThrow(/expected a receipt not held already; the one for m2 is/);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual(["m2"]);
    expect(hold.size).toBe(0);
  });

  it("lets one receipt go at once when no acknowledgement will stand in for it, and keeps the other copy", async () => {
    const { hold, sent, r, the } = setUp();
    hold.hold(r("m1", "first copy"));
    hold.hold(r("m1", "second copy"));
    expect(hold.release(the("second copy"))).toBe(true);
    expect(sent).toEqual(["second copy"]);
    expect(hold.release(the("second copy"))).toBe(false);
    expect(labels(hold.take("m1"))).toEqual(["first copy"]);
    expect(hold.release(the("first copy"))).toBe(false);
    expect(sent).toEqual(["second copy"]);
  });

  it("passes over receipts taken or let go meanwhile, and lets go only those still held, each on time", async () => {
    const { hold, sent, r, the } = setUp(1_000);
    for (let i = 0; i < 2_000; i++) hold.hold(r(`m${i}`));
    await vi.advanceTimersByTimeAsync(300);
    hold.hold(r("late"));
    // All but every hundredth is acknowledged; one is let go at once.
    for (let i = 0; i < 2_000; i++) if (i % 100) expect(labels(hold.take(`m${i}`))).toEqual([`m${i}`]);
    expect(hold.release(the("m0"))).toBe(true);
    expect(sent).toEqual(["m0"]);
    await vi.advanceTimersByTimeAsync(700);
    expect(sent).toEqual(["m0", ...Array.from({ length: 19 }, (_, k) => `m${(k + 1) * 100}`)]);
    await vi.advanceTimersByTimeAsync(299);
    expect(sent).not.toContain("late");
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.at(-1)).toBe("late");
    expect(hold.size).toBe(0);
  });

  it("lets each receipt go once it has waited its longest, in the order they were held", async () => {
    const { hold, sent, r, the } = setUp(1_000);
    hold.hold(r("m1"));
    await vi.advanceTimersByTimeAsync(400);
    hold.hold(r("m2"));
    await vi.advanceTimersByTimeAsync(100);
    hold.hold(r("m2", "m2 again"));
    await vi.advanceTimersByTimeAsync(499);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["m1"]);
    await vi.advanceTimersByTimeAsync(399);
    expect(sent).toEqual(["m1"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["m1", "m2"]);
    expect(hold.size).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual(["m1", "m2", "m2 again"]);
    expect(hold.size).toBe(0);
    // Held again after the last one went: the timer is armed anew.
    hold.hold(r("m3"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual(["m1", "m2", "m2 again", "m3"]);
  });
});

describe("KeyedItems", () => {
  it("keeps one item per key as itself and several in order, and takes out exactly what is asked", () => {
    const a = { n: 1 };
    const b = { n: 2 };
    const c = { n: 3 };
    const items = new KeyedItems<{ n: number }>();
    expect(items.empty).toBe(true);
    items.add("x", a);
    items.add("x", b);
    items.add("y", c);
    expect(items.size).toBe(3);
    expect(items.remove("x", c)).toBe(false);
    expect(items.remove("x", a)).toBe(true);
    expect(items.takeAll("x")).toEqual([b]);
    expect(items.takeAll("x")).toEqual([]);
    expect(items.remove("y", c)).toBe(true);
    expect(items.empty).toBe(true);
  });
});
