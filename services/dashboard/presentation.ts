// How the dashboard speaks to its room: in the room's language (the page's words from the typed
// catalogues, Intl formatting for the locale, regions, organisations, groups and agencies named
// from shared/i18n/names.ts) and, for an anonymised run, through the anonymiser that relabels every
// agency in whatever the server sends (seeded as the run's report, so both show the same labels).
import { REGIONS } from "../../shared/contracts/index.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import type { Catalogue } from "../../shared/i18n/catalogue.ts";
import { type Lang, LOCALES } from "../../shared/i18n/lang.ts";
import { agencyName, organisationShort, regionName, sharingGroupName, stateName } from "../../shared/i18n/names.ts";
import { stateOf } from "../../shared/i18n/states.ts";
import { CATALOGUES } from "../../shared/i18n/translator.ts";
import { Anonymiser } from "../../shared/presentation/anonymiser.ts";
import type { NamesView } from "./types.ts";

export interface DashboardPresentation {
  lang: Lang;
  /** Anonymiser.none() unless the run (or the exchange) is anonymised. */
  anonymiser: Anonymiser;
}

export const ENGLISH: DashboardPresentation = { lang: "en", anonymiser: Anonymiser.none() };

/** The catalogue entries the page shows: its own (`dash.`), the figures', verdicts, standings, the disclaimer and the anonymity note. */
const PAGE_KEYS = /^(dash|figure|verdict|status)\.|^(disclaimer|anonymised)$/;

export interface PageLanguage {
  lang: Lang;
  /** For Intl on the page: "en-GB", "ru-RU". */
  locale: string;
  anonymised: boolean;
  catalogue: Partial<Catalogue>;
}

const pageCatalogues = new Map<Lang, Partial<Catalogue>>();

/** What /api/i18n hands the page: the words, the locale and whether agencies are anonymised. */
export function pageLanguage(p: DashboardPresentation): PageLanguage {
  let catalogue = pageCatalogues.get(p.lang);
  if (!catalogue) pageCatalogues.set(p.lang, (catalogue = Object.fromEntries(Object.entries(CATALOGUES[p.lang]).filter(([k]) => PAGE_KEYS.test(k)))));
  return { lang: p.lang, locale: LOCALES[p.lang], anonymised: p.anonymiser.active, catalogue };
}

/** Regions, organisations and sharing groups by id, in the room's language. */
export function namesView(reg: RegistryData | undefined, lang: Lang): NamesView {
  return {
    regions: Object.fromEntries(REGIONS.map((r) => [r, regionName(r, lang)])),
    organisations: Object.fromEntries((reg?.organisations ?? []).map((o) => [o.id, organisationShort(o.id, lang)])),
    sharingGroups: Object.fromEntries((reg?.sharingGroups ?? []).map((g) => [g.id, sharingGroupName(g.id, g.name, lang)])),
  };
}

/**
 * An agency's name and state as the room reads them. Anonymised, the name is its region and the
 * state is left out (the anonymiser relabels the id; a masked name would read "CAU-02 (CAU-02)").
 */
export function agencyNames(a: { id: string; name: string; country: string; region: string }, p: DashboardPresentation): { name: string; country: string } {
  if (p.anonymiser.active) return { name: regionName(a.region, p.lang), country: "" };
  return { name: agencyName(a, p.lang), country: stateName(stateOf(a.id), p.lang, a.country) };
}
