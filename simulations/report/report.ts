// The after-action report's content in the order HSEEP practice reads it, for both renderers:
// cover, executive summary, scenario, objectives, MSEL evaluation, strengths, areas for
// improvement, Improvement Plan, then the analytics.
import { type Ctx, type ReportOptions, reportContext } from "./context.ts";
import type { Section } from "./document.ts";
import { deriveFindings } from "./findings.ts";
import { agencies, audit, escalations, hits, latency, load, reconciliation, timeline, unacknowledged } from "./sections-analytics.ts";
import { areasSection, planSection, strengthsSection } from "./sections-findings.ts";
import { cover, type Cover, executiveSummary, narrative, objectives } from "./sections-front.ts";
import { msel } from "./sections-msel.ts";
import type { Metrics } from "./metrics.ts";

export interface ReportContent {
  ctx: Ctx;
  cover: Cover;
  sections: Section[];
  /** The analytics start here (a heading of their own in both renderers). */
  analyticsFrom: string;
}

const optional = (s: Section | undefined): Section[] => (s ? [s] : []);

export function reportContent(metrics: Metrics, opts: ReportOptions = {}): ReportContent {
  const c = reportContext(metrics, opts);
  const f = deriveFindings(c);
  return {
    ctx: c,
    cover: cover(c),
    sections: [
      executiveSummary(c, f), narrative(c), objectives(c), msel(c), strengthsSection(c, f), areasSection(c, f), planSection(c, f),
      timeline(c), latency(c), agencies(c), hits(c), unacknowledged(c), escalations(c), ...optional(load(c)), reconciliation(c), audit(c),
    ],
    analyticsFrom: "timeline",
  };
}
