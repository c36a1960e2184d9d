// The MSEL evaluation, inject by inject as an evaluation guide reads it: number, thread, time,
// from, to, expected outcome, what was observed, and whether it was met.
import type { Ctx } from "./context.ts";
import { muted, p, type Section, strong, type Text } from "./document.ts";
import { standingBadge } from "./sections-front.ts";
import { injectTally, mselRows, type InjectRow } from "./views.ts";

/** Who an inject went to: its audience, or for updates, retractions and hits the alert's recipients or originator. */
function to(c: Ctx, i: InjectRow, rows: InjectRow[]): string {
  if (i.audience) return c.audience(i.audience);
  const alert = rows.find((r) => r.inject === i.refersTo);
  if (i.kind === "hit") return alert ? alert.from : "—";
  return alert ? c.t.t("msel.recipientsOf", { n: i.refersTo ?? 0, count: i.recipients }) : c.t.int(i.recipients);
}

/** What happened, worded from the judged figures: in time, late, missing, answers, or why it failed. */
export function observed(c: Ctx, i: InjectRow): string {
  const { t } = c;
  if (i.outcome === "not-sent") return t.t("observed.notSent", { reason: (i.reasons ?? [i.detail]).join("; ") || "—" });
  if (i.outcome === "rejected") return t.t("observed.rejected", { reasons: (i.reasons ?? [i.detail]).join("; ") || "—" });
  const o = i.observed;
  const x = i.expectation;
  if (!o || !x) return t.t("observed.acknowledged", { n: i.acknowledgedInTime, of: i.recipients });
  const due = o.inTime.length + o.late.length + o.missing.length;
  const within = x.withinMinutes !== undefined ? t.span(x.withinMinutes) : t.t("expect.deadline");
  const parts = [t.t("observed.inTime", { n: o.inTime.length, of: due, within })];
  if (o.late.length) parts.push(t.t("observed.late", { list: o.late.join(", ") }));
  if (o.missing.length) parts.push(t.t("observed.missing", { list: o.missing.join(", ") }));
  if (o.answers !== undefined) parts.push(t.t("observed.answers", { n: o.answers, expected: x.answers ?? 0 }));
  return parts.join("; ");
}

export function msel(c: Ctx): Section {
  const { m, t } = c;
  const title = t.t("section.msel");
  if (!m.injects.length) return { id: "msel", title, blocks: [p(t.t("msel.none"))] };
  const tally = injectTally(m);
  const rows = mselRows(m);
  const body = rows.map((i) => {
    const time: Text = [strong(c.clock(i.at)), ...(i.offset !== undefined ? ["\n", muted(c.elapsed(i.at) ?? "")] : [])];
    return {
      tone: `row-${i.status}`,
      cells: [
        { text: strong(String(i.inject)), num: true },
        i.thread ?? "—",
        { text: time, nowrap: true },
        { text: [strong(i.from), "\n", muted(t.t(`kind.${i.kind}` as "kind.alert"))], nowrap: true },
        to(c, i, rows),
        [strong(c.injectTitle(i)), ...(i.precedence ? ["\n", muted(i.precedence)] : [])],
        c.expected(i),
        observed(c, i),
        { text: standingBadge(c, i.status), nowrap: true },
      ],
    };
  });
  return {
    id: "msel", title,
    lead: t.t("msel.lead", { met: tally.met, partial: tally["partially-met"], notMet: tally["not-met"], none: tally["no-expectation"] }),
    blocks: [{
      kind: "table",
      head: [{ text: "#", num: true }, { text: t.t("col.thread") }, { text: t.t("col.time") }, { text: t.t("col.from") }, { text: t.t("col.to") }, { text: t.t("col.inject") }, { text: t.t("col.expected") }, { text: t.t("col.observed") }, { text: t.t("col.met") }],
      rows: body,
    }],
  };
}
