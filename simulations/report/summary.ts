// What `atix run` prints when the run is over: the verdict and the tallies on one line, each
// objective with its measure, the disclaimer, and where the report is; in the report's language
// and with the report's anonymity.
import { type ReportOptions, reportContext } from "./context.ts";
import type { Metrics } from "./metrics.ts";
import { measured } from "./sections-front.ts";
import { standing } from "./views.ts";

const MARK = { met: "✓", "partially-met": "◐", "not-met": "✗" } as const;

export function runSummary(metrics: Metrics, opts: ReportOptions, dir: string): string {
  const c = reportContext(metrics, opts);
  const { m, t } = c;
  const d = m.deliveries;
  const lines = [
    t.t("run.result", {
      verdict: m.pass ? t.t("verdict.pass") : t.t("verdict.fail"), accepted: t.int(m.alerts.accepted), rejected: t.int(m.alerts.rejected),
      delivered: t.int(d.delivered), expected: t.int(d.expected), acknowledged: t.int(d.acknowledged), lost: t.int(d.lost), duplicated: t.int(d.duplicated),
      escalations: t.int(m.escalations.total), audit: m.audit.verified ? t.t("run.audit.ok") : t.t("run.audit.broken"), records: t.int(m.audit.records),
    }),
    ...m.expectations.map((e, i) => `  ${MARK[standing(e)]} ${c.objective(e, i)} — ${measured(c, e)}`),
    t.t("run.disclaimer"),
    ...(c.anonymised ? [t.t("run.anonymised")] : []),
    t.t("run.report", { path: `${dir}/report.html` }),
  ];
  return `${lines.join("\n")}\n`;
}
