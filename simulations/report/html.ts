// report.html: the After-Action Report as one self-contained page for a projector — inline CSS and
// SVG, no scripts, fonts or files from anywhere else. Every string from metrics is escaped.
import { deriveFindings, type Finding } from "./findings.ts";
import { dateTime, elapsed, escapeHtml as h, int, LIST_LIMIT, minutes, pct, plural, shortDigest, span, wallTime } from "./format.ts";
import { escalationChart, latencyChart, timelineChart } from "./html-charts.ts";
import { CSS, OKABE_ITO as C } from "./html-style.ts";
import { loadFacts } from "./load.ts";
import type { Metrics } from "./metrics.ts";
import {
  agencyShare, byRegion, listed, injectTally, keyFigures, mostEscalated, mselRows, objectivesMet, peakMemory, placedFaults, regionLabel, responsivenessTable,
  STATUS_LABEL, type AgencyStat, type InjectStatus,
} from "./views.ts";

const SLOWEST = 15;

/** Escaped text with TLP 2.0 markings shown as FIRST-coloured labels. */
const rich = (s: string) =>
  h(s).replace(/TLP:(AMBER\+STRICT|AMBER|GREEN|CLEAR|RED)/g, (all, level: string) => `<span class="tlp tlp-${level.toLowerCase().replace("+", "-")}">${all}</span>`);

const ICON: Record<InjectStatus, string> = { met: "✓", "partially-met": "◐", "not-met": "✗", "no-expectation": "–" };
const statusBadge = (s: InjectStatus) => `<span class="badge b-${s}">${ICON[s]} ${h(STATUS_LABEL[s])}</span>`;
const passBadge = (pass: boolean) => (pass ? `<span class="badge b-pass">✓ met</span>` : `<span class="badge b-fail">✗ not met</span>`);
const priorityBadge = (p: Finding["priority"]) => `<span class="badge b-${p}">${p === "high" ? "▲ " : ""}${p}</span>`;

/** Sections that fit on a printed page are kept together there. */
const KEEP = new Set(["timeline", "latency", "escalations", "reconciliation", "objectives", "audit"]);
const section = (id: string, title: string, lead: string, body: string) =>
  `<section id="${id}"${KEEP.has(id) ? ` class="keep"` : ""}><h2>${h(title)}</h2>${lead ? `<p class="lead">${lead}</p>` : ""}${body}</section>`;

function tableHtml(head: [string, string?][], rows: string[], cls = ""): string {
  return `<table class="${cls}"><thead><tr>${head.map(([t, c]) => `<th${c ? ` class="${c}"` : ""}>${h(t)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function header(m: Metrics): string {
  const s = m.scenario;
  const o = objectivesMet(m);
  const t = injectTally(m);
  const figures = keyFigures(m)
    .map((k) => `<div class="figure tone-${k.tone}"><div class="label">${h(k.label)}</div><div class="value${/^[\d,.%]+$/.test(k.value) ? "" : " word"}">${h(k.value)}</div>${k.note ? `<div class="note">${h(k.note)}</div>` : ""}</div>`)
    .join("");
  const facts: [string, string][] = [
    ["Simulated day", `${dateTime(s.start)} → ${dateTime(m.run.simulatedUntil, s.start)}`],
    ["Speed", `×${int(s.speed)}`],
    ["Wall time", wallTime(m.run.wallSeconds)],
    ["Peak memory", peakMemory(m)],
    ["Seed", String(s.seed)],
    ["Traffic", `${int(m.traffic.planned)} planned (${int(m.traffic.scripted)} scripted)`],
  ];
  return `<header class="top"><div class="wrap">
  <div class="head"><div>
    <p class="eyebrow">ATIX exercise · After-Action Report</p>
    <h1>${rich(s.title)}</h1>
    <p class="sub">Scenario <code>${h(s.name)}</code> · <code>${h(s.file)}</code> · ${h(span(s.durationMinutes))} simulated · ${plural(m.agencies, "agency", "agencies")}</p>
  </div>
  <div class="verdict ${m.pass ? "pass" : "fail"}"><span class="word">${m.pass ? "✓ PASS" : "✗ FAIL"}</span><span class="why">${o.met} of ${o.total} objectives met<br>MSEL: ${t.met} met · ${t["partially-met"]} partial · ${t["not-met"]} not met</span></div></div>
  <div class="facts">${facts.map(([k, v]) => `<span>${h(k)} <b>${h(v)}</b></span>`).join("")}<span>Digest <b class="mono" title="${h(m.traffic.digest)}">${h(shortDigest(m.traffic.digest, 19))}</b></span></div>
  ${m.run.interrupted ? `<div class="banner">⚠ The run was interrupted: figures cover the scenario only until ${h(dateTime(m.run.simulatedUntil, s.start))}.</div>` : ""}
  <div class="figures">${figures}</div>
</div></header>`;
}

function timeline(m: Metrics): string {
  const faults = placedFaults(m);
  const list = faults.length
    ? `<ol class="faults">${faults.map((f) => `<li><span class="n">${f.n}</span><b>${h(f.clock)}</b> <code>${h(f.kind)}</code> — ${rich(f.detail)}</li>`).join("")}</ol>`
    : `<p class="muted small">No faults were injected.</p>`;
  return section("timeline", "Timeline of the day", "Per simulated hour; each row has its own scale (its maximum is on the left). Numbered markers are the injected faults.",
    `<figure class="chart">${timelineChart(m)}</figure>${list}`);
}

function latency(m: Metrics): string {
  return section("latency", "Acknowledgement against the deadline",
    "Time from delivery to the duty officer's acknowledgement. Light bar: up to the median (p50); dark box: p50 to p95; whisker: to p99. The black line is the deadline; shaded: past it; ▶ the maximum lies beyond the axis. Target: 95% within the deadline.",
    `<figure class="chart">${latencyChart(m)}</figure>`);
}

const BINS = [
  { min: 0.99, bg: C.blue, fg: "#fff", label: "≥ 99%" },
  { min: 0.95, bg: C.sky, fg: "#000", label: "95–99%" },
  { min: 0.9, bg: C.yellow, fg: "#000", label: "90–95%" },
  { min: 0.8, bg: C.orange, fg: "#000", label: "80–90%" },
  { min: -1, bg: C.vermillion, fg: "#fff", label: "< 80%" },
] as const;
const binOf = (share: number | null) => (share === null ? undefined : BINS.find((b) => share >= b.min));

function tile(a: AgencyStat): string {
  const share = agencyShare(a);
  const bin = binOf(share);
  const style = bin ? `background:${bin.bg};color:${bin.fg}` : "background:#e9ebee;color:#555";
  const tip = `${a.id} — ${a.name} (${a.profile}): ${share === null ? "no deliveries" : `${pct(share)} of ${int(a.received)} in time, median ${minutes(a.p50Minutes)}`}${a.missedFlash ? `; missed ${a.missedFlash} FLASH` : ""}${a.offlineMinutes ? `; offline ${span(a.offlineMinutes)}` : ""}`;
  return `<div class="tile${a.offlineMinutes > 0 ? " offline" : ""}" style="${style}" title="${h(tip)}"><span class="id">${h(a.id)}</span><span class="v">${share === null ? "—" : pct(share, 0)}</span>${a.missedFlash ? `<span class="flag">${a.missedFlash}</span>` : ""}</div>`;
}

function agencies(m: Metrics): string {
  const legend = `<div class="legend"><b>Acknowledged in time:</b>${BINS.map((b) => `<span><span class="sw" style="background:${b.bg}"></span>${h(b.label)}</span>`).join("")}<span><span class="sw" style="background:#e9ebee"></span>no deliveries</span><span><span class="flag-sample">2</span>missed FLASH deadlines</span><span>dashed outline: offline during the run</span></div>`;
  const grid = `<div class="regions${m.agencyStats.length <= 24 ? " few" : ""}">${byRegion(m).map((g) => `<div class="region"><h3>${h(regionLabel(g.region))} · ${g.agencies.length}</h3><div class="tiles">${g.agencies.map(tile).join("")}</div></div>`).join("")}</div>`;
  const rows = responsivenessTable(m, SLOWEST).map(({ agency: a, rank, share }) => {
    const bin = binOf(share);
    return `<tr><td class="num">${rank}</td><td><b>${h(a.id)}</b> <span class="muted small">${h(a.name)}</span></td><td class="nowrap">${h(regionLabel(a.region))}</td><td class="nowrap">${h(a.profile)}</td>
<td class="num">${int(a.received)}</td><td class="num"><span class="sw-inline" style="background:${bin?.bg ?? "#e9ebee"}"></span>${pct(share)}</td>
<td class="num">${minutes(a.p50Minutes)}</td><td class="num">${int(a.escalated)}</td><td class="num">${a.missedFlash ? `<b>${a.missedFlash}</b>` : "0"}</td><td class="num">${a.offlineMinutes ? span(a.offlineMinutes) : "—"}</td></tr>`;
  });
  const missers = m.agencyStats.filter((a) => a.missedFlash > 0).length;
  const table = rows.length
    ? `<h3>Least responsive${missers ? " and every agency that missed a FLASH deadline" : ""}</h3>${tableHtml(
      [["Rank", "num"], ["Agency"], ["Region"], ["Duty"], ["Received", "num"], ["In time", "num"], ["Median", "num"], ["Escalated", "num"], ["Missed FLASH", "num"], ["Offline", "num"]], rows)}`
    : "";
  return section("agencies", "Agency responsiveness", `All ${plural(m.agencyStats.length, "agency", "agencies")} by region, coloured by the share of their deliveries acknowledged within the deadline. The ${Math.min(SLOWEST, m.agencyStats.filter((a) => a.received > 0).length)} least responsive are listed below.`, legend + grid + table);
}

function msel(m: Metrics): string {
  if (!m.injects.length) return section("msel", "MSEL evaluation", "", `<p class="muted">The scenario has no scripted injects.</p>`);
  const t = injectTally(m);
  const rows = mselRows(m).map((i) => {
    const ack = i.outcome === "accepted" ? `<b>${int(i.acknowledgedInTime)}</b> / ${int(i.recipients)}` : `<b>${i.outcome === "rejected" ? "rejected" : "not sent"}</b>`;
    return `<tr class="row-${i.status}"><td class="num"><b>${i.inject}</b></td><td class="nowrap"><b>${h(i.clock)}</b>${i.offset !== undefined ? `<br><span class="muted small">${elapsed(i.offset)}</span>` : ""}</td>
<td class="nowrap"><b>${h(i.from)}</b><br><span class="muted small">${h(i.kind)}</span></td><td>${rich(i.title)}</td>
<td>${i.expected ? rich(i.expected) : `<span class="muted">—</span>`}<br><span class="muted small">Observed: ${rich(i.detail)}</span></td><td class="num">${ack}</td><td>${statusBadge(i.status)}</td></tr>`;
  });
  return section("msel", "MSEL evaluation", `Exercise Evaluation Guide, inject by inject: ${t.met} met · ${t["partially-met"]} partially met · ${t["not-met"]} not met · ${t["no-expectation"]} without an expected outcome.`,
    tableHtml([["#", "num"], ["Time"], ["From"], ["Inject"], ["Expected outcome / observed"], ["Ack in time", "num"], ["Status"]], rows));
}

function escalations(m: Metrics): string {
  const top = mostEscalated(m);
  const perDelivery = m.deliveries.delivered ? ` on ${int(m.deliveries.delivered)} deliveries (${pct(m.escalations.total / m.deliveries.delivered)})` : "";
  const late = m.escalations.lateDeliveries !== undefined ? ` ${h(loadFacts(m).escalations)}` : "";
  return section("escalations", "Escalations by step", `${plural(m.escalations.total, "escalation")}${perDelivery}. A late acknowledgement is chased with a reminder, then the backup contact, and finally goes back to the originator.${late}`,
    `<figure class="chart">${escalationChart(m)}</figure>${top.length ? `<p>Most escalated: ${top.map((a) => `<b>${h(a.id)}</b> ${int(a.escalated)}`).join(" · ")}</p>` : ""}`);
}

/** A flood and the rejections: how the exchange held under load. */
function load(m: Metrics): string {
  const l = loadFacts(m);
  if (!l.flood && !l.rejections.length) return "";
  const rows = (l.flood ?? []).map(([k, v]) => `<tr><td><b>${h(k)}</b></td><td>${h(v)}</td></tr>`);
  const reasons = l.rejections.length ? `<p>Rejections by reason: ${l.rejections.map(([code, n]) => `<code>${h(code)}</code> ${int(n)}`).join(" · ")}</p>` : "";
  return section("load", "Load", l.flood ? "A member flooded the exchange: what became of it, and how long the others waited for their acceptances (wall time, submit → acceptance)." : "", `${rows.length ? tableHtml([["Measure"], ["Figure"]], rows) : ""}${reasons}`);
}

function idList<T>(items: T[], line: (x: T) => string): string {
  const more = items.length > LIST_LIMIT ? `<li>… and ${int(items.length - LIST_LIMIT)} more (see metrics.json)</li>` : "";
  return `<ul class="ids">${items.slice(0, LIST_LIMIT).map((x) => `<li>${line(x)}</li>`).join("")}${more}</ul>`;
}

function reconciliation(m: Metrics): string {
  const d = m.deliveries;
  const r = m.reconciliation;
  const fig = (label: string, v: number, tone: string, note = "") => `<div class="figure tone-${tone}"><div class="label">${h(label)}</div><div class="value">${int(v)}</div>${note ? `<div class="note">${h(note)}</div>` : ""}</div>`;
  const parts = [
    `<div class="recon">${fig("Expected", d.expected, "none")}${fig("Delivered", d.delivered, d.delivered < d.expected ? "warn" : "good")}${fig("Acknowledged", d.acknowledged, "none", pct(d.delivered ? d.acknowledged / d.delivered : null))}${fig("Lost", d.lost, d.lost ? "bad" : "good")}${fig("Duplicated", d.duplicated, d.duplicated ? "warn" : "good")}</div>`,
  ];
  if (r.lost.length) parts.push(`<h3>Lost deliveries (${listed(d.lost, r.lost.length)})</h3>${idList(r.lost, (l) => `<code>${h(l.messageId)}</code> → <b>${h(l.agency)}</b>`)}`);
  if (r.duplicated.length) parts.push(`<h3>Duplicated deliveries (${int(r.duplicated.length)})</h3>${idList(r.duplicated, (x) => `<code>${h(x.messageId)}</code> → <b>${h(x.agency)}</b> ×${x.times}`)}`);
  parts.push(r.redConfinementViolations.length
    ? `<h3><span class="tlp tlp-red">TLP:RED</span> confinement: <span class="badge b-fail">✗ violated</span></h3>${idList(r.redConfinementViolations, (v) => `<code>${h(v.messageId)}</code> → <b>${h(v.agency)}</b> (not named)`)}`
    : `<h3><span class="tlp tlp-red">TLP:RED</span> confinement: <span class="badge b-pass">✓ held</span></h3><p class="muted small">No RED message reached an agency that was not named.</p>`);
  return section("reconciliation", "Reconciliation", `Method: ${h(r.method)}.`, parts.join(""));
}

function objectives(m: Metrics): string {
  if (!m.expectations.length) return section("objectives", "Objectives", "", `<p class="muted">The scenario states no expectations.</p>`);
  const o = objectivesMet(m);
  const rows = m.expectations.map((e) => `<tr class="row-${e.pass ? "met" : "not-met"}"><td>${passBadge(e.pass)}</td><td><b>${rich(e.description)}</b><br><span class="muted small"><code>${h(e.kind)}</code></span></td><td>${rich(e.detail)}</td></tr>`);
  return section("objectives", "Objectives", `${o.met} of ${o.total} met; the run passes only when all are met.`, tableHtml([["Result"], ["Objective"], ["Measured"]], rows));
}

function analysis(m: Metrics): string {
  const f = deriveFindings(m);
  const strengths = f.strengths.map((s) => `<li><b>${h(s.capability)}:</b> ${rich(s.text)}</li>`).join("");
  const areas = f.improvements.map((x) => `<li><b>${h(x.capability)}:</b> ${rich(x.issue)}</li>`).join("");
  const cols = `<div class="cols"><div class="card good"><h3>✓ Strengths</h3>${strengths ? `<ul>${strengths}</ul>` : `<p class="muted">None recorded.</p>`}</div>
<div class="card bad"><h3>▲ Areas for improvement</h3>${areas ? `<ul>${areas}</ul>` : `<p class="muted">None: every measure met its target.</p>`}</div></div>`;
  const plan = f.improvements.length
    ? tableHtml([["#", "num"], ["Priority"], ["Capability"], ["Corrective action"], ["Responsible"]],
      f.improvements.map((x, i) => `<tr><td class="num">${i + 1}</td><td>${priorityBadge(x.priority)}</td><td><b>${h(x.capability)}</b></td><td><b>${rich(x.action)}</b><br><span class="muted small">${rich(x.issue)}</span></td><td>${h(x.responsible)}</td></tr>`))
    : `<p class="muted">No corrective action needed.</p>`;
  return section("summary", "Strengths and areas for improvement", "", cols) + section("plan", "Improvement Plan", "Corrective actions derived from the measurements, most urgent first.", plan);
}

function audit(m: Metrics): string {
  const a = m.audit;
  const body = `<p>${a.verified ? `<span class="badge b-pass">✓ verified</span>` : `<span class="badge b-fail">✗ not verified</span>`} ${plural(a.records, "record")}${a.problem ? ` — ${h(a.problem)}` : ""}</p>${a.head ? `<p class="small">Head: <code>${h(a.head)}</code></p>` : ""}`;
  return section("audit", "Audit chain", "Every transfer is recorded in a hash chain that anyone can verify.", body);
}

export function renderHtml(m: Metrics): string {
  const title = `After-Action Report — ${m.scenario.title}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title><style>${CSS}</style></head>
<body>
${header(m)}
<main class="wrap">
${timeline(m)}
${latency(m)}
${agencies(m)}
${msel(m)}
${escalations(m)}
${load(m)}
${reconciliation(m)}
${objectives(m)}
${analysis(m)}
${audit(m)}
<footer>Generated from metrics.json · scenario <code>${h(m.scenario.name)}</code> (seed ${m.scenario.seed}) · run ${h(m.run.startedAt)} – ${h(m.run.finishedAt)} · times are simulated, on the scenario clock (${h(dateTime(m.scenario.start))}).</footer>
</main>
</body></html>
`;
}
