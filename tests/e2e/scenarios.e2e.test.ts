// Scenarios played end to end through the real CLI: the smoke run (its traffic the plan of its
// seed) and the outage run with its faults, each passing its own expectations; and the default demo,
// baku-247, played fast. Every audit record they wrote validates against the exported schema
// (an independent validator, ajv) and the chain verifies against the run's registry.
import { readFile, readdir } from "node:fs/promises";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { AUDIT_EVENTS } from "../../shared/contracts/index.ts";
import { auditRecordSchema } from "../../shared/contracts/export/json-schema.ts";
import { Metrics } from "../../simulations/report/metrics.ts";
import { buildPlan } from "../../simulations/runner/plan.ts";
import { loadScenario } from "../../simulations/scenario/load.ts";
import { runAtix } from "../support/run-cli.ts";
import { useTempDir } from "../support/temp-dir.ts";

const scenario = (name: string) => new URL(`../../simulations/scenarios/${name}.yaml`, import.meta.url).pathname;
const inTemp = useTempDir("atix-scenarios-");

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const isAuditRecord = ajv.compile(auditRecordSchema());
/** Events seen in the runs' audit chains, over all of them. */
const eventsSeen = new Set<string>();

/** Every record of a run's audit.jsonl against the exported schema; the chain verified with the run's registry. */
async function checkAudit(report: string) {
  const lines = (await readFile(inTemp(report, "audit.jsonl"), "utf8")).trim().split("\n");
  const invalid = lines.map((l, i) => ({ line: i + 1, ok: isAuditRecord(JSON.parse(l)), errors: isAuditRecord.errors })).filter((x) => !x.ok);
  expect(invalid.slice(0, 3), JSON.stringify(invalid[0]?.errors?.slice(0, 3))).toEqual([]);
  for (const l of lines) eventsSeen.add((JSON.parse(l) as { event: string }).event);
  const v = await runAtix(["audit", "verify", inTemp(report, "audit.jsonl"), "--registry", inTemp(report, "registry.json")]);
  expect(v.code, v.stdout + v.stderr).toBe(0);
  return lines.length;
}

// At 1000x rather than the scenarios' 2000x: the test machine runs other tests alongside, and
// its scheduling jitter should not count against simulated duty officers.
async function play(name: string, report: string) {
  const r = await runAtix(["run", scenario(name), "--report", inTemp(report), "--speed", "1000"], { timeoutMs: 150_000 });
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
    expect((await readdir(inTemp("smoke-1"))).sort()).toEqual(["audit.jsonl", "metrics.json", "registry.json", "report.html", "report.md"]);
    const html = await readFile(inTemp("smoke-1", "report.html"), "utf8");
    expect(html).not.toMatch(/(src|href)="https?:/);
    const audit = (await readFile(inTemp("smoke-1", "audit.jsonl"), "utf8")).trim().split("\n");
    expect(audit).toHaveLength(metrics.audit.records);
    expect(await checkAudit("smoke-1")).toBe(metrics.audit.records);
  }, 180_000);

  it("plays the traffic its seed plans: the run's digest is the planner's for the scenario (a seed repeats: scenario-plan.test.ts)", async () => {
    const played = Metrics.parse(JSON.parse(await readFile(inTemp("smoke-1", "metrics.json"), "utf8")));
    const { scenario: smoke, roster } = await loadScenario(scenario("smoke"));
    expect(played.traffic.digest).toBe(buildPlan(smoke, roster).digest);
  });

  it("outage.yaml passes with an agency offline, the coordinator killed, a slow agency and a garbage burst", async () => {
    const { r, metrics } = await play("outage", "outage");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(metrics.faults.map((f) => f.kind)).toEqual(expect.arrayContaining(["agency-offline", "coordinator-kill", "slow-agency", "malformed-burst"]));
    expect(metrics.deliveries.lost).toBe(0);
    expect(metrics.deliveries.duplicated).toBe(0);
    expect(metrics.audit.verified).toBe(true);
    await checkAudit("outage");
  }, 180_000);

  it("baku-247, played fast: every record of its audit chain validates against the exported schema, and the chain verifies", async () => {
    // Six times the demo's speed: the exercise's expectations (night shifts, deadlines) are not
    // this test's business, the shape of every record written in a full day is.
    const report = "baku";
    const r = await runAtix(["run", scenario("baku-247"), "--report", inTemp(report), "--speed", "6000"], { timeoutMs: 170_000 });
    expect([0, 1], r.stderr).toContain(r.code);
    const metrics = Metrics.parse(JSON.parse(await readFile(inTemp(report, "metrics.json"), "utf8")));
    expect(await checkAudit(report)).toBe(metrics.audit.records);
    expect(metrics.audit.records).toBeGreaterThan(1_000);
    // Between them (smoke, outage, baku-247, in this file's order) the runs wrote every kind of record the contract has.
    expect([...eventsSeen].sort()).toEqual([...AUDIT_EVENTS].sort());
  }, 180_000);
});
