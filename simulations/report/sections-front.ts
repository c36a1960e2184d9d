// The front of the after-action report: the cover (verdict, disclaimer), the executive summary,
// the scenario narrative and the objectives with the capabilities they test.
import type { Ctx } from "./context.ts";
import { type Block, code, p, type Section, strong, type Text } from "./document.ts";
import type { Findings } from "./findings.ts";
import { keyFigures } from "./figures.ts";
import { shortDigest } from "./format.ts";
import { injectTally, mselRows, objectiveTally, placedFaults, standing, targets, type Expectation, type Standing } from "./views.ts";

export interface Cover {
  eyebrow: string;
  title: string;
  subtitle: Text;
  pass: boolean;
  verdict: string;
  why: string[];
  facts: [string, Text][];
  notices: Block[];
}

export const STANDING_MARK: Record<Standing | "no-expectation", string> = { met: "✓", "partially-met": "◐", "not-met": "✗", "no-expectation": "–" };
export const standingBadge = (c: Ctx, s: Standing | "no-expectation") => ({ kind: "badge" as const, cls: `b-${s}`, mark: STANDING_MARK[s], text: c.t.t(`status.${s}` as "status.met") });

/** The disclaimer every place that shows figures about agencies carries. */
export const disclaimer = (c: Ctx): Block => ({ kind: "callout", tone: "disclaimer", text: c.t.t("disclaimer") });

export function cover(c: Ctx): Cover {
  const { m, t } = c;
  const s = m.scenario;
  const o = objectiveTally(m);
  const i = injectTally(m);
  const notices: Block[] = [disclaimer(c)];
  if (c.anonymised) notices.push({ kind: "callout", tone: "anonymised", text: t.t("anonymised") });
  if (m.run.interrupted) notices.push({ kind: "callout", tone: "warning", text: t.t("cover.interrupted", { until: t.dateTime(m.run.simulatedUntil, s.start) }) });
  return {
    eyebrow: t.t("cover.eyebrow"),
    title: c.title(),
    subtitle: [t.t("cover.scenario"), " ", code(s.name), ` · ${t.span(s.durationMinutes)} · ${t.t("cover.agencies", { n: m.agencies })}`],
    pass: m.pass,
    verdict: m.pass ? t.t("verdict.pass") : t.t("verdict.fail"),
    why: [
      t.t("cover.objectives", { met: o.met, partial: o["partially-met"], notMet: o["not-met"] }),
      t.t("cover.msel", { met: i.met, partial: i["partially-met"], notMet: i["not-met"] }),
    ],
    facts: [
      [t.t("fact.day"), `${t.dateTime(s.start)} → ${t.dateTime(m.run.simulatedUntil, s.start)}`],
      [t.t("fact.speed"), `×${t.int(s.speed)}`],
      [t.t("fact.wall"), t.wall(m.run.wallSeconds)],
      [t.t("fact.seed"), String(s.seed)],
      [t.t("fact.traffic"), t.t("fact.trafficValue", { n: m.traffic.planned, scripted: m.traffic.scripted })],
      [t.t("fact.digest"), code(shortDigest(m.traffic.digest, 19))],
      [t.t("fact.memory"), peakMemory(c)],
      [t.t("fact.file"), code(s.file)],
    ],
    notices,
  };
}

/** Peak resident memory per process group: "coordinator 142.5 MB · agencies (runner) 210 MB · broker 98 MB". */
function peakMemory(c: Ctx): string {
  const { m, t } = c;
  const mb = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, useGrouping: false });
  return (["coordinator", "agencies", "broker"] as const).flatMap((k) => {
    const p = m.processes[k];
    if (!p) return [];
    const value = p.peakRssMb === null ? t.t("memory.notMeasured") : t.t("memory.value", { mb: mb.format(p.peakRssMb).replace(".", t.lang === "ru" ? "," : ".") });
    return [`${t.t(`memory.${k}`)} ${value}${p.processes > 1 ? ` (${t.t("memory.processes", { n: p.processes })})` : ""}`];
  }).join(" · ");
}

/** Three findings for a reader with a minute: delivery, acknowledgement against the target, the MSEL. */
function keyFindings(c: Ctx, f: Findings): string[] {
  const { m, t } = c;
  const faults = placedFaults(m).filter((x) => !x.kind.endsWith("-online") && !x.kind.endsWith("-restart"));
  const delivery = m.deliveries.lost === 0 && m.deliveries.duplicated === 0
    ? t.t("key.delivery.ok", { n: m.deliveries.delivered, faults: faults.length, records: m.audit.records })
    : t.t("key.delivery.bad", { lost: m.deliveries.lost, duplicated: m.deliveries.duplicated, n: m.deliveries.delivered });
  const audit = m.audit.verified ? "" : ` ${t.t("key.audit.bad")}`;
  const flash = m.ackLatency.FLASH;
  const target = targets(m).FLASH;
  const missers = m.agencyStats.filter((a) => a.missedFlash > 0);
  const business = missers.filter((a) => a.profile === "business-hours").length;
  const ack = flash.count
    ? `${target === undefined ? t.t("key.flash.noTarget", { share: t.pct(flash.withinDeadline), deadline: t.span(flash.deadlineMinutes) }) : t.t("key.flash", { share: t.pct(flash.withinDeadline), deadline: t.span(flash.deadlineMinutes), target: t.pct(target, 0) })} ${missers.length ? t.t("key.flash.missers", { n: missers.length, business }) : ""}`.trim()
    : t.t("key.ack", { share: t.pct(m.figures.deliveries ? m.figures.acknowledged / m.figures.deliveries : null) });
  const judged = m.injects.filter((i) => i.status !== "no-expectation");
  const msel = judged.length
    ? t.t("key.msel", { met: judged.filter((i) => i.status === "met").length, n: judged.length, escalations: m.escalations.total, originator: m.escalations.originator })
    : t.t("key.escalations", { n: m.escalations.total, originator: m.escalations.originator });
  const top = f.areas[0];
  return [delivery + audit, ack, top && top.priority === "high" && !m.pass ? `${msel} ${t.t("key.top", { issue: top.issue })}` : msel];
}

export function executiveSummary(c: Ctx, f: Findings): Section {
  const { m, t } = c;
  const injects = m.injects.length;
  const threads = m.scenario.threads?.length ?? 0;
  const faults = placedFaults(m).filter((x) => !x.kind.endsWith("-online") && !x.kind.endsWith("-restart")).length;
  const exercised = t.t("summary.exercised", {
    agencies: m.agencies, duration: t.span(m.scenario.durationMinutes), injects, threads, generated: m.traffic.generated, faults,
  });
  const o = objectiveTally(m);
  const failed = m.expectations.map((e, i) => ({ e, i })).filter(({ e }) => !e.pass).map(({ e, i }) => c.objective(e, i));
  const verdict = m.pass ? t.t("summary.verdict.pass", { met: o.met, n: m.expectations.length }) : t.t("summary.verdict.fail", { met: o.met, n: m.expectations.length, failed: failed.join("; ") || t.t("cover.interruptedShort") });
  return {
    id: "summary", title: t.t("section.summary"),
    blocks: [
      p([strong(t.t("summary.exercisedLabel")), " ", exercised]),
      { kind: "h3", text: t.t("summary.keyFindings") },
      { kind: "list", items: keyFindings(c, f) },
      p([strong(t.t("summary.verdictLabel")), " ", verdict]),
      { kind: "figures", items: keyFigures(c) },
    ],
  };
}

export function narrative(c: Ctx): Section {
  const { m, t } = c;
  const blocks: Block[] = [];
  const description = c.description();
  blocks.push(p(description ?? t.t("narrative.none")));
  const rows = mselRows(m);
  for (const th of m.scenario.threads ?? []) {
    const shown = c.thread(th.id)!;
    const mine = rows.filter((i) => i.thread === th.id);
    const first = mine[0], last = mine[mine.length - 1];
    const when = first && last ? (first === last ? c.clock(first.at) : `${c.clock(first.at)}–${c.clock(last.at)}`) : "";
    const span = mine.length ? ` (${when}; ${t.t("narrative.injects", { list: mine.map((i) => `#${i.inject}`).join(", ") })})` : "";
    blocks.push({ kind: "h3", text: `${th.id}. ${shown.title}${span}` });
    if (shown.summary) blocks.push(p(shown.summary));
  }
  return { id: "scenario", title: t.t("section.scenario"), blocks };
}

const CAPABILITY_OF: Record<string, string> = {
  "acknowledged-within-deadline": "alerting", "nothing-lost": "delivery", "no-duplicates": "delivery", "red-confined": "protection",
  "audit-verified": "audit", "injects-met": "msel", "rejections-recorded": "validation", "escalations-at-most": "escalation", "coordinator-memory-below": "capacity",
  "flood-answered": "capacity", "others-accepted-within": "capacity", "escalations-coalesced": "escalation",
};

export function measured(c: Ctx, e: Expectation): string {
  const { m, t } = c;
  switch (e.kind) {
    case "acknowledged-within-deadline": {
      const l = e.precedence ? m.ackLatency[e.precedence] : undefined;
      return l && l.withinDeadline !== null ? t.t("measured.acknowledged", { share: t.pct(l.withinDeadline), n: l.count, deadline: t.span(l.deadlineMinutes) }) : t.t("measured.none");
    }
    case "nothing-lost":
      return t.t("measured.lost", { delivered: t.int(m.deliveries.delivered), expected: t.int(m.deliveries.expected), n: m.deliveries.lost });
    case "no-duplicates":
      return t.t("measured.duplicates", { n: m.deliveries.duplicated, escalations: m.escalations.duplicated });
    case "red-confined":
      return t.t("measured.red", { n: m.reconciliation.redConfinementViolations.length });
    case "audit-verified":
      return m.audit.verified ? t.t("measured.audit", { n: m.audit.records }) : t.t("measured.auditBroken", { problem: m.audit.problem ?? "—" });
    case "injects-met": {
      const judged = m.injects.filter((i) => i.status !== "no-expectation");
      return t.t("measured.injects", { met: judged.filter((i) => i.status === "met").length, n: judged.length });
    }
    case "rejections-recorded":
      return t.t("measured.rejections", { n: e.measured ?? 0 });
    case "escalations-at-most":
      return t.t("measured.escalations", { n: m.escalations.total, twice: m.escalations.duplicated });
    case "coordinator-memory-below":
      return e.measured === null || e.measured === undefined ? t.t("measured.notMeasured") : t.t("measured.memory", { mb: t.int(e.measured) });
    case "flood-answered": {
      const f = m.flood?.submissions;
      if (!f) return t.t("measured.noFlood");
      return t.t("measured.flood", {
        sent: t.int(f.valid + f.malformed), accepted: t.int(f.accepted), rateLimited: t.int(f.rateLimited), rejected: t.int(f.rejectedOtherwise), refused: t.int(f.refusedByBroker), unanswered: t.int(f.unanswered),
      });
    }
    case "others-accepted-within": {
      const a = m.flood?.othersAcceptance;
      if (!a) return t.t("measured.noFlood");
      return t.t("measured.othersAccepted", { answered: t.int(a.flood.answered), count: t.int(a.flood.count), p50: t.ms(a.flood.p50Ms), p99: t.ms(a.flood.p99Ms), quiet: t.ms(a.quiet.p99Ms) });
    }
    case "escalations-coalesced":
      return t.t("measured.coalesced", { messages: t.int(m.escalations.total), covered: t.int(m.escalations.deliveries ?? m.escalations.total), late: t.int(m.escalations.lateDeliveries ?? 0) });
    default:
      return e.detail;
  }
}

export function objectives(c: Ctx): Section {
  const { m, t } = c;
  if (!m.expectations.length) return { id: "objectives", title: t.t("section.objectives"), blocks: [p(t.t("objectives.none"))] };
  const o = objectiveTally(m);
  const rows = m.expectations.map((e, i) => {
    const s = standing(e);
    const cap = CAPABILITY_OF[e.kind];
    return {
      tone: `row-${s}`,
      cells: [
        { text: String(i + 1), num: true },
        [strong(c.objective(e, i))],
        cap ? t.t(`capability.${cap}` as "capability.alerting") : "—",
        { text: standingBadge(c, s), nowrap: true },
        measured(c, e),
      ],
    };
  });
  return {
    id: "objectives", title: t.t("section.objectives"),
    lead: t.t("objectives.lead", { met: o.met, partial: o["partially-met"], notMet: o["not-met"] }),
    blocks: [{ kind: "table", head: [{ text: "#", num: true }, { text: t.t("col.objective") }, { text: t.t("col.capability") }, { text: t.t("col.result") }, { text: t.t("col.measured") }], rows }],
  };
}
