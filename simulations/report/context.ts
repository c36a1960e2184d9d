// What every section needs to speak to its reader: the metrics as shown (relabelled when the run
// is anonymised), the translator, the scenario's own words in the reader's language, and how
// agencies, audiences, times and injects are named.
import type { Distribution } from "../../shared/contracts/index.ts";
import { agencyName, organisationShort, regionName, sharingGroupName } from "../../shared/i18n/names.ts";
import type { Lang } from "../../shared/i18n/lang.ts";
import { type Translator, translator } from "../../shared/i18n/translator.ts";
import { Anonymiser } from "../../shared/presentation/anonymiser.ts";
import type { ScenarioTranslation } from "../scenario/schema.ts";
import { clockAt, elapsed, minutesAfterStart } from "./format.ts";
import type { Metrics } from "./metrics.ts";
import type { Expectation, InjectRow } from "./views.ts";

export interface ReportOptions {
  lang?: Lang;
  /** Relabels agencies and masks their names in free text (the same one the run's other outputs used). */
  anonymiser?: Anonymiser;
  /** The scenario's own words in the report's language (from its `translations`). */
  translation?: ScenarioTranslation;
  /** Sharing group names of the roster, for audiences. */
  names?: { sharingGroups?: { id: string; name: string }[] };
}

export interface Ctx {
  /** The metrics as the reader sees them: agency ids relabelled and free text masked when anonymised. */
  m: Metrics;
  t: Translator;
  lang: Lang;
  anonymised: boolean;
  /** An agency's display name in the language (none when anonymised: the label is all there is). */
  agencyName(id: string): string | undefined;
  /** "02:00", or "D2 03:15" past the first day, on the scenario clock. */
  clock(iso: string): string;
  /** The scenario clock at an offset in minutes. */
  clockAtOffset(minutes: number): string;
  elapsed(iso: string): string | undefined;
  audience(d: Metrics["injects"][number]["audience"] | Distribution | undefined): string;
  title(): string;
  description(): string | undefined;
  thread(id: string): { title: string; summary?: string } | undefined;
  injectTitle(i: InjectRow): string;
  expected(i: InjectRow): string;
  objective(e: Expectation, index: number): string;
}

export function reportContext(metrics: Metrics, opts: ReportOptions = {}): Ctx {
  const lang = opts.lang ?? "en";
  const t = translator(lang);
  const anon = opts.anonymiser ?? Anonymiser.none();
  const m = anon.deep(metrics);
  const tr = opts.translation ? anon.deep(opts.translation) : undefined;
  const names = new Map(metrics.agencyStats.map((a) => [a.id, agencyName(a, lang)]));
  const groups = new Map(opts.names?.sharingGroups?.map((g) => [g.id, g.name]));
  const start = m.scenario.start;
  const clockAtOffset = (minutes: number) => {
    const c = clockAt(start, minutes);
    return c.day > 1 ? t.t("clock.day", { day: c.day, time: c.hhmm }) : c.hhmm;
  };
  const threads = new Map((m.scenario.threads ?? []).map((x) => [x.id, x]));
  return {
    m, t, lang, anonymised: anon.active,
    agencyName: (id) => (anon.active ? undefined : names.get(id)),
    clock(iso) {
      const off = minutesAfterStart(start, iso);
      return off === undefined ? iso : clockAtOffset(off);
    },
    clockAtOffset,
    elapsed(iso) {
      const off = minutesAfterStart(start, iso);
      return off === undefined ? undefined : elapsed(off);
    },
    audience(d) {
      if (!d) return "—";
      const parts: string[] = [];
      if (d.all) parts.push(t.t("audience.all"));
      for (const r of d.regions ?? []) parts.push(regionName(r, lang));
      for (const o of d.organisations ?? []) parts.push(organisationShort(o, lang));
      for (const g of d.sharingGroups ?? []) parts.push(t.t("audience.group", { name: anon.text(sharingGroupName(g, groups.get(g), lang)) }));
      if (d.agencies?.length) parts.push(d.agencies.join(", "));
      return parts.join("; ");
    },
    title: () => tr?.title ?? m.scenario.title,
    description: () => tr?.description ?? m.scenario.description,
    thread(id) {
      const x = threads.get(id);
      if (!x) return undefined;
      const own = tr?.threads?.[id];
      const summary = own?.summary ?? x.summary;
      return { title: own?.title ?? x.title, ...(summary ? { summary } : {}) };
    },
    injectTitle(i) {
      const own = tr?.injects?.[String(i.inject)]?.title;
      if (own) return own;
      if (i.titled !== false) return i.title;
      if (i.kind === "hit") return t.t("inject.title.hit", { matched: i.matched ?? "" });
      const about = i.refersTo !== undefined ? t.t("inject.ref", { n: i.refersTo }) : "";
      if (i.kind === "alert-retraction") return t.t("inject.title.retraction", { about });
      if (i.kind === "alert-update") return t.t("inject.title.update", { about });
      return i.title;
    },
    expected(i) {
      const own = tr?.injects?.[String(i.inject)]?.expected;
      if (own) return own;
      if (i.expectedAuthored !== false) return i.expected;
      const x = i.expectation;
      if (!x) return "—";
      const who = x.by === "all" ? t.t("expect.everyRecipient") : x.by.join(", ");
      const within = x.withinMinutes !== undefined ? t.span(x.withinMinutes) : t.t("expect.deadline");
      return [
        t.t("expect.acknowledges", { who, within }),
        x.atLeast < 1 ? t.t("expect.atLeast", { share: t.pct(x.atLeast, 0) }) : "",
        x.answers !== undefined ? t.t("expect.answers", { n: x.answers }) : "",
      ].filter(Boolean).join(" ");
    },
    objective(e, index) {
      const own = tr?.expectations?.[index];
      if (own) return own;
      if (e.authored !== false) return e.description;
      return objectiveDefault(t, e);
    },
  };
}

/** An objective worded from its kind and figures, for scenarios that gave it no description. */
function objectiveDefault(t: Translator, e: Expectation): string {
  const target = e.target ?? 0;
  switch (e.kind) {
    case "acknowledged-within-deadline":
      return t.t("objective.acknowledged", { precedence: e.precedence ?? "", share: t.pct(target, 0) });
    case "nothing-lost":
      return t.t("objective.nothingLost");
    case "no-duplicates":
      return t.t("objective.noDuplicates");
    case "red-confined":
      return t.t("objective.redConfined");
    case "audit-verified":
      return t.t("objective.auditVerified");
    case "injects-met":
      return t.t("objective.injectsMet", { share: t.pct(target, 0) });
    case "rejections-recorded":
      return t.t("objective.rejectionsRecorded", { n: target });
    case "escalations-at-most":
      return t.t("objective.escalationsAtMost", { n: target });
    case "coordinator-memory-below":
      return t.t("objective.memoryBelow", { mb: t.int(target) });
    case "flood-answered":
      return t.t("objective.floodAnswered");
    case "others-accepted-within":
      return t.t("objective.othersAcceptedWithin", { seconds: target });
    case "escalations-coalesced":
      return t.t("objective.escalationsCoalesced", { ratio: target });
    default:
      return e.description;
  }
}
