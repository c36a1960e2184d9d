// The shipped scenarios: each parses with the Scenario schema and names only agencies,
// organisations and sharing groups of its roster; MSEL references make sense (updates and
// withdrawals come from the originator, hits from a recipient, TLP:RED goes to named agencies);
// damaged copies are rejected at the right path.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Distribution, Roster } from "../../shared/contracts/index.ts";
import { parseAudience } from "../../services/cli/audience.ts";
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
function reach(roster: Roster, d: Distribution, sender: string): string[] {
  const groups = roster.sharingGroups.filter((g) => d.sharingGroups?.includes(g.id));
  return roster.agencies
    .filter(
      (a) =>
        d.all ||
        d.regions?.includes(a.region) ||
        a.organisations.some((o) => d.organisations?.includes(o)) ||
        a.sharingGroups.some((g) => d.sharingGroups?.includes(g)) ||
        groups.some((g) => g.members.includes(a.id)) ||
        d.agencies?.includes(a.id),
    )
    .map((a) => a.id)
    .filter((id) => id !== sender);
}

/** Everything the schema cannot know without the roster; each problem names its place. */
function crossCheck(s: Scenario, roster: Roster): string[] {
  const problems: string[] = [];
  const agencies = new Set(roster.agencies.map((a) => a.id));
  const orgs = new Set(roster.organisations.map((o) => o.id));
  const groups = new Set(roster.sharingGroups.map((g) => g.id));
  const agency = (id: string, where: string) => {
    if (!agencies.has(id)) problems.push(`${where}: ${id} is not in the roster`);
  };
  const audience = (to: string | Distribution, where: string): Distribution => {
    const d = typeof to === "string" ? parseAudience(to) : to;
    for (const id of d.agencies ?? []) agency(id, where);
    for (const o of d.organisations ?? []) if (!orgs.has(o)) problems.push(`${where}: organisation ${o} is not in the roster`);
    for (const g of d.sharingGroups ?? []) if (!groups.has(g)) problems.push(`${where}: sharing group ${g} is not in the roster`);
    return d;
  };
  const sent = new Map<string, { kind: string; from: string; recipients: string[]; retracted?: boolean }>();
  s.timeline.forEach((inj, i) => {
    const where = `timeline[${i}]`;
    agency(inj.from, `${where}.from`);
    let recipients: string[] = [];
    if (inj.kind === "alert" || inj.kind === "rfi") {
      const d = audience(inj.to, `${where}.to`);
      recipients = reach(roster, d, inj.from);
      if (!recipients.length) problems.push(`${where}.to reaches nobody`);
      if (inj.tlp === "RED" && (!d.agencies || d.all || d.regions || d.organisations || d.sharingGroups))
        problems.push(`${where}.to: TLP:RED must name agencies only`);
      if (inj.kind === "rfi" && inj.about && sent.get(inj.about)?.kind !== "alert") problems.push(`${where}.about: "${inj.about}" is not an alert`);
      if (inj.ref) sent.set(inj.ref, { kind: inj.kind, from: inj.from, recipients });
    } else {
      const a = sent.get(inj.alert);
      if (a?.kind !== "alert") problems.push(`${where}.alert: "${inj.alert}" is not an earlier alert`);
      else if (inj.kind === "hit") {
        if (!a.recipients.includes(inj.from)) problems.push(`${where}.from: ${inj.from} did not receive "${inj.alert}", so cannot report a hit`);
        recipients = [a.from];
      } else {
        if (a.from !== inj.from) problems.push(`${where}.from: only the originator ${a.from} may change "${inj.alert}"`);
        if (a.retracted) problems.push(`${where}.alert: "${inj.alert}" was already withdrawn`);
        if (inj.kind === "alert-retraction") a.retracted = true;
        recipients = a.recipients;
      }
    }
    const by = inj.expect?.acknowledgedBy;
    if (Array.isArray(by)) by.filter((id) => !recipients.includes(id)).forEach((id) => problems.push(`${where}.expect.acknowledgedBy: ${id} is not a recipient`));
  });
  s.traffic.forEach((t, i) => {
    Object.keys(t.senders).filter((k) => k !== "*").forEach((id) => agency(id, `traffic[${i}].senders`));
    if (t.to !== "own-region" && t.to !== "own-organisations") audience(t.to, `traffic[${i}].to`);
  });
  s.faults.forEach((f, i) => {
    if (f.kind === "malformed-burst") agency(f.from, `faults[${i}]`);
    else if (f.kind !== "coordinator-kill") agency(f.agency, `faults[${i}]`);
  });
  Object.keys(s.behaviour.agencies).forEach((id) => agency(id, "behaviour.agencies"));
  return problems;
}

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

  it("rejects an unknown precedence at its path", () => {
    const s = smoke();
    const i = index(s, "alert");
    s.timeline[i]!.precedence = "URGENT";
    expect(issuePaths(s)).toContainEqual(["timeline", i, "precedence"]);
  });

  it("rejects an inject after the end of the scenario at its path", () => {
    const s = smoke();
    s.timeline[1]!.at = "6h01m";
    expect(issuePaths(s)).toContainEqual(["timeline", 1, "at"]);
  });

  it("rejects a reference to an alert that no earlier inject defines", () => {
    const s = smoke();
    const i = index(s, "alert-update");
    s.timeline[i]!.alert = "no-such-alert";
    expect(issuePaths(s)).toContainEqual(["timeline", i, "alert"]);
  });

  it("rejects an unreadable duration at its path", () => {
    const s = smoke();
    s.timeline[0]!.at = "a quarter past";
    expect(issuePaths(s)).toContainEqual(["timeline", 0, "at"]);
  });

  it("finds agencies that are not in the roster, and hits from agencies that were not addressed", () => {
    const s = smoke();
    s.faults = [{ kind: "agency-offline", at: "1h", agency: "ZZ", for: "30m" }];
    s.timeline[0]!.to = "agency:AZ,XX";
    const hit = index(s, "hit");
    const { roster } = load("smoke.yaml");
    const problems = crossCheck(Scenario.parse(s), roster);
    expect(problems).toContain("faults[0]: ZZ is not in the roster");
    expect(problems).toContain("timeline[0].to: XX is not in the roster");
    expect(problems.some((p) => p.startsWith(`timeline[${hit}].from:`))).toBe(true);
  });

  it("finds TLP:RED sent to more than named agencies", () => {
    const s = smoke();
    const i = s.timeline.findIndex((t) => t.tlp === "RED");
    s.timeline[i]!.to = "org:CIS";
    const { roster } = load("smoke.yaml");
    expect(crossCheck(Scenario.parse(s), roster)).toContain(`timeline[${i}].to: TLP:RED must name agencies only`);
  });
});
