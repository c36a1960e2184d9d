// A short chaos drill through the real CLI: `atix run` on a 3-node NATS cluster with two
// coordinators, a broker node killed and restarted, a coordinator killed for good (the other
// carries on), an agency cut off and back, a slow officer. It must pass with nothing lost or
// doubled, no escalation taken twice and a verified audit chain.
import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { Metrics } from "../../simulations/report/metrics.ts";
import type { ScenarioInput } from "../../simulations/scenario/schema.ts";
import { runAtix } from "../support/run-cli.ts";
import { useTempDir } from "../support/temp-dir.ts";

const roster = new URL("../../simulations/rosters/smoke-6.yaml", import.meta.url).pathname;
const inTemp = useTempDir("atix-chaos-");

const drill: ScenarioInput = {
  name: "chaos-short",
  title: "Short chaos drill",
  roster,
  cluster: 3,
  start: "2026-09-23T06:00:00Z",
  duration: "4h",
  speed: 1000,
  seed: 9,
  traffic: [{ name: "steady", kind: "alert", perHour: 12, category: ["organised-crime", "terrorism"], precedence: { ROUTINE: 2, PRIORITY: 1 }, tlp: "GREEN", to: "all", until: "3h45m" }],
  faults: [
    { kind: "slow-agency", at: "00:20", agency: "TR", factor: 3, for: "1h" },
    { kind: "broker-kill", at: "00:40", node: 2, restartAfter: "1h" },
    { kind: "coordinator-kill", at: "02:00", instance: 2, restart: false },
    { kind: "agency-offline", at: "02:20", agency: "KG", for: "1h" },
  ],
  expectations: [{ kind: "nothing-lost" }, { kind: "no-duplicates" }, { kind: "audit-verified" }, { kind: "escalations-at-most", count: 500 }],
};

describe("atix run with cluster: 3", () => {
  it("survives a broker node and a coordinator killed mid-traffic: 0 lost, 0 doubled, audit verified", async () => {
    const file = inTemp("chaos-short.yaml");
    await writeFile(file, stringify(drill));
    const r = await runAtix(["run", file, "--report", inTemp("report")], { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = Metrics.parse(JSON.parse(await readFile(inTemp("report", "metrics.json"), "utf8")));
    expect(m.deliveries.expected).toBeGreaterThan(100);
    expect(m.deliveries).toMatchObject({ lost: 0, duplicated: 0 });
    expect(m.escalations.duplicated).toBe(0);
    expect(m.audit.verified).toBe(true);
    // On a mismatch, the fault log says why (a step that failed is logged as <kind>-failed with its reason).
    expect(m.faults.map((f) => f.kind), JSON.stringify(m.faults, null, 1)).toEqual(["slow-agency", "broker-kill", "broker-restart", "coordinator-kill", "agency-offline", "agency-online"]);
    expect(m.faults.find((f) => f.kind === "coordinator-kill")?.detail).toContain("coordinator-1 carries on");
    expect(await readFile(inTemp("report", "report.md"), "utf8")).toContain("broker-kill");
  }, 150_000);
});
