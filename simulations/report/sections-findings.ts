// Strengths, areas for improvement grouped by capability, and the Improvement Plan.
import type { Ctx } from "./context.ts";
import { disclaimer } from "./sections-front.ts";
import { type Block, p, type Section, strong } from "./document.ts";
import type { Area, Findings, Priority } from "./findings.ts";

const capability = (c: Ctx, cap: string) => c.t.t(`capability.${cap}` as "capability.alerting");
const priorityBadge = (c: Ctx, pr: Priority) => ({ kind: "badge" as const, cls: `b-${pr}`, mark: pr === "high" ? "▲" : "", text: c.t.t(`priority.${pr}` as "priority.high") });

/** The target date: days after the exercise's end, and that date. */
function targetDate(c: Ctx, a: Area): string {
  const end = Date.parse(c.m.scenario.start) + c.m.scenario.durationMinutes * 60_000;
  return c.t.t("plan.target", { days: a.days, date: c.t.date(new Date(end + a.days * 86_400_000).toISOString(), c.m.scenario.start) });
}

export function strengthsSection(c: Ctx, f: Findings): Section {
  const items = f.strengths.map((s) => [strong(`${capability(c, s.capability)}:`), " ", s.text]);
  return { id: "strengths", title: c.t.t("section.strengths"), blocks: [items.length ? { kind: "list", items } : p(c.t.t("strengths.none"))] };
}

export function areasSection(c: Ctx, f: Findings): Section {
  const blocks: Block[] = [disclaimer(c)];
  if (!f.areas.length) blocks.push(p(c.t.t("areas.none")));
  else
    blocks.push({
      kind: "table",
      head: [{ text: c.t.t("col.capability") }, { text: c.t.t("col.priority") }, { text: c.t.t("col.observation") }],
      rows: f.areas.map((a) => ({ cells: [[strong(capability(c, a.capability))], { text: priorityBadge(c, a.priority), nowrap: true }, a.issue] })),
    });
  return { id: "areas", title: c.t.t("section.areas"), lead: c.t.t("areas.lead"), blocks };
}

export function planSection(c: Ctx, f: Findings): Section {
  const blocks: Block[] = f.areas.length
    ? [{
        kind: "table",
        head: [{ text: "#", num: true }, { text: c.t.t("col.capability") }, { text: c.t.t("col.action") }, { text: c.t.t("col.owner") }, { text: c.t.t("col.priority") }, { text: c.t.t("col.targetDate") }],
        rows: f.areas.map((a, i) => ({
          cells: [{ text: String(i + 1), num: true }, [strong(capability(c, a.capability))], a.action, a.owner, { text: priorityBadge(c, a.priority), nowrap: true }, { text: targetDate(c, a), nowrap: true }],
        })),
      }]
    : [p(c.t.t("plan.none"))];
  return { id: "plan", title: c.t.t("section.plan"), lead: c.t.t("plan.lead"), blocks };
}
