// "Next inject": the facilitator passes over the quiet hours before the scenario's next scripted
// inject. The clock jumps to just before it (a few wall seconds at the speed in force, so the room
// sees it coming), the background messages of the hours passed over are not sent (sent late they
// would all go at once and with the wrong times), and faults and injects are never passed over:
// a jump never goes beyond the next inject, and a fault due meanwhile starts at once.
import { ClockRefusal, type ExchangeClock, type NextInject } from "../../services/dashboard/clock-control.ts";
import type { Plan } from "./plan.ts";
import type { Timeline } from "./timeline.ts";

/** How long before the inject the clock lands, in wall time at the speed in force... */
export const NEXT_INJECT_LEAD_WALL_MS = 3_000;
/** ...and at least this much simulated time. */
export const NEXT_INJECT_LEAD_SIM_MS = 60_000;

/** What the runner's timeline holds: what "next inject" looks for and what it may pass over. */
export type RunTag = "inject" | "traffic" | "fault";

export function nextInjectControl(
  clock: ExchangeClock,
  timeline: Timeline<RunTag>,
  plan: Plan,
  simStart: number,
  onJump: (jump: NextInject & { from: string }) => void,
): () => Promise<NextInject> {
  return async () => {
    let jump: Omit<NextInject, "clock"> & { from: string } = { inject: 0, at: "", skipped: 0, from: "" };
    const state = await clock.update((c) => {
      const now = c.nowMs();
      const offset = timeline.nextAt("inject");
      if (offset === undefined) throw new ClockRefusal("no scripted inject is left to play");
      const inject = plan.sends.find((s) => s.source === "inject" && s.at === offset)?.inject ?? 0;
      const target = simStart + offset - Math.max(NEXT_INJECT_LEAD_SIM_MS, NEXT_INJECT_LEAD_WALL_MS * c.speed);
      if (target <= now) throw new ClockRefusal(`inject ${inject} is about to play already`);
      // Before the clock moves: the play loop must not find them due.
      const skipped = timeline.skip(target - simStart, "traffic");
      jump = { inject, at: new Date(simStart + offset).toISOString(), skipped, from: new Date(now).toISOString() };
      c.jumpTo(target);
    });
    onJump({ ...jump, clock: state });
    return { inject: jump.inject, at: jump.at, skipped: jump.skipped, clock: state };
  };
}
