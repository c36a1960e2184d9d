// Languages and anonymity: both catalogues have the same keys and placeholders; a Russian report
// shows no English UI string and has Cyrillic wherever UI text is; an anonymised report names no
// agency of the roster (id as a whole word, or name, in either language, or its state).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Roster } from "../../shared/contracts/index.ts";
import { parse } from "yaml";
import { parseAudience, unknownAudience } from "../../shared/audience.ts";
import { en } from "../../shared/i18n/catalogue-en.ts";
import { ru } from "../../shared/i18n/catalogue-ru.ts";
import { ExchangeFigures } from "../../shared/exchange/figures.ts";
import { AGENCY_NAMES_RU } from "../../shared/i18n/agency-names-ru.ts";
import { translator } from "../../shared/i18n/translator.ts";
import { Anonymiser } from "../../shared/presentation/anonymiser.ts";
import { renderHtml } from "../../simulations/report/html.ts";
import { renderMarkdown } from "../../simulations/report/markdown.ts";
import { progressLine } from "../../simulations/runner/progress.ts";
import { metrics90 } from "../support/metrics-fixture.ts";

const roster = Roster.parse(parse(readFileSync(new URL("../../simulations/rosters/forum-90.yaml", import.meta.url), "utf8")));
const placeholders = (e: unknown) => new Set(JSON.stringify(e).match(/\{\w+\}/g) ?? []);
const forms = (e: unknown): string[] => (typeof e === "string" ? [e] : Object.values(e as object));

describe("the catalogues", () => {
  it("have the same keys, and each Russian entry the English one's placeholders", () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect([...placeholders(ru[k])].sort(), k).toEqual([...placeholders(en[k])].sort());
  });
  it("give Russian plurals their three forms", () => {
    for (const [k, v] of Object.entries(ru)) if (typeof v !== "string") expect(Object.keys(v).sort(), k).toEqual(["few", "many", "one", "other"]);
  });
  it("format numbers, shares and durations with Intl for the language", () => {
    const [e, r] = [translator("en"), translator("ru")];
    expect(e.int(3531)).toBe("3,531");
    expect(r.int(3531)).toMatch(/^3[\u00a0\u202f]531$/);
    expect(e.pct(0.9999)).toBe("99.9%");
    expect(r.pct(0.971)).toMatch(/^97,1[\u00a0\u202f]%$/);
    expect(r.span(90)).toBe("1 ч 30 мин");
    expect(r.t("cover.agencies", { n: 21 })).toBe("21 служба");
    expect(r.t("cover.agencies", { n: 24 })).toBe("24 службы");
    expect(r.t("cover.agencies", { n: 90 })).toBe("90 служб");
  });
});

/** The text a reader sees: each text node, with tooltips (title attributes) too. */
const visibleText = (html: string) =>
  [...html.replace(/<style>[^]*?<\/style>/, "").replace(/<title>[^]*?<\/title>/g, "").split(/<[^>]+>/), ...[...html.matchAll(/ title="([^"]*)"/g)].map((x) => x[1]!)]
    .map((s) => s.trim()).filter(Boolean);

describe("a Russian report", () => {
  const m = metrics90();
  // Scenario text in Russian, as a scenario's translation gives it: what is left in English is UI.
  const translation = {
    title: "Учение", description: "Описание",
    injects: Object.fromEntries(m.injects.map((i) => [String(i.inject), { title: `Вводная ${i.inject}`, expected: "Ожидание" }])),
    expectations: m.expectations.map(() => "Цель"),
  };
  m.faults = m.faults.map((f) => ({ ...f, agency: "TJ", minutes: 60 }));
  const html = renderHtml(m, { lang: "ru", translation });
  const md = renderMarkdown(m, { lang: "ru", translation });
  it("contains no English catalogue string", () => {
    const english = Object.entries(en).flatMap(([k, v]) => forms(v).flatMap((f) => f.split(/\{\w+\}/)).map((part) => [k, part.trim()] as const))
      .filter(([, part]) => part.length >= 12 && /[a-z]{3}/.test(part) && !/^(TLP|FLASH|p\d\d|atix|metrics\.json)/.test(part));
    const shown = visibleText(html).join("\n");
    for (const [k, part] of english) {
      expect(shown.includes(part), `${k}: "${part}" in report.html`).toBe(false);
      expect(md.includes(part), `${k}: "${part}" in report.md`).toBe(false);
    }
  });
  it("has Cyrillic in every piece of UI text that has words", () => {
    const untranslated = visibleText(html).filter((s) => /[A-Za-z]{4,}/.test(s) && !/[А-Яа-яЁё]/.test(s))
      // Codes and data, not UI: precedences, TLP, ids, hashes, kinds of fault, file paths, agency ids.
      .filter((s) => !/^(FLASH|IMMEDIATE|PRIORITY|ROUTINE|TLP:[A-Z+]+|[a-z-]+|[0-9a-f-]{20,}|sha256:[0-9a-f]+|[\w./-]+\.yaml|[A-Z]{2}(-[A-Z0-9]+)?|p\d\d .*|E\+.*)$/.test(s));
    // What remains is scenario data the fixture left in English: agency names are the roster's (English only when no Russian one exists).
    expect(untranslated.filter((s) => !m.agencyStats.some((a) => s.includes(a.name)) && !m.injects.some((i) => s.includes(i.detail))), untranslated.join(" | ")).toEqual([]);
  });
});

describe("the anonymiser", () => {
  const anon = Anonymiser.of(roster.agencies, 2025, { redacted: "[service]" });
  it("labels every agency by region, consistently for a seed, not in alphabetical order", () => {
    expect(anon.id("AZ")).toMatch(/^CAU-0[1-3]$/);
    expect(Anonymiser.of(roster.agencies, 2025).id("DE")).toBe(anon.id("DE"));
    const europe = roster.agencies.filter((a) => a.region === "europe").map((a) => a.id).sort();
    expect(europe.map((id) => anon.id(id))).not.toEqual(europe.map((_, i) => `EUR-${String(i + 1).padStart(2, "0")}`));
    expect(new Set(roster.agencies.map((a) => anon.id(a.id))).size).toBe(roster.agencies.length);
  });
  it("masks ids, names, acronyms and states in English and Russian text, and leaves places and codes", () => {
    const en = anon.text("Request to KNB: did TASHEV enter Kazakhstan from Uzbekistan (UZ-TJ)? MIT and the Federal Security Service (FSB) of Russia; TLP:AMBER, FLASH, Mingachevir.");
    expect(en).not.toMatch(/KNB|Kazakhstan|Uzbekistan|\bUZ\b|\bTJ\b|MIT|FSB|Federal Security Service|Russia\b/);
    expect(en).toContain("Mingachevir");
    expect(en).toContain("TLP:AMBER, FLASH");
    const ru = anon.text("Запрос в КНБ: въезжал ли ТАШЕВ в Казахстан из Узбекистана? Паспорта Таджикистана, турецкие SIM-карты, ФСБ России.");
    expect(ru).not.toMatch(/КНБ|Казахстан|Узбекистан|Таджикистан|турецк|ФСБ|Росси/);
  });
  it("leaves no agency id or name in an anonymised report, in either language", () => {
    for (const lang of ["en", "ru"] as const) {
      const m = metrics90();
      for (const out of [renderHtml(m, { lang, anonymiser: anon }), renderMarkdown(m, { lang, anonymiser: anon })]) {
        for (const a of roster.agencies) {
          expect(out, `${lang}: ${a.id}`).not.toMatch(new RegExp(`(?<![A-Za-z0-9])${a.id}(?![A-Za-z0-9])`));
          expect(out.includes(a.name), `${lang}: ${a.name}`).toBe(false);
          if (AGENCY_NAMES_RU[a.id]) expect(out.includes(AGENCY_NAMES_RU[a.id]!), `${lang}: ${a.id} ru`).toBe(false);
        }
        expect(out).toContain(lang === "en" ? "Anonymised" : "Обезличено");
      }
    }
  });
  it("relabels what a server sends, leaving organisation ids alone", () => {
    expect(anon.deep({ from: "AU", to: { organisations: ["AU", "CIS"] }, AZ: { title: "Kazakhstan" } })).toEqual({ from: anon.id("AU"), to: { organisations: ["AU", "CIS"] }, [anon.id("AZ")]: { title: anon.id("KZ") } });
    // A map of names by organisation id keeps its keys (AU is also Australia's id); the names are still masked.
    expect(anon.deep({ names: { organisations: { AU: "African Union", CIS: "СНГ" }, regions: { europe: "Europe" } } })).toEqual({ names: { organisations: { AU: "African Union", CIS: "СНГ" }, regions: { europe: "Europe" } } });
    expect(anon.deep({ names: { sharingGroups: { x: "Kazakhstan border group" } } })).toEqual({ names: { sharingGroups: { x: `${anon.id("KZ")} border group` } } });
  });
});

describe("audiences", () => {
  it("parse as a result, and name unknown agencies, organisations and groups with the valid names", () => {
    expect(parseAudience("org:CIS,agency:GE,TR")).toEqual({ ok: true, value: { organisations: ["CIS"], agencies: ["GE", "TR"] } });
    expect(parseAudience("region:mars").ok).toBe(false);
    const parsed = parseAudience("agency:ZZ,AX,org:NATO,group:cyber");
    if (!parsed.ok) throw new Error(parsed.problem);
    const problems = unknownAudience(parsed.value, roster);
    expect(problems[0]).toMatch(/^agency ZZ is not in this exchange( \(did you mean [^)]+\))?; name agencies by id, agency:ID or agency:ID,ID, one of: AZ, AM, GE/);
    expect(problems[1]).toMatch(/agency AX .*did you mean agency:A[A-Z]/);
    expect(problems[2]).toMatch(/organisation NATO .*one of: SCO, CIS, CSTO/);
    expect(problems[3]).toMatch(/sharing group cyber .*group:cyber-threats/);
  });
});

describe("the progress line", () => {
  const big = { deliveries: 1_345_678, acknowledged: 1_234_567, escalations: 9_999, rejected: 123 };
  const p = { simNow: Date.parse("2026-09-22T07:32:00Z"), simStart: Date.parse("2026-09-21T00:00:00Z"), simEnd: Date.parse("2026-09-22T00:00:00Z") + 3_600_000, sent: 12_345, planned: 12_400, figures: { ...new ExchangeFigures().at(0), ...big }, phase: "draining" as const };
  it("shows the exchange's figures by their shared short names, whole at 80 columns for a day like baku-247's", () => {
    const day = { ...p, simNow: Date.parse("2026-09-21T23:59:00Z"), sent: 240, planned: 240, phase: "playing" as const, figures: { ...p.figures, deliveries: 3_634, acknowledged: 3_519, escalations: 181, rejected: 3 } };
    for (const lang of ["en", "ru"] as const) {
      const t = translator(lang);
      const line = progressLine(day, t, 80);
      expect(line, lang).not.toContain("…");
      for (const [k, n] of [["deliveries", 3_634], ["acknowledged", 3_519], ["escalations", 181], ["rejected", 3]] as const) expect(line, `${lang} ${k}`).toContain(`${t.t(`figure.${k}.short`)} ${t.int(n)}`);
    }
  });
  it("fits 80 columns, and any narrower terminal, in both languages", () => {
    for (const lang of ["en", "ru"] as const)
      for (const cols of [80, 200, 60, 40]) expect([...progressLine(p, translator(lang), cols)].length, `${lang} ${cols}`).toBeLessThan(Math.min(cols, 80));
  });
});
