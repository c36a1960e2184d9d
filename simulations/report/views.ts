// Views of a run's metrics that both report.md and report.html show: key figures, tallies,
// the agencies ranked by responsiveness, agencies by region, faults placed on the scenario clock.
import { PRECEDENCES, REGIONS } from "../../shared/contracts/index.ts";
import { FIGURES } from "../../shared/exchange/figures.ts";
import { clockAt, int, minutesAfterStart, pct, ratio } from "./format.ts";
import type { Metrics } from "./metrics.ts";

export type AgencyStat = Metrics["agencyStats"][number];
export type InjectRow = Metrics["injects"][number];
export type InjectStatus = InjectRow["status"];
export type Precedence = (typeof PRECEDENCES)[number];
export type Latency = Metrics["ackLatency"][Precedence];

export { PRECEDENCES };

/** Share of deliveries acknowledged within the deadline that counts as good (per precedence and per agency). */
export const TARGET_WITHIN = 0.95;

export const STATUS_LABEL: Record<InjectStatus, string> = {
  met: "met",
  "partially-met": "partially met",
  "not-met": "not met",
  "no-expectation": "no expectation",
};

export const ESCALATION_STEPS = ["reminder", "backup-contact", "originator"] as const;
export const STEP_LABEL: Record<(typeof ESCALATION_STEPS)[number], string> = {
  reminder: "Reminder to the recipient",
  "backup-contact": "Backup contact (regional hub)",
  originator: "Back to the originator",
};

/** Share of an agency's deliveries acknowledged in time; null when it received none. */
export const agencyShare = (a: AgencyStat): number | null => ratio(a.withinDeadline, a.received);

export type Tone = "good" | "warn" | "bad" | "none";

/** How a within-deadline share reads: good from the target, bad below 80%. */
export function shareTone(share: number | null): Tone {
  if (share === null) return "none";
  if (share >= TARGET_WITHIN) return "good";
  return share >= 0.8 ? "warn" : "bad";
}

export function injectTally(m: Metrics): Record<InjectStatus, number> {
  const t: Record<InjectStatus, number> = { met: 0, "partially-met": 0, "not-met": 0, "no-expectation": 0 };
  for (const i of m.injects) t[i.status] += 1;
  return t;
}

export const objectivesMet = (m: Metrics) => ({ met: m.expectations.filter((e) => e.pass).length, total: m.expectations.length });

const PROCESS_LABEL = { coordinator: "coordinator", agencies: "agencies (runner)", broker: "broker" } as const;

/** Peak resident memory per process group, one phrase each: "coordinator 142.5 MB (2 processes)". */
export function peakMemory(m: Metrics): string {
  return (Object.keys(PROCESS_LABEL) as (keyof typeof PROCESS_LABEL)[])
    .flatMap((k) => {
      const p = m.processes[k];
      if (!p) return [];
      const mb = p.peakRssMb === null ? "not measured" : `${p.peakRssMb.toLocaleString("en-US")} MB`;
      return [`${PROCESS_LABEL[k]} ${mb}${p.processes > 1 ? ` (highest of ${p.processes} processes)` : ""}`];
    })
    .join(" · ");
}

export interface KeyFigure {
  label: string;
  value: string;
  tone: Tone;
  note?: string;
}

/** The run's headline: the exchange's figures under their one set of names (shared/exchange/figures.ts). */
export function keyFigures(m: Metrics): KeyFigure[] {
  const d = m.deliveries;
  const f = m.figures;
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return [
    { label: "Agencies", value: int(m.agencies), tone: "none" },
    { label: cap(FIGURES.messagesAccepted.label), value: int(f.messagesAccepted), tone: "none", note: `${int(f.alertsAndRfis)} ${FIGURES.alertsAndRfis.label} · ${int(f.rejected)} ${FIGURES.rejected.label}` },
    { label: cap(FIGURES.deliveries.label), value: int(f.deliveries), tone: d.delivered < d.expected ? "warn" : "none", note: `the scenario's own: ${int(d.delivered)} of ${int(d.expected)} expected` },
    { label: cap(FIGURES.acknowledged.label), value: int(f.acknowledged), tone: shareTone(ratio(f.withinDeadline, f.acknowledged + f.overdue)), note: `${int(f.withinDeadline)} ${FIGURES.withinDeadline.label} · ${int(f.late)} late` },
    { label: "Lost", value: int(d.lost), tone: d.lost > 0 ? "bad" : "good" },
    { label: "Duplicated", value: int(d.duplicated), tone: d.duplicated > 0 ? "warn" : "good" },
    { label: cap(FIGURES.escalations.label), value: int(f.escalations), tone: m.escalations.originator > 0 ? "warn" : "none", note: `${int(m.escalations.originator)} to originator` },
    { label: "Audit chain", value: m.audit.verified ? "verified" : "BROKEN", tone: m.audit.verified ? "good" : "bad", note: `${int(m.audit.records)} records` },
  ];
}

/** Least responsive first: lowest within-deadline share, then most missed FLASH, then slowest median. */
function compareResponsiveness(a: AgencyStat, b: AgencyStat): number {
  const sa = agencyShare(a);
  const sb = agencyShare(b);
  if (sa === null || sb === null) return sa === sb ? a.id.localeCompare(b.id) : sa === null ? 1 : -1;
  return sa - sb || b.missedFlash - a.missedFlash || (b.p50Minutes ?? 0) - (a.p50Minutes ?? 0) || a.id.localeCompare(b.id);
}

export interface ResponsivenessRow {
  agency: AgencyStat;
  share: number | null;
  rank: number;
  /** Shown because it is among the slowest (otherwise only because it missed FLASH deadlines). */
  slowest: boolean;
}

/** The slowest `n` agencies that received anything, and every agency that missed a FLASH deadline. */
export function responsivenessTable(m: Metrics, n = 15): ResponsivenessRow[] {
  const ranked = m.agencyStats.filter((a) => a.received > 0).sort(compareResponsiveness);
  const rows: ResponsivenessRow[] = [];
  ranked.forEach((a, i) => {
    if (i < n || a.missedFlash > 0) rows.push({ agency: a, share: agencyShare(a), rank: i + 1, slowest: i < n });
  });
  return rows;
}

const regionOrder = (r: string) => {
  const i = (REGIONS as readonly string[]).indexOf(r);
  return i < 0 ? REGIONS.length : i;
};

/** "central-asia" → "Central Asia". */
export const regionLabel = (r: string): string => r.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");

/** Agencies grouped by region (the contract's region order), each group by id. */
export function byRegion(m: Metrics): { region: string; agencies: AgencyStat[] }[] {
  const groups = new Map<string, AgencyStat[]>();
  for (const a of m.agencyStats) groups.set(a.region, [...(groups.get(a.region) ?? []), a]);
  return [...groups.entries()]
    .sort(([a], [b]) => regionOrder(a) - regionOrder(b) || a.localeCompare(b))
    .map(([region, agencies]) => ({ region, agencies: agencies.sort((x, y) => x.id.localeCompare(y.id)) }));
}

export interface PlacedFault {
  n: number;
  kind: string;
  at: string;
  detail: string;
  /** Simulated minutes after the start; undefined when `at` cannot be read. */
  offset?: number;
  clock: string;
}

/** Faults in time order, numbered for the timeline's markers. */
export function placedFaults(m: Metrics): PlacedFault[] {
  return m.faults
    .map((f) => ({ f, offset: minutesAfterStart(m.scenario.start, f.at) }))
    .sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity))
    .map(({ f, offset }, i) => ({ n: i + 1, kind: f.kind, at: f.at, detail: f.detail, offset, clock: offset === undefined ? f.at : clockAt(m.scenario.start, offset) }));
}

/** The injects in MSEL order with their scenario clock time. */
export function mselRows(m: Metrics): (InjectRow & { clock: string; offset?: number })[] {
  return [...m.injects]
    .sort((a, b) => a.inject - b.inject)
    .map((i) => {
      const offset = minutesAfterStart(m.scenario.start, i.at);
      return { ...i, offset, clock: offset === undefined ? i.at : clockAt(m.scenario.start, offset) };
    });
}

/** Agencies with the most escalations, most first. */
export const mostEscalated = (m: Metrics, n = 5): AgencyStat[] =>
  m.agencyStats.filter((a) => a.escalated > 0).sort((a, b) => b.escalated - a.escalated || a.id.localeCompare(b.id)).slice(0, n);

/** "TJ (2), NG (1)": how often each agency appears in a reconciliation list. */
export function countByAgency(list: { agency: string }[]): string {
  const counts = new Map<string, number>();
  for (const x of list) counts.set(x.agency, (counts.get(x.agency) ?? 0) + 1);
  return formatCounts([...counts.entries()]);
}

/** "KG (12), TR (3)": from the per-agency figures, complete (the listed losses stop at 200). */
export const lostByAgency = (m: Metrics): string => formatCounts(m.agencyStats.filter((a) => a.lost > 0).map((a) => [a.id, a.lost]));

const formatCounts = (counts: [string, number][]) =>
  counts.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id, n]) => `${id} (${n})`).join(", ");

/** "12" or "340, the first 200 listed": a heading over a list that metrics.json caps. */
export const listed = (total: number, shown: number) => (shown < total ? `${total.toLocaleString("en-GB")}, the first ${shown} listed` : total.toLocaleString("en-GB"));
