// The shipped scenarios: each parses with the Scenario schema and names only agencies,
// organisations and sharing groups of its roster; MSEL references make sense (updates and
// withdrawals come from the originator, hits from a recipient, TLP:RED goes to named agencies);
// damaged copies are rejected at the right path.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Roster } from "../../shared/contracts/index.ts";
import { crossCheck } from "../../simulations/scenario/cross-check.ts";
import { Scenario } from "../../simulations/scenario/schema.ts";

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../simulations/scenarios");
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const raw = (file: string): unknown => parse(readFileSync(join(DIR, file), "utf8"));

function load(file: string) {
  const s = Scenario.parse(raw(file));
  if (!s.roster) throw new Error(`${file}: expected a roster file`);
  const roster = Roster.parse(parse(readFileSync(resolve(DIR, s.roster), "utf8")));
  return { s, roster };
}

/** Who a distribution reaches, the sender excluded (as the coordinator resolves it). */
describe("shipped scenarios", () => {
  it("include the smoke run and the default demo", () => {
    expect(files).toEqual(expect.arrayContaining(["smoke.yaml", "baku-247.yaml"]));
  });

  it.each(files)("%s parses with the Scenario schema", (file) => {
    const r = Scenario.safeParse(raw(file));
    expect(r.success ? [] : r.error.issues).toEqual([]);
  });

  it.each(files)("%s names only agencies, organisations and groups of its roster", (file) => {
    const { s, roster } = load(file);
    expect(crossCheck(s, roster)).toEqual([]);
  });

  it.each(files)("%s numbers its injects uniquely and in time order", (file) => {
    const { s } = load(file);
    const numbers = s.timeline.map((t, i) => t.inject ?? i + 1);
    expect(new Set(numbers).size).toBe(numbers.length);
    const byNumber = [...s.timeline].sort((a, b) => (a.inject ?? 0) - (b.inject ?? 0)).map((t) => t.at);
    expect(byNumber).toEqual([...byNumber].sort((a, b) => a - b));
  });
});

describe("damaged copies", () => {
  const smoke = () => structuredClone(raw("smoke.yaml")) as { timeline: Record<string, unknown>[]; faults?: unknown[] };
  const issuePaths = (v: unknown) => {
    const r = Scenario.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => i.path);
  };
  const index = (s: ReturnType<typeof smoke>, kind: string) => s.timeline.findIndex((t) => t.kind === kind);

  // Each damage: which inject (the first of a kind, or by position), the field and its bad value.
  it.each([
    { what: "an unknown precedence", inject: "alert", field: "precedence", value: "URGENT" },
    { what: "an inject after the end of the scenario", inject: 1, field: "at", value: "6h01m" },
    { what: "a reference to an alert that no earlier inject defines", inject: "alert-update", field: "alert", value: "no-such-alert" },
    { what: "an unreadable duration", inject: 0, field: "at", value: "a quarter past" },
  ])("rejects $what at its path", ({ inject, field, value }) => {
    const s = smoke();
    const i = typeof inject === "number" ? inject : index(s, inject);
    expect(i).toBeGreaterThanOrEqual(0);
    s.timeline[i]![field] = value;
    expect(issuePaths(s)).toContainEqual(["timeline", i, field]);
  });

  it("finds agencies that are not in the roster, and hits from agencies that were not addressed", () => {
    const s = smoke();
    s.faults = [{ kind: "agency-offline", at: "1h", agency: "ZZ", for: "30m" }];
    s.timeline[0]!.to = "agency:AZ,XX";
    const hit = index(s, "hit");
    const { roster } = load("smoke.yaml");
    const problems = crossCheck(Scenario.parse(s), roster);
    expect(problems).toContain("faults[0]: ZZ is not in the roster");
    expect(problems.some((p) => p.startsWith("timeline[0].to: agency XX is not in the roster; name agencies by id"))).toBe(true);
    expect(problems.some((p) => p.startsWith(`timeline[${hit}].from:`))).toBe(true);
  });

  it("finds TLP:RED sent to more than named agencies", () => {
    const s = smoke();
    const i = s.timeline.findIndex((t) => t.tlp === "RED");
    s.timeline[i]!.to = "org:CIS";
    const { roster } = load("smoke.yaml");
    expect(crossCheck(Scenario.parse(s), roster)).toContain(`timeline[${i}].to: TLP:RED must name agencies only`);
  });

  it("rejects a thread no `threads` entry declares, and a thread declared twice", () => {
    const s = smoke() as ReturnType<typeof smoke> & { threads?: unknown[] };
    s.threads = [{ id: "A", title: "Ferry suspects" }, { id: "A", title: "Again" }];
    s.timeline[0]!.thread = "A";
    s.timeline[1]!.thread = "B";
    const paths = issuePaths(s);
    expect(paths).toContainEqual(["threads", 1, "id"]);
    expect(paths).toContainEqual(["timeline", 1, "thread"]);
    expect(paths).not.toContainEqual(["timeline", 0, "thread"]);
  });

  it("rejects reactions that do not fit the inject, and expected answers the script does not name", () => {
    const s = smoke();
    const alert = index(s, "alert");
    const rfi = index(s, "rfi");
    s.timeline[alert]!.reactions = { answers: ["KZ"] };
    s.timeline[rfi]!.reactions = { hits: ["KZ"], answers: ["KZ"] };
    const paths = issuePaths(s);
    expect(paths).toContainEqual(["timeline", alert, "reactions", "answers"]);
    expect(paths).toContainEqual(["timeline", rfi, "reactions", "hits"]);
    // smoke's RFI expects three answers; one is named.
    expect(paths).toContainEqual(["timeline", rfi, "reactions", "answers"]);
    s.timeline[rfi]!.reactions = "none";
    expect(issuePaths(s)).toContainEqual(["timeline", rfi, "reactions", "answers"]);
    s.timeline[rfi]!.reactions = { answers: "all" };
    s.timeline[alert]!.reactions = "none";
    expect(issuePaths(s)).toEqual([]);
  });

  it("finds scripted reactions from agencies that do not receive the inject", () => {
    const s = smoke();
    const rfi = index(s, "rfi");
    s.timeline[rfi]!.reactions = { answers: ["KZ", "RU", "AZ"] };
    const { roster } = load("smoke.yaml");
    expect(crossCheck(Scenario.parse(s), roster)).toContain(`timeline[${rfi}].reactions.answers: AZ is not a recipient`);
  });
});
