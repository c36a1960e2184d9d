// Generated rosters of any size, for scale runs: the states of a base roster (forum-90 by default)
// each keep their lead service and add others (border guard, FIU, cyber centre, regional
// directorates, …) with the state's region and real organisation memberships, thematic sharing
// groups, the state's time zones and a mix of 24/7, reduced-night and business-hours posts.
// The same size, seed and base give the same roster, byte for byte.
import { stringify } from "yaml";
import { type DutyProfile, MAX_EXCHANGE_AGENCIES, Roster, type RosterAgency } from "../../shared/contracts/index.ts";
import { createRng, pick, type Rng, uniform } from "../../shared/prng.ts";
import { EXTRA_TIME_ZONES, REGIONAL_OFFICE, SERVICE_KINDS, type ServiceKind, STATE_WEIGHTS } from "./catalogue.ts";

export interface GenerateOptions {
  agencies: number;
  seed?: number;
  /** The roster whose states, organisations and sharing groups are used. */
  base: Roster;
  name?: string;
}

export const MAX_GENERATED_AGENCIES = MAX_EXCHANGE_AGENCIES;

const stateOf = (id: string) => id.slice(0, 2);
const round1 = (x: number) => Math.round(x * 10) / 10;

function shuffled<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function weighted<T extends string>(rng: Rng, w: Partial<Record<T, number>>): T {
  const entries = Object.entries(w) as [T, number][];
  let x = rng.next() * entries.reduce((a, [, v]) => a + v, 0);
  for (const [k, v] of entries) if ((x -= v) < 0) return k;
  return entries[entries.length - 1]![0];
}

/** Services per state: one lead each, the rest shared out by weight (largest remainder). */
function quotas(rng: Rng, leads: RosterAgency[], total: number): Map<string, number> {
  const weights = leads.map((l) => (STATE_WEIGHTS[stateOf(l.id)] ?? 1) * uniform(rng, 0.7, 1.3));
  const sum = weights.reduce((a, b) => a + b, 0);
  const extra = total - leads.length;
  const exact = weights.map((w) => (extra * w) / sum);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  const short = extra - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < short; k++) counts[byRemainder[k]!.i]!++;
  return new Map(leads.map((l, i) => [l.id, 1 + counts[i]!]));
}

function duty(rng: Rng, profile: DutyProfile["profile"]): DutyProfile {
  const night = { from: pick(rng, [21, 22, 23])!, to: pick(rng, [6, 7, 8])! };
  if (profile === "24/7") {
    const median = round1(uniform(rng, 1, 4));
    return { profile, ackDelay: { medianMinutes: median, p95Minutes: round1(median * uniform(rng, 2.5, 4)) }, nightFactor: round1(uniform(rng, 1, 1.5)), nightHours: night };
  }
  if (profile === "reduced-night") {
    const median = round1(uniform(rng, 3, 8));
    return { profile, ackDelay: { medianMinutes: median, p95Minutes: round1(median * uniform(rng, 3, 5)) }, nightFactor: round1(uniform(rng, 1.8, 3.5)), nightHours: night };
  }
  const median = round1(uniform(rng, 8, 25));
  return { profile, ackDelay: { medianMinutes: median, p95Minutes: round1(median * uniform(rng, 3, 5)) }, nightFactor: 1, nightHours: { from: pick(rng, [17, 18, 19])!, to: pick(rng, [8, 9])! } };
}

interface Service {
  suffix: string;
  name: string;
  profiles: ServiceKind["profiles"];
  /** Sharing groups it may join (regional directorates join none). */
  groups: NonNullable<ServiceKind["groups"]>;
}

/** A state's services besides its lead, in the order it adds them: its kinds, then regional directorates. */
function servicesOf(rng: Rng, lead: RosterAgency, count: number, taken: Set<string>): Service[] {
  // Coast guards only where the lead already works on the seas (maritime or Caspian groups).
  const coastal = lead.sharingGroups.some((g) => g === "maritime-security" || g === "caspian-security");
  const kinds = shuffled(rng, SERVICE_KINDS.filter((k) => k.suffix !== "CG" || coastal));
  const out: Service[] = [];
  const state = stateOf(lead.id);
  for (const k of kinds) if (out.length < count && !taken.has(`${state}-${k.suffix}`)) out.push({ suffix: k.suffix, name: k.name, profiles: k.profiles, groups: k.groups ?? [] });
  for (let n = 1; out.length < count; n++) {
    const suffix = `${REGIONAL_OFFICE.prefix}${String(n).padStart(2, "0")}`;
    if (!taken.has(`${state}-${suffix}`)) out.push({ suffix, name: REGIONAL_OFFICE.name(n), profiles: REGIONAL_OFFICE.profiles, groups: [] });
  }
  return out;
}

export function generateRoster(opts: GenerateOptions): Roster {
  const n = opts.agencies;
  if (!Number.isInteger(n) || n < 1 || n > MAX_GENERATED_AGENCIES) throw new Error(`agencies: expected a whole number from 1 to ${MAX_GENERATED_AGENCIES}, got ${n}`);
  const seed = opts.seed ?? 1;
  const rng = (...parts: (string | number)[]) => createRng(seed, "roster", ...parts);
  const base = opts.base;
  // Fewer agencies than states: a seeded choice of states, kept in the base roster's order.
  const chosen = new Set(shuffled(rng("states"), base.agencies.map((a) => a.id)).slice(0, Math.min(n, base.agencies.length)));
  const leads = base.agencies.filter((a) => chosen.has(a.id));
  const count = quotas(rng("quotas"), leads, n);
  const knownGroups = new Set(base.sharingGroups.map((g) => g.id));
  const taken = new Set(base.agencies.map((a) => a.id));

  const agencies: RosterAgency[] = [];
  for (const lead of leads) {
    agencies.push(lead);
    const r = rng("state", lead.id);
    const zones = [lead.timezone, ...(EXTRA_TIME_ZONES[stateOf(lead.id)] ?? [])];
    for (const s of servicesOf(r, lead, count.get(lead.id)! - 1, taken)) {
      const id = `${stateOf(lead.id)}-${s.suffix}`;
      taken.add(id);
      const groups = s.groups.filter((g) => knownGroups.has(g.id) && (g.any || lead.sharingGroups.includes(g.id))).map((g) => g.id);
      agencies.push({
        id,
        name: `${lead.country}: ${s.name}`,
        country: lead.country,
        region: lead.region,
        organisations: [...lead.organisations],
        sharingGroups: groups,
        // Most sit in the capital's zone; states spanning several zones spread the rest over them.
        timezone: zones.length > 1 && r.next() < 0.5 ? pick(r, zones.slice(1))! : lead.timezone,
        duty: duty(r, weighted(r, s.profiles)),
      });
    }
  }

  const ids = new Set(agencies.map((a) => a.id));
  const members = (pred: (a: RosterAgency) => boolean) => agencies.filter(pred).map((a) => a.id);
  const organisations = base.organisations.flatMap((o) => {
    const m = members((a) => a.organisations.includes(o.id));
    // The real hub when it takes part; otherwise the first member state's lead stands in.
    return m.length ? [{ ...o, hub: ids.has(o.hub) ? o.hub : m[0]! }] : [];
  });
  const keptOrgs = new Set(organisations.map((o) => o.id));
  const sharingGroups = base.sharingGroups.flatMap((g) => {
    const m = members((a) => a.sharingGroups.includes(g.id) || (g.members.includes(a.id) && ids.has(a.id)));
    return m.length ? [{ ...g, members: m }] : [];
  });
  const keptGroups = new Set(sharingGroups.map((g) => g.id));
  const name = opts.name ?? `generated-${n}`;
  return Roster.parse({
    name,
    description:
      `GENERATED by atix roster generate --agencies ${n} --seed ${seed} from the ${base.name} roster: ${leads.length} states, each with its lead ` +
      `service from ${base.name} and further services (border guards, FIUs, cyber centres, regional directorates, …) sharing its region, ` +
      `organisations and time zones. Names and duty figures are illustrative, not real.`,
    organisations,
    sharingGroups,
    agencies: agencies.map((a) => ({
      ...a,
      organisations: a.organisations.filter((o) => keptOrgs.has(o)),
      sharingGroups: a.sharingGroups.filter((g) => keptGroups.has(g)),
    })),
  });
}

/** The roster as a YAML file whose header says it was generated, and how to make it again. */
export function rosterYaml(roster: Roster, how: { seed: number; base?: string }): string {
  const header = [
    `# ATIX roster "${roster.name}": GENERATED, do not edit by hand.`,
    `# Made by: atix roster generate --agencies ${roster.agencies.length} --seed ${how.seed}${how.base ? ` --base ${how.base}` : ""} --out <this file>`,
    `# (simulations/rosters/generate.ts). States, regions, organisation memberships and hubs come from`,
    `# the base roster; every further service, its name, time zone and duty profile is generated.`,
    "",
  ].join("\n");
  return `${header}${stringify(roster, { lineWidth: 0 })}`;
}
