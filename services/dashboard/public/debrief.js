// The debrief: when the run ends the page turns to its result: PASS or FAIL, each objective met or
// not, each inject met, partially or not met, the figures (the report's, under the same names as
// the counters) and the after-action report, served by the dashboard. The live view stays one
// click away ("Back to the live view"; "Result" brings this back).
import { esc, hm } from "./format.js";
import { agencyLabel, dayLine, figureLabel, fmtInt, kindWord, pct, t, tk } from "./strings.js";

const $ = (id) => document.getElementById(id);
/** An objective's or inject's standing, in the report's words. */
const standing = (status) => tk(`status.${status}`);

export function renderDebrief(S, { injectTitle, threadChip }) {
  const d = S.debrief;
  if (!d) return;
  const ex = S.exercise;
  $("debrief-title").textContent = ex?.title ?? S.exchange.title ?? "";
  const end = ex ? Date.parse(ex.end) : Date.parse(d.simulatedUntil);
  const endText = new Date(end).getUTCHours() === 0 && new Date(end).getUTCMinutes() === 0 ? `24:00 · ${dayLine(end - 1)}` : `${hm(end)} · ${dayLine(end)}`;
  $("debrief-day").textContent = t("dayEnded", { end: endText, until: hm(d.simulatedUntil) });
  const verdict = $("debrief-verdict");
  verdict.className = `verdict ${d.pass ? "pass" : "fail"}`;
  const met = d.objectives.filter((o) => o.pass).length;
  verdict.innerHTML = `${esc(tk(d.pass ? "verdict.pass" : "verdict.fail"))}<small>${esc(d.interrupted ? t("interrupted") : t("objectivesMet", { met, n: d.objectives.length }))}</small>`;
  $("debrief-objectives").innerHTML = d.objectives
    .map((o) => `<li><span class="badge ${o.pass ? "b-pass" : "b-fail"}">${o.pass ? "✓" : "✗"} ${esc(standing(o.pass ? "met" : "not-met"))}</span><span><span class="d" title="${esc(o.description)}">${esc(o.description)}</span><span class="muted">${esc(o.detail)}</span></span></li>`)
    .join("");
  const tally = { met: 0, "partially-met": 0, "not-met": 0, "no-expectation": 0 };
  for (const i of d.injects) tally[i.status]++;
  $("debrief-injects-head").textContent = t("injectsTally", { met: tally.met, partial: tally["partially-met"], notMet: tally["not-met"] });
  $("debrief-injects").innerHTML = d.injects
    .map((i) => {
      const entry = ex?.injects.find((x) => x.inject === i.inject);
      const title = entry ? injectTitle(S, entry) : i.title;
      return `<li title="${esc(i.detail)}"><b>${i.inject}</b>${threadChip(i.thread) || "<span></span>"}<span>${hm(i.at)}</span><span>${esc(kindWord(i.kind))} · ${esc(agencyLabel(i.from))} · ${esc(title)}<br><span class="muted">${esc(i.detail)}</span></span><span class="badge b-${i.status}">${esc(standing(i.status))}</span></li>`;
    })
    .join("");
  const f = d.figures;
  const p = ex?.objective?.precedence ?? "FLASH";
  const flash = f.byPrecedence[p];
  $("debrief-figures").innerHTML = [
    [figureLabel("messagesAccepted"), fmtInt(f.messagesAccepted)],
    [figureLabel("deliveries"), fmtInt(f.deliveries)],
    [figureLabel("acknowledged"), fmtInt(f.acknowledged)],
    [figureLabel("withinDeadline"), fmtInt(f.withinDeadline)],
    [`${p}: ${figureLabel("inTime")}`, pct(flash.inTime)],
    [figureLabel("escalations"), fmtInt(f.escalations)],
  ].map(([k, v]) => `<div>${esc(k)}<b>${esc(v)}</b></div>`).join("") +
    `<div class="wide">${esc(t("reconciled", { d: fmtInt(d.reconciliation.delivered), e: fmtInt(d.reconciliation.expected), lost: fmtInt(d.reconciliation.lost), dup: fmtInt(d.reconciliation.duplicated) }))}<br>${esc(d.audit.verified ? t("auditOk", { n: fmtInt(d.audit.records) }) : t("auditBroken"))}</div>`;
  const link = $("debrief-report");
  if (d.reportUrl) {
    link.href = new URL(d.reportUrl).pathname;
    link.removeAttribute("aria-disabled");
  } else link.setAttribute("aria-disabled", "true");
  $("debrief-path").textContent = t("reportAt", { path: d.reportPath });
}
