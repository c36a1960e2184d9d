// The report's key figures, each defined once: its label, how it is counted, its value and tone.
// Every place in the report that shows one of these reads it from here (the dashboard, progress
// line and `atix status` share their own counters in shared/; the definitions match).
import type { Ctx } from "./context.ts";
import type { Figure } from "./document.ts";
import { ratio, shareTone, targets, type Tone } from "./views.ts";

interface Definition {
  key: string;
  value(c: Ctx): { value: string; tone: Tone; note?: string } | undefined;
}

const DEFINITIONS: Definition[] = [
  { key: "agencies", value: (c) => ({ value: c.t.int(c.m.agencies), tone: "none" }) },
  {
    key: "messages",
    value: (c) => ({ value: c.t.int(c.m.alerts.submitted), tone: "none", note: c.t.t("figure.messages.note", { accepted: c.t.int(c.m.alerts.accepted), rejected: c.t.int(c.m.alerts.rejected) }) }),
  },
  {
    key: "deliveries",
    value: (c) => ({ value: c.t.int(c.m.deliveries.delivered), tone: c.m.deliveries.delivered < c.m.deliveries.expected ? "warn" : "none", note: c.t.t("figure.deliveries.note", { expected: c.t.int(c.m.deliveries.expected) }) }),
  },
  {
    key: "acknowledged",
    value: (c) => {
      const d = c.m.deliveries;
      return { value: c.t.pct(ratio(d.acknowledged, d.delivered)), tone: "none", note: c.t.t("figure.acknowledged.note", { n: d.acknowledged }) };
    },
  },
  {
    key: "flash",
    value: (c) => {
      const l = c.m.ackLatency.FLASH;
      if (!l.count) return undefined;
      const target = targets(c.m).FLASH;
      return { value: c.t.pct(l.withinDeadline), tone: shareTone(l.withinDeadline, target), note: target === undefined ? c.t.t("figure.flash.noTarget") : c.t.t("figure.flash.note", { target: c.t.pct(target, 0) }) };
    },
  },
  {
    key: "lost",
    value: (c) => ({ value: c.t.int(c.m.deliveries.lost), tone: c.m.deliveries.lost > 0 ? "bad" : c.m.deliveries.duplicated > 0 ? "warn" : "good", note: c.t.t("figure.lost.note", { duplicated: c.t.int(c.m.deliveries.duplicated) }) }),
  },
  {
    key: "escalations",
    value: (c) => ({ value: c.t.int(c.m.escalations.total), tone: c.m.escalations.originator > 0 ? "warn" : "none", note: c.t.t("figure.escalations.note", { originator: c.t.int(c.m.escalations.originator) }) }),
  },
  {
    key: "audit",
    value: (c) => ({ value: c.m.audit.verified ? c.t.t("figure.audit.verified") : c.t.t("figure.audit.broken"), tone: c.m.audit.verified ? "good" : "bad", note: c.t.t("figure.audit.note", { n: c.m.audit.records }) }),
  },
];

/** The key figures in their fixed order, each with its label and how it is counted. */
export function keyFigures(c: Ctx): Figure[] {
  return DEFINITIONS.flatMap((d) => {
    const v = d.value(c);
    if (!v) return [];
    return [{ label: c.t.t(`figure.${d.key}` as "figure.agencies"), how: c.t.t(`figure.${d.key}.how` as "figure.agencies.how"), ...v }];
  });
}
