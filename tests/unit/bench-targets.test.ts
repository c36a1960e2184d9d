// The bench's judgement of issue 19's targets (services/bench/run.ts) and its cheap counting
// (services/bench/counting.ts, floor-agency.ts): decisions on figures, no broker.
import { describe, expect, it } from "vitest";
import type { AtixResult } from "../../services/bench/atix.ts";
import { Tally } from "../../services/bench/counting.ts";
import { floorRecordDeliveries } from "../../services/bench/floor-agency.ts";
import type { FloorResult } from "../../services/bench/floor.ts";
import { type BenchResult, type Comparison, judge, throughputBudget } from "../../services/bench/run.ts";
import { summariseRuns } from "../../services/bench/runs-summary.ts";

const atixWith = (cpu?: Record<string, number>) =>
  ({ sustained: { ...(cpu ? { cpuMicrosPerDelivery: cpu } : {}) } }) as unknown as AtixResult;
const floorComparison = (c: Partial<Comparison>): Comparison => ({ p50: 1, p99: 1, throughput: 1, ...c });

describe("issue 19's targets", () => {
  it("given figures exactly at every bound, then every target is met", () => {
    const t = judge(atixWith({ broker: 40, coordinator: 50, agencies: 30, total: 120 }), floorComparison({ throughput: 0.6, p99: 1.5, cpu: { broker: 1.2 } }));
    expect(t).toEqual({
      throughput: { bound: 0.6, value: 0.6, met: true },
      p99: { bound: 1.5, value: 1.5, met: true },
      ownCpu: { bound: 80, value: 80, met: true },
      brokerCpu: { bound: 1.2, value: 1.2, met: true },
    });
  });

  it("given figures just past every bound, then none is met", () => {
    const t = judge(atixWith({ broker: 60, coordinator: 73, agencies: 85, total: 218 }), floorComparison({ throughput: 0.59, p99: 1.51, cpu: { broker: 1.21 } }));
    expect([t.throughput.met, t.p99.met, t.ownCpu.met, t.brokerCpu.met]).toEqual([false, false, false, false]);
    expect(t.ownCpu.value).toBe(158);
  });

  it("given no CPU figures (not Linux), then the CPU targets are not measured rather than met", () => {
    const t = judge(atixWith(), floorComparison({ throughput: 0.7 }));
    expect(t.ownCpu).toEqual({ bound: 80, value: null, met: null });
    expect(t.brokerCpu).toEqual({ bound: 1.2, value: null, met: null });
    expect(t.throughput.met).toBe(true);
  });
});

describe("what the throughput target asks of CPU", () => {
  const burst = (deliveriesPerSecond: number, cpu?: Record<string, number>) => ({ sustained: { deliveriesPerSecond, ...(cpu ? { cpuMicrosPerDelivery: cpu } : {}) } });

  it("given both bursts CPU-bound on two cores, then 0.6x the floor's rate allows the floor's CPU per delivery over 0.6, less the broker for ATIX's own", () => {
    // The floor: 30,000/s at 60 µs (1.8 cores); ATIX: 12,000/s at 150 µs (1.8 cores), 50 of them the broker's.
    const b = throughputBudget(burst(12_000, { broker: 50, coordinator: 50, agencies: 50, total: 150 }) as AtixResult, burst(30_000, { broker: 36, recorder: 5, agencies: 19, total: 60 }) as FloorResult, 2);
    expect(b).toEqual({ coresBusy: { floor: 1.8, atix: 1.8 }, cpuBound: true, totalMicrosMax: 100, ownMicrosMax: 50 });
  });

  it("given ATIX keeping fewer cores busy than the floor, then the budget is that much smaller", () => {
    const b = throughputBudget(burst(11_000, { broker: 50, coordinator: 50, agencies: 50, total: 160 }) as AtixResult, burst(30_000, { broker: 36, total: 60 }) as FloorResult, 2);
    expect(b).toMatchObject({ coresBusy: { atix: 1.76 }, cpuBound: true });
    expect(b?.totalMicrosMax).toBeCloseTo(97.8, 1);
  });

  it("given a burst that left cores idle, then its rate was not bound by CPU and the budget says so", () => {
    const b = throughputBudget(burst(9_000, { broker: 50, total: 150 }) as AtixResult, burst(30_000, { broker: 36, total: 60 }) as FloorResult, 2);
    expect(b).toMatchObject({ coresBusy: { atix: 1.35, floor: 1.8 }, cpuBound: false });
  });

  it("given a broker that alone takes more than the budget, then nothing is left for ATIX's own processes", () => {
    const b = throughputBudget(burst(5_000, { broker: 80, total: 360 }) as AtixResult, burst(40_000, { broker: 30, total: 45 }) as FloorResult, 2);
    expect(b?.cpuBound).toBe(true);
    expect(b?.ownMicrosMax).toBeLessThan(0);
  });

  it("given no CPU figures (not Linux), then there is no budget rather than a wrong one", () => {
    expect(throughputBudget(burst(12_000) as AtixResult, burst(30_000, { broker: 36, total: 60 }) as FloorResult, 2)).toBeUndefined();
    expect(throughputBudget(burst(12_000, { broker: 50, total: 150 }) as AtixResult, burst(30_000) as FloorResult, 2)).toBeUndefined();
  });
});

describe("several runs judged together (--runs)", () => {
  const target = (bound: number, value: number | null, met: boolean | null) => ({ bound, value, met });
  /** A run with these target verdicts and figures (only what the summary reads). */
  const run = (met: [boolean, boolean, boolean, boolean], f: { dps: number; floorDps: number; p99: number; total?: number; own?: number; cpuBound?: boolean }) =>
    ({
      floor: { latency: { p99Ms: 20 }, sustained: { deliveriesPerSecond: f.floorDps, ...(f.total ? { cpuMicrosPerDelivery: { total: 60 } } : {}) } },
      atix: {
        latency: { p99Ms: f.p99 },
        sustained: { deliveriesPerSecond: f.dps, ...(f.total ? { cpuMicrosPerDelivery: { broker: 50, coordinator: 40, agencies: 40, total: f.total } } : {}) },
        targets: { throughput: target(0.6, 0.5, met[0]), p99: target(1.5, 1.2, met[1]), ownCpu: target(80, f.total ? 80 : null, f.total ? met[2] : null), brokerCpu: target(1.2, f.total ? 1.1 : null, f.total ? met[3] : null) },
        ...(f.own ? { throughputBudget: { coresBusy: { floor: 1.8, atix: 1.8 }, cpuBound: f.cpuBound ?? true, totalMicrosMax: f.own + 50, ownMicrosMax: f.own } } : {}),
      },
    }) as unknown as BenchResult;

  it("given three runs, then each target lists its value per run and counts the runs it was met in", () => {
    const s = summariseRuns([
      run([false, true, true, true], { dps: 12_000, floorDps: 30_000, p99: 25, total: 130, own: 50 }),
      run([false, true, false, true], { dps: 14_000, floorDps: 28_000, p99: 35, total: 150, own: 60 }),
      run([true, false, true, false], { dps: 13_000, floorDps: 29_000, p99: 30, total: 140, own: 55 }),
    ]);
    expect(s.runs).toBe(3);
    expect(s.targets.throughput).toEqual({ bound: 0.6, values: [0.5, 0.5, 0.5], met: 1 });
    expect([s.targets.p99.met, s.targets.ownCpu.met, s.targets.brokerCpu.met]).toEqual([2, 2, 2]);
    expect(s.allMetInEveryRun).toBe(false);
    expect(s.medians).toMatchObject({ atixDeliveriesPerSecond: 13_000, floorDeliveriesPerSecond: 29_000, atixP99Ms: 30, floorP99Ms: 20, floorCpuMicros: 60, ownMicrosBudget: 55 });
    expect(s.medians.atixCpuMicros).toEqual({ broker: 50, coordinator: 40, agencies: 40, total: 140 });
  });

  it("given an even number of runs, then a median is the mean of the middle two", () => {
    const s = summariseRuns([
      run([true, true, true, true], { dps: 10_000, floorDps: 20_000, p99: 40, total: 200, own: 60 }),
      run([true, true, true, true], { dps: 20_000, floorDps: 30_000, p99: 20, total: 100, own: 40 }),
    ]);
    expect(s.medians).toMatchObject({ atixDeliveriesPerSecond: 15_000, floorDeliveriesPerSecond: 25_000, atixP99Ms: 30, ownMicrosBudget: 50 });
    expect(s.medians.atixCpuMicros?.total).toBe(150);
  });

  it("given a run not bound by CPU, then no budget median is claimed", () => {
    const all = [true, true, true, true] as [boolean, boolean, boolean, boolean];
    const s = summariseRuns([run(all, { dps: 1, floorDps: 1, p99: 1, total: 100, own: 40 }), run(all, { dps: 1, floorDps: 1, p99: 1, total: 100, own: 50, cpuBound: false })]);
    expect(s.medians.ownMicrosBudget).toBeUndefined();
  });

  it("given every target met in every run, then the runs meet what the issue asks", () => {
    const all = [true, true, true, true] as [boolean, boolean, boolean, boolean];
    const s = summariseRuns([run(all, { dps: 1, floorDps: 1, p99: 1, total: 100 }), run(all, { dps: 1, floorDps: 1, p99: 1, total: 100 })]);
    expect(s.allMetInEveryRun).toBe(true);
  });

  it("given a run whose CPU could not be read, then the CPU targets are not met in it and no CPU median is claimed", () => {
    const all = [true, true, true, true] as [boolean, boolean, boolean, boolean];
    const s = summariseRuns([run(all, { dps: 1, floorDps: 1, p99: 1, total: 100, own: 40 }), run(all, { dps: 1, floorDps: 1, p99: 1 })]);
    expect(s.targets.ownCpu).toEqual({ bound: 80, values: [80, null], met: 1 });
    expect(s.allMetInEveryRun).toBe(false);
    expect(s.medians.atixCpuMicros).toBeUndefined();
    expect(s.medians.ownMicrosBudget).toBeUndefined();
  });

  it("given no runs, then it says so rather than summarising nothing", () => {
    expect(() => summariseRuns([])).toThrow(/at least one run/);
  });
});

describe("the bench's counting", () => {
  it("a tally's waiter resolves once the count reaches its target, at once if it has already", async () => {
    const tally = new Tally();
    let reached = false;
    const waiting = tally.until(5, "five", 5_000).then(() => (reached = true));
    tally.add(4);
    await Promise.resolve();
    expect(reached).toBe(false);
    tally.add();
    await waiting;
    expect(reached).toBe(true);
    await tally.until(3, "three", 5_000);
  });

  it("a tally's waiter names what it waited for and how far it got when its time is up", async () => {
    const tally = new Tally();
    tally.add(2);
    await expect(tally.until(10, "the burst", 10)).rejects.toThrow(/waiting for the burst \(2 of 10\)/);
  });

  it("a floor audit record stands for the deliveries its batch lists; anything else for none", () => {
    expect(floorRecordDeliveries({ event: "acknowledged", actor: "AA", batch: { agency: "AA", at: 1, acks: [4, 5, 6] } })).toBe(3);
    expect(floorRecordDeliveries({ event: "acknowledged", batch: {} })).toBe(0);
    expect(floorRecordDeliveries("not json")).toBe(0);
    expect(floorRecordDeliveries(null)).toBe(0);
  });
});
