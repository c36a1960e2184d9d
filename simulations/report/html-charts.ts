// Inline SVG charts for report.html, drawn from metrics: the day's timeline with every inject and
// fault marked, acknowledgement time against each deadline with the scenario's one target per
// precedence, and escalations by step. Labels come from the reader's catalogue.
import type { Ctx } from "./context.ts";
import { escapeHtml as h } from "./format.ts";
import { OKABE_ITO as C } from "../../shared/presentation/palette.ts";
import type { Metrics } from "./metrics.ts";
import { ESCALATION_STEPS, mselRows, placedFaults, PRECEDENCES, targets, type PlacedFault } from "./views.ts";

/** A fault in the reader's words, from its facts; the recorded detail when the catalogue has no wording for its kind. */
export const faultText = (c: Ctx, x: PlacedFault) =>
  c.t.tx(`fault.${x.kind}`, {
    agency: x.agency ?? "", duration: x.minutes !== undefined ? c.t.span(x.minutes) : "", count: x.count ?? 0, factor: x.factor ?? 1, instance: x.instance ?? "",
    of: x.of ? c.t.t(`flood.${x.of}`) : "",
  }, x.detail);

const W = 1500;
const FONT = `font-family="system-ui, 'DejaVu Sans', Arial, sans-serif"`;

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above x. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return ([1, 2, 2.5, 5, 10].find((s) => s * p >= x) ?? 10) * p;
}

/** A round axis end for simulated minutes: nice minutes up to an hour, then whole hours of 1, 2, 3, 4, 6, 8, 12, 24, 48… */
export function niceMinutes(x: number): number {
  if (x <= 60) return Math.min(60, niceCeil(x));
  const hours = x / 60;
  const step = [1, 2, 3, 4, 6, 8, 12, 24].find((s) => s >= hours);
  return (step ?? Math.ceil(hours / 24) * 24) * 60;
}

const f = (n: number) => Number(n.toFixed(1));
const svg = (height: number, label: string, body: string) =>
  `<svg viewBox="0 0 ${W} ${height}" role="img" aria-label="${h(label)}" ${FONT} font-size="18"><title>${h(label)}</title>${body}</svg>`;
const text = (x: number, y: number, s: string, attrs = "") => `<text x="${f(x)}" y="${f(y)}" ${attrs}>${h(s)}</text>`;
const rect = (x: number, y: number, w: number, hh: number, fill: string, attrs = "") =>
  `<rect x="${f(x)}" y="${f(y)}" width="${f(Math.max(0, w))}" height="${f(Math.max(0, hh))}" fill="${fill}" ${attrs}/>`;
const line = (x1: number, y1: number, x2: number, y2: number, stroke: string, attrs = "") =>
  `<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}" stroke="${stroke}" ${attrs}/>`;

type Hour = Metrics["timeline"][number];
type Measure = keyof Omit<Hour, "hour">;

const PRECEDENCE_COLOUR: Record<string, string> = { FLASH: C.vermillion, IMMEDIATE: C.orange, PRIORITY: C.blue, ROUTINE: "#555" };

/** Markers in lanes: each goes to the first lane where it keeps `gap` from the last one. */
function lanes<T extends { x: number }>(items: T[], gap: number, max: number): (T & { lane: number })[] {
  const last: number[] = [];
  return items.map((it) => {
    let lane = last.findIndex((x) => it.x - x >= gap);
    if (lane < 0) lane = last.length < max ? last.length : last.indexOf(Math.min(...last));
    last[lane] = it.x;
    return { ...it, lane };
  });
}

/** Per simulated hour: one small-multiple row per measure (own scale); injects (◆) and faults (●) marked above. */
export function timelineChart(c: Ctx): string {
  const { m, t } = c;
  const rows: { label: string; series: { key: Measure; name: string; colour: string }[] }[] = [
    { label: t.t("chart.submitted"), series: [{ key: "submitted", name: t.t("chart.submittedSeries"), colour: C.blue }] },
    { label: t.t("chart.deliveries"), series: [{ key: "delivered", name: t.t("chart.delivered"), colour: C.sky }, { key: "acknowledged", name: t.t("chart.acknowledged"), colour: C.blue }] },
    { label: t.t("chart.escalations"), series: [{ key: "escalations", name: t.t("chart.escalationsSeries"), colour: C.orange }] },
  ];
  // A row with nothing in it says nothing: rejections only when there were some.
  if (m.timeline.some((x) => x.rejected > 0)) rows.push({ label: t.t("chart.rejected"), series: [{ key: "rejected", name: t.t("chart.rejectedSeries"), colour: C.vermillion }] });
  const hours = Math.max(Math.ceil(m.scenario.durationMinutes / 60), ...m.timeline.map((x) => x.hour + 1), 1);
  const x0 = 250, x1 = W - 16, rowH = 88, gap = 24;
  const band = (x1 - x0) / hours;
  const at = (minutes: number) => x0 + (minutes / 60) * band;
  const markers = [
    ...mselRows(m).filter((i) => i.offset !== undefined && i.offset >= 0 && i.offset <= hours * 60).map((i) => ({ x: at(i.offset!), kind: "inject" as const, label: String(i.inject), colour: PRECEDENCE_COLOUR[i.precedence ?? ""] ?? "#333", tip: `#${i.inject} ${c.clock(i.at)} ${c.injectTitle(i)}` })),
    ...placedFaults(m).filter((x) => x.offset !== undefined && x.offset >= 0 && x.offset <= hours * 60).map((x) => ({ x: at(x.offset!), kind: "fault" as const, label: `F${x.n}`, colour: "#000", tip: `F${x.n} ${c.clock(x.at)} ${faultText(c, x)}` })),
  ].sort((a, b) => a.x - b.x);
  const placed = lanes(markers, 34, 4);
  const laneCount = Math.max(1, ...placed.map((p) => p.lane + 1));
  const top = 24 + laneCount * 34;
  const bottom = top + rows.length * (rowH + gap) - gap;
  const parts: string[] = [];
  const byHour = new Map(m.timeline.map((x) => [x.hour, x]));
  const bw = Math.min(band * 0.72, 64);

  rows.forEach((row, r) => {
    const y0 = top + r * (rowH + gap);
    const base = y0 + rowH;
    const max = niceCeil(Math.max(1, ...m.timeline.flatMap((x) => row.series.map((s) => x[s.key]))));
    parts.push(rect(x0, y0, x1 - x0, rowH, "#f5f6f7"));
    parts.push(text(0, y0 + 24, row.label, `font-weight="700" font-size="22"`));
    row.series.forEach((s, i) => {
      parts.push(rect(0, y0 + 38 + i * 24, 18, 18, s.colour));
      parts.push(text(26, y0 + 53 + i * 24, s.name, `font-size="17" fill="#333"`));
    });
    parts.push(text(x0 - 10, y0 + 14, t.int(max), `text-anchor="end" font-size="16" fill="#555"`));
    parts.push(text(x0 - 10, base, "0", `text-anchor="end" font-size="16" fill="#555"`));
    for (let hr = 0; hr < hours; hr++) {
      const x = byHour.get(hr);
      if (!x) continue;
      const cx = x0 + hr * band + band / 2;
      row.series.forEach((s, i) => {
        const w = row.series.length > 1 && i > 0 ? bw * 0.5 : bw;
        const hh = (x[s.key] / max) * rowH;
        parts.push(`<rect x="${f(cx - w / 2)}" y="${f(base - hh)}" width="${f(w)}" height="${f(hh)}" fill="${s.colour}"><title>${h(`${c.clockAtOffset(hr * 60)} ${s.name}: ${t.int(x[s.key])}`)}</title></rect>`);
      });
    }
    parts.push(line(x0, base, x1, base, "#333", `stroke-width="1.5"`));
  });
  const step = hours <= 24 ? 1 : Math.ceil(hours / 24);
  for (let hr = 0; hr < hours; hr += step) {
    const clock = c.clockAtOffset(hr * 60).slice(-5);
    parts.push(text(x0 + hr * band + band / 2, bottom + 26, hours <= 12 ? clock : clock.slice(0, 2), `text-anchor="middle" font-size="17" fill="#333"`));
  }
  parts.push(text(0, bottom + 26, t.t("chart.clock"), `font-size="17" fill="#333"`));
  for (const mk of placed) {
    const cy = 18 + mk.lane * 34;
    parts.push(line(mk.x, cy + 13, mk.x, bottom, mk.colour, `stroke-width="${mk.kind === "fault" ? 2.5 : 1.5}" stroke-dasharray="${mk.kind === "fault" ? "7 5" : "2 4"}" opacity="${mk.kind === "fault" ? 1 : 0.75}"`));
    const shape = mk.kind === "inject"
      ? `<rect x="${f(mk.x - 13)}" y="${f(cy - 13)}" width="26" height="26" rx="4" fill="${mk.colour}"><title>${h(mk.tip)}</title></rect>`
      : `<circle cx="${f(mk.x)}" cy="${f(cy)}" r="14" fill="#000"><title>${h(mk.tip)}</title></circle>`;
    parts.push(shape, text(mk.x, cy + 6, mk.label, `text-anchor="middle" fill="#fff" font-weight="700" font-size="${mk.label.length > 2 ? 13 : 16}"`));
  }
  return svg(bottom + 40, t.t("chart.timelineLabel"), parts.join(""));
}

/** Per precedence: delivery→acknowledgement time (p50 box to p95, whisker to p99) against the deadline and the one target. */
export function latencyChart(c: Ctx): string {
  const { m, t } = c;
  const goal = targets(m);
  const x0 = 270, x1 = W - 290, rowH = 118, top = 10;
  const parts: string[] = [];
  PRECEDENCES.forEach((p, r) => {
    const l = m.ackLatency[p];
    const y = top + r * rowH;
    const trackY = y + 40, trackH = 34;
    parts.push(text(0, y + 52, p, `font-weight="800" font-size="26"`));
    parts.push(text(0, y + 80, t.t("chart.deliveriesCount", { n: l.count }), `font-size="18" fill="#444"`));
    if (r > 0) parts.push(line(0, y, W, y, "#d5d9de"));
    if (l.p50 === null || l.withinDeadline === null) {
      parts.push(rect(x0, trackY, x1 - x0, trackH, "#f1f2f4"));
      parts.push(text((x0 + x1) / 2, trackY + 24, t.t("chart.noDeliveries"), `text-anchor="middle" fill="#555" font-size="17"`));
      return;
    }
    const span = niceMinutes(Math.max(l.deadlineMinutes * 1.25, (l.p99 ?? l.p95 ?? l.p50) * 1.05));
    const sx = (v: number) => x0 + (Math.min(v, span) / span) * (x1 - x0);
    const target = goal[p];
    parts.push(rect(x0, trackY, x1 - x0, trackH, "#eef0f2"));
    parts.push(rect(sx(l.deadlineMinutes), trackY, x1 - sx(l.deadlineMinutes), trackH, "#fbe3d6"));
    parts.push(rect(x0, trackY + 8, sx(l.p50) - x0, trackH - 16, C.sky));
    if (l.p95 !== null) parts.push(rect(sx(l.p50), trackY, sx(l.p95) - sx(l.p50), trackH, C.blue));
    if (l.p99 !== null && l.p95 !== null) {
      parts.push(line(sx(l.p95), trackY + trackH / 2, sx(l.p99), trackY + trackH / 2, "#000", `stroke-width="3"`));
      parts.push(line(sx(l.p99), trackY + 6, sx(l.p99), trackY + trackH - 6, "#000", `stroke-width="3"`));
    }
    parts.push(line(sx(l.p50), trackY - 4, sx(l.p50), trackY + trackH + 4, "#fff", `stroke-width="4"`));
    const dx = sx(l.deadlineMinutes);
    parts.push(line(dx, trackY - 14, dx, trackY + trackH + 10, "#000", `stroke-width="4"`));
    parts.push(text(dx, trackY - 20, t.t("chart.deadline", { deadline: t.minutes(l.deadlineMinutes) }), `text-anchor="middle" font-size="18" font-weight="700"`));
    parts.push(text(x0, trackY + trackH + 22, "0", `font-size="16" fill="#555"`));
    parts.push(text(x1, trackY + trackH + 22, t.minutes(span), `text-anchor="end" font-size="16" fill="#555"`));
    parts.push(text((x0 + x1) / 2, trackY + trackH + 26, `p50 ${t.minutes(l.p50)} · p95 ${t.minutes(l.p95)} · p99 ${t.minutes(l.p99)} · max ${t.minutes(l.max)}`, `text-anchor="middle" font-size="19" fill="#222"`));
    if (l.max !== null && l.max > span) parts.push(text(x1 + 6, trackY + trackH / 2 + 6, "▶", `font-size="16" fill="#000"`));
    const colour = target === undefined ? "#222" : l.withinDeadline >= target ? C.green : C.vermillion;
    parts.push(text(W - 8, y + 60, t.pct(l.withinDeadline), `text-anchor="end" font-size="40" font-weight="800" fill="${colour}"`));
    const verdict = target === undefined ? t.t("chart.noTarget") : `${l.withinDeadline >= target ? "✓" : "✗"} ${t.t("chart.target", { target: t.pct(target, 0) })}`;
    parts.push(text(W - 8, y + 88, verdict, `text-anchor="end" font-size="18" fill="#333"`));
  });
  return svg(top + PRECEDENCES.length * rowH, t.t("chart.latencyLabel"), parts.join(""));
}

/** Escalations by step: reminder → backup contact → originator. */
export function escalationChart(c: Ctx): string {
  const { m, t } = c;
  const e = m.escalations;
  const max = Math.max(1, ...ESCALATION_STEPS.map((s) => e[s]));
  const x0 = 460, x1 = W - 140, rowH = 58;
  const colours = { reminder: C.sky, "backup-contact": C.orange, originator: C.vermillion } as const;
  const parts = ESCALATION_STEPS.map((s, i) => {
    const y = 8 + i * rowH;
    const w = (e[s] / max) * (x1 - x0);
    return [
      text(0, y + 30, `${i + 1}. ${t.t(`step.${s}` as "step.reminder")}`, `font-size="20" font-weight="600"`),
      rect(x0, y + 6, x1 - x0, 36, "#f1f2f4"),
      rect(x0, y + 6, w, 36, colours[s]),
      text(x0 + w + 12, y + 32, t.int(e[s]), `font-size="22" font-weight="800"`),
    ].join("");
  });
  return svg(16 + ESCALATION_STEPS.length * rowH, t.t("chart.escalationsLabel"), parts.join(""));
}
