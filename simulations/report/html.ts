// report.html: the After-Action Report as one self-contained page for a projector and for print —
// inline CSS and SVG, no scripts, fonts or files from anywhere else. Every string is escaped.
import type { ReportOptions } from "./context.ts";
import type { Block, Cell, Section, Span, Text } from "./document.ts";
import { escapeHtml as h } from "./format.ts";
import { CSS } from "./html-style.ts";
import type { Metrics } from "./metrics.ts";
import { reportContent } from "./report.ts";

/** Escaped text with TLP 2.0 markings shown as FIRST-coloured labels and line breaks kept. */
const rich = (s: string) =>
  h(s)
    .replace(/TLP:(AMBER\+STRICT|AMBER|GREEN|CLEAR|RED)/g, (all, level: string) => `<span class="tlp tlp-${level.toLowerCase().replace("+", "-")}">${all}</span>`)
    .replace(/\n/g, "<br>");

function span(s: Span): string {
  if (typeof s === "string") return rich(s);
  switch (s.kind) {
    case "strong":
      return `<b>${rich(s.text)}</b>`;
    case "code":
      return `<code>${h(s.text)}</code>`;
    case "muted":
      return `<span class="muted small">${rich(s.text)}</span>`;
    case "badge":
      return `<span class="badge ${h(s.cls)}">${s.mark ? `${h(s.mark)} ` : ""}${h(s.text)}</span>`;
  }
}
const text = (t: Text) => (Array.isArray(t) ? t.map(span).join("") : span(t));
const isCell = (x: Cell | Text): x is Cell => typeof x === "object" && !Array.isArray(x) && "text" in x && !("kind" in x);

function block(b: Block): string {
  switch (b.kind) {
    case "p":
      return `<p${b.style ? ` class="${b.style === "lead" ? "lead" : "muted small"}"` : ""}>${text(b.text)}</p>`;
    case "h3":
      return `<h3>${text(b.text)}</h3>`;
    case "list":
      return `<ul>${b.items.map((i) => `<li>${text(i)}</li>`).join("")}</ul>`;
    case "table": {
      const head = b.head.map((c) => `<th${c.num ? ` class="num"` : ""}>${h(c.text)}</th>`).join("");
      const rows = b.rows.map((r) => `<tr${r.tone ? ` class="${h(r.tone)}"` : ""}>${r.cells.map((c) => {
        const cell = isCell(c) ? c : { text: c };
        const cls = [cell.num ? "num" : "", cell.nowrap ? "nowrap" : ""].filter(Boolean).join(" ");
        return `<td${cls ? ` class="${cls}"` : ""}>${text(cell.text)}</td>`;
      }).join("")}</tr>`);
      return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
    }
    case "figures":
      return `<div class="figures">${b.items.map((f) => `<div class="figure tone-${f.tone}"${f.how ? ` title="${h(f.how)}"` : ""}><div class="label">${h(f.label)}</div><div class="value">${h(f.value)}</div>${f.note ? `<div class="note">${h(f.note)}</div>` : ""}</div>`).join("")}</div>`;
    case "callout":
      return `<div class="callout ${b.tone}">${text(b.text)}</div>`;
    case "visual":
      return b.html;
  }
}

const section = (s: Section, first: boolean) =>
  `<section id="${h(s.id)}"${first ? ` class="first"` : ""}><h2>${h(s.title)}</h2>${s.lead ? `<p class="lead">${text(s.lead)}</p>` : ""}${s.blocks.map(block).join("")}</section>`;

export function renderHtml(m: Metrics, opts: ReportOptions = {}): string {
  const { ctx, cover, sections, analyticsFrom } = reportContent(m, opts);
  const { t } = ctx;
  const header = `<header class="top"><div class="wrap">
  <div class="head"><div>
    <p class="eyebrow">${h(cover.eyebrow)}</p>
    <h1>${rich(cover.title)}</h1>
    <p class="sub">${text(cover.subtitle)}</p>
  </div>
  <div class="verdict ${cover.pass ? "pass" : "fail"}"><span class="word">${cover.pass ? "✓" : "✗"} ${h(cover.verdict)}</span><span class="why">${cover.why.map(h).join("<br>")}</span></div></div>
  <div class="facts">${cover.facts.map(([k, v]) => `<span>${h(k)} <b>${text(v)}</b></span>`).join("")}</div>
  ${cover.notices.map(block).join("")}
</div></header>`;
  const body = sections.map((s, i) => (s.id === analyticsFrom ? `<p class="part">${h(t.t("part.analytics"))}</p>` : "") + section(s, i === 0)).join("\n");
  return `<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(t.t("cover.documentTitle", { title: cover.title }))}</title><style>${CSS}</style></head>
<body>
${header}
<main class="wrap">
${body}
<footer>${h(t.t("footer", { name: m.scenario.name, seed: m.scenario.seed, start: t.dateTime(m.scenario.start) }))}</footer>
</main>
</body></html>
`;
}
