// The after-action analysis both renderers share: strengths, areas for improvement and the
// Improvement Plan's corrective actions, each derived from the measured data (never free text).
import { dateTime, int, minutes, pct, plural, span } from "./format.ts";
import type { Metrics } from "./metrics.ts";
import {
  agencyShare, countByAgency, lostByAgency, mostEscalated, mselRows, objectivesMet, placedFaults, PRECEDENCES, STATUS_LABEL, TARGET_WITHIN,
  type AgencyStat, type PlacedFault,
} from "./views.ts";

export type Priority = "high" | "medium" | "low";

/** One area for improvement with its corrective action: a row of the Improvement Plan. */
export interface Finding {
  capability: string;
  issue: string;
  action: string;
  responsible: string;
  priority: Priority;
  /** Agency ids the finding is about. */
  agencies: string[];
}

export interface Strength {
  capability: string;
  text: string;
}

export interface Findings {
  strengths: Strength[];
  improvements: Finding[];
}

/** At most this many agencies get a finding of their own per kind; the rest are grouped. */
const INDIVIDUAL = 10;
const PRIORITY_ORDER: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

const who = (a: AgencyStat) => `${a.id} — ${a.name}`;
const list = (agencies: AgencyStat[], value: (a: AgencyStat) => string) => agencies.map((a) => `${a.id} (${value(a)})`).join(", ");
const firstFault = (faults: PlacedFault[], kind: string) => faults.find((f) => f.kind === kind);

function flashFinding(a: AgencyStat): Finding {
  const n = plural(a.missedFlash, "FLASH deadline");
  const base = { capability: "Night duty — FLASH", responsible: who(a), priority: (a.missedFlash >= 3 ? "high" : "medium") as Priority, agencies: [a.id] };
  if (a.profile === "reduced-night")
    return { ...base, issue: `${a.id} missed ${n}: a night-shift gap (duty profile reduced-night, ${pct(agencyShare(a))} of its deliveries acknowledged in time).`, action: `Staff a night duty officer at ${a.id} or designate a 24/7 backup (such as its regional hub) that acknowledges FLASH traffic at night.` };
  if (a.profile === "business-hours")
    return { ...base, issue: `${a.id} missed ${n}: its post is unstaffed outside business hours.`, action: `Set up a 24/7 on-call officer at ${a.id} reachable for FLASH traffic, or designate a 24/7 backup agency that acknowledges on its behalf.` };
  return { ...base, capability: "FLASH handling", issue: `${a.id} missed ${n} despite 24/7 duty (profile ${a.profile}).`, action: `Check ${a.id}'s FLASH alarm at the duty desk and its shift handover; rehearse a FLASH drill on the night shift.` };
}

function agencyFindings(m: Metrics): Finding[] {
  const out: Finding[] = [];
  const missers = m.agencyStats.filter((a) => a.missedFlash > 0).sort((a, b) => b.missedFlash - a.missedFlash || a.id.localeCompare(b.id));
  out.push(...missers.slice(0, INDIVIDUAL).map(flashFinding));
  const more = missers.slice(INDIVIDUAL);
  if (more.length)
    out.push({
      capability: "Night duty — FLASH", priority: "medium", agencies: more.map((a) => a.id), responsible: more.map((a) => a.id).join(", "),
      issue: `${plural(more.length, "more agency", "more agencies")} missed FLASH deadlines: ${list(more, (a) => String(a.missedFlash))}.`,
      action: "Each: staff a night duty officer or designate a 24/7 backup for FLASH traffic; confirm at the next exercise.",
    });

  const flagged = new Set(missers.map((a) => a.id));
  const silent = m.agencyStats.filter((a) => a.received > 0 && a.acknowledged === 0);
  for (const a of silent) {
    flagged.add(a.id);
    out.push({ capability: "Duty officer reachability", priority: "high", agencies: [a.id], responsible: who(a), issue: `${a.id} acknowledged none of its ${plural(a.received, "delivery", "deliveries")}.`, action: `Confirm ${a.id}'s duty officer can reach the exchange (credentials, node, contact details) and runs a test acknowledgement.` });
  }
  const slow = m.agencyStats.filter((a) => !flagged.has(a.id) && a.received > 0 && (agencyShare(a) ?? 1) < 0.8).sort((a, b) => (agencyShare(a) ?? 0) - (agencyShare(b) ?? 0));
  if (slow.length)
    out.push({
      capability: "Acknowledgement in time", priority: "medium", agencies: slow.map((a) => a.id), responsible: slow.map((a) => a.id).join(", "),
      issue: `${plural(slow.length, "agency", "agencies")} acknowledged under 80% of deliveries in time: ${list(slow, (a) => pct(agencyShare(a), 0))}.`,
      action: "Review staffing, alerting and contact details with each; pair them with their regional hub as backup contact.",
    });

  const offline = m.agencyStats.filter((a) => a.offlineMinutes > 0).sort((a, b) => b.offlineMinutes - a.offlineMinutes);
  for (const a of offline) {
    const lost = a.lost;
    out.push({
      capability: "Resilience — catch-up", priority: lost > 0 ? "high" : a.escalated > 0 || a.missedFlash > 0 ? "medium" : "low", agencies: [a.id], responsible: who(a),
      issue: `${a.id} was offline ${span(a.offlineMinutes)}: ${lost ? `${plural(lost, "delivery", "deliveries")} lost` : "nothing lost"}, ${plural(a.escalated, "escalation")} about its deliveries.`,
      action: `Confirm catch-up procedures at ${a.id}: after reconnecting the node replays the queue and the duty officer works it by precedence; agree who covers for ${a.id} while it is offline.`,
    });
  }
  return out;
}

function latencyFindings(m: Metrics): Finding[] {
  const out: Finding[] = [];
  for (const p of PRECEDENCES) {
    const l = m.ackLatency[p];
    if (l.withinDeadline === null || l.withinDeadline >= TARGET_WITHIN) continue;
    const urgent = p === "FLASH" || p === "IMMEDIATE";
    const missers = p === "FLASH" ? m.agencyStats.filter((a) => a.missedFlash > 0).map((a) => a.id) : [];
    out.push({
      capability: `Acknowledgement — ${p}`, priority: urgent ? "high" : "medium", agencies: missers, responsible: urgent ? "All agencies; ATIX coordinator team" : "All agencies",
      issue: `${p}: ${pct(l.withinDeadline)} of ${plural(l.count, "delivery", "deliveries")} acknowledged within ${minutes(l.deadlineMinutes)} (target ${pct(TARGET_WITHIN, 0)}); p95 ${minutes(l.p95)}, max ${minutes(l.max)}.`,
      action: urgent
        ? `Make ${p} deliveries raise an audible alarm at every duty desk and page the on-call officer; re-test on the night shift.`
        : `Duty officers work through ${p} traffic at least every ${span(Math.max(15, l.deadlineMinutes / 3))}; review queue handling with the slowest agencies.`,
    });
  }
  return out;
}

function exchangeFindings(m: Metrics, faults: PlacedFault[]): Finding[] {
  const out: Finding[] = [];
  const r = m.reconciliation;
  const kill = firstFault(faults, "coordinator-kill");
  const killNote = kill ? ` A coordinator was killed at ${kill.clock}.` : "";
  if (m.deliveries.lost > 0)
    out.push({ capability: "Delivery — nothing lost", priority: "high", agencies: m.agencyStats.filter((a) => a.lost > 0).map((a) => a.id), responsible: "ATIX coordinator team",
      issue: `${plural(m.deliveries.lost, "delivery", "deliveries")} lost${lostByAgency(m) ? `: ${lostByAgency(m)}` : ""}.${killNote}`,
      action: "Trace each lost delivery through the audit chain and the streams, fix the cause and re-run this scenario before the next exercise." });
  if (m.deliveries.duplicated > 0)
    out.push({ capability: "Delivery — no duplicates", priority: "medium", agencies: [...new Set(r.duplicated.map((d) => d.agency))], responsible: "ATIX coordinator team",
      issue: `${plural(m.deliveries.duplicated, "delivery", "deliveries")} duplicated${r.duplicated.length ? `: ${countByAgency(r.duplicated)}` : ""}.${killNote}`,
      action: "Check publish de-duplication (message id, duplicate window longer than the retry) and that agency nodes treat repeats idempotently." });
  if (r.redConfinementViolations.length)
    out.push({ capability: "TLP:RED confinement", priority: "high", agencies: [...new Set(r.redConfinementViolations.map((v) => v.agency))], responsible: "ATIX coordinator team; originators",
      issue: `TLP:RED messages reached agencies that were not named: ${countByAgency(r.redConfinementViolations)}.`,
      action: "Handle as a security incident: inform the originators, have the recipients destroy the copies, fix recipient resolution for RED." });
  if (!m.audit.verified)
    out.push({ capability: "Audit chain", priority: "high", agencies: [], responsible: "ATIX coordinator team; auditor",
      issue: `The audit chain of ${plural(m.audit.records, "record")} did not verify${m.audit.problem ? `: ${m.audit.problem}` : ""}.`,
      action: "Preserve the audit stream, export it and verify it independently (atix audit verify); find the first broken record and its cause." });
  const e = m.escalations;
  if (e.originator > 0) {
    const top = mostEscalated(m);
    out.push({ capability: "Escalation", priority: e.originator > 5 ? "high" : "medium", agencies: top.map((a) => a.id), responsible: `Most escalated agencies and their regional hubs${top.length ? ` (${top.map((a) => a.id).join(", ")})` : ""}`,
      issue: `${plural(e.originator, "escalation")} reached the originator: neither the recipient nor its backup contact acknowledged in time.${top.length ? ` Most escalated: ${list(top, (a) => String(a.escalated))}.` : ""}`,
      action: "Agree a tested 24/7 backup contact for these agencies with their regional hubs, and check the backup-contact step's time limit." });
  }
  const burst = firstFault(faults, "malformed-burst");
  if (m.alerts.rejected > 0 && !burst)
    out.push({ capability: "Message quality", priority: "low", agencies: [], responsible: "Sending agencies",
      issue: `${plural(m.alerts.rejected, "submission")} rejected by the exchange (${Object.entries(m.alerts.byKind).filter(([, k]) => k.rejected > 0).map(([kind, k]) => `${kind} ${k.rejected}`).join(", ")}).`,
      action: "Brief senders on the contract rules and have them check drafts with atix validate; the reasons are in the audit log." });
  // A coordinator that died on its own was started again, but why it died is a finding.
  for (const f of faults.filter((f) => f.kind === "coordinator-exited"))
    out.push({ capability: "Availability", priority: "high", agencies: [], responsible: "ATIX platform team",
      issue: `A coordinator died without being asked to at ${f.clock} and was started again: ${f.detail}.`,
      action: "Read the coordinator's log for the cause (memory, a broker it could not reach), fix it and re-run the scenario." });
  // A fault that could not be played (or whose follow-up failed): the drill was not the one scripted.
  for (const f of faults.filter((f) => f.kind.endsWith("-failed")))
    out.push({ capability: "Exercise conduct", priority: "medium", agencies: [], responsible: "Exercise control; ATIX platform team",
      issue: `Fault step ${f.kind.slice(0, -"-failed".length)} at ${f.clock} did not happen as scripted: ${f.detail}.`,
      action: "Check the machine's load and the run's logs for the cause, then re-run the scenario so every fault is played." });
  if (m.run.interrupted)
    out.push({ capability: "Exercise conduct", priority: "high", agencies: [], responsible: "Exercise control",
      issue: `The run was interrupted; it covers the scenario only until ${dateTime(m.run.simulatedUntil, m.scenario.start)}.`, action: "Re-run the full scenario before drawing conclusions from these figures." });
  return out;
}

function injectFindings(m: Metrics): Finding[] {
  return mselRows(m)
    .filter((i) => i.status === "not-met" || i.status === "partially-met")
    .map((i) => {
      const late = Math.max(0, i.recipients - i.acknowledgedInTime);
      const action =
        i.outcome === "rejected" ? `Correct the inject or ${i.from}'s procedure: the exchange rejected it, so no agency could react.`
        : i.outcome === "not-sent" ? "Exercise control: the inject was not played; check the scenario timing and the sender's node."
        : `Debrief the ${plural(late, "recipient")} that did not acknowledge in time and rehearse the expected outcome: ${i.expected}`;
      return {
        capability: `MSEL inject #${i.inject}`, priority: (i.status === "not-met" ? "high" : "medium") as Priority, agencies: [i.from],
        responsible: i.outcome === "accepted" ? `Recipients of inject #${i.inject}` : `${i.from}; exercise control`,
        issue: `Inject #${i.inject} (${i.clock}, ${i.kind} from ${i.from}) "${i.title}" ${STATUS_LABEL[i.status]}: ${i.detail}`,
        action,
      };
    });
}

/** Objectives that failed and that no data-derived finding explains already. */
function objectiveFindings(m: Metrics, covered: Finding[]): Finding[] {
  const has = (prefix: string) => covered.some((f) => f.capability.startsWith(prefix));
  const explained: Record<string, boolean> = {
    "acknowledged-within-deadline": has("Acknowledgement"), "nothing-lost": has("Delivery — nothing lost"), "no-duplicates": has("Delivery — no duplicates"),
    "red-confined": has("TLP:RED"), "audit-verified": has("Audit"), "injects-met": has("MSEL"), "escalations-at-most": has("Escalation"),
  };
  return m.expectations
    .filter((e) => !e.pass && !explained[e.kind])
    .map((e) => ({
      capability: `Objective — ${e.kind}`, priority: "medium" as Priority, agencies: [], responsible: "Exercise control",
      issue: `Objective not met: ${e.description} (${e.detail}).`,
      action: e.kind === "rejections-recorded" ? "Check that the coordinator records each rejection with its reasons, and that the injected faults were played." : "Review with exercise control, assign an owner and re-test at the next exercise.",
    }));
}

function strengths(m: Metrics, faults: PlacedFault[]): Strength[] {
  const out: Strength[] = [];
  const o = objectivesMet(m);
  if (o.total && o.met) out.push({ capability: "Objectives", text: `${o.met} of ${o.total} objectives met.` });
  const met = m.injects.filter((i) => i.status === "met").length;
  const judged = m.injects.filter((i) => i.status !== "no-expectation").length;
  if (met) out.push({ capability: "MSEL", text: `${met} of ${plural(judged, "evaluated inject")} met the expected outcome.` });
  for (const p of PRECEDENCES) {
    const l = m.ackLatency[p];
    if (l.count > 0 && l.withinDeadline !== null && l.withinDeadline >= TARGET_WITHIN)
      out.push({ capability: `Acknowledgement — ${p}`, text: `${pct(l.withinDeadline)} of ${int(l.count)} ${p} deliveries acknowledged within ${minutes(l.deadlineMinutes)} (median ${minutes(l.p50)}).` });
  }
  const active = m.agencyStats.filter((a) => a.received > 0);
  const onTarget = active.filter((a) => (agencyShare(a) ?? 0) >= TARGET_WITHIN);
  if (active.length && onTarget.length / active.length >= 2 / 3)
    out.push({ capability: "Agencies", text: `${onTarget.length} of ${plural(active.length, "agency", "agencies")} acknowledged at least ${pct(TARGET_WITHIN, 0)} of their deliveries within the deadline.` });
  if (m.deliveries.lost === 0 && m.deliveries.expected > 0) out.push({ capability: "Delivery", text: `All ${int(m.deliveries.expected)} expected deliveries arrived; none lost (${m.reconciliation.method}).` });
  if (m.deliveries.duplicated === 0 && m.deliveries.delivered > 0) out.push({ capability: "Delivery", text: "No delivery was duplicated." });
  const kill = firstFault(faults, "coordinator-kill");
  if (kill && m.deliveries.lost === 0 && m.deliveries.duplicated === 0) out.push({ capability: "Resilience", text: `A coordinator was killed at ${kill.clock}; the exchange carried on without losing or duplicating a delivery.` });
  for (const a of m.agencyStats.filter((x) => x.offlineMinutes > 0 && x.lost === 0))
    out.push({ capability: "Resilience — catch-up", text: `${a.id} caught up after ${span(a.offlineMinutes)} offline with nothing lost.` });
  const burst = firstFault(faults, "malformed-burst");
  if (burst && m.alerts.rejected > 0) out.push({ capability: "Message quality", text: `Malformed burst at ${burst.clock}: the exchange rejected ${plural(m.alerts.rejected, "submission")} with reasons.` });
  if (m.reconciliation.redConfinementViolations.length === 0) out.push({ capability: "TLP:RED confinement", text: "No TLP:RED message reached an agency that was not named." });
  const e = m.escalations;
  if (e.total === 0) out.push({ capability: "Escalation", text: "No escalation was needed." });
  else if (e.originator === 0) out.push({ capability: "Escalation", text: `Every escalation (${int(e.total)}) was resolved by a reminder or the backup contact; none reached an originator.` });
  if (m.audit.verified) out.push({ capability: "Audit chain", text: `The audit chain of ${plural(m.audit.records, "record")} verified end to end.` });
  return out;
}

export function deriveFindings(m: Metrics): Findings {
  const faults = placedFaults(m);
  const data = [...injectFindings(m), ...latencyFindings(m), ...agencyFindings(m), ...exchangeFindings(m, faults)];
  const improvements = [...data, ...objectiveFindings(m, data)]
    .map((f, i) => ({ f, i }))
    .sort((a, b) => PRIORITY_ORDER[a.f.priority] - PRIORITY_ORDER[b.f.priority] || a.i - b.i)
    .map(({ f }) => f);
  return { strengths: strengths(m, faults), improvements };
}
