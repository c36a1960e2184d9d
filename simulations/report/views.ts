// Views of a run's metrics that every part of the report shares: targets per precedence (from the
// scenario's objectives), objective and inject standing, the agencies ranked by responsiveness,
// agencies by region, faults and injects placed on the scenario clock.
import { PRECEDENCES, REGIONS } from "../../shared/contracts/index.ts";
import { minutesAfterStart } from "./format.ts";
import type { Metrics } from "./metrics.ts";

export type AgencyStat = Metrics["agencyStats"][number];
export type InjectRow = Metrics["injects"][number];
export type Expectation = Metrics["expectations"][number];
export type Precedence = (typeof PRECEDENCES)[number];
export type Latency = Metrics["ackLatency"][Precedence];
export type Standing = "met" | "partially-met" | "not-met";

export { PRECEDENCES };

export const ESCALATION_STEPS = ["reminder", "backup-contact", "originator"] as const;

export const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** Share of an agency's deliveries acknowledged in time; null when it received none. */
export const agencyShare = (a: AgencyStat): number | null => ratio(a.withinDeadline, a.received);

/**
 * The target share within the deadline per precedence: the scenario's objective for it, if it
 * states one. One target per precedence, used by every chart, figure and finding.
 */
export function targets(m: Metrics): Partial<Record<Precedence, number>> {
  const out: Partial<Record<Precedence, number>> = {};
  for (const e of m.expectations)
    if (e.kind === "acknowledged-within-deadline" && e.precedence && e.target !== undefined) out[e.precedence] = Math.max(out[e.precedence] ?? 0, e.target);
  return out;
}

/** Met, partially met (a share objective missed by less than a tenth of its target), or not met. */
export function standing(e: Expectation): Standing {
  if (e.pass) return "met";
  const shareKinds = e.kind === "acknowledged-within-deadline" || e.kind === "injects-met";
  if (shareKinds && e.target && e.measured !== null && e.measured !== undefined && e.measured >= e.target * 0.9) return "partially-met";
  return "not-met";
}

export function tally<T extends string>(items: T[], keys: readonly T[]): Record<T, number> {
  const t = Object.fromEntries(keys.map((k) => [k, 0])) as Record<T, number>;
  for (const i of items) t[i] += 1;
  return t;
}

export const INJECT_STATUSES = ["met", "partially-met", "not-met", "no-expectation"] as const;
export const injectTally = (m: Metrics) => tally(m.injects.map((i) => i.status), INJECT_STATUSES);
export const objectiveTally = (m: Metrics) => tally(m.expectations.map(standing), ["met", "partially-met", "not-met"] as const);

export type Tone = "good" | "warn" | "bad" | "none";

/** How a within-deadline share reads against a target: good from it, bad under nine tenths of it. */
export function shareTone(share: number | null, target: number | undefined): Tone {
  if (share === null || target === undefined) return "none";
  if (share >= target) return "good";
  return share >= target * 0.9 ? "warn" : "bad";
}

/** Least responsive first: lowest within-deadline share, then most missed FLASH, then slowest median. */
function compareResponsiveness(a: AgencyStat, b: AgencyStat): number {
  const sa = agencyShare(a) ?? 1;
  const sb = agencyShare(b) ?? 1;
  return sa - sb || b.missedFlash - a.missedFlash || (b.p50Minutes ?? 0) - (a.p50Minutes ?? 0) || a.id.localeCompare(b.id);
}

/**
 * The `n` least responsive agencies that received anything, ranked 1..n without gaps, and the
 * other agencies that missed FLASH deadlines (named apart, not ranked).
 */
export function responsivenessTable(m: Metrics, n = 15): { ranked: { agency: AgencyStat; rank: number }[]; alsoMissedFlash: AgencyStat[] } {
  const active = m.agencyStats.filter((a) => a.received > 0).sort(compareResponsiveness);
  const ranked = active.slice(0, n).map((agency, i) => ({ agency, rank: i + 1 }));
  const alsoMissedFlash = active.slice(n).filter((a) => a.missedFlash > 0).sort((a, b) => b.missedFlash - a.missedFlash || a.id.localeCompare(b.id));
  return { ranked, alsoMissedFlash };
}

const regionOrder = (r: string) => {
  const i = (REGIONS as readonly string[]).indexOf(r);
  return i < 0 ? REGIONS.length : i;
};

/** Agencies grouped by region (the contract's region order), each group by id. */
export function byRegion(m: Metrics): { region: string; agencies: AgencyStat[] }[] {
  const groups = new Map<string, AgencyStat[]>();
  for (const a of m.agencyStats) groups.set(a.region, [...(groups.get(a.region) ?? []), a]);
  return [...groups.entries()]
    .sort(([a], [b]) => regionOrder(a) - regionOrder(b) || a.localeCompare(b))
    .map(([region, agencies]) => ({ region, agencies: agencies.sort((x, y) => x.id.localeCompare(y.id)) }));
}

export type PlacedFault = Metrics["faults"][number] & { n: number; offset?: number };

/** Faults in time order, numbered for the timeline's markers. */
export function placedFaults(m: Metrics): PlacedFault[] {
  return m.faults
    .map((f) => ({ ...f, offset: minutesAfterStart(m.scenario.start, f.at) }))
    .sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity))
    .map((f, i) => ({ ...f, n: i + 1 }));
}

/** The injects in MSEL order with their offset from the start. */
export function mselRows(m: Metrics): (InjectRow & { offset?: number })[] {
  return [...m.injects].sort((a, b) => a.inject - b.inject).map((i) => ({ ...i, offset: minutesAfterStart(m.scenario.start, i.at) }));
}

/** Agencies with the most escalations, most first. */
export const mostEscalated = (m: Metrics, n = 5): AgencyStat[] =>
  m.agencyStats.filter((a) => a.escalated > 0).sort((a, b) => b.escalated - a.escalated || a.id.localeCompare(b.id)).slice(0, n);

/** How often each agency appears in a list, most first: [["TJ", 2], ["NG", 1]]. */
export function countByAgency(list: { agency: string }[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const x of list) counts.set(x.agency, (counts.get(x.agency) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
