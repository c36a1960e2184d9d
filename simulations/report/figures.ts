// The report's key figures, in a fixed order. The exchange's own figures (messages accepted,
// deliveries, acknowledged, escalations) are metrics.json's `figures`, counted and named exactly
// as the dashboard, the progress line and `atix status` count and name them (shared/exchange/
// figures.ts, the catalogues' `figure.<key>`), so the report's numbers are the room's numbers. The
// others (agencies, the FLASH objective, lost, the audit chain) are the report's own.
import type { FigureKey } from "../../shared/exchange/figures.ts";
import { figureHow, figureInline, figureLabel } from "../../shared/i18n/figure-labels.ts";
import type { Key } from "../../shared/i18n/catalogue.ts";
import type { Ctx } from "./context.ts";
import type { Figure } from "./document.ts";
import { shareTone, targets, type Tone } from "./views.ts";

type Value = { value: string; tone: Tone; note?: string };
/** An exchange figure (named by the shared catalogue entry) or one of the report's own (`figure.<key>`). */
type Definition = { shared: FigureKey; value(c: Ctx): Value } | { own: "agencies" | "flash" | "lost" | "audit"; value(c: Ctx): Value | undefined };

/** "alerts and RFIs 240 · submissions rejected 3": other figures as a card's note. */
const notes = (c: Ctx, keys: Exclude<FigureKey, "inTime">[]) => keys.map((k) => figureInline(c.t, k, c.m.figures[k])).join(" · ");

const DEFINITIONS: Definition[] = [
  { own: "agencies", value: (c) => ({ value: c.t.int(c.m.agencies), tone: "none" }) },
  { shared: "messagesAccepted", value: (c) => ({ value: c.t.int(c.m.figures.messagesAccepted), tone: "none", note: notes(c, ["alertsAndRfis", "rejected"]) }) },
  {
    shared: "deliveries",
    value: (c) => {
      const d = c.m.deliveries;
      return { value: c.t.int(c.m.figures.deliveries), tone: d.delivered < d.expected ? "warn" : "none", note: c.t.t("figure.deliveries.note", { delivered: c.t.int(d.delivered), expected: c.t.int(d.expected) }) };
    },
  },
  { shared: "acknowledged", value: (c) => ({ value: c.t.int(c.m.figures.acknowledged), tone: "none", note: notes(c, ["withinDeadline", "late"]) }) },
  {
    own: "flash",
    value: (c) => {
      const share = c.m.figures.byPrecedence.FLASH.inTime;
      if (!c.m.figures.byPrecedence.FLASH.deliveries) return undefined;
      const target = targets(c.m).FLASH;
      return { value: c.t.pct(share), tone: shareTone(share, target), note: target === undefined ? c.t.t("figure.flash.noTarget") : c.t.t("figure.flash.note", { target: c.t.pct(target, 0) }) };
    },
  },
  {
    own: "lost",
    value: (c) => ({ value: c.t.int(c.m.deliveries.lost), tone: c.m.deliveries.lost > 0 ? "bad" : c.m.deliveries.duplicated > 0 ? "warn" : "good", note: c.t.t("figure.lost.note", { duplicated: c.t.int(c.m.deliveries.duplicated) }) }),
  },
  {
    shared: "escalations",
    value: (c) => ({ value: c.t.int(c.m.figures.escalations), tone: c.m.escalations.originator > 0 ? "warn" : "none", note: c.t.t("figure.escalations.note", { originator: c.t.int(c.m.escalations.originator) }) }),
  },
  {
    own: "audit",
    value: (c) => ({ value: c.m.audit.verified ? c.t.t("figure.audit.verified") : c.t.t("figure.audit.broken"), tone: c.m.audit.verified ? "good" : "bad", note: c.t.t("figure.audit.note", { n: c.m.audit.records }) }),
  },
];

/** The key figures in their fixed order, each with its label and how it is counted. */
export function keyFigures(c: Ctx): Figure[] {
  return DEFINITIONS.flatMap((d) => {
    const v = d.value(c);
    if (!v) return [];
    if ("shared" in d) return [{ label: figureLabel(c.t, d.shared), how: figureHow(c.t, d.shared), ...v }];
    return [{ label: c.t.t(`figure.${d.own}` satisfies Key), how: c.t.t(`figure.${d.own}.how` satisfies Key), ...v }];
  });
}
