// Names a reader sees, in their language: regions, organisations, sharing groups, states and
// agencies. English comes from the roster where it has one; Russian from the tables here, keyed by
// id, so any roster built from the forum's states (forum-90, generated rosters) reads in Russian.
import { AGENCY_NAMES_RU, regionalOfficeRu, SERVICE_KINDS_RU } from "./agency-names-ru.ts";
import type { Lang } from "./lang.ts";
import { STATES, stateOf } from "./states.ts";

export const REGION_NAMES: Readonly<Record<string, { en: string; ru: string; code: string }>> = {
  europe: { en: "Europe", ru: "Европа", code: "EUR" },
  caucasus: { en: "Caucasus", ru: "Кавказ", code: "CAU" },
  "central-asia": { en: "Central Asia", ru: "Центральная Азия", code: "CAS" },
  "south-asia": { en: "South Asia", ru: "Южная Азия", code: "SAS" },
  "east-asia": { en: "East Asia", ru: "Восточная Азия", code: "EAS" },
  "southeast-asia": { en: "Southeast Asia", ru: "Юго-Восточная Азия", code: "SEA" },
  "middle-east": { en: "Middle East", ru: "Ближний Восток", code: "MDE" },
  africa: { en: "Africa", ru: "Африка", code: "AFR" },
  "north-america": { en: "North America", ru: "Северная Америка", code: "NAM" },
  "latin-america": { en: "Latin America", ru: "Латинская Америка", code: "LAT" },
  oceania: { en: "Oceania", ru: "Океания", code: "OCE" },
};

/** Short names as each language writes them (AU is also Australia's id: its English short name is spelled out). */
export const ORGANISATION_NAMES: Readonly<Record<string, { en: string; ru: string; ruName: string }>> = {
  SCO: { en: "SCO", ru: "ШОС", ruName: "Шанхайская организация сотрудничества — Региональная антитеррористическая структура (РАТС)" },
  CIS: { en: "CIS", ru: "СНГ", ruName: "Содружество Независимых Государств — Антитеррористический центр (АТЦ СНГ)" },
  CSTO: { en: "CSTO", ru: "ОДКБ", ruName: "Организация Договора о коллективной безопасности" },
  OTS: { en: "OTS", ru: "ОТГ", ruName: "Организация тюркских государств" },
  EU: { en: "EU", ru: "ЕС", ruName: "Европейский союз — Европейский контртеррористический центр Европола" },
  ASEAN: { en: "ASEAN", ru: "АСЕАН", ruName: "Ассоциация государств Юго-Восточной Азии — АСЕАНАПОЛ" },
  AU: { en: "African Union", ru: "АС", ruName: "Африканский союз — Механизм полицейского сотрудничества (АФРИПОЛ)" },
  GCC: { en: "GCC", ru: "ССАГПЗ", ruName: "Совет сотрудничества арабских государств Персидского залива" },
  LAS: { en: "LAS", ru: "ЛАГ", ruName: "Лига арабских государств — Совет министров внутренних дел арабских государств" },
  OAS: { en: "OAS", ru: "ОАГ", ruName: "Организация американских государств — Межамериканский комитет против терроризма (СИКТЕ)" },
};

export const SHARING_GROUP_NAMES_RU: Readonly<Record<string, string>> = {
  "caspian-security": "Рабочая группа по безопасности на Каспии",
  "central-asia-border": "Группа пограничной безопасности Центральной Азии и афганского направления",
  "critical-infrastructure": "Группа защиты энергетики и критической инфраструктуры",
  "cyber-threats": "Группа обмена по киберугрозам и онлайн-радикализации",
  "terrorist-financing": "Группа финансовой разведки по финансированию терроризма",
  "maritime-security": "Группа морской безопасности (Красное море, Индийский океан, Малаккский пролив)",
};

const titleCase = (id: string) => id.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");

export const regionName = (region: string, lang: Lang): string => REGION_NAMES[region]?.[lang] ?? titleCase(region);
export const organisationShort = (id: string, lang: Lang): string => ORGANISATION_NAMES[id]?.[lang] ?? id;
export const organisationName = (id: string, name: string | undefined, lang: Lang): string =>
  (lang === "ru" ? ORGANISATION_NAMES[id]?.ruName : undefined) ?? name ?? id;
export const sharingGroupName = (id: string, name: string | undefined, lang: Lang): string =>
  (lang === "ru" ? SHARING_GROUP_NAMES_RU[id] : undefined) ?? name ?? id;
export const stateName = (code: string, lang: Lang, fallback?: string): string => STATES[code]?.[lang] ?? fallback ?? code;

/** An agency's name in the language: the roster's in English; in Russian from the tables, else the roster's. */
export function agencyName(agency: { id: string; name: string }, lang: Lang): string {
  if (lang === "en") return agency.name;
  const known = AGENCY_NAMES_RU[agency.id];
  if (known) return known;
  const [code, suffix] = agency.id.split("-");
  const state = STATES[stateOf(agency.id)]?.ru ?? code;
  const regional = suffix ? /^R(\d+)$/.exec(suffix) : null;
  const kind = suffix ? (regional ? regionalOfficeRu(Number(regional[1])) : SERVICE_KINDS_RU[suffix]) : undefined;
  return kind ? `${state}: ${kind}` : agency.name;
}
