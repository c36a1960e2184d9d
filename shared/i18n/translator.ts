// One object per language that turns catalogue keys and figures into text: every string a room
// reads goes through t(), every number, share, duration and date through Intl for the language.
import { en } from "./catalogue-en.ts";
import { ru } from "./catalogue-ru.ts";
import type { Catalogue, Key, Vars } from "./catalogue.ts";
import { interpolate } from "./interpolate.js";
import { type Lang, LOCALES } from "./lang.ts";

export const CATALOGUES: Readonly<Record<Lang, Catalogue>> = { en, ru };

export interface Translator {
  lang: Lang;
  locale: string;
  t<K extends Key>(key: K, ...vars: Vars<K>): string;
  /** A key known only at run time (a fault kind, a cause): its text, or `fallback` when the catalogue has no such key. */
  tx(key: string, vars: Record<string, string | number>, fallback: string): string;
  /** A whole number: "3,531" / "3 531". */
  int(n: number): string;
  /**
   * A share 0..1 as a percentage, rounded down ("97.1%" / "97,1 %"): a share just short of a
   * target never reads as the target, nor a shortfall as 100 %. The dashboard rounds the same way.
   */
  pct(share: number | null | undefined, digits?: number): string;
  /** Simulated minutes of a latency: seconds under a minute, one decimal under an hour, else a span. */
  minutes(value: number | null | undefined): string;
  /** A length of time in whole minutes: "45 min", "1 hr 30 min", "1 day 2 hr". */
  span(totalMinutes: number): string;
  /** Wall-clock seconds: "1 min 31 sec". */
  wall(seconds: number): string;
  /** Wall-clock milliseconds: "12 ms". */
  ms(value: number | null | undefined): string;
  /** A date and time shown in the UTC offset of `zoneOf` (default: its own), with that offset. */
  dateTime(iso: string, zoneOf?: string): string;
  /** A date in the offset of `zoneOf`. */
  date(iso: string, zoneOf?: string): string;
  /** "a, b and c" / "a, b и c". */
  list(items: string[]): string;
}

const unitFormats = new Map<string, Intl.NumberFormat>();
function unit(locale: string, u: "second" | "minute" | "hour" | "day" | "millisecond", v: number, digits = 0): string {
  const key = `${locale}|${u}|${digits}`;
  let f = unitFormats.get(key);
  if (!f) unitFormats.set(key, (f = new Intl.NumberFormat(locale, { style: "unit", unit: u, unitDisplay: "short", maximumFractionDigits: digits })));
  return f.format(v);
}

/** The UTC offset of an ISO time in minutes (0 for "Z" or none). */
export function offsetOf(iso: string): number {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const two = (n: number) => String(n).padStart(2, "0");
const zoneName = (off: number) => (off === 0 ? "UTC" : `UTC${off < 0 ? "-" : "+"}${two(Math.floor(Math.abs(off) / 60))}:${two(Math.abs(off) % 60)}`);

export function translator(lang: Lang): Translator {
  const locale = LOCALES[lang];
  const cat = CATALOGUES[lang];
  const intF = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const pctF = [0, 1, 2].map((d) => new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: d }));
  const dateTimeF = new Intl.DateTimeFormat(locale, { timeZone: "UTC", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dateF = new Intl.DateTimeFormat(locale, { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" });
  const listF = new Intl.ListFormat(locale, { type: "conjunction" });
  const span = (totalMinutes: number) => {
    const m = Math.round(totalMinutes);
    if (m < 60) return unit(locale, "minute", m);
    // Days only from three days on: "24 hr" and "30 hr" read better than "1 day 6 hr".
    const d = m >= 4320 ? Math.floor(m / 1440) : 0, h = Math.floor((m - d * 1440) / 60), rest = m % 60;
    return [d ? unit(locale, "day", d) : "", h ? unit(locale, "hour", h) : "", rest ? unit(locale, "minute", rest) : ""].filter(Boolean).join(" ");
  };
  const shifted = (iso: string, zoneOf: string) => {
    const t = Date.parse(iso);
    const off = offsetOf(zoneOf);
    return Number.isFinite(t) ? { d: new Date(t + off * 60_000), zone: zoneName(off) } : undefined;
  };
  return {
    lang,
    locale,
    t: (key, ...vars) => interpolate(cat[key], vars[0] as Record<string, string | number> | undefined, locale),
    tx: (key, vars, fallback) => (key in cat ? interpolate(cat[key as Key], vars, locale) : fallback),
    int: (n) => intF.format(Math.round(n)),
    pct(share, digits = 1) {
      if (share === null || share === undefined || !Number.isFinite(share)) return "—";
      if (share >= 1) return pctF[0]!.format(1);
      const scale = 10 ** digits;
      const v = Math.floor(share * 100 * scale + 1e-9) / scale;
      return pctF[Math.min(digits, 2)]!.format(v / 100);
    },
    minutes(value) {
      if (value === null || value === undefined || !Number.isFinite(value)) return "—";
      if (value < 1) return unit(locale, "second", Math.round(value * 60));
      if (value < 60) return unit(locale, "minute", Number(value.toFixed(1)), 1);
      return span(value);
    },
    span,
    wall(seconds) {
      if (seconds < 60) return unit(locale, "second", Number(seconds.toFixed(1)), 1);
      const m = Math.floor(seconds / 60);
      const s = Math.round(seconds % 60);
      return m < 60 ? `${unit(locale, "minute", m)} ${unit(locale, "second", s)}` : `${unit(locale, "hour", Math.floor(m / 60))} ${unit(locale, "minute", m % 60)}`;
    },
    ms: (value) => (value === null || value === undefined || !Number.isFinite(value) ? "—" : unit(locale, "millisecond", value < 10 ? Number(value.toFixed(1)) : Math.round(value), 1)),
    dateTime(iso, zoneOf = iso) {
      const s = shifted(iso, zoneOf);
      return s ? `${dateTimeF.format(s.d)} ${s.zone}` : iso;
    },
    date(iso, zoneOf = iso) {
      const s = shifted(iso, zoneOf);
      return s ? dateF.format(s.d) : iso;
    },
    list: (items) => listF.format(items),
  };
}
