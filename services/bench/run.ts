// `atix bench`: ATIX's FLASH fan-out against raw NATS core, raw JetStream and the protocol floor
// (ATIX's accounts and acknowledgement protocol without its logic), measured in one run on this
// machine. Every claim is a ratio to a baseline of the same run (DESIGN.md section 6).
import { startNatsServer } from "../../shared/nats/embedded-server.ts";
import { DELIVERY_PULL_BATCH } from "../agency/delivery-loop.ts";
import { atixFanOut, type AtixResult } from "./atix.ts";
import { coreFanOut, type CoreResult, jetStreamFanOut, type JetStreamResult } from "./baselines.ts";
import { COUNTING } from "./counting.ts";
import type { CpuPerDelivery } from "./cpu.ts";
import { floorFanOut, type FloorResult } from "./floor.ts";
import { machineOf, round } from "./stats.ts";

export interface BenchOptions {
  agencies: number;
  rounds: number;
  /** Messages in each sustained burst: ATIX FLASH broadcasts, the floor's broadcasts and raw JetStream messages alike. */
  burst: number;
  /** Deliveries each of the floor's agencies pulls at once (default: what ATIX's agency nodes pull). */
  floorPull?: number;
  /** Measure ATIX before the protocol floor (runs of `--runs` take turns, so neither always goes first). */
  atixFirst?: boolean;
  onStep?: (step: string) => void;
}

/** Issue 19's targets, against the protocol floor measured in the same run. */
export const TARGETS = {
  /** ATIX's acknowledged deliveries/s at least this share of the floor's. */
  throughputVsFloorMin: 0.6,
  /** ATIX's FLASH p99 (submit → all delivered) at most this multiple of the floor's. */
  p99VsFloorMax: 1.5,
  /** CPU µs per acknowledged delivery in ATIX's own processes (coordinator + agencies' process), at most. */
  ownCpuMicrosMax: 80,
  /** The broker's CPU per acknowledged delivery at most this multiple of the floor's broker's. */
  brokerCpuVsFloorMax: 1.2,
} as const;

/** ATIX over a baseline of the same run: latency and throughput ratios, and CPU per delivery by ATIX's process. */
export interface Comparison {
  p50: number;
  p99: number;
  throughput: number;
  /** ATIX's CPU per acknowledged delivery over the baseline's, per ATIX process (against its counterpart) and in total; absent where CPU could not be read. */
  cpu?: Record<string, number>;
}

/** A target: the value this run measured against its bound; null where it could not be measured (CPU off Linux). */
export interface Target {
  bound: number;
  value: number | null;
  met: boolean | null;
}

export interface BenchResult {
  machine: { cpus: number; node: string; platform: string };
  agencies: number;
  rounds: number;
  burst: number;
  /** Which of the floor and ATIX was measured first in this run. */
  order: "floor-first" | "atix-first";
  /** How a sustained burst's deliveries are counted as recorded. */
  counting: string;
  core: CoreResult;
  jetstream: JetStreamResult;
  floor: FloorResult;
  atix: AtixResult & {
    vsJetStream: Comparison;
    vsFloor: Comparison;
    p99VsCore: number;
    targets: { throughput: Target; p99: Target; ownCpu: Target; brokerCpu: Target };
    /** What the throughput target asks of ATIX's CPU in this run; absent where CPU could not be read. */
    throughputBudget?: ThroughputBudget;
  };
  seconds: number;
}

const ratio = (a: number, b: number) => round(a / b, 2);

/** ATIX's CPU per delivery over a baseline's, each ATIX process against the baseline's process named beside it. */
function cpuRatios(atix: CpuPerDelivery | undefined, base: CpuPerDelivery | undefined, counterpart: Record<string, string>) {
  if (!atix || !base) return undefined;
  const out: Record<string, number> = {};
  for (const [mine, theirs] of Object.entries(counterpart)) if (atix[mine] !== undefined && base[theirs]) out[mine] = ratio(atix[mine], base[theirs]);
  return out;
}

function compare(atix: AtixResult, base: { latency: CoreResult["latency"]; sustained: JetStreamResult["sustained"] }, counterpart: Record<string, string>): Comparison {
  const cpu = cpuRatios(atix.sustained.cpuMicrosPerDelivery, base.sustained.cpuMicrosPerDelivery, counterpart);
  return {
    p50: ratio(atix.latency.p50Ms, base.latency.p50Ms),
    p99: ratio(atix.latency.p99Ms, base.latency.p99Ms),
    throughput: ratio(atix.sustained.deliveriesPerSecond, base.sustained.deliveriesPerSecond),
    ...(cpu ? { cpu } : {}),
  };
}

const atLeast = (bound: number, value: number | undefined): Target => ({ bound, value: value ?? null, met: value === undefined ? null : value >= bound });
const atMost = (bound: number, value: number | undefined): Target => ({ bound, value: value ?? null, met: value === undefined ? null : value <= bound });

/** Issue 19's four targets, judged on this run's figures. */
export function judge(atix: AtixResult, vsFloor: Comparison): BenchResult["atix"]["targets"] {
  const cpu = atix.sustained.cpuMicrosPerDelivery;
  const own = cpu?.coordinator !== undefined && cpu.agencies !== undefined ? round(cpu.coordinator + cpu.agencies, 1) : undefined;
  return {
    throughput: atLeast(TARGETS.throughputVsFloorMin, vsFloor.throughput),
    p99: atMost(TARGETS.p99VsFloorMax, vsFloor.p99),
    ownCpu: atMost(TARGETS.ownCpuMicrosMax, own),
    brokerCpu: atMost(TARGETS.brokerCpuVsFloorMax, vsFloor.cpu?.broker),
  };
}

/**
 * What the throughput target asks of CPU. A sustained burst that keeps the machine's cores busy
 * runs at the cores it kept busy over its CPU per delivery: then, at the cores ATIX's burst kept
 * busy, 0.6x the floor's rate allows ATIX at most `totalMicrosMax` per delivery in all, and its
 * own processes what is left of that beside its broker's figure. Where both bursts keep the cores
 * equally busy, the throughput ratio is the floor's CPU per delivery over ATIX's. A burst that
 * left cores idle was held back by something else (a tiny burst, waiting): no budget is read then.
 */
export interface ThroughputBudget {
  /** Cores each burst kept busy: acknowledged deliveries/s × CPU per delivery. */
  coresBusy: { floor: number; atix: number };
  /** Both kept nearly every core busy (CPU_BOUND_SHARE): only then do the figures below hold. */
  cpuBound: boolean;
  /** ATIX's CPU µs per acknowledged delivery, all processes, that the target allows. */
  totalMicrosMax: number;
  /** Of that, what is left for the coordinator and the agencies' process beside this run's broker (negative: its broker alone takes more). */
  ownMicrosMax: number;
}

/** The share of the machine's cores a burst must keep busy for its rate to count as bound by CPU. */
export const CPU_BOUND_SHARE = 0.85;

export function throughputBudget(atix: AtixResult, floor: FloorResult, cpus: number): ThroughputBudget | undefined {
  const a = atix.sustained.cpuMicrosPerDelivery;
  const f = floor.sustained.cpuMicrosPerDelivery;
  if (a?.total === undefined || a.broker === undefined || f?.total === undefined || !floor.sustained.deliveriesPerSecond) return undefined;
  const atixCores = (atix.sustained.deliveriesPerSecond * a.total) / 1e6;
  const floorCores = (floor.sustained.deliveriesPerSecond * f.total) / 1e6;
  const totalMicrosMax = (atixCores * 1e6) / (TARGETS.throughputVsFloorMin * floor.sustained.deliveriesPerSecond);
  return {
    coresBusy: { floor: round(floorCores, 2), atix: round(atixCores, 2) },
    cpuBound: Math.min(atixCores, floorCores) >= CPU_BOUND_SHARE * cpus,
    totalMicrosMax: round(totalMicrosMax, 1),
    ownMicrosMax: round(totalMicrosMax - a.broker, 1),
  };
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const { agencies: n, rounds, burst } = opts;
  const server = await startNatsServer();
  let core: CoreResult;
  let js: JetStreamResult;
  try {
    opts.onStep?.(`raw NATS core: ${rounds} fan-outs to ${n} connections`);
    core = await coreFanOut(server.url, n, rounds);
    opts.onStep?.(`raw JetStream: ${rounds} fan-outs to ${n} durable consumers, then ${burst} messages sustained`);
    js = await jetStreamFanOut(server.url, n, rounds, burst, server.pid);
  } finally {
    await server.stop();
  }
  const measureFloor = () => floorFanOut(n, rounds, burst, opts.floorPull ?? DELIVERY_PULL_BATCH, opts.onStep);
  const measureAtix = () => atixFanOut(n, rounds, burst, opts.onStep);
  let floor: FloorResult;
  let atix: AtixResult;
  if (opts.atixFirst) {
    atix = await measureAtix();
    floor = await measureFloor();
  } else {
    floor = await measureFloor();
    atix = await measureAtix();
  }
  const vsJetStream = compare(atix, js, { broker: "broker", agencies: "consumers", total: "total" });
  const vsFloor = compare(atix, floor, { broker: "broker", coordinator: "recorder", agencies: "agencies", total: "total" });
  const machine = machineOf();
  const budget = throughputBudget(atix, floor, machine.cpus);
  return {
    machine,
    agencies: n,
    rounds,
    burst,
    order: opts.atixFirst ? "atix-first" : "floor-first",
    counting: COUNTING,
    core,
    jetstream: js,
    floor,
    atix: { ...atix, vsJetStream, vsFloor, p99VsCore: ratio(atix.latency.p99Ms, core.latency.p99Ms), targets: judge(atix, vsFloor), ...(budget ? { throughputBudget: budget } : {}) },
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
