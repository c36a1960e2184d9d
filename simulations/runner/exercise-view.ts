// What `atix run` tells its dashboard about the exercise: the MSEL as the room sees it (numbers,
// threads, times, who to whom, what is expected) before the day starts, and the result (verdict,
// objectives, injects met, figures, the report) when it ends; in the room's language (the
// scenario's own translations, the report's wording of objectives and observations). Ids only:
// the dashboard's server names and, when anonymised, relabels agencies in all it sends.
import { audienceOf } from "../../shared/audience.ts";
import type { AudienceView, DebriefView, ExerciseView, MselInjectView } from "../../services/dashboard/index.ts";
import type { Precedence } from "../../shared/contracts/index.ts";
import { type ReportOptions, reportContext } from "../report/context.ts";
import type { Metrics } from "../report/metrics.ts";
import { observed } from "../report/sections-msel.ts";
import { measured } from "../report/sections-front.ts";
import { mselRows } from "../report/views.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { ScenarioTranslation } from "../scenario/schema.ts";
import type { Plan } from "./plan.ts";

/** The MSEL before the day starts; `translation`: the scenario's own words in the room's language. */
export function exerciseView(loaded: LoadedScenario, plan: Plan, translation?: ScenarioTranslation): ExerciseView {
  const s = loaded.scenario;
  const own = (n: number) => translation?.injects?.[String(n)];
  const start = Date.parse(s.start);
  // An alert's inject number and precedence as the MSEL goes on (an update may raise it).
  const alerts = new Map<string, { inject: number; precedence: Precedence }>();
  const injects = plan.sends.flatMap((p): MselInjectView[] => {
    const spec = p.injectSpec;
    if (!spec || p.inject === undefined) return [];
    const about = "alert" in spec ? alerts.get(spec.alert) : undefined;
    let to: AudienceView;
    let precedence: Precedence | undefined;
    if (spec.kind === "alert" || spec.kind === "rfi") {
      to = typeof spec.to === "string" ? audienceOf(spec.to) : spec.to;
      precedence = spec.precedence;
      if (spec.ref) alerts.set(spec.ref, { inject: p.inject, precedence });
    } else {
      to = { inject: about?.inject ?? 0, who: spec.kind === "hit" ? "originator" : "recipients" };
      precedence = (spec.kind === "alert-update" ? spec.precedence : undefined) ?? about?.precedence;
      if (spec.kind === "alert-update" && spec.precedence && about) about.precedence = spec.precedence;
    }
    const entry: MselInjectView = {
      inject: p.inject, at: new Date(start + p.at).toISOString(), kind: spec.kind, from: spec.from, to, title: own(p.inject)?.title ?? spec.title ?? "",
      highlight: spec.highlight ?? (precedence === "FLASH" && spec.kind !== "alert-retraction" && spec.kind !== "hit"), state: "upcoming",
    };
    if (spec.thread) entry.thread = spec.thread;
    if (precedence) entry.precedence = precedence;
    if (spec.kind === "rfi") entry.question = spec.question;
    if (about) entry.about = about.inject;
    if (spec.kind === "hit") entry.matched = spec.matched;
    const expected = own(p.inject)?.expected ?? spec.expect?.description;
    if (expected) entry.expected = expected;
    return [entry];
  });
  const acks = s.expectations.flatMap((e, i) => (e.kind === "acknowledged-within-deadline" ? [{ e, description: translation?.expectations?.[i] ?? e.description }] : []));
  const objective = acks.find((x) => x.e.precedence === "FLASH") ?? acks[0];
  return {
    name: s.name, title: translation?.title ?? s.title, start: new Date(start).toISOString(), end: new Date(start + s.duration).toISOString(),
    threads: s.threads.map((t) => {
      const mine = translation?.threads?.[t.id];
      const summary = mine?.summary ?? t.summary;
      return { id: t.id, title: mine?.title ?? t.title, ...(summary ? { summary } : {}) };
    }),
    injects,
    ...(objective ? { objective: { precedence: objective.e.precedence, target: objective.e.atLeast, ...(objective.description ? { description: objective.description } : {}) } } : {}),
  };
}

/**
 * The run's result for the debrief screen, from the report's metrics, worded as the report words it
 * in the room's language (`opts` without an anonymiser: the dashboard relabels all it sends).
 */
export function debriefView(m: Metrics, exercise: ExerciseView, report: { path: string; url?: string }, opts: ReportOptions = {}): DebriefView {
  const c = reportContext(m, { ...opts, anonymiser: undefined });
  const thread = new Map(exercise.injects.map((i) => [i.inject, i.thread]));
  return {
    pass: m.pass, interrupted: m.run.interrupted,
    objectives: m.expectations.map((e, i) => ({ description: c.objective(e, i), pass: e.pass, detail: measured(c, e) })),
    injects: mselRows(m).map((i) => {
      const t = thread.get(i.inject);
      return { inject: i.inject, at: i.at, from: i.from, kind: i.kind, title: c.injectTitle(i), status: i.status, detail: observed(c, i), ...(t ? { thread: t } : {}) };
    }),
    figures: m.figures,
    reconciliation: { expected: m.deliveries.expected, delivered: m.deliveries.delivered, lost: m.deliveries.lost, duplicated: m.deliveries.duplicated },
    audit: { verified: m.audit.verified, records: m.audit.records },
    reportPath: report.path, ...(report.url ? { reportUrl: report.url } : {}),
    simulatedUntil: m.run.simulatedUntil,
  };
}
