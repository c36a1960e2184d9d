// Every word the page shows comes from the room's catalogue: the server hands it over as JSON
// (/api/i18n: the page's own entries of shared/i18n/en-dashboard.ts or ru-dashboard.ts, the
// figures' labels, verdicts and standings, the disclaimer) and the same interpolate.js the server
// uses fills it. Numbers, shares and dates are formatted with Intl for the room's locale. Names
// of regions, organisations and groups come with each snapshot (setNames); agency ids are shown
// as the server sends them (an anonymised dashboard's server relabels them in all it sends), and
// agencyLabel stays the one function that names an agency. Simulated times are UTC.
import { interpolate } from "./interpolate.js";

const I18N = await (await fetch("/api/i18n")).json();
export const LANG = I18N.lang;
export const LOCALE = I18N.locale;
/** The server relabels agencies: the page says so. */
export const ANONYMISED = I18N.anonymised;
const CATALOGUE = I18N.catalogue;

/** Any entry the page was handed, by its full key ("figure.deliveries", "verdict.pass", "disclaimer"), filled from `vars`. */
export function tk(key, vars) {
  const entry = CATALOGUE[key];
  return entry === undefined ? key : interpolate(entry, vars, LOCALE);
}

/** A word of the page's own (`dash.<key>`); plural entries are chosen by `vars.n` (a number). */
export const t = (key, vars) => tk(`dash.${key}`, vars);

/** A figure's label as a heading ("Deliveries"). */
export const figureLabel = (key) => tk(`figure.${key}`);
/** A figure inside a line, as every view writes it: "deliveries 3,634" / "доставки: 3 634" (`n` formatted already, or a number). */
export const figureInline = (key, n) => {
  const label = figureLabel(key);
  return tk("figure.inline", { label: label.charAt(0).toLocaleLowerCase(LOCALE) + label.slice(1), n });
};

let names = { regions: {}, organisations: {}, sharingGroups: {} };
/** The snapshot's names (regions, organisations, sharing groups by id) in the room's language. */
export const setNames = (n) => void (names = n ?? names);

/** How the room sees an agency: the id the server sent (its regional label when anonymised). */
export const agencyLabel = (id) => String(id ?? "");

export const regionName = (r) => names.regions[r] ?? r;
export const kindWord = (k) => (CATALOGUE[`dash.kind.${k}`] === undefined ? k : t(`kind.${k}`));

const intF = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const decF = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const pctF = new Intl.NumberFormat(LOCALE, { style: "percent", maximumFractionDigits: 1 });
const dayF = new Intl.DateTimeFormat(LOCALE, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric" });

export const fmtInt = (n) => (typeof n === "number" ? intF.format(n) : "–");
/** A share as the figures read it, rounded down as everywhere (a share just short of a target never reads as it). */
export const pct = (x) => (x === null || x === undefined || !Number.isFinite(x) ? "–" : pctF.format(x >= 1 ? 1 : Math.floor(x * 1000 + 1e-9) / 1000));
/** "×300", "×1,000" / "×1 000". */
export const speedText = (x) => `×${x >= 100 ? intF.format(Math.round(x)) : decF.format(x)}`;

/** A simulated span: "45 s", "20 min 32 s", "2 h 59 min" (in the room's words). */
export function span(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t("spanS", { s });
  if (s < 3600) return t("spanMS", { m: Math.floor(s / 60), s: s % 60 });
  return t("spanHM", { h: Math.floor(s / 3600), m: Math.floor(s / 60) % 60 });
}

/** "Mon 21 Sept 2026 · UTC" / "пн, 21 сент. 2026 г. · UTC". */
export const dayLine = (ms) => `${dayF.format(new Date(ms))} · ${t("utc")}`;

/** Who a message goes to, in words: "all services", "Caucasus, Central Asia, RU, IR", "recipients of inject 2". */
export function audienceText(to) {
  if (!to) return "";
  if (typeof to.inject === "number") return t(to.who === "originator" ? "originatorOf" : "toInject", { n: to.inject });
  if (to.all) return t("all");
  return [
    ...(to.regions ?? []).map(regionName),
    ...(to.organisations ?? []).map((o) => names.organisations[o] ?? o),
    ...(to.sharingGroups ?? []).map((g) => names.sharingGroups[g] ?? g),
    ...(to.agencies ?? []).map(agencyLabel),
  ].join(", ");
}

/** One escalation in a sentence (escaped by the caller's `esc`). */
export function escalationText(e, esc) {
  const vars = { recipient: `<b>${esc(agencyLabel(e.recipient))}</b>`, notify: `<b>${esc(agencyLabel(e.notify))}</b>`, via: e.via ? ` (${esc(names.organisations[e.via] ?? e.via)})` : "" };
  const key = e.step === "reminder" ? "escReminder" : e.step === "backup-contact" ? "escBackup" : "escOriginator";
  const more = (e.messageIds?.length ?? 1) > 1 ? t("escMore", { n: e.messageIds.length }) : "";
  return t(key, vars) + more;
}

/** The shortcuts' help, in the room's words (the keys are the agreed ones). */
export const helpRows = () => [
  [t("help.spaceKey"), t("help.space")],
  ["−", t("help.slower")],
  [t("help.orKey", { a: "+", b: "=" }), t("help.faster")],
  ["N", t("help.next")],
  ["Esc", t("help.esc")],
  ["?", t("help.help")],
];
