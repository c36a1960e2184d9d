// report.md: the After-Action Report as text, the same sections in the same order as report.html
// (charts become the tables behind them).
import type { ReportOptions } from "./context.ts";
import type { Block, Cell, Span, Text } from "./document.ts";
import { codeMd, escapeMd as e } from "./format.ts";
import type { Metrics } from "./metrics.ts";
import { reportContent } from "./report.ts";

function span(s: Span): string {
  if (typeof s === "string") return e(s);
  switch (s.kind) {
    case "strong":
      return s.text ? `**${e(s.text)}**` : "";
    case "code":
      return codeMd(s.text);
    case "muted":
      return `_${e(s.text)}_`;
    case "badge":
      return `${s.mark ? `${s.mark} ` : ""}${s.cls === "b-not-met" || s.cls === "b-high" ? `**${e(s.text)}**` : e(s.text)}`;
  }
}
const text = (t: Text) => (Array.isArray(t) ? t.map(span).join("") : span(t));
const isCell = (x: Cell | Text): x is Cell => typeof x === "object" && !Array.isArray(x) && "text" in x && !("kind" in x);

function block(b: Block): string {
  switch (b.kind) {
    case "p":
      return b.style === "note" ? `_${text(b.text)}_` : text(b.text);
    case "h3":
      return `### ${text(b.text)}`;
    case "list":
      return b.items.map((i) => `- ${text(i)}`).join("\n");
    case "table": {
      const rule = b.head.map((c) => (c.num ? "---:" : "---"));
      const rows = b.rows.map((r) => r.cells.map((c) => text(isCell(c) ? c.text : c)));
      return [b.head.map((c) => e(c.text)), rule, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
    }
    case "figures": {
      const withHow = b.items.some((f) => f.how);
      const head = withHow ? "| | | | |\n|---|---:|---|---|" : "| | | |\n|---|---:|---|";
      return [head, ...b.items.map((f) => `| ${e(f.label)} | **${e(f.value)}** | ${e(f.note ?? "")} |${withHow ? ` ${e(f.how ?? "")} |` : ""}`)].join("\n");
    }
    case "callout":
      return `> ${b.tone === "warning" ? "⚠ " : ""}${text(b.text)}`;
    case "visual":
      return b.md.map(block).join("\n\n");
  }
}

export function renderMarkdown(m: Metrics, opts: ReportOptions = {}): string {
  const { ctx, cover, sections, analyticsFrom } = reportContent(m, opts);
  const { t } = ctx;
  const head = [
    `# ${e(t.t("cover.documentTitle", { title: cover.title }))}`,
    `> **${cover.pass ? "✔" : "✘"} ${e(cover.verdict)}** — ${cover.why.map(e).join(" · ")}`,
    ...cover.notices.map(block),
    [`| | |`, `|---|---|`, ...cover.facts.map(([k, v]) => `| **${e(k)}** | ${text(v)} |`)].join("\n"),
  ];
  const body = sections.map((s) => [
    ...(s.id === analyticsFrom ? [`# ${e(t.t("part.analytics"))}`] : []),
    `## ${e(s.title)}`,
    ...(s.lead ? [text(s.lead)] : []),
    ...s.blocks.map(block).filter(Boolean),
  ].join("\n\n"));
  return [...head, ...body, `_${e(t.t("footer", { name: m.scenario.name, seed: m.scenario.seed, start: t.dateTime(m.scenario.start) }))}_`].join("\n\n") + "\n";
}
