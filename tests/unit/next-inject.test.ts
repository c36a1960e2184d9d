// "Next inject", as a decision on the runner's timeline: Given a clock and the entries still to
// play, When the facilitator asks for the next inject, Then the clock lands just before it (a few
// wall seconds at the speed in force, at least a simulated minute), the background traffic of the
// hours passed over is dropped, faults and injects are kept, and a jump that would pass over or
// land on an inject is refused.
import { describe, expect, it } from "vitest";
import { ClockRefusal, type ExchangeClock } from "../../services/dashboard/clock-control.ts";
import { type ClockState, SimClock } from "../../shared/clock.ts";
import { nextInjectControl, type RunTag } from "../../simulations/runner/next-inject.ts";
import type { Plan } from "../../simulations/runner/plan.ts";
import { Timeline } from "../../simulations/runner/timeline.ts";

const START = Date.parse("2026-09-21T00:00:00Z");
const MIN = 60_000;

function setUp(nowMin: number, speed: number, paused = false) {
  let wall = 1_000_000;
  let state: ClockState = { simAnchor: START + nowMin * MIN, wallAnchor: wall, speed, paused };
  const clock: ExchangeClock = {
    async update(edit) {
      const c = new SimClock(state, () => wall);
      edit(c);
      return (state = c.snapshot());
    },
    change: async () => state,
  };
  const timeline = new Timeline<RunTag>();
  const noop = async () => undefined;
  for (const [at, tag] of [[30, "traffic"], [100, "traffic"], [120, "fault"], [200, "inject"], [210, "traffic"], [400, "inject"]] as const) timeline.add(at * MIN, noop, tag);
  const plan = { sends: [{ seq: 0, at: 200 * MIN, from: "AZ", kind: "alert", source: "inject", inject: 4 }, { seq: 1, at: 400 * MIN, from: "AZ", kind: "alert", source: "inject", inject: 5 }], digest: "" } as Plan;
  const jumps: unknown[] = [];
  const next = nextInjectControl(clock, timeline, plan, START, (j) => jumps.push(j));
  return { next, timeline, jumps, state: () => state, tick: (ms: number) => (wall += ms) };
}

describe("next inject", () => {
  it("lands three wall seconds before the next inject at the speed in force, dropping the traffic passed over", async () => {
    const { next, timeline, state, jumps } = setUp(10, 300);
    const r = await next();
    // 3 s at x300 = 15 simulated minutes before 03:20.
    expect(r).toMatchObject({ inject: 4, at: "2026-09-21T03:20:00.000Z", skipped: 2 });
    expect(state()).toMatchObject({ simAnchor: START + (200 - 15) * MIN, speed: 300, paused: false });
    expect(timeline.nextAt("traffic")).toBe(210 * MIN);
    expect(timeline.nextAt("fault")).toBe(120 * MIN);
    expect(timeline.nextAt("inject")).toBe(200 * MIN);
    expect(jumps).toEqual([expect.objectContaining({ inject: 4, from: "2026-09-21T00:10:00.000Z" })]);
  });

  it("keeps a pause, and at a slow speed lands a simulated minute before", async () => {
    const { next, state } = setUp(10, 10, true);
    await next();
    expect(state()).toMatchObject({ simAnchor: START + 199 * MIN, paused: true, speed: 10 });
  });

  it("refuses when the next inject is about to play, and when none is left", async () => {
    const { next, timeline } = setUp(190, 300);
    await expect(next()).rejects.toThrow(ClockRefusal);
    await expect(next()).rejects.toThrow(/inject 4 is about to play already/);
    // Nothing was passed over.
    expect(timeline.nextAt("traffic")).toBe(30 * MIN);
    const empty = setUp(10, 300);
    empty.timeline.skip(Number.POSITIVE_INFINITY, "inject");
    await expect(empty.next()).rejects.toThrow(/no scripted inject is left/);
  });
});
