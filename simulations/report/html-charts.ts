// Inline SVG charts for report.html, drawn from metrics: the day's timeline with fault markers,
// acknowledgement latency against the deadlines, and escalations by step.
import { clockAt, escapeHtml as h, int, minutes, pct } from "./format.ts";
import { OKABE_ITO as C } from "./html-style.ts";
import type { Metrics } from "./metrics.ts";
import { ESCALATION_STEPS, placedFaults, PRECEDENCES, STEP_LABEL, TARGET_WITHIN } from "./views.ts";

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
interface Row { label: string; series: { key: keyof Omit<Hour, "hour">; name: string; colour: string }[] }

const ROWS: Row[] = [
  { label: "Submitted", series: [{ key: "submitted", name: "messages submitted", colour: C.blue }] },
  { label: "Deliveries", series: [{ key: "delivered", name: "delivered", colour: C.sky }, { key: "acknowledged", name: "acknowledged", colour: C.blue }] },
  { label: "Escalations", series: [{ key: "escalations", name: "escalations", colour: C.orange }] },
  { label: "Rejected", series: [{ key: "rejected", name: "rejected", colour: C.vermillion }] },
];

/** Per simulated hour: one small-multiple row per measure (own scale), faults as numbered markers. */
export function timelineChart(m: Metrics): string {
  const hours = Math.max(Math.ceil(m.scenario.durationMinutes / 60), ...m.timeline.map((t) => t.hour + 1), 1);
  const x0 = 250, x1 = W - 16, top = 60, rowH = 92, gap = 26;
  const band = (x1 - x0) / hours;
  const bw = Math.min(band * 0.72, 64);
  const byHour = new Map(m.timeline.map((t) => [t.hour, t]));
  const parts: string[] = [];
  const bottom = top + ROWS.length * (rowH + gap) - gap;

  ROWS.forEach((row, r) => {
    const y0 = top + r * (rowH + gap);
    const base = y0 + rowH;
    const max = niceCeil(Math.max(1, ...m.timeline.flatMap((t) => row.series.map((s) => t[s.key]))));
    parts.push(rect(x0, y0, x1 - x0, rowH, "#f5f6f7"));
    parts.push(line(x0, y0, x1, y0, "#d5d9de", `stroke-dasharray="3 4"`));
    parts.push(text(0, y0 + 24, row.label, `font-weight="700" font-size="23"`));
    row.series.forEach((s, i) => {
      parts.push(rect(0, y0 + 40 + i * 26, 18, 18, s.colour));
      parts.push(text(26, y0 + 56 + i * 26, s.name, `font-size="18" fill="#333"`));
    });
    parts.push(text(x0 - 10, y0 + 14, int(max), `text-anchor="end" font-size="17" fill="#555"`));
    parts.push(text(x0 - 10, base, "0", `text-anchor="end" font-size="17" fill="#555"`));
    for (let hr = 0; hr < hours; hr++) {
      const t = byHour.get(hr);
      if (!t) continue;
      const cx = x0 + hr * band + band / 2;
      row.series.forEach((s, i) => {
        const w = row.series.length > 1 && i > 0 ? bw * 0.5 : bw;
        const hh = (t[s.key] / max) * rowH;
        parts.push(`<rect x="${f(cx - w / 2)}" y="${f(base - hh)}" width="${f(w)}" height="${f(hh)}" fill="${s.colour}"><title>${h(`${clockAt(m.scenario.start, hr * 60)} ${s.name}: ${int(t[s.key])}`)}</title></rect>`);
      });
      const shown = t[row.series[row.series.length - 1]!.key];
      if (hours <= 12 && shown > 0) parts.push(text(cx, base - (Math.max(...row.series.map((s) => t[s.key])) / max) * rowH - 6, int(shown), `text-anchor="middle" font-size="17"`));
    }
    parts.push(line(x0, base, x1, base, "#333", `stroke-width="1.5"`));
  });

  const step = hours <= 24 ? 1 : Math.ceil(hours / 24);
  for (let hr = 0; hr < hours; hr += step) {
    const clock = clockAt(m.scenario.start, hr * 60);
    const label = hours <= 12 ? clock.slice(-5) : clock.slice(-5, -3);
    parts.push(text(x0 + hr * band + band / 2, bottom + 26, label, `text-anchor="middle" font-size="18" fill="#333"`));
    if (clock.slice(-5) === "00:00" && hr > 0) parts.push(line(x0 + hr * band, top - 8, x0 + hr * band, bottom, "#333", `stroke-width="1"`));
  }
  parts.push(text(0, bottom + 26, hours <= 12 ? "Scenario clock" : "Scenario clock (hour)", `font-size="18" fill="#333"`));

  let lastX = -Infinity, lift = 0;
  for (const fault of placedFaults(m)) {
    if (fault.offset === undefined || fault.offset < 0 || fault.offset > hours * 60) continue;
    const x = x0 + (fault.offset / 60) * band;
    lift = x - lastX < 34 ? (lift + 1) % 2 : 0;
    lastX = x;
    const cy = top - 24;
    parts.push(line(x, cy + 14, x, bottom, "#000", `stroke-width="2.5" stroke-dasharray="7 5"`));
    parts.push(`<circle cx="${f(x + lift * 30)}" cy="${f(cy)}" r="15" fill="#000"><title>${h(`${fault.clock} ${fault.kind}: ${fault.detail}`)}</title></circle>`);
    parts.push(text(x + lift * 30, cy + 6, String(fault.n), `text-anchor="middle" fill="#fff" font-weight="700" font-size="17"`));
  }
  return svg(bottom + 40, "Timeline of the scenario per simulated hour", parts.join(""));
}

/** Per precedence: delivery→acknowledgement time (p50 box to p95, whisker to p99) against the deadline. */
export function latencyChart(m: Metrics): string {
  const x0 = 270, x1 = W - 260, rowH = 118, top = 10;
  const parts: string[] = [];
  PRECEDENCES.forEach((p, r) => {
    const l = m.ackLatency[p];
    const y = top + r * rowH;
    const trackY = y + 40, trackH = 34;
    parts.push(text(0, y + 52, p, `font-weight="800" font-size="26"`));
    parts.push(text(0, y + 80, `${int(l.count)} deliveries`, `font-size="18" fill="#444"`));
    if (r > 0) parts.push(line(0, y, W, y, "#d5d9de"));
    if (l.p50 === null || l.withinDeadline === null) {
      parts.push(rect(x0, trackY, x1 - x0, trackH, "#f1f2f4"));
      parts.push(text((x0 + x1) / 2, trackY + 24, "no deliveries of this precedence", `text-anchor="middle" fill="#555" font-size="17"`));
      return;
    }
    const span = niceMinutes(Math.max(l.deadlineMinutes * 1.25, (l.p99 ?? l.p95 ?? l.p50) * 1.05));
    const sx = (v: number) => x0 + (Math.min(v, span) / span) * (x1 - x0);
    const ok = l.withinDeadline >= TARGET_WITHIN;
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
    parts.push(text(dx, trackY - 20, `deadline ${minutes(l.deadlineMinutes)}`, `text-anchor="middle" font-size="18" font-weight="700"`));
    parts.push(text(x0, trackY + trackH + 22, "0", `font-size="16" fill="#555"`));
    parts.push(text(x1, trackY + trackH + 22, minutes(span), `text-anchor="end" font-size="16" fill="#555"`));
    const caption = `p50 ${minutes(l.p50)} · p95 ${minutes(l.p95)} · p99 ${minutes(l.p99)} · max ${minutes(l.max)}`;
    parts.push(text((x0 + x1) / 2, trackY + trackH + 26, caption, `text-anchor="middle" font-size="19" fill="#222"`));
    if (l.max !== null && l.max > span) parts.push(text(x1 + 6, trackY + trackH / 2 + 6, "▶", `font-size="16" fill="#000"`));
    parts.push(text(W - 8, y + 62, pct(l.withinDeadline), `text-anchor="end" font-size="40" font-weight="800" fill="${ok ? C.green : C.vermillion}"`));
    parts.push(text(W - 8, y + 88, `${ok ? "✓" : "✗"} within deadline`, `text-anchor="end" font-size="18" fill="#333"`));
  });
  return svg(top + PRECEDENCES.length * rowH, "Acknowledgement latency per precedence against its deadline", parts.join(""));
}

/** Escalations by step: reminder → backup contact → originator. */
export function escalationChart(m: Metrics): string {
  const e = m.escalations;
  const max = Math.max(1, ...ESCALATION_STEPS.map((s) => e[s]));
  const x0 = 400, x1 = W - 140, rowH = 58;
  const colours = { reminder: C.sky, "backup-contact": C.orange, originator: C.vermillion } as const;
  const parts = ESCALATION_STEPS.map((s, i) => {
    const y = 8 + i * rowH;
    const w = (e[s] / max) * (x1 - x0);
    return [
      text(0, y + 30, `${i + 1}. ${STEP_LABEL[s]}`, `font-size="20" font-weight="600"`),
      rect(x0, y + 6, x1 - x0, 36, "#f1f2f4"),
      rect(x0, y + 6, w, 36, colours[s]),
      text(x0 + w + 12, y + 32, int(e[s]), `font-size="22" font-weight="800"`),
    ].join("");
  });
  return svg(16 + ESCALATION_STEPS.length * rowH, "Escalations by step", parts.join(""));
}
