// Several runs of `atix bench` judged together: on a shared 2-core machine one run proves nothing,
// and issue 19's targets count only when they hold over several runs, the floor and ATIX taking
// turns at being measured first. Pure: figures in, a summary out.
import type { BenchResult, Target } from "./run.ts";

export type TargetName = keyof BenchResult["atix"]["targets"];
export const TARGET_NAMES: readonly TargetName[] = ["throughput", "p99", "ownCpu", "brokerCpu"];

export interface TargetOverRuns {
  bound: number;
  /** The value in each run, in order; null where it could not be measured. */
  values: (number | null)[];
  /** Runs in which it was met. */
  met: number;
}

export interface RunsSummary {
  runs: number;
  targets: Record<TargetName, TargetOverRuns>;
  /** Every target met in every run: what the "done when" asks of the runs. */
  allMetInEveryRun: boolean;
  /** Medians over the runs (the mean of the middle two for an even count); CPU figures absent where any run could not read them. */
  medians: {
    atixDeliveriesPerSecond: number;
    floorDeliveriesPerSecond: number;
    atixP99Ms: number;
    floorP99Ms: number;
    atixCpuMicros?: { broker: number; coordinator: number; agencies: number; total: number };
    floorCpuMicros?: number;
    /** What 0.6x the floor's rate allowed ATIX's own processes (run.ts, throughputBudget), when every run was bound by CPU. */
    ownMicrosBudget?: number;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
/** The median of a figure every run has, or undefined when any run lacks it. */
const medianOfAll = (xs: (number | undefined)[]) => (xs.length && xs.every((x) => x !== undefined) ? median(xs as number[]) : undefined);

export function summariseRuns(results: readonly BenchResult[]): RunsSummary {
  if (!results.length) throw new Error("expected at least one run to summarise");
  const over = (name: TargetName): TargetOverRuns => {
    const ts: Target[] = results.map((r) => r.atix.targets[name]);
    return { bound: ts[0]!.bound, values: ts.map((t) => t.value), met: ts.filter((t) => t.met === true).length };
  };
  const targets = Object.fromEntries(TARGET_NAMES.map((n) => [n, over(n)])) as Record<TargetName, TargetOverRuns>;
  const cpu = results.map((r) => r.atix.sustained.cpuMicrosPerDelivery);
  const cpuOf = (k: "broker" | "coordinator" | "agencies" | "total") => medianOfAll(cpu.map((c) => c?.[k]));
  const [broker, coordinator, agencies, total] = (["broker", "coordinator", "agencies", "total"] as const).map(cpuOf);
  const floorCpu = medianOfAll(results.map((r) => r.floor.sustained.cpuMicrosPerDelivery?.total));
  const budget = medianOfAll(results.map((r) => (r.atix.throughputBudget?.cpuBound ? r.atix.throughputBudget.ownMicrosMax : undefined)));
  return {
    runs: results.length,
    targets,
    allMetInEveryRun: TARGET_NAMES.every((n) => targets[n].met === results.length),
    medians: {
      atixDeliveriesPerSecond: median(results.map((r) => r.atix.sustained.deliveriesPerSecond)),
      floorDeliveriesPerSecond: median(results.map((r) => r.floor.sustained.deliveriesPerSecond)),
      atixP99Ms: median(results.map((r) => r.atix.latency.p99Ms)),
      floorP99Ms: median(results.map((r) => r.floor.latency.p99Ms)),
      ...(broker !== undefined && coordinator !== undefined && agencies !== undefined && total !== undefined
        ? { atixCpuMicros: { broker, coordinator, agencies, total } }
        : {}),
      ...(floorCpu !== undefined ? { floorCpuMicros: floorCpu } : {}),
      ...(budget !== undefined ? { ownMicrosBudget: budget } : {}),
    },
  };
}
