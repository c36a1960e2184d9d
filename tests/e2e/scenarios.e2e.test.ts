// Scenarios played end to end through the real CLI: the smoke run (twice, for repeatability)
// and the outage run with its faults. Each must pass its own expectations.
import { readFile, readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Metrics } from "../../simulations/report/metrics.ts";
import { runAtix } from "../support/run-cli.ts";
import { useTempDir } from "../support/temp-dir.ts";

const scenario = (name: string) => new URL(`../../simulations/scenarios/${name}.yaml`, import.meta.url).pathname;
const inTemp = useTempDir("atix-scenarios-");

// At 1000x rather than the scenarios' 2000x: the test machine runs other tests alongside, and
// its scheduling jitter should not count against simulated duty officers.
async function play(name: string, report: string, extra: string[] = []) {
  const r = await runAtix(["run", scenario(name), "--report", inTemp(report), "--speed", "1000", ...extra], { timeoutMs: 150_000 });
  const metrics = Metrics.parse(JSON.parse(await readFile(inTemp(report, "metrics.json"), "utf8")));
  return { r, metrics };
}

describe("atix run", () => {
  it("smoke.yaml passes: nothing lost or doubled, audit verified, every expectation met, a full report", async () => {
    const { r, metrics } = await play("smoke", "smoke-1");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS/m);
    expect(r.stdout).toContain("report.html");
    expect(metrics.deliveries.lost).toBe(0);
    expect(metrics.deliveries.duplicated).toBe(0);
    expect(metrics.deliveries.expected).toBeGreaterThan(100);
    expect(metrics.audit.verified).toBe(true);
    expect(metrics.expectations.length).toBeGreaterThan(3);
    expect(metrics.expectations.every((e) => e.pass)).toBe(true);
    expect((await readdir(inTemp("smoke-1"))).sort()).toEqual(["audit.jsonl", "metrics.json", "report.html", "report.md"]);
    const html = await readFile(inTemp("smoke-1", "report.html"), "utf8");
    expect(html).not.toMatch(/(src|href)="https?:/);
    const audit = (await readFile(inTemp("smoke-1", "audit.jsonl"), "utf8")).trim().split("\n");
    expect(audit).toHaveLength(metrics.audit.records);
    expect((await runAtix(["audit", "verify", inTemp("smoke-1", "audit.jsonl")])).code).toBe(0);
  }, 180_000);

  it("the same seed gives the same traffic digest", async () => {
    const first = JSON.parse(await readFile(inTemp("smoke-1", "metrics.json"), "utf8")) as Metrics;
    const { r, metrics } = await play("smoke", "smoke-2", ["--seed", "7"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(metrics.traffic.digest).toBe(first.traffic.digest);
  }, 180_000);

  it("outage.yaml passes with an agency offline, the coordinator killed, a slow agency and a garbage burst", async () => {
    const { r, metrics } = await play("outage", "outage");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(metrics.faults.map((f) => f.kind)).toEqual(expect.arrayContaining(["agency-offline", "coordinator-kill", "slow-agency", "malformed-burst"]));
    expect(metrics.deliveries.lost).toBe(0);
    expect(metrics.deliveries.duplicated).toBe(0);
    expect(metrics.audit.verified).toBe(true);
  }, 180_000);
});
