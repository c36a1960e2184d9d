// The plan a seed produces is fixed: same seed, same sends and digest; another seed, other traffic.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../simulations/scenario/load.ts";
import { buildPlan } from "../../simulations/runner/plan.ts";
import { parseDuration } from "../../simulations/scenario/duration.ts";

const file = new URL("../../simulations/scenarios/baku-247.yaml", import.meta.url).pathname;

describe("scenario plan", () => {
  it("is repeatable for a seed and differs for another", async () => {
    const { scenario, roster } = await loadScenario(file);
    const a = buildPlan(scenario, roster);
    const b = buildPlan(scenario, roster);
    const c = buildPlan({ ...scenario, seed: scenario.seed + 1 }, roster);
    expect(a.digest).toBe(b.digest);
    expect(a.sends).toEqual(b.sends);
    expect(c.digest).not.toBe(a.digest);
    expect(a.sends.filter((s) => s.source === "inject")).toHaveLength(scenario.timeline.length);
    expect(a.sends.every((s, i) => i === 0 || s.at >= a.sends[i - 1]!.at)).toBe(true);
    expect(a.sends.every((s) => s.at >= 0 && s.at <= scenario.duration)).toBe(true);
  });

  it("reads durations as people write them", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("2h30m")).toBe(9_000_000);
    expect(parseDuration("06:30")).toBe(23_400_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("soon")).toBeUndefined();
  });
});
