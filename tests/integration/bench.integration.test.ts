// `atix bench` end to end, tiny: the figures are written with every key and positive numbers.
// No timings are asserted here: speed is the benchmark's business, never a test's.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtix } from "../support/run-cli.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "atix-bench-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const positive = (n: unknown) => expect(typeof n === "number" && Number.isFinite(n) && n > 0, `expected a positive number, got ${String(n)}`).toBe(true);
const latency = (l: { p50Ms: unknown; p99Ms: unknown; rounds: unknown }) => {
  positive(l.p50Ms);
  positive(l.p99Ms);
  expect(l.rounds).toBe(5);
};

describe("atix bench", () => {
  it("measures the baselines and ATIX and writes the figures as JSON", async () => {
    const file = join(dir, "bench.json");
    const run = await runAtix(["bench", "--agencies", "6", "--rounds", "5", "--json", file], { timeoutMs: 110_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/raw NATS core fan-out/);
    expect(run.stdout).toMatch(/raw JetStream durable fan-out/);
    expect(run.stdout).toMatch(/ATIX FLASH/);
    expect(run.stdout).toMatch(/p99 ≤ 1\.5x raw JetStream's: .*(met|NOT MET)/);

    const r = JSON.parse(await readFile(file, "utf8"));
    expect(r.agencies).toBe(6);
    latency(r.core.latency);
    latency(r.jetstream.latency);
    positive(r.jetstream.sustained.deliveriesPerSecond);
    positive(r.jetstream.sustained.deliveries);
    expect(r.atix.recipients).toBe(5);
    latency(r.atix.latency);
    latency(r.atix.acknowledgedLatency);
    positive(r.atix.sustained.deliveriesPerSecond);
    expect(r.atix.sustained.deliveries).toBe(5 * r.atix.sustained.messages);
    for (const k of ["p50VsJetStream", "p99VsJetStream", "p99VsCore", "throughputVsJetStream"]) positive(r.atix.ratios[k]);
    expect(typeof r.atix.targets.p99.met).toBe("boolean");
    expect(typeof r.atix.targets.throughput.met).toBe("boolean");
    // Where the CPU went, per delivery and process (read from /proc: these machines are Linux).
    if (process.platform === "linux") {
      expect(Object.keys(r.jetstream.sustained.cpuMicrosPerDelivery).sort()).toEqual(["broker", "consumers", "total"]);
      expect(Object.keys(r.atix.sustained.cpuMicrosPerDelivery).sort()).toEqual(["agencies", "broker", "coordinator", "total"]);
      for (const c of [r.jetstream.sustained.cpuMicrosPerDelivery, r.atix.sustained.cpuMicrosPerDelivery]) {
        positive(c.total);
        const parts = Object.entries(c).filter(([k]) => k !== "total").map(([, v]) => v as number);
        parts.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
        expect(c.total).toBeCloseTo(parts.reduce((a, b) => a + b, 0), 0);
      }
      expect(run.stdout).toMatch(/CPU per acknowledged delivery/);
    }
  }, 120_000);
});
