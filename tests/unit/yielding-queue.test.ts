// The queue for work that yields (the coordinator's bookkeeping, the agencies' outgoing receipts
// and acknowledgements): tasks run in order, in slices per event-loop turn, so other work that
// arrives meanwhile runs between them; an alert being delivered holds it still.
import { afterEach, describe, expect, it, vi } from "vitest";
import { YieldingQueue } from "../../shared/yielding-queue.ts";

// Holds are timed on fake time (vi.useFakeTimers), so nothing waits on the wall clock.
afterEach(() => void vi.useRealTimers());

describe("YieldingQueue", () => {
  it("runs tasks in order, a slice per turn, letting work that arrived meanwhile go between slices", async () => {
    const q = new YieldingQueue(0); // a zero slice: one task per turn
    const order: string[] = [];
    q.push(() => {
      order.push("a");
      setImmediate(() => order.push("arrived during a"));
    });
    q.push(() => order.push("b"));
    q.push(() => order.push("c"));
    expect(q.size).toBe(3);
    await q.drained();
    expect(order).toEqual(["a", "arrived during a", "b", "c"]);
    expect(q.size).toBe(0);
  });

  it("runs a queued object's step in its turn, among functions", async () => {
    // Given an object that is its own step (an agency's delivery), queued between two functions.
    const q = new YieldingQueue(0);
    const order: string[] = [];
    const delivery = { steps: 0, runQueued() { this.steps++; order.push("delivery"); } };
    q.push(() => order.push("before"));
    q.push(delivery);
    q.push(() => order.push("after"));
    await q.drained();
    expect(order).toEqual(["before", "delivery", "after"]);
    expect(delivery.steps).toBe(1);
  });

  it("keeps only what is still to run under a load that never lets it drain", async () => {
    const q = new YieldingQueue(1);
    const ran: number[] = [];
    let pushed = 0;
    // Each task adds another, so the queue is never empty until the last 20,000 have run.
    const task = (i: number) => () => {
      ran.push(i);
      if (pushed < 20_000) q.push(task(pushed++));
    };
    for (let i = 0; i < 10; i++) q.push(task(pushed++));
    let longest = 0;
    const watch = setInterval(() => (longest = Math.max(longest, (q as unknown as { tasks: unknown[] }).tasks.length)), 0);
    await q.drained();
    clearInterval(watch);
    expect(ran).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(longest).toBeLessThan(10_000);
  });

  it("runs as many tasks as fit in its slice in one turn", async () => {
    const q = new YieldingQueue(50);
    const order: string[] = [];
    q.push(() => {
      order.push("a");
      setImmediate(() => order.push("arrived during a"));
    });
    q.push(() => order.push("b"));
    await q.drained();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["a", "b", "arrived during a"]);
  });

  it("carries on after a task that throws, and is drained at once when empty", async () => {
    const q = new YieldingQueue(0);
    const ran: number[] = [];
    const failures: unknown[] = [];
    const onError = (e: unknown) => failures.push(e);
    process.once("uncaughtException", onError);
    q.push(() => {
      throw new Error("boom");
    });
    q.push(() => ran.push(2));
    await q.drained();
    process.off("uncaughtException", onError);
    expect(ran).toEqual([2]);
    expect(failures).toHaveLength(1);
    await q.drained();
  });

  it("stands still while held and goes on when every holder has released", async () => {
    vi.useFakeTimers();
    const q = new YieldingQueue(2, 10_000);
    const ran: string[] = [];
    const first = q.hold();
    const second = q.hold();
    q.push(() => ran.push("a"));
    await vi.advanceTimersByTimeAsync(30);
    expect(ran).toEqual([]);
    first();
    first(); // a second release by the same holder changes nothing
    await vi.advanceTimersByTimeAsync(30);
    expect(ran).toEqual([]);
    second();
    await vi.runAllTimersAsync();
    await q.drained();
    expect(ran).toEqual(["a"]);
  });

  it("lets a slice through now and then while a hold lasts longer than maxHoldMs", async () => {
    vi.useFakeTimers();
    const q = new YieldingQueue(0, 20);
    const release = q.hold();
    const ran: number[] = [];
    for (let i = 0; i < 3; i++) q.push(() => ran.push(i));
    await vi.advanceTimersByTimeAsync(5);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(ran.length).toBeGreaterThan(0);
    release();
    await vi.runAllTimersAsync();
    await q.drained();
    expect(ran).toEqual([0, 1, 2]);
  });

  it("lets a slice through after maxHoldMs also when holds follow one another without overlapping", async () => {
    vi.useFakeTimers();
    const q = new YieldingQueue(0, 20);
    const ran: number[] = [];
    let release = q.hold();
    q.push(() => ran.push(1));
    // A new alert is held in the same turn as the previous one is released, every 2 ms.
    const until = performance.now() + 150;
    while (performance.now() < until && !ran.length) {
      release();
      release = q.hold();
      await vi.advanceTimersByTimeAsync(2);
    }
    release();
    expect(ran).toEqual([1]);
  });
});
