// report.md: the After-Action Report as text — objectives, the MSEL evaluation, the measured
// figures, strengths, areas for improvement and the Improvement Plan.
import { deriveFindings } from "./findings.ts";
import { clockAt, codeMd, dateTime, elapsed, escapeMd as e, int, LIST_LIMIT, minutes, pct, plural, span, wallTime } from "./format.ts";
import { loadFacts } from "./load.ts";
import type { Metrics } from "./metrics.ts";
import {
  agencyShare, ESCALATION_STEPS, listed, injectTally, keyFigures, mostEscalated, mselRows, objectivesMet, placedFaults, PRECEDENCES, regionLabel,
  peakMemory, responsivenessTable, STATUS_LABEL, STEP_LABEL, TARGET_WITHIN, type InjectStatus,
} from "./views.ts";

const SLOWEST = 15;
const MARK: Record<InjectStatus, string> = { met: "✔", "partially-met": "◐", "not-met": "✘", "no-expectation": "–" };

function table(head: string[], rows: string[][], align?: ("l" | "r")[]): string {
  const rule = head.map((_, i) => (align?.[i] === "r" ? "---:" : "---"));
  return [head, rule, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

const facts = (rows: [string, string][]) => table(["", ""], rows.map(([k, v]) => [`**${k}**`, v]));
const section = (title: string, ...body: string[]) => [`## ${title}`, ...body.filter(Boolean)].join("\n\n");

function header(m: Metrics): string {
  const s = m.scenario;
  const o = objectivesMet(m);
  const t = injectTally(m);
  const verdict = m.pass ? "**Result: PASS**" : "**Result: FAIL**";
  return [
    `# After-Action Report: ${e(s.title)}`,
    `> ${verdict} — ${o.met} of ${o.total} objectives met · MSEL: ${t.met} met, ${t["partially-met"]} partially met, ${t["not-met"]} not met · ${plural(m.agencies, "agency", "agencies")}`,
  ].join("\n\n");
}

function scenario(m: Metrics): string {
  const s = m.scenario;
  return section("Scenario", facts([
    ["Title", e(s.title)], ["Name", codeMd(s.name)], ["File", codeMd(s.file)],
    ["Simulated start", e(dateTime(s.start))], ["Duration", span(s.durationMinutes)], ["Agencies", int(m.agencies)],
  ]));
}

function run(m: Metrics): string {
  const s = m.scenario;
  const r = m.run;
  return section("Run", facts([
    ["Simulated day", `${e(dateTime(s.start))} → ${e(dateTime(r.simulatedUntil, s.start))}`],
    ["Speed", `×${int(s.speed)} (one simulated hour in ${wallTime(3600 / s.speed)})`],
    ["Wall time", `${wallTime(r.wallSeconds)} (${e(r.startedAt)} → ${e(r.finishedAt)})`],
    ["Peak memory (RSS)", e(peakMemory(m))],
    ["Seed", String(s.seed)],
    ["Traffic", `${int(m.traffic.planned)} planned: ${int(m.traffic.scripted)} scripted, ${int(m.traffic.generated)} generated`],
    ["Traffic digest", codeMd(m.traffic.digest)],
    ["Interrupted", r.interrupted ? `**yes** — simulated until ${e(dateTime(r.simulatedUntil, s.start))}` : "no"],
  ]));
}

function result(m: Metrics): string {
  const failed = m.expectations.filter((x) => !x.pass);
  const lines = [
    `**${m.pass ? "PASS" : "FAIL"}**${failed.length ? ` — objectives not met: ${failed.map((x) => e(x.description || x.kind)).join("; ")}.` : " — every objective met."}`,
    table(["Figure", "Value", "Note"], keyFigures(m).map((k) => [k.label, `**${e(k.value)}**`, e(k.note ?? "")]), ["l", "r", "l"]),
  ];
  return section("Overall result", ...lines);
}

function objectives(m: Metrics): string {
  if (!m.expectations.length) return section("Objectives (evaluation guide)", "The scenario states no expectations.");
  return section("Objectives (evaluation guide)", table(["#", "Objective", "Kind", "Result", "Detail"],
    m.expectations.map((x, i) => [String(i + 1), e(x.description), codeMd(x.kind), x.pass ? "✔ met" : "✘ **not met**", e(x.detail)])));
}

function msel(m: Metrics): string {
  if (!m.injects.length) return section("MSEL evaluation", "The scenario has no scripted injects.");
  const t = injectTally(m);
  const rows = mselRows(m).map((i) => [
    String(i.inject), i.offset === undefined ? e(i.clock) : `${e(i.clock)} (${elapsed(i.offset)})`, e(i.from), codeMd(i.kind), e(i.title), e(i.expected || "—"),
    i.outcome === "accepted" ? `${int(i.acknowledgedInTime)} / ${int(i.recipients)} (${int(i.acknowledged)} in all)` : i.outcome === "rejected" ? "rejected" : "not sent",
    `${MARK[i.status]} ${i.status === "not-met" ? `**${STATUS_LABEL[i.status]}**` : STATUS_LABEL[i.status]}`, e(i.detail),
  ]);
  return section("MSEL evaluation",
    `${t.met} met · ${t["partially-met"]} partially met · ${t["not-met"]} not met · ${t["no-expectation"]} without an expected outcome.`,
    table(["#", "Time", "From", "Kind", "Title", "Expected outcome", "Ack in time / recipients", "Status", "Detail"], rows));
}

function latency(m: Metrics): string {
  const rows = PRECEDENCES.map((p) => {
    const l = m.ackLatency[p];
    const verdict = l.withinDeadline === null ? "—" : l.withinDeadline >= TARGET_WITHIN ? "✔" : `✘ below ${pct(TARGET_WITHIN, 0)}`;
    return [`**${p}**`, minutes(l.deadlineMinutes), int(l.count), minutes(l.p50), minutes(l.p95), minutes(l.p99), minutes(l.max), pct(l.withinDeadline), verdict];
  });
  return section("Acknowledgement latency",
    "Simulated time from delivery to the duty officer's acknowledgement, against each precedence's deadline.",
    table(["Precedence", "Deadline", "Deliveries", "p50", "p95", "p99", "Max", "Within deadline", ""], rows, ["l", "r", "r", "r", "r", "r", "r", "r", "l"]));
}

function bullets<T>(items: T[], line: (x: T) => string): string {
  const shown = items.slice(0, LIST_LIMIT).map((x) => `- ${line(x)}`);
  if (items.length > LIST_LIMIT) shown.push(`- … and ${int(items.length - LIST_LIMIT)} more (see metrics.json)`);
  return shown.join("\n");
}

function reconciliation(m: Metrics): string {
  const d = m.deliveries;
  const r = m.reconciliation;
  const parts = [
    `Method: ${e(r.method)}.`,
    table(["Expected", "Delivered", "Acknowledged", "Lost", "Duplicated"], [[int(d.expected), int(d.delivered), `${int(d.acknowledged)} (${pct(d.delivered ? d.acknowledged / d.delivered : null)})`, int(d.lost), int(d.duplicated)]], ["r", "r", "r", "r", "r"]),
  ];
  if (r.lost.length) parts.push(`**Lost deliveries (${listed(d.lost, r.lost.length)}):**\n\n${bullets(r.lost, (l) => `${codeMd(l.messageId)} → ${e(l.agency)}`)}`);
  if (r.duplicated.length) parts.push(`**Duplicated deliveries (${r.duplicated.length}):**\n\n${bullets(r.duplicated, (x) => `${codeMd(x.messageId)} → ${e(x.agency)} (×${x.times})`)}`);
  parts.push(r.redConfinementViolations.length
    ? `**TLP:RED confinement: VIOLATED** — RED messages reached agencies that were not named:\n\n${bullets(r.redConfinementViolations, (v) => `${codeMd(v.messageId)} → ${e(v.agency)}`)}`
    : "**TLP:RED confinement:** held — no RED message reached an agency that was not named.");
  return section("Reconciliation", ...parts);
}

function escalations(m: Metrics): string {
  const x = m.escalations;
  const top = mostEscalated(m);
  return section("Escalations",
    e(loadFacts(m).escalations),
    table(["Step", "Escalation messages"], [...ESCALATION_STEPS.map((s) => [STEP_LABEL[s], int(x[s])]), ["**Total**", `**${int(x.total)}**`]], ["l", "r"]),
    top.length ? `Most escalated agencies: ${top.map((a) => `${e(a.id)} (${a.escalated})`).join(", ")}.` : "",
    m.reconciliation.duplicatedEscalations.length
      ? `**Escalations taken twice (${m.reconciliation.duplicatedEscalations.length}):**\n\n${bullets(m.reconciliation.duplicatedEscalations, (x) => `${codeMd(x.messageId)} ${e(x.seenBy === "audit" ? `${x.step} for ${x.recipient}` : `delivered to ${x.agency}`)} (×${x.times}, seen in the ${x.seenBy === "audit" ? "audit chain" : "agency's deliveries"})`)}`
      : "No escalation step was taken twice.");
}

/** A flood and the rejections: how the exchange held under load. */
function load(m: Metrics): string {
  const l = loadFacts(m);
  if (!l.flood && !l.rejections.length) return "";
  return section("Load",
    l.flood ? facts(l.flood.map(([k, v]) => [e(k), e(v)])) : "",
    l.rejections.length ? `Rejections by reason: ${l.rejections.map(([code, n]) => `${codeMd(code)} ${int(n)}`).join(", ")}.` : "");
}

function faults(m: Metrics): string {
  const f = placedFaults(m);
  if (!f.length) return section("Faults injected", "None.");
  return section("Faults injected", table(["#", "Time", "Fault", "Detail"], f.map((x) => [String(x.n), e(x.clock), codeMd(x.kind), e(x.detail)])));
}

function agencies(m: Metrics): string {
  const rows = responsivenessTable(m, SLOWEST);
  const active = m.agencyStats.filter((a) => a.received > 0);
  const perfect = active.filter((a) => a.withinDeadline >= a.received).length;
  const missers = m.agencyStats.filter((a) => a.missedFlash > 0).length;
  const intro = `${plural(m.agencyStats.length, "agency", "agencies")}: ${perfect} acknowledged every delivery within its deadline; ${plural(missers, "agency", "agencies")} missed FLASH deadlines. Below: the ${Math.min(SLOWEST, active.length)} least responsive (lowest share acknowledged in time)${missers ? " and every agency that missed a FLASH deadline" : ""}.`;
  return section("Agency responsiveness", intro, table(
    ["Rank", "Agency", "Region", "Duty", "Received", "Acknowledged", "In time", "p50", "Escalated", "Missed FLASH", "Offline"],
    rows.map(({ agency: a, rank }) => [
      String(rank), `**${e(a.id)}** ${e(a.name)}`, e(regionLabel(a.region)), e(a.profile), int(a.received), int(a.acknowledged), pct(agencyShare(a)),
      minutes(a.p50Minutes), int(a.escalated), a.missedFlash ? `**${a.missedFlash}**` : "0", a.offlineMinutes ? span(a.offlineMinutes) : "—",
    ]),
    ["r", "l", "l", "l", "r", "r", "r", "r", "r", "r", "r"],
  ));
}

function analysis(m: Metrics): string {
  const f = deriveFindings(m);
  const strengths = f.strengths.length ? f.strengths.map((s) => `- **${e(s.capability)}:** ${e(s.text)}`).join("\n") : "None recorded.";
  const areas = f.improvements.length ? f.improvements.map((x) => `- **${e(x.capability)}** (${x.priority}): ${e(x.issue)}`).join("\n") : "None: every measure met its target.";
  const plan = f.improvements.length
    ? table(["#", "Capability", "Area for improvement", "Corrective action", "Responsible", "Priority"],
      f.improvements.map((x, i) => [String(i + 1), e(x.capability), e(x.issue), e(x.action), e(x.responsible), x.priority === "high" ? "**high**" : x.priority]))
    : "No corrective action needed.";
  return [section("Strengths", strengths), section("Areas for improvement", areas), section("Improvement Plan", plan)].join("\n\n");
}

function audit(m: Metrics): string {
  const a = m.audit;
  return section("Audit chain", a.verified
    ? `✔ **Verified** — ${plural(a.records, "record")}${a.head ? `, head ${codeMd(a.head)}` : ""}.`
    : `✘ **NOT verified** — ${plural(a.records, "record")}${a.problem ? `: ${e(a.problem)}` : ""}${a.head ? ` (head ${codeMd(a.head)})` : ""}.`);
}

export function renderMarkdown(m: Metrics): string {
  const footer = `_Generated from metrics.json of scenario ${codeMd(m.scenario.name)}; times are simulated and shown on the scenario clock (start ${e(clockAt(m.scenario.start, 0))}, ${e(dateTime(m.scenario.start))})._`;
  return [header(m), scenario(m), run(m), result(m), objectives(m), msel(m), latency(m), reconciliation(m), escalations(m), load(m), faults(m), agencies(m), analysis(m), audit(m), footer].join("\n\n") + "\n";
}
