// The coordinator's queue for bookkeeping: tasks run in order, one per event-loop turn, so other
// work that arrives meanwhile runs between them.
import { describe, expect, it } from "vitest";
import { YieldingQueue } from "../../services/coordinator/yielding-queue.ts";

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
});
