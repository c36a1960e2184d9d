// What `atix run` prints when the run is over: the verdict and the exchange's figures (named and
// counted as the dashboard and the report show them) on one line, each objective with its
// measure, the disclaimer, and where the report is; in the report's language and anonymity.
import type { FigureKey } from "../../shared/exchange/figures.ts";
import { figureInline } from "../../shared/i18n/figure-labels.ts";
import { type ReportOptions, reportContext } from "./context.ts";
import type { Metrics } from "./metrics.ts";
import { measured } from "./sections-front.ts";
import { standing } from "./views.ts";

const MARK = { met: "✓", "partially-met": "◐", "not-met": "✗" } as const;

export function runSummary(metrics: Metrics, opts: ReportOptions, dir: string): string {
  const c = reportContext(metrics, opts);
  const { m, t } = c;
  const d = m.deliveries;
  const f = m.figures;
  const n = (k: Exclude<FigureKey, "inTime">) => figureInline(t, k, f[k]);
  // The exchange's figures as the dashboard and the report show them, then the scenario's own messages reconciled.
  const figures = `${n("messagesAccepted")} (${n("alertsAndRfis")}), ${n("rejected")}; ${n("deliveries")}, ${n("acknowledged")} (${n("withinDeadline")}), ${n("escalations")}`;
  const lines = [
    t.t("run.result", {
      verdict: m.pass ? t.t("verdict.pass") : t.t("verdict.fail"), figures,
      delivered: t.int(d.delivered), expected: t.int(d.expected), lost: t.int(d.lost), duplicated: t.int(d.duplicated),
      audit: m.audit.verified ? t.t("run.audit.ok") : t.t("run.audit.broken"), records: t.int(m.audit.records),
    }),
    ...(m.traffic.skipped ? [t.t("run.skipped", { n: m.traffic.skipped })] : []),
    ...m.expectations.map((e, i) => `  ${MARK[standing(e)]} ${c.objective(e, i)} — ${measured(c, e)}`),
    t.t("run.disclaimer"),
    ...(c.anonymised ? [t.t("run.anonymised")] : []),
    t.t("run.report", { path: `${dir}/report.html` }),
  ];
  return `${lines.join("\n")}\n`;
}
