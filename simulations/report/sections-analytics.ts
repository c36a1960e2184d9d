// The analytics after the evaluation: the day's timeline with every inject and fault, the
// officers' acknowledgement time against the deadlines apart from the system's own delivery time,
// the agencies, hits reported, deliveries never acknowledged by cause, escalations, the load
// (a flood, rejections by reason), the reconciliation and the audit chain.
import { regionName } from "../../shared/i18n/names.ts";
import type { Ctx } from "./context.ts";
import { code, muted, p, type Block, type Section, strong } from "./document.ts";
import { LIST_LIMIT } from "./format.ts";
import { escalationChart, faultText, latencyChart, timelineChart } from "./html-charts.ts";
import { agencyMap } from "./html-agencies.ts";
import { disclaimer, standingBadge } from "./sections-front.ts";
import { agencyShare, ESCALATION_STEPS, mostEscalated, mselRows, placedFaults, PRECEDENCES, responsivenessTable, targets } from "./views.ts";

const SLOWEST = 15;

export function timeline(c: Ctx): Section {
  const { m, t } = c;
  const faults = placedFaults(m);
  const faultRows = faults.map((f) => ({ cells: [{ text: `F${f.n}`, num: true }, { text: c.clock(f.at), nowrap: true }, code(f.kind), faultText(c, f)] }));
  const faultTable: Block = faults.length
    ? { kind: "table", head: [{ text: "#", num: true }, { text: t.t("col.time") }, { text: t.t("col.fault") }, { text: t.t("col.detail") }], rows: faultRows }
    : p(t.t("timeline.noFaults"), "note");
  const hourly: Block = {
    kind: "table",
    head: [{ text: t.t("col.hour") }, { text: t.t("chart.submitted"), num: true }, { text: t.t("chart.delivered"), num: true }, { text: t.t("chart.acknowledged"), num: true }, { text: t.t("chart.escalations"), num: true }, { text: t.t("chart.rejected"), num: true }],
    rows: m.timeline.map((x) => ({ cells: [c.clockAtOffset(x.hour * 60), { text: t.int(x.submitted), num: true }, { text: t.int(x.delivered), num: true }, { text: t.int(x.acknowledged), num: true }, { text: t.int(x.escalations), num: true }, { text: t.int(x.rejected), num: true }] })),
  };
  const injects = mselRows(m).map((i) => `#${i.inject} ${c.clock(i.at)}`).join(" · ");
  return {
    id: "timeline", title: t.t("section.timeline"), lead: t.t("timeline.lead"),
    blocks: [
      { kind: "visual", html: `<figure class="chart">${timelineChart(c)}</figure>`, md: [hourly, ...(injects ? [p([strong(t.t("timeline.injects")), " ", injects])] : [])] },
      faultTable,
    ],
  };
}

export function latency(c: Ctx): Section {
  const { m, t } = c;
  const goal = targets(m);
  const rows = PRECEDENCES.map((pr) => {
    const l = m.ackLatency[pr];
    const target = goal[pr];
    const verdict = l.withinDeadline === null || target === undefined ? "—" : standingBadge(c, l.withinDeadline >= target ? "met" : "not-met");
    return { cells: [[strong(pr)], { text: t.minutes(l.deadlineMinutes), num: true }, { text: t.int(l.count), num: true }, { text: t.minutes(l.p50), num: true }, { text: t.minutes(l.p95), num: true }, { text: t.minutes(l.p99), num: true }, { text: t.minutes(l.max), num: true }, { text: t.pct(l.withinDeadline), num: true }, { text: target === undefined ? t.t("latency.noTarget") : t.pct(target, 0), num: true }, verdict] };
  });
  const d = m.deliveryLatency;
  const system: Block[] = d && d.count
    ? [{ kind: "h3", text: t.t("latency.systemTitle") }, p(t.t("latency.system", { n: d.count, p50: t.ms(d.p50Ms), p95: t.ms(d.p95Ms), p99: t.ms(d.p99Ms), max: t.ms(d.maxMs), speed: t.int(m.scenario.speed) }))]
    : [];
  return {
    id: "latency", title: t.t("section.latency"), lead: t.t("latency.lead"),
    blocks: [
      { kind: "visual", html: `<figure class="chart">${latencyChart(c)}</figure>`, md: [] },
      { kind: "table", head: [{ text: t.t("col.precedence") }, { text: t.t("col.deadline"), num: true }, { text: t.t("col.deliveries"), num: true }, { text: "p50", num: true }, { text: "p95", num: true }, { text: "p99", num: true }, { text: t.t("col.max"), num: true }, { text: t.t("col.withinDeadline"), num: true }, { text: t.t("col.target"), num: true }, { text: t.t("col.met") }], rows },
      ...system,
    ],
  };
}

export function agencies(c: Ctx): Section {
  const { m, t } = c;
  const { ranked, alsoMissedFlash } = responsivenessTable(m, SLOWEST);
  const name = (id: string) => c.agencyName(id);
  const rows = ranked.map(({ agency: a, rank }) => ({
    cells: [
      { text: String(rank), num: true },
      [strong(a.id), ...(name(a.id) ? [" ", muted(name(a.id)!)] : [])],
      regionName(a.region, c.lang),
      t.t(`profile.${a.profile}` as "profile.24/7"),
      { text: t.int(a.received), num: true },
      { text: t.pct(agencyShare(a)), num: true },
      { text: t.minutes(a.p50Minutes), num: true },
      { text: t.int(a.escalated), num: true },
      { text: a.missedFlash ? strong(t.int(a.missedFlash)) : "0", num: true },
      { text: a.offlineMinutes ? t.span(a.offlineMinutes) : "—", num: true },
    ],
  }));
  const blocks: Block[] = [disclaimer(c), { kind: "visual", html: agencyMap(c), md: [] }];
  if (rows.length) {
    blocks.push({ kind: "h3", text: t.t("agencies.tableTitle", { n: ranked.length }) });
    blocks.push({
      kind: "table",
      head: [{ text: t.t("col.rank"), num: true }, { text: t.t("col.agency") }, { text: t.t("col.region") }, { text: t.t("col.duty") }, { text: t.t("col.received"), num: true }, { text: t.t("col.inTime"), num: true }, { text: t.t("col.median"), num: true }, { text: t.t("col.escalated"), num: true }, { text: t.t("col.missedFlash"), num: true }, { text: t.t("col.offline"), num: true }],
      rows,
    });
  }
  if (alsoMissedFlash.length) blocks.push(p(t.t("agencies.alsoMissed", { list: alsoMissedFlash.map((a) => `${a.id} (${t.int(a.missedFlash)})`).join(", ") })));
  const active = m.agencyStats.filter((a) => a.received > 0);
  const perfect = active.filter((a) => a.withinDeadline >= a.received).length;
  return { id: "agencies", title: t.t("section.agencies"), lead: t.t("agencies.lead", { n: m.agencyStats.length, perfect }), blocks };
}

export function hits(c: Ctx): Section {
  const { m, t } = c;
  const h = m.hits;
  if (!h || !h.total) return { id: "hits", title: t.t("section.hits"), blocks: [p(t.t("hits.none"))] };
  const injects = new Map(m.injects.map((i) => [i.inject, i]));
  const rows = h.byAlert.map((a) => ({
    cells: [
      a.inject !== undefined ? `#${a.inject}` : "—",
      // A scripted alert by its title in the reader's language; a generated one as it was sent.
      (a.inject !== undefined && injects.has(a.inject) ? c.injectTitle(injects.get(a.inject)!) : a.title) ?? code(a.alertId),
      a.originator,
      { text: t.int(a.reporters.length), num: true },
      [...new Set(a.reporters)].join(", "),
    ],
  }));
  return {
    id: "hits", title: t.t("section.hits"), lead: t.t("hits.lead", { n: h.total, scripted: h.scripted, generated: h.total - h.scripted }),
    blocks: [{ kind: "table", head: [{ text: t.t("col.inject") }, { text: t.t("col.alert") }, { text: t.t("col.originator") }, { text: t.t("col.hits"), num: true }, { text: t.t("col.reportedBy") }], rows }],
  };
}

export function unacknowledged(c: Ctx): Section {
  const { m, t } = c;
  const u = m.unacknowledged;
  const title = t.t("section.unacknowledged");
  if (!u) return { id: "unacknowledged", title, blocks: [p(t.t("unacked.unknown"))] };
  if (!u.total) return { id: "unacknowledged", title, blocks: [p(t.t("unacked.none"))] };
  const causes = ["post-unstaffed", "within-deadline-at-end", "withdrawn", "offline", "no-acknowledgement"] as const;
  const rows = causes.flatMap((cause) => {
    const x = u.byCause[cause];
    if (!x?.deliveries) return [];
    const list = x.agencies.length > 12 ? `${x.agencies.slice(0, 12).join(", ")} … (${t.int(x.agencies.length)})` : x.agencies.join(", ");
    return [{ cells: [[strong(t.t(`unacked.${cause}` as "unacked.withdrawn"))], { text: t.int(x.deliveries), num: true }, t.t(`unacked.${cause}.why` as "unacked.withdrawn.why"), list] }];
  });
  return {
    id: "unacknowledged", title, lead: t.t("unacked.lead", { n: u.total, delivered: t.int(m.figures.deliveries) }),
    blocks: [{ kind: "table", head: [{ text: t.t("col.cause") }, { text: t.t("col.deliveries"), num: true }, { text: t.t("col.explanation") }, { text: t.t("col.agencies") }], rows }],
  };
}

export function escalations(c: Ctx): Section {
  const { m, t } = c;
  const x = m.escalations;
  const top = mostEscalated(m);
  const table: Block = {
    kind: "table", head: [{ text: t.t("col.step") }, { text: t.t("col.escalations"), num: true }],
    rows: [...ESCALATION_STEPS.map((s) => ({ cells: [t.t(`step.${s}` as "step.reminder"), { text: t.int(m.escalations[s]), num: true }] })), { cells: [[strong(t.t("escalations.total"))], { text: strong(t.int(m.escalations.total)), num: true }] }],
  };
  const twice = m.reconciliation.duplicatedEscalations;
  return {
    id: "escalations", title: t.t("section.escalations"), lead: t.t("escalations.lead", { n: m.escalations.total, deliveries: t.int(m.figures.deliveries) }),
    blocks: [
      { kind: "visual", html: `<figure class="chart">${escalationChart(c)}</figure>`, md: [table] },
      // Coalesced: one message per step and agency told, so messages are compared with the late deliveries they chased.
      ...(x.lateDeliveries !== undefined ? [p(t.t("escalations.late", { late: t.int(x.lateDeliveries), messages: t.int(x.total), covered: t.int(x.deliveries ?? x.total) }))] : []),
      ...(top.length ? [p([strong(t.t("escalations.most")), " ", top.map((a) => `${a.id} (${t.int(a.escalated)})`).join(", ")])] : []),
      p(twice.length ? t.t("escalations.twice", { n: twice.length }) : t.t("escalations.neverTwice"), "note"),
    ],
  };
}

/** How the exchange held under load: what became of a flood, the others' waits for acceptance, rejections by reason. */
export function load(c: Ctx): Section | undefined {
  const { m, t } = c;
  const f = m.flood;
  const reasons = Object.entries(m.rejections?.byReason ?? {}).sort((a, b) => b[1] - a[1]);
  if (!f && !reasons.length) return undefined;
  const blocks: Block[] = [];
  if (f) {
    const s = f.submissions;
    const acceptance = (a: NonNullable<typeof f>["othersAcceptance"]["quiet"]) =>
      a.count ? t.t("load.acceptance", { p50: t.ms(a.p50Ms), p99: t.ms(a.p99Ms), max: t.ms(a.maxMs), answered: t.int(a.answered), count: t.int(a.count) }) : t.t("load.noneSent");
    const peak = m.processes.coordinator.peakRssMb;
    const rows: [string, string][] = [
      [t.t("load.flooding"), f.agencies.join(", ")],
      [t.t("load.sent"), t.t("load.sentValue", { valid: t.int(s.valid), malformed: t.int(s.malformed) })],
      [t.t("load.answered"), t.t("load.answeredValue", { accepted: t.int(s.accepted), rateLimited: t.int(s.rateLimited), rejected: t.int(s.rejectedOtherwise), refused: t.int(s.refusedByBroker), unanswered: t.int(s.unanswered) })],
      [t.t("load.until"), t.t("load.untilValue", { duration: t.wall(f.wallSeconds) })],
      [t.t("load.before"), acceptance(f.othersAcceptance.quiet)],
      [t.t("load.during"), acceptance(f.othersAcceptance.flood)],
      [t.t("load.after"), acceptance(f.othersAcceptance.after)],
      [t.t("load.memory"), peak === null ? t.t("memory.notMeasured") : t.t("memory.value", { mb: t.int(peak) })],
    ];
    blocks.push({ kind: "table", head: [{ text: t.t("col.measure") }, { text: t.t("col.figure") }], rows: rows.map(([k, v]) => ({ cells: [[strong(k)], v] })) });
  }
  // Reason codes are the protocol's own words (docs/protocol.md): shown as they are, in every language.
  if (reasons.length) blocks.push(p([strong(t.t("load.byReason")), " ", ...reasons.flatMap(([code_, n], i) => [...(i ? [" · "] : []), code(code_), ` ${t.int(n)}`])]));
  return { id: "load", title: t.t("section.load"), lead: f ? t.t("load.lead.flood") : t.t("load.lead.rejections"), blocks };
}

function idList(c: Ctx, items: { messageId: string; agency: string; times?: number }[]): Block {
  const shown = items.slice(0, LIST_LIMIT).map((x) => [code(x.messageId), ` → ${x.agency}${x.times ? ` ×${x.times}` : ""}`]);
  if (items.length > LIST_LIMIT) shown.push([c.t.t("list.more", { n: items.length - LIST_LIMIT })]);
  return { kind: "list", items: shown };
}

export function reconciliation(c: Ctx): Section {
  const { m, t } = c;
  const d = m.deliveries;
  const r = m.reconciliation;
  const blocks: Block[] = [
    { kind: "figures", items: [
      { label: t.t("recon.expected"), value: t.int(d.expected), tone: "none" },
      { label: t.t("recon.delivered"), value: t.int(d.delivered), tone: d.delivered < d.expected ? "warn" : "good" },
      { label: t.t("recon.acknowledged"), value: t.int(d.acknowledged), tone: "none", note: t.pct(d.delivered ? d.acknowledged / d.delivered : null) },
      { label: t.t("recon.lost"), value: t.int(d.lost), tone: d.lost ? "bad" : "good" },
      { label: t.t("recon.duplicated"), value: t.int(d.duplicated), tone: d.duplicated ? "warn" : "good" },
    ] },
  ];
  if (r.lost.length) blocks.push({ kind: "h3", text: t.t("recon.lostList", { n: d.lost, shown: r.lost.length }) }, idList(c, r.lost));
  if (r.duplicated.length) blocks.push({ kind: "h3", text: t.t("recon.duplicatedList", { n: r.duplicated.length }) }, idList(c, r.duplicated));
  blocks.push(r.redConfinementViolations.length
    ? { kind: "h3", text: ["TLP:RED ", standingBadge(c, "not-met"), " ", t.t("recon.redViolated")] }
    : p(["TLP:RED ", standingBadge(c, "met"), " ", t.t("recon.redHeld")]));
  if (r.redConfinementViolations.length) blocks.push(idList(c, r.redConfinementViolations));
  return { id: "reconciliation", title: t.t("section.reconciliation"), lead: t.t("recon.method"), blocks };
}

export function audit(c: Ctx): Section {
  const { m, t } = c;
  const a = m.audit;
  return {
    id: "audit", title: t.t("section.audit"), lead: t.t("audit.lead"),
    blocks: [
      p([standingBadge(c, a.verified ? "met" : "not-met"), " ", a.verified ? t.t("audit.verified", { n: a.records }) : t.t("audit.broken", { n: a.records, problem: a.problem ?? "—" })]),
      ...(a.head ? [p([t.t("audit.head"), " ", code(a.head)], "note")] : []),
    ],
  };
}
