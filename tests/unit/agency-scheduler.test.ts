// The agency's timers in simulated time: a task that fails is kept when its owner says so and runs
// again a wall second later (a broker election lasts seconds), not at once and not never.
import { afterEach, describe, expect, it, vi } from "vitest";
import { RETRY_WALL_MS, SimScheduler, type TaskEnd } from "../../services/agency/scheduler.ts";
import { SimClock } from "../../shared/clock.ts";

afterEach(() => void vi.useRealTimers());

describe("SimScheduler", () => {
  it("runs tasks in due order whether they come before or after the one the timer is armed for, each once", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    const s = new SimScheduler(clock);
    const ran: string[] = [];
    s.start();
    // The first arms the wall timer; later ones due after it do not re-arm it, one due sooner does.
    s.at("b", 20_000, () => void ran.push("b"));
    s.at("c", 30_000, () => void ran.push("c"));
    s.at("d", 30_000, () => void ran.push("d"));
    s.at("a", 10_000, () => void ran.push("a"));
    s.at("e", 120_000_000, () => void ran.push("e")); // past the longest single wall wait (60 s)
    await vi.advanceTimersByTimeAsync(15);
    expect(ran).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(20);
    expect(ran).toEqual(["a", "b", "c", "d"]);
    s.at("f", clock.nowMs() + 1_000, () => void ran.push("f"));
    await vi.advanceTimersByTimeAsync(5);
    expect(ran).toEqual(["a", "b", "c", "d", "f"]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(ran).toEqual(["a", "b", "c", "d", "f", "e"]);
    expect(s.size).toBe(0);
  });

  it("waits for running asynchronous tasks when paused, and hands a rejected one to its owner", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    const failed: string[] = [];
    const s = new SimScheduler(clock, (key) => (failed.push(key), false));
    let finished = false;
    s.at("slow", 1_000, async () => {
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    s.at("bad", 1_000, async () => {
      throw new Error("refused");
    });
    s.start();
    await vi.advanceTimersByTimeAsync(2);
    expect(failed).toEqual(["bad"]);
    const paused = s.pause(1_000);
    await vi.advanceTimersByTimeAsync(60);
    await paused;
    expect(finished).toBe(true);
  });

  it("runs a kept task again RETRY_WALL_MS later until it succeeds, counting its failures", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    const seen: number[] = [];
    const s = new SimScheduler(clock, (_key, _err, failures) => (seen.push(failures), true));
    let runs = 0;
    s.at("ack:m1", 60_000, () => {
      runs++;
      if (runs < 3) throw new Error("no responders");
    });
    s.start();
    await vi.advanceTimersByTimeAsync(60); // 60 s simulated: due
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(RETRY_WALL_MS / 2);
    expect(runs).toBe(1); // not at once
    await vi.advanceTimersByTimeAsync(RETRY_WALL_MS);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(RETRY_WALL_MS * 2);
    expect(runs).toBe(3);
    expect(seen).toEqual([1, 2]);
    expect(s.size).toBe(0);
  });

  it("drops a failed task its owner gives up on, and keeps one that scheduled itself again", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    const s = new SimScheduler(clock, () => false);
    s.at("hit:m1", 1_000, () => {
      throw new Error("boom");
    });
    s.at("ack:m2", 1_000, () => {
      s.at("ack:m2", 500_000, () => undefined);
      throw new Error("rescheduled");
    });
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(s.entries()).toEqual([{ key: "ack:m2", dueAt: 500_000 }]);
  });

  it("keeps a task that failed while paused for when it starts again", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    let active = true;
    const s = new SimScheduler(clock, () => !active);
    let runs = 0;
    s.at("ack:m1", 1_000, async () => {
      runs++;
      active = false;
      await s.pause(10);
      if (runs === 1) throw new Error("connection closed");
    });
    s.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(runs).toBe(1);
    expect(s.size).toBe(1);
    active = true;
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toBe(2);
    expect(s.size).toBe(0);
  });

  it("ends a reporting task when it says so, once: pause waits for it, a failure is kept for another run, a second word is ignored", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    const seen: number[] = [];
    const s = new SimScheduler(clock, (_key, _err, failures) => (seen.push(failures), true));
    const ends: TaskEnd[] = [];
    s.atReporting("ack:m1", 1_000, { report: (end) => void ends.push(end) });
    s.start();
    await vi.advanceTimersByTimeAsync(2);
    expect(ends).toHaveLength(1);
    expect(s.size).toBe(0); // running, no longer scheduled

    // Paused while it runs: the pause waits until the task tells its end.
    let paused = false;
    const pausing = s.pause(10_000).then(() => (paused = true));
    await vi.advanceTimersByTimeAsync(5);
    expect(paused).toBe(false);
    ends[0]!.failed(new Error("no responders"));
    ends[0]!.done(); // ignored: the run already ended
    await pausing;
    expect(paused).toBe(true);
    expect(seen).toEqual([1]);
    expect(s.entries()).toEqual([{ key: "ack:m1", dueAt: 1_000 }]); // kept while paused

    s.start();
    await vi.advanceTimersByTimeAsync(2);
    expect(ends).toHaveLength(2);
    ends[1]!.done();
    ends[1]!.failed(new Error("late")); // ignored as well
    await vi.advanceTimersByTimeAsync(RETRY_WALL_MS * 2);
    expect(ends).toHaveLength(2);
    expect(seen).toEqual([1]);
    expect(s.size).toBe(0);
    await s.pause(0); // nothing running: does not wait
  });

  it("does not run a due task that one run before it in the same round replaced or cancelled; the replacement keeps its time", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    const s = new SimScheduler(clock);
    const ran: string[] = [];
    s.at("first", 1_000, () => {
      ran.push("first");
      s.at("second", 600_000, () => void ran.push("second, replaced"));
      s.cancel("third");
    });
    s.at("second", 1_000, () => void ran.push("second"));
    s.at("third", 1_000, () => void ran.push("third"));
    s.start();
    await vi.advanceTimersByTimeAsync(2);
    expect(ran).toEqual(["first"]);
    expect(s.entries()).toEqual([{ key: "second", dueAt: 600_000 }]);
    await vi.advanceTimersByTimeAsync(600);
    expect(ran).toEqual(["first", "second, replaced"]);
  });

  it("treats a reporting task that throws as failed", async () => {
    vi.useFakeTimers({ now: 0 });
    const clock = SimClock.start(1000, 0);
    const failed: string[] = [];
    const s = new SimScheduler(clock, (key) => (failed.push(key), false));
    s.atReporting("hit:m1", 1_000, {
      report: () => {
        throw new Error("boom");
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(2);
    expect(failed).toEqual(["hit:m1"]);
    expect(s.size).toBe(0);
    let paused = false;
    await s.pause(10_000).then(() => (paused = true));
    expect(paused).toBe(true);
  });
});
