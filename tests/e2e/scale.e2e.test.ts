// A generated roster of a few hundred agencies (state codes with service suffixes, DE-BKA style)
// through the real CLI: `atix roster generate`, then `atix run` on a short busy scenario. Nothing
// lost or doubled, the chain verifies, and the report carries each process's peak memory.
import { readFile, writeFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { Roster } from "../../shared/contracts/index.ts";
import { Metrics } from "../../simulations/report/metrics.ts";
import type { ScenarioInput } from "../../simulations/scenario/schema.ts";
import { runAtix } from "../support/run-cli.ts";
import { useTempDir } from "../support/temp-dir.ts";

const AGENCIES = 300;
const inTemp = useTempDir("atix-scale-");

const scenario: ScenarioInput = {
  name: "scale-e2e",
  title: "Scale check: a generated roster of 300 agencies",
  roster: "roster.yaml",
  start: "2026-09-21T06:00:00Z",
  duration: "2h",
  speed: 1000,
  seed: 11,
  traffic: [
    { name: "regional", kind: "alert", perHour: 8, category: "organised-crime", precedence: "ROUTINE", tlp: "GREEN", to: "own-region" },
    { name: "orgs", kind: "alert", perHour: 4, category: "terrorism", precedence: "PRIORITY", tlp: "AMBER", to: "own-organisations" },
    { name: "named", kind: "alert", perHour: 2, category: "terrorism", precedence: "IMMEDIATE", tlp: "RED", to: "own-region" },
  ],
  expectations: [{ kind: "nothing-lost" }, { kind: "no-duplicates" }, { kind: "red-confined" }, { kind: "audit-verified" }, { kind: "coordinator-memory-below", mb: 300 }],
};

it(`runs a generated roster of ${AGENCIES} agencies: nothing lost or doubled, peak memory reported`, async () => {
  const gen = await runAtix(["roster", "generate", "--agencies", String(AGENCIES), "--seed", "4", "--out", inTemp("roster.yaml")]);
  expect(gen.code, gen.stderr).toBe(0);
  expect(gen.stdout).toMatch(new RegExp(`wrote .*roster.yaml: ${AGENCIES} agencies of 90 states`));
  const roster = Roster.parse(parse(await readFile(inTemp("roster.yaml"), "utf8")));
  expect(roster.agencies.filter((a) => a.id.includes("-")).length).toBe(AGENCIES - 90);

  await writeFile(inTemp("scale.yaml"), stringify(scenario));
  const r = await runAtix(["run", inTemp("scale.yaml"), "--report", inTemp("report")], { timeoutMs: 55_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const m = Metrics.parse(JSON.parse(await readFile(inTemp("report", "metrics.json"), "utf8")));
  expect(m.agencies).toBe(AGENCIES);
  expect(m.deliveries.expected).toBeGreaterThan(1000);
  expect([m.deliveries.lost, m.deliveries.duplicated]).toEqual([0, 0]);
  // Suffixed agencies sent and received like the others.
  expect(m.agencyStats.filter((a) => a.id.includes("-") && a.received > 0).length).toBeGreaterThan(100);
  expect(m.processes.coordinator.processes).toBe(1);
  expect(m.processes.coordinator.peakRssMb).toBeGreaterThan(40);
  expect(m.processes.agencies.peakRssMb).toBeGreaterThan(40);
  expect(m.expectations.find((e) => e.kind === "coordinator-memory-below")).toMatchObject({ pass: true, detail: expect.stringMatching(/^peak \d+(\.\d)? MB$/) });
  expect(await readFile(inTemp("report", "report.md"), "utf8")).toMatch(/\*\*Peak memory \(RSS\)\*\* \| coordinator [\d.]+ MB · agencies \(runner\) [\d.]+ MB · broker [\d.]+ MB/);
}, 60_000);
