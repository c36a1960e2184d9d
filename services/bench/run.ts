// `atix bench`: ATIX's FLASH fan-out against the raw NATS baselines, measured in one run on this
// machine. Every claim is a ratio to a baseline of the same run (DESIGN.md section 6).
import { writeFile } from "node:fs/promises";
import { startNatsServer } from "../../shared/nats/embedded-server.ts";
import { atixFanOut, type AtixResult, BENCH_CLOCK_SPEED } from "./atix.ts";
import { coreFanOut, type CoreResult, jetStreamFanOut, type JetStreamResult } from "./baselines.ts";
import { round } from "./stats.ts";

export interface BenchOptions {
  agencies: number;
  rounds: number;
  /** Messages in each sustained burst: ATIX FLASH broadcasts and raw JetStream messages alike, so both run long enough to measure a rate. */
  burst: number;
  onStep?: (step: string) => void;
}

/** Issue 6's targets, as ratios to raw JetStream in the same run. */
export const TARGETS = { p99RatioMax: 1.5, throughputRatioMin: 0.5 } as const;

export interface BenchResult {
  machine: { cpus: number; node: string; platform: string };
  agencies: number;
  rounds: number;
  core: CoreResult;
  jetstream: JetStreamResult;
  atix: AtixResult & {
    ratios: { p50VsJetStream: number; p99VsJetStream: number; p99VsCore: number; throughputVsJetStream: number };
    targets: { p99: { max: number; met: boolean }; throughput: { min: number; met: boolean } };
  };
  seconds: number;
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const { agencies: n, rounds } = opts;
  const server = await startNatsServer();
  let core: CoreResult;
  let js: JetStreamResult;
  try {
    opts.onStep?.(`raw NATS core: ${rounds} fan-outs to ${n} connections`);
    core = await coreFanOut(server.url, n, rounds);
    opts.onStep?.(`raw JetStream: ${rounds} fan-outs to ${n} durable consumers, then ${opts.burst} messages sustained`);
    js = await jetStreamFanOut(server.url, n, rounds, opts.burst, server.pid);
  } finally {
    await server.stop();
  }
  const atix = await atixFanOut(n, rounds, opts.burst, opts.onStep);
  const ratio = (a: number, b: number) => round(a / b, 2);
  const ratios = {
    p50VsJetStream: ratio(atix.latency.p50Ms, js.latency.p50Ms),
    p99VsJetStream: ratio(atix.latency.p99Ms, js.latency.p99Ms),
    p99VsCore: ratio(atix.latency.p99Ms, core.latency.p99Ms),
    throughputVsJetStream: ratio(atix.sustained.deliveriesPerSecond, js.sustained.deliveriesPerSecond),
  };
  const os = await import("node:os");
  return {
    machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    agencies: n,
    rounds,
    core,
    jetstream: js,
    atix: {
      ...atix,
      ratios,
      targets: {
        p99: { max: TARGETS.p99RatioMax, met: ratios.p99VsJetStream <= TARGETS.p99RatioMax },
        throughput: { min: TARGETS.throughputRatioMin, met: ratios.throughputVsJetStream >= TARGETS.throughputRatioMin },
      },
    },
    seconds: round((performance.now() - started) / 1000, 1),
  };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const pad = (s: string, w: number) => s.padEnd(w);
const lpad = (s: string, w: number) => s.padStart(w);

export function formatTable(r: BenchResult): string {
  const rows: [string, string, string, string][] = [
    ["raw NATS core fan-out", fmt(r.core.latency.p50Ms), fmt(r.core.latency.p99Ms), "—"],
    ["raw JetStream durable fan-out", fmt(r.jetstream.latency.p50Ms), fmt(r.jetstream.latency.p99Ms), String(r.jetstream.sustained.deliveriesPerSecond)],
    ["ATIX FLASH, submit → all delivered", fmt(r.atix.latency.p50Ms), fmt(r.atix.latency.p99Ms), String(r.atix.sustained.deliveriesPerSecond)],
    ["ATIX FLASH, submit → all acknowledged", fmt(r.atix.acknowledgedLatency.p50Ms), fmt(r.atix.acknowledgedLatency.p99Ms), "—"],
  ];
  const w = Math.max(...rows.map((x) => x[0].length)) + 2;
  const line = (c: [string, string, string, string]) => `  ${pad(c[0], w)}${lpad(c[1], 10)}${lpad(c[2], 10)}${lpad(c[3], 16)}`;
  const met = (ok: boolean) => (ok ? "met" : "NOT MET");
  const { ratios, targets } = r.atix;
  return [
    `FLASH broadcast to ${r.agencies} agencies (${r.atix.recipients} recipients for ATIX), ${r.rounds} rounds each; ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    "",
    line(["measure", "p50 ms", "p99 ms", "acked deliv/s"]),
    line(["-".repeat(w - 2), "------", "------", "-------------"]),
    ...rows.map(line),
    "",
    `  sustained: raw JetStream ${r.jetstream.sustained.messages} messages × ${r.agencies} consumers in ${fmt(r.jetstream.sustained.seconds, 2)} s; ` +
      `ATIX ${r.atix.sustained.messages} FLASH alerts × ${r.atix.recipients} recipients, acknowledged by the duty officers and recorded in the audit chain, in ${fmt(r.atix.sustained.seconds, 2)} s`,
    ...cpuLines(r),
    "",
    "  ratios (same run):",
    `    ATIX / raw JetStream  p50 ${fmt(ratios.p50VsJetStream, 2)}x, p99 ${fmt(ratios.p99VsJetStream, 2)}x, throughput ${fmt(ratios.throughputVsJetStream, 2)}x`,
    `    ATIX / raw core       p99 ${fmt(ratios.p99VsCore, 2)}x`,
    "",
    "  targets:",
    `    FLASH p99 ≤ ${targets.p99.max}x raw JetStream's:               ${fmt(ratios.p99VsJetStream, 2)}x  ${met(targets.p99.met)}`,
    `    acknowledged deliveries/s ≥ ${targets.throughput.min}x raw JetStream's:  ${fmt(ratios.throughputVsJetStream, 2)}x  ${met(targets.throughput.met)}`,
    "",
    `  (ATIX duty officers acknowledge at once: ackDelay 0.001 min at clock speed ${BENCH_CLOCK_SPEED}x; run took ${fmt(r.seconds)} s)`,
  ].join("\n");
}

/** Where the CPU of the sustained bursts went, per delivery: which process a gap is in. */
function cpuLines(r: BenchResult): string[] {
  const js = r.jetstream.sustained.cpuMicrosPerDelivery;
  const atix = r.atix.sustained.cpuMicrosPerDelivery;
  if (!js || !atix) return [];
  const show = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${fmt(v)}`).join(", ");
  return [
    "",
    "  CPU per acknowledged delivery in the sustained bursts, µs (processes' user + system time):",
    `    raw JetStream  ${show(js)}`,
    `    ATIX           ${show(atix)}   (the agencies' process also runs the bench's counting)`,
    `    of which the agencies' signature checks: ${fmt(r.atix.sustained.verification.microsPerDelivery, 2)} µs per delivery ` +
      `(${r.atix.sustained.verification.verified} Ed25519 verifications for ${r.atix.sustained.verification.checks} deliveries checked: one per message per process)`,
  ];
}

export async function writeBenchJson(file: string, r: BenchResult) {
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
}
