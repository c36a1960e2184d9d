// What `atix bench` prints: the latencies and rates of each fan-out, where the CPU went, ATIX
// against raw JetStream and against the protocol floor, and issue 19's targets judged on this run.
import { BENCH_CLOCK_SPEED } from "./atix.ts";
import type { CpuPerDelivery } from "./cpu.ts";
import type { GcPerDelivery } from "./gc-meter.ts";
import type { BenchResult, Comparison, Target } from "./run.ts";
import { type RunsSummary, TARGET_NAMES, type TargetName } from "./runs-summary.ts";

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const x = (n: number) => `${fmt(n, 2)}x`;
const count = (n: number) => n.toLocaleString("en-US");
const pad = (s: string, w: number) => s.padEnd(w);
const lpad = (s: string, w: number) => s.padStart(w);

/** Lines of a table: the first column left-aligned, the rest right-aligned to their widest cell. */
export function table(rows: string[][], indent = "  "): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows.map((r) => indent + r.map((c, i) => (i === 0 ? pad(c, widths[0]! + 2) : lpad(c, widths[i]! + 3))).join("").trimEnd());
}

export function formatTable(r: BenchResult): string {
  const { core, jetstream: js, floor, atix } = r;
  const rows = [
    ["measure", "p50 ms", "p99 ms", "acked deliv/s"],
    ["raw NATS core fan-out", fmt(core.latency.p50Ms), fmt(core.latency.p99Ms), "—"],
    ["raw JetStream durable fan-out", fmt(js.latency.p50Ms), fmt(js.latency.p99Ms), count(js.sustained.deliveriesPerSecond)],
    ["protocol floor, stored → all delivered", fmt(floor.latency.p50Ms), fmt(floor.latency.p99Ms), count(floor.sustained.deliveriesPerSecond)],
    ["protocol floor, stored → all acknowledged", fmt(floor.acknowledgedLatency.p50Ms), fmt(floor.acknowledgedLatency.p99Ms), "—"],
    ["ATIX FLASH, submit → all delivered", fmt(atix.latency.p50Ms), fmt(atix.latency.p99Ms), count(atix.sustained.deliveriesPerSecond)],
    ["ATIX FLASH, submit → all acknowledged", fmt(atix.acknowledgedLatency.p50Ms), fmt(atix.acknowledgedLatency.p99Ms), "—"],
  ];
  return [
    `FLASH broadcast to ${r.agencies} agencies (${atix.recipients} recipients for ATIX), ${r.rounds} rounds each; ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    "",
    ...table(rows),
    "",
    `  sustained bursts of ${r.burst}: raw JetStream ${count(js.sustained.deliveries)} deliveries (× ${r.agencies} consumers) in ${fmt(js.sustained.seconds, 2)} s; ` +
      `protocol floor ${count(floor.sustained.deliveries)} (× ${floor.agencies} agencies, pulls of ${floor.pull}, ${count(floor.sustained.records)} audit records) in ${fmt(floor.sustained.seconds, 2)} s; ` +
      `ATIX ${count(atix.sustained.deliveries)} (× ${atix.recipients} recipients) in ${fmt(atix.sustained.seconds, 2)} s`,
    `  counting: ${r.counting}`,
    ...cpuLines(r),
    "",
    "  ATIX against (same run):",
    `    raw JetStream   ${against(atix.vsJetStream, { broker: "broker", agencies: "agencies" })}`,
    `    protocol floor  ${against(atix.vsFloor, { broker: "broker", coordinator: "coordinator/recorder", agencies: "agencies" })}`,
    `    raw core        FLASH p99 ${x(atix.p99VsCore)}`,
    "",
    "  targets (issue 19, against the protocol floor of this run):",
    ...targetLines(atix.targets),
    ...budgetLines(r),
    "",
    `  (the floor: ATIX's accounts and service imports as \`atix up\` generates them, agencies acknowledging in batches of 20 ms or 100 stored before they ack, ` +
      `a recorder writing one audit record per batch, none of ATIX's logic; its latency runs from storing the broadcast, ATIX's from the sender's submit. ` +
      `ATIX duty officers acknowledge at once: ackDelay 0.001 min at clock speed ${BENCH_CLOCK_SPEED}x. Run took ${fmt(r.seconds)} s)`,
  ].join("\n");
}

function against(c: Comparison, names: Record<string, string>): string {
  const cpu = c.cpu
    ? `, CPU per delivery ${x(c.cpu.total ?? Number.NaN)} (${Object.entries(names).filter(([k]) => c.cpu![k] !== undefined).map(([k, name]) => `${name} ${x(c.cpu![k]!)}`).join(", ")})`
    : "";
  return `throughput ${x(c.throughput)}, FLASH p50 ${x(c.p50)}, p99 ${x(c.p99)}${cpu}`;
}

/** Issue 19's targets as printed: what each asks, and how its value reads. */
const TARGET_LABELS: Record<TargetName, { text: string; unit: "x" | "µs" }> = {
  throughput: { text: "acknowledged deliveries/s ≥ 0.6x the floor's:", unit: "x" },
  p99: { text: "FLASH p99 (submit → all delivered) ≤ 1.5x the floor's:", unit: "x" },
  ownCpu: { text: "CPU in ATIX's own processes (coordinator + agencies) ≤ 80 µs per acknowledged delivery:", unit: "µs" },
  brokerCpu: { text: "broker CPU per acknowledged delivery ≤ 1.2x the floor's broker's:", unit: "x" },
};
const shownValue = (value: number | null, unit: "x" | "µs") => (value === null ? "—" : unit === "x" ? x(value) : `${fmt(value)} µs`);

function targetLines(t: BenchResult["atix"]["targets"]): string[] {
  const verdict = (g: Target) => (g.met === null ? "not measured" : g.met ? "met" : "NOT MET");
  return table(TARGET_NAMES.map((n) => [TARGET_LABELS[n].text, shownValue(t[n].value, TARGET_LABELS[n].unit), verdict(t[n])]), "    ");
}

/** Several runs judged together (`--runs`): each target's value per run, how often it was met, and the medians. */
export function formatRunsSummary(results: readonly BenchResult[], s: RunsSummary): string {
  const m = s.medians;
  const runsWhere = (order: BenchResult["order"]) => {
    const n = results.flatMap((r, i) => (r.order === order ? [String(i + 1)] : []));
    if (!n.length) return "no run";
    return `run${n.length > 1 ? "s" : ""} ${n.length > 1 ? `${n.slice(0, -1).join(", ")} and ${n.at(-1)}` : n[0]}`;
  };
  const cpu = m.atixCpuMicros
    ? `; CPU per acknowledged delivery (the median of each figure) ${fmt(m.atixCpuMicros.total)} µs in all, broker ${fmt(m.atixCpuMicros.broker)}, coordinator ${fmt(m.atixCpuMicros.coordinator)}, agencies ${fmt(m.atixCpuMicros.agencies)}` +
      (m.floorCpuMicros !== undefined ? `, against the floor's ${fmt(m.floorCpuMicros)}` : "")
    : "";
  const budget = m.ownMicrosBudget !== undefined ? `; 0.6x the floor's rate allowed ATIX's own processes ${fmt(m.ownMicrosBudget)} µs` : "";
  const metIn = (t: RunsSummary["targets"][TargetName]) => {
    const unmeasured = t.values.filter((v) => v === null).length;
    return `met in ${t.met} of ${s.runs}${unmeasured ? ` (${unmeasured} not measured)` : ""}`;
  };
  return [
    `${s.runs} run${s.runs > 1 ? "s" : ""} (the floor measured first in ${runsWhere("floor-first")}, ATIX first in ${runsWhere("atix-first")})`,
    `  medians: ATIX ${count(m.atixDeliveriesPerSecond)} acknowledged deliveries/s against the floor's ${count(m.floorDeliveriesPerSecond)}; ` +
      `FLASH p99 ${fmt(m.atixP99Ms)} against ${fmt(m.floorP99Ms)} ms${cpu}${budget}`,
    `  targets (issue 19) over ${s.runs > 1 ? `the ${s.runs} runs` : "the one run"}:`,
    ...table([
      ["", ...results.map((_, i) => `run ${i + 1}`), ""],
      ...TARGET_NAMES.map((n) => [TARGET_LABELS[n].text, ...s.targets[n].values.map((v) => shownValue(v, TARGET_LABELS[n].unit)), metIn(s.targets[n])]),
    ], "    "),
    `  every target met in every run: ${s.allMetInEveryRun ? "yes" : "no"}`,
  ].join("\n");
}

/** What the throughput target asks of CPU in this run (run.ts, throughputBudget). */
function budgetLines(r: BenchResult): string[] {
  const b = r.atix.throughputBudget;
  if (!b) return [];
  const busy = `the bursts kept ${fmt(b.coresBusy.floor, 2)} (floor) and ${fmt(b.coresBusy.atix, 2)} (ATIX) of ${r.machine.cpus} CPUs busy`;
  if (!b.cpuBound) return [`    (${busy}: not enough for their rates to be bound by CPU, so no CPU budget is read from them)`];
  const own = b.ownMicrosMax > 0 ? `${fmt(b.ownMicrosMax)} µs of it in its own processes beside this run's broker` : "none of it left for its own processes: this run's broker alone takes more";
  return [
    `    (${busy}, so each rate is bound by CPU: at the cores ATIX kept busy, 0.6x the floor's rate allows ATIX at most ` +
      `${fmt(b.totalMicrosMax)} µs per acknowledged delivery in all, ${own})`,
  ];
}

/** Where the CPU of the sustained bursts went, per delivery and process: which process a gap is in. */
function cpuLines(r: BenchResult): string[] {
  const js = r.jetstream.sustained.cpuMicrosPerDelivery;
  const floor = r.floor.sustained.cpuMicrosPerDelivery;
  const atix = r.atix.sustained.cpuMicrosPerDelivery;
  if (!js || !floor || !atix) return [];
  const cells = (c: CpuPerDelivery, keep: string, agencies: string) => [fmt(c.broker ?? Number.NaN), keep === "—" ? "—" : fmt(c[keep] ?? Number.NaN), fmt(c[agencies] ?? Number.NaN), fmt(c.total ?? Number.NaN)];
  const v = r.atix.sustained.verification;
  return [
    "",
    "  CPU per acknowledged delivery in the sustained bursts, µs (each process's user + system time over the burst, from /proc):",
    ...table([
      ["", "broker", "coordinator / recorder", "agencies / consumers", "total"],
      ["raw JetStream", ...cells(js, "—", "consumers")],
      ["protocol floor", ...cells(floor, "recorder", "agencies")],
      ["ATIX", ...cells(atix, "coordinator", "agencies")],
      ["ATIX − floor", ...[atix.broker! - floor.broker!, atix.coordinator! - floor.recorder!, atix.agencies! - floor.agencies!, atix.total! - floor.total!].map((d) => fmt(d))],
    ], "    "),
    `    (the agencies' process also runs the bench's counting: a counter per acknowledgement; ` +
      `of ATIX's agencies, ${fmt(v.microsPerDelivery, 2)} µs per delivery are signature checks: ${count(v.verified)} Ed25519 verifications for ${count(v.checks)} deliveries checked, one per message per process)`,
    ...gcLine(r.atix.sustained.gc, r.floor.sustained.gc),
    `    (ATIX's burst: ${count(r.atix.sustained.submissions)} submissions stored for ${count(r.atix.sustained.deliveries)} deliveries, ` +
      `${fmt(r.atix.sustained.deliveries / Math.max(1, r.atix.sustained.submissions - r.atix.sustained.messages), 1)} deliveries per receipt or acknowledgement; ` +
      `the floor: ${fmt(r.floor.sustained.deliveries / Math.max(1, r.floor.sustained.records), 1)} per batch)`,
  ];
}

/** What garbage collection paused the agencies' process (the bench's own) for, in each burst. */
function gcLine(atix: GcPerDelivery, floor: GcPerDelivery): string[] {
  const of = (g: GcPerDelivery) => `${fmt(g.pauseMicros, 1)} µs per delivery (${count(g.scavenges)} scavenges, ${count(g.others)} other collections)`;
  return [`    (garbage collection paused the agencies' process ${of(atix)} in ATIX's burst, ${of(floor)} in the floor's; V8's helper threads are in the CPU above)`];
}
