// The after-action analysis: strengths, areas for improvement grouped by capability (the agencies
// concerned in one row), and the Improvement Plan's corrective actions with an owner role and a
// target date, each derived from the measured data and worded in the reader's language.
import type { Ctx } from "./context.ts";
import { agencyShare, countByAgency, mostEscalated, mselRows, objectiveTally, placedFaults, PRECEDENCES, targets, type AgencyStat } from "./views.ts";

export type Priority = "high" | "medium" | "low";
export const CAPABILITIES = ["alerting", "duty-coverage", "delivery", "protection", "audit", "msel", "validation", "escalation", "resilience", "sharing", "capacity", "conduct"] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** An area for improvement and its corrective action: one row of the Improvement Plan. */
export interface Area {
  capability: Capability;
  priority: Priority;
  issue: string;
  /** Agency ids (as shown) the area is about. */
  agencies: string[];
  action: string;
  owner: string;
  /** Target date: days after the end of the exercise. */
  days: number;
}

export interface Strength {
  capability: Capability;
  text: string;
}

const DAYS: Record<Priority, number> = { high: 30, medium: 90, low: 180 };
const ORDER: Record<Priority, number> = { high: 0, medium: 1, low: 2 };
const SLOW_SHARE = 0.8;

const area = (capability: Capability, priority: Priority, issue: string, action: string, owner: string, agencies: string[] = []): Area =>
  ({ capability, priority, issue, action, owner, agencies, days: DAYS[priority] });

function agencyAreas(c: Ctx): Area[] {
  const { m, t } = c;
  const out: Area[] = [];
  const counted = (list: AgencyStat[], value: (a: AgencyStat) => string) => list.map((a) => `${a.id} (${value(a)})`).join(", ");
  const missers = m.agencyStats.filter((a) => a.missedFlash > 0).sort((a, b) => b.missedFlash - a.missedFlash || a.id.localeCompare(b.id));
  if (missers.length) {
    const by = (p: string) => missers.filter((a) => a.profile === p).length;
    const flashTarget = targets(m).FLASH;
    const flashShare = m.ackLatency.FLASH.withinDeadline;
    const high = missers.some((a) => a.missedFlash >= 3) || (flashTarget !== undefined && flashShare !== null && flashShare < flashTarget);
    out.push(area("duty-coverage", high ? "high" : "medium",
      `${t.t("area.flash.issue", { n: missers.length, list: counted(missers, (a) => t.int(a.missedFlash)) })} ${t.t("area.flash.profiles", { businessHours: by("business-hours"), reducedNight: by("reduced-night"), allDay: by("24/7") })}`,
      t.t("area.flash.action"), t.t("owner.dutyDesks"), missers.map((a) => a.id)));
  }
  const silent = m.agencyStats.filter((a) => a.received > 0 && a.acknowledged === 0);
  if (silent.length)
    out.push(area("alerting", "high", t.t("area.silent.issue", { n: silent.length, list: counted(silent, (a) => t.int(a.received)) }), t.t("area.silent.action"), t.t("owner.dutyDesks"), silent.map((a) => a.id)));
  const named = new Set([...missers, ...silent].map((a) => a.id));
  const slow = m.agencyStats.filter((a) => !named.has(a.id) && a.received > 0 && (agencyShare(a) ?? 1) < SLOW_SHARE).sort((a, b) => (agencyShare(a) ?? 0) - (agencyShare(b) ?? 0));
  if (slow.length)
    out.push(area("alerting", "medium", t.t("area.slow.issue", { n: slow.length, share: t.pct(SLOW_SHARE, 0), list: counted(slow, (a) => t.pct(agencyShare(a), 0)) }), t.t("area.slow.action"), t.t("owner.dutyDesksHubs"), slow.map((a) => a.id)));
  const offline = m.agencyStats.filter((a) => a.offlineMinutes > 0).sort((a, b) => b.offlineMinutes - a.offlineMinutes);
  if (offline.length) {
    const lost = offline.some((a) => a.lost > 0);
    const list = offline.map((a) => t.t("area.offline.one", { agency: a.id, duration: t.span(a.offlineMinutes), lost: a.lost, escalations: a.escalated })).join("; ");
    out.push(area("resilience", lost ? "high" : offline.some((a) => a.escalated > 0) ? "medium" : "low", t.t("area.offline.issue", { list }), t.t("area.offline.action"), t.t("owner.dutyDesks"), offline.map((a) => a.id)));
  }
  return out;
}

function latencyAreas(c: Ctx): Area[] {
  const { m, t } = c;
  const goal = targets(m);
  return PRECEDENCES.flatMap((p) => {
    const l = m.ackLatency[p];
    const target = goal[p];
    if (target === undefined || l.withinDeadline === null || l.withinDeadline >= target) return [];
    const urgent = p === "FLASH" || p === "IMMEDIATE";
    const issue = t.t("area.precedence.issue", { precedence: p, share: t.pct(l.withinDeadline), n: l.count, deadline: t.span(l.deadlineMinutes), target: t.pct(target, 0), p95: t.minutes(l.p95) });
    const action = urgent ? t.t("area.urgent.action", { precedence: p }) : t.t("area.routine.action", { precedence: p, every: t.span(Math.max(15, l.deadlineMinutes / 3)) });
    return [area("alerting", urgent ? "high" : "medium", issue, action, t.t("owner.allDesks"))];
  });
}

function exchangeAreas(c: Ctx): Area[] {
  const { m, t } = c;
  const out: Area[] = [];
  const r = m.reconciliation;
  const pairs = (xs: [string, number][]) => xs.map(([id, n]) => `${id} (${t.int(n)})`).join(", ");
  if (m.deliveries.lost > 0) {
    const who = m.agencyStats.filter((a) => a.lost > 0);
    out.push(area("delivery", "high", t.t("area.lost.issue", { n: m.deliveries.lost, list: pairs(who.map((a) => [a.id, a.lost])) }), t.t("area.lost.action"), t.t("owner.platform"), who.map((a) => a.id)));
  }
  if (m.deliveries.duplicated > 0)
    out.push(area("delivery", "medium", t.t("area.duplicated.issue", { n: m.deliveries.duplicated, list: pairs(countByAgency(r.duplicated)) }), t.t("area.duplicated.action"), t.t("owner.platform"), countByAgency(r.duplicated).map(([a]) => a)));
  if (r.redConfinementViolations.length)
    out.push(area("protection", "high", t.t("area.red.issue", { list: pairs(countByAgency(r.redConfinementViolations)) }), t.t("area.red.action"), t.t("owner.platformOriginators"), countByAgency(r.redConfinementViolations).map(([a]) => a)));
  if (!m.audit.verified)
    out.push(area("audit", "high", t.t("area.audit.issue", { n: m.audit.records, problem: m.audit.problem ?? "—" }), t.t("area.audit.action"), t.t("owner.platformAuditor")));
  if (m.escalations.originator > 0) {
    const top = mostEscalated(m);
    out.push(area("escalation", m.escalations.originator > 5 ? "high" : "medium", t.t("area.escalation.issue", { n: m.escalations.originator, list: pairs(top.map((a) => [a.id, a.escalated])) }), t.t("area.escalation.action"), t.t("owner.hubs"), top.map((a) => a.id)));
  }
  const faults = placedFaults(m);
  const burst = faults.some((f) => f.kind === "malformed-burst");
  if (m.alerts.rejected > 0 && !burst) out.push(area("validation", "low", t.t("area.rejected.issue", { n: m.alerts.rejected }), t.t("area.rejected.action"), t.t("owner.senders")));
  // A coordinator that died on its own was started again (the run went on), but why it died is a finding.
  for (const f of faults.filter((x) => x.kind === "coordinator-exited"))
    out.push(area("resilience", "high", t.t("area.exited.issue", { instance: f.instance ?? "—", time: c.clock(f.at), detail: f.detail }), t.t("area.exited.action"), t.t("owner.platform")));
  for (const f of faults.filter((x) => x.kind.endsWith("-failed")))
    out.push(area("conduct", "medium", t.t("area.fault.issue", { step: f.kind.slice(0, -"-failed".length), time: c.clock(f.at), detail: f.detail }), t.t("area.fault.action"), t.t("owner.controlPlatform")));
  if (m.run.interrupted) out.push(area("conduct", "high", t.t("area.interrupted.issue", { until: t.dateTime(m.run.simulatedUntil, m.scenario.start) }), t.t("area.interrupted.action"), t.t("owner.control")));
  return out;
}

function mselAreas(c: Ctx): Area[] {
  const { t } = c;
  const short = mselRows(c.m).filter((i) => i.status === "not-met" || i.status === "partially-met");
  if (!short.length) return [];
  const list = short.map((i) => `#${i.inject} (${t.t(`status.${i.status}` as "status.met")})`).join(", ");
  return [area("msel", short.some((i) => i.status === "not-met") ? "high" : "medium", t.t("area.msel.issue", { n: short.length, list }), t.t("area.msel.action"), t.t("owner.control"), [...new Set(short.map((i) => i.from))])];
}

/** Objectives missed that no data-derived area explains already. */
function objectiveAreas(c: Ctx, covered: Area[]): Area[] {
  const has = (cap: Capability) => covered.some((a) => a.capability === cap);
  const explained: Record<string, boolean> = {
    "acknowledged-within-deadline": has("alerting") || has("duty-coverage"), "nothing-lost": has("delivery"), "no-duplicates": has("delivery"),
    "red-confined": has("protection"), "audit-verified": has("audit"), "injects-met": has("msel"), "escalations-at-most": has("escalation"),
    "escalations-coalesced": has("escalation"),
  };
  return c.m.expectations.flatMap((e, i) =>
    e.pass || explained[e.kind] ? [] : [area("conduct", "medium", c.t.t("area.objective.issue", { objective: c.objective(e, i) }), c.t.t("area.objective.action"), c.t.t("owner.control"))]);
}

function strengths(c: Ctx): Strength[] {
  const { m, t } = c;
  const out: Strength[] = [];
  const o = objectiveTally(m);
  const total = m.expectations.length;
  if (total && o.met) out.push({ capability: "conduct", text: t.t("strength.objectives", { met: o.met, n: total }) });
  const judged = m.injects.filter((i) => i.status !== "no-expectation");
  const met = judged.filter((i) => i.status === "met").length;
  if (met) out.push({ capability: "msel", text: t.t("strength.msel", { met, n: judged.length }) });
  const goal = targets(m);
  for (const p of PRECEDENCES) {
    const l = m.ackLatency[p];
    const target = goal[p];
    if (target !== undefined && l.withinDeadline !== null && l.withinDeadline >= target)
      out.push({ capability: "alerting", text: t.t("strength.precedence", { precedence: p, share: t.pct(l.withinDeadline), n: l.count, deadline: t.span(l.deadlineMinutes), target: t.pct(target, 0), median: t.minutes(l.p50) }) });
  }
  if (m.deliveries.lost === 0 && m.deliveries.expected > 0) out.push({ capability: "delivery", text: t.t("strength.nothingLost", { n: m.deliveries.expected }) });
  if (m.deliveries.duplicated === 0 && m.deliveries.delivered > 0) out.push({ capability: "delivery", text: t.t("strength.noDuplicates") });
  const faults = placedFaults(m);
  const kill = faults.find((f) => f.kind === "coordinator-kill");
  if (kill && m.deliveries.lost === 0 && m.deliveries.duplicated === 0) out.push({ capability: "resilience", text: t.t("strength.coordinatorKill", { time: c.clock(kill.at) }) });
  const caughtUp = m.agencyStats.filter((x) => x.offlineMinutes > 0 && x.lost === 0);
  if (caughtUp.length) out.push({ capability: "resilience", text: t.t("strength.caughtUp", { list: caughtUp.map((a) => `${a.id} (${t.span(a.offlineMinutes)})`).join(", ") }) });
  const burst = faults.find((f) => f.kind === "malformed-burst");
  if (burst && m.alerts.rejected > 0) out.push({ capability: "validation", text: t.t("strength.burst", { time: c.clock(burst.at), n: m.alerts.rejected }) });
  const flood = m.flood;
  if (flood && flood.submissions.unanswered === 0 && flood.submissions.refusedByBroker === 0 && flood.othersAcceptance.flood.p99Ms !== null) {
    const s = flood.submissions;
    out.push({ capability: "capacity", text: t.t("strength.flood", {
      n: s.valid + s.malformed, agencies: flood.agencies.join(", "), accepted: t.int(s.accepted), rateLimited: t.int(s.rateLimited), p99: t.ms(flood.othersAcceptance.flood.p99Ms),
    }) });
  }
  if (m.reconciliation.redConfinementViolations.length === 0) out.push({ capability: "protection", text: t.t("strength.red") });
  const e = m.escalations;
  if (e.total === 0) out.push({ capability: "escalation", text: t.t("strength.noEscalation") });
  else if (e.originator === 0) out.push({ capability: "escalation", text: t.t("strength.escalationsResolved", { n: e.total }) });
  if (m.hits && m.hits.total > 0) out.push({ capability: "sharing", text: t.t("strength.hits", { n: m.hits.total, scripted: m.hits.scripted }) });
  if (m.audit.verified) out.push({ capability: "audit", text: t.t("strength.audit", { n: m.audit.records }) });
  return out;
}

export interface Findings {
  strengths: Strength[];
  areas: Area[];
}

export function deriveFindings(c: Ctx): Findings {
  const data = [...mselAreas(c), ...latencyAreas(c), ...agencyAreas(c), ...exchangeAreas(c)];
  const areas = [...data, ...objectiveAreas(c, data)]
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ORDER[a.f.priority] - ORDER[b.f.priority] || a.i - b.i)
    .map(({ f }) => f);
  return { strengths: strengths(c), areas };
}
