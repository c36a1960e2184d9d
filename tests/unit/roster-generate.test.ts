// The roster generator: exactly N agencies, valid by the Roster schema, the same for a seed, and
// a realistic spread — every state of the base roster with its lead service, more services for
// larger states, the lead's organisations, thematic groups, several time zones for states that
// span them, and a mix of duty profiles. The shipped generated-1000.yaml is its output.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AGENCY_ID_PATTERN, Roster } from "../../shared/contracts/index.ts";
import { generateRoster, MAX_GENERATED_AGENCIES, rosterYaml } from "../../simulations/rosters/generate.ts";

const file = (name: string) => new URL(`../../simulations/rosters/${name}`, import.meta.url).pathname;
const base = Roster.parse(parse(readFileSync(file("forum-90.yaml"), "utf8")));
const thousand = generateRoster({ agencies: 1000, seed: 1, base });
const state = (id: string) => id.slice(0, 2);
const countBy = <T>(xs: T[], key: (x: T) => string) => xs.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map<string, number>());

describe("atix roster generate", () => {
  it.each([1, 12, 90, 91, 250, 1000, MAX_GENERATED_AGENCIES])("makes exactly %i valid agencies with distinct ids", (n) => {
    const r = generateRoster({ agencies: n, seed: 3, base });
    expect(r.agencies).toHaveLength(n);
    expect(new Set(r.agencies.map((a) => a.id)).size).toBe(n);
    expect(r.agencies.filter((a) => !AGENCY_ID_PATTERN.test(a.id))).toEqual([]);
    // Roster.parse checks hubs, group members and memberships refer to what exists.
    expect(Roster.safeParse(r).success).toBe(true);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const again = generateRoster({ agencies: 1000, seed: 1, base });
    expect(rosterYaml(again, { seed: 1 })).toBe(rosterYaml(thousand, { seed: 1 }));
    const other = generateRoster({ agencies: 1000, seed: 2, base });
    expect(other.agencies.map((a) => a.id)).not.toEqual(thousand.agencies.map((a) => a.id));
  });

  it("keeps every state's lead service as it is, and each service in its state's region and organisations", () => {
    const byId = new Map(thousand.agencies.map((a) => [a.id, a]));
    for (const lead of base.agencies) expect(byId.get(lead.id)).toEqual(lead);
    for (const a of thousand.agencies) {
      const lead = byId.get(state(a.id))!;
      expect([a.id, a.region, a.country, a.organisations]).toEqual([a.id, lead.region, lead.country, lead.organisations]);
    }
    // The real hubs stay hubs.
    expect(thousand.organisations.map((o) => [o.id, o.hub])).toEqual(base.organisations.map((o) => [o.id, o.hub]));
  });

  it("spreads services realistically: more for larger states, several zones where a state spans them, a mix of duty profiles", () => {
    const perState = countBy(thousand.agencies, (a) => state(a.id));
    expect(perState.size).toBe(90);
    expect(perState.get("US")!).toBeGreaterThan(2 * perState.get("MD")!);
    expect(Math.min(...perState.values())).toBeGreaterThanOrEqual(3);
    const zones = (s: string) => new Set(thousand.agencies.filter((a) => state(a.id) === s).map((a) => a.timezone)).size;
    expect(zones("US")).toBeGreaterThan(2);
    expect(zones("RU")).toBeGreaterThan(2);
    expect(zones("DE")).toBe(1);
    const profiles = countBy(thousand.agencies, (a) => a.duty.profile);
    for (const p of ["24/7", "reduced-night", "business-hours"]) expect(profiles.get(p)! / 1000).toBeGreaterThan(0.1);
    // Thematic services join their groups: every FIU is in the financing group.
    const fius = thousand.agencies.filter((a) => a.id.endsWith("-FIU"));
    expect(fius.length).toBeGreaterThan(30);
    expect(fius.every((a) => a.sharingGroups.includes("terrorist-financing"))).toBe(true);
    const group = thousand.sharingGroups.find((g) => g.id === "terrorist-financing")!;
    expect(group.members).toEqual(expect.arrayContaining(fius.map((a) => a.id)));
  });

  it("with fewer agencies than states, picks whole states and keeps organisations whose members remain", () => {
    const r = generateRoster({ agencies: 12, seed: 5, base });
    expect(r.agencies.every((a) => base.agencies.some((b) => b.id === a.id))).toBe(true);
    for (const o of r.organisations) expect(r.agencies.some((a) => a.id === o.hub && a.organisations.includes(o.id))).toBe(true);
  });

  it("refuses a size it cannot make, naming the field", () => {
    expect(() => generateRoster({ agencies: 0, base })).toThrow(/agencies: expected a whole number from 1 to 5000, got 0/);
    expect(() => generateRoster({ agencies: 2.5, base })).toThrow(/agencies: expected a whole number/);
  });

  it("made the shipped generated-1000.yaml, which says so in its header", () => {
    const shipped = readFileSync(file("generated-1000.yaml"), "utf8");
    expect(shipped).toBe(rosterYaml(thousand, { seed: 1 }));
    expect(shipped.split("\n")[0]).toMatch(/GENERATED, do not edit by hand/);
  });
});
