// Formatting shared by report.md and report.html: escaping, numbers, durations and scenario clock times.
import { parseDuration } from "../scenario/duration.ts";

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or attribute value for HTML/SVG: every string from metrics goes through this. */
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Inline Markdown text (also inside table cells): one line, Markdown and HTML syntax neutralised. */
export const escapeMd = (value: unknown): string =>
  String(value)
    .replace(/\r?\n|\r/g, " ")
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);

/** Code spans for ids, digests and file names (backticks inside are dropped). */
export const codeMd = (value: unknown): string => `\`${String(value).replace(/`/g, "'").replace(/\r?\n|\r/g, " ")}\``;

export const int = (n: number): string => Math.round(n).toLocaleString("en-US");

/**
 * A share 0..1 as a percentage, rounded down as the dashboard and the terminal show it
 * (shared/exchange/figures.ts): a shortfall never reads as its target, nor as 100%.
 */
export function pct(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  if (share >= 1) return "100%";
  const scale = 10 ** digits;
  const v = Math.floor(share * 100 * scale + 1e-9) / scale;
  return `${v.toFixed(digits).replace(/\.0+$/, "")}%`;
}

export const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** Simulated minutes for latencies: "45 s", "3.2 min", "2 h 05 min". */
export function minutes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value < 1) return `${Math.round(value * 60)} s`;
  if (value < 60) return `${Number(value.toFixed(1))} min`;
  return span(value);
}

/** A length of simulated time in whole minutes: "45 min", "2 h", "1 h 30 min", "1 d 2 h". */
export function span(totalMinutes: number): string {
  const m = Math.round(totalMinutes);
  if (m < 60) return `${m} min`;
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const rest = m % 60;
  return [d ? `${d} d` : "", h ? `${h} h` : "", rest ? `${rest} min` : ""].filter(Boolean).join(" ");
}

export function wallTime(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${int(n)} ${n === 1 ? one : many}`;

/** The UTC offset of an ISO time in minutes (0 for "Z" or none). */
function offsetOf(iso: string): number {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** Simulated minutes after the scenario start of a time given as ISO or as a scenario offset ("2h30m"). */
export function minutesAfterStart(start: string, at: string): number | undefined {
  const t = Date.parse(at);
  const t0 = Date.parse(start);
  if (/^\d{4}-\d{2}-\d{2}T/.test(at) && Number.isFinite(t) && Number.isFinite(t0)) return (t - t0) / 60_000;
  const ms = parseDuration(at);
  return ms === undefined ? undefined : ms / 60_000;
}

const two = (n: number) => String(n).padStart(2, "0");

/** The scenario clock ("HH:MM", in the start's own offset) at so many minutes after the start; "D2 03:15" past the first day. */
export function clockAt(start: string, afterMinutes: number): string {
  const t0 = Date.parse(start);
  if (!Number.isFinite(t0)) return `T+${span(afterMinutes)}`;
  const local = new Date(t0 + (afterMinutes + offsetOf(start)) * 60_000);
  const startLocal = new Date(t0 + offsetOf(start) * 60_000);
  const day = Math.floor((Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - Date.UTC(startLocal.getUTCFullYear(), startLocal.getUTCMonth(), startLocal.getUTCDate())) / 86_400_000);
  const hhmm = `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
  return day > 0 ? `D${day + 1} ${hhmm}` : hhmm;
}

/** "T+2:30" for an offset in minutes. */
export function elapsed(afterMinutes: number): string {
  const m = Math.max(0, Math.round(afterMinutes));
  return `T+${Math.floor(m / 60)}:${two(m % 60)}`;
}

/** An event time as the facilitator reads it: scenario clock, or the raw text when it cannot be placed. */
export function eventClock(start: string, at: string): string {
  const off = minutesAfterStart(start, at);
  return off === undefined ? at : clockAt(start, off);
}

/** A readable simulated date-time: "2026-09-21 00:00 UTC+04:00", in the offset of `zoneOf` (default: its own). */
export function dateTime(iso: string, zoneOf: string = iso): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const off = offsetOf(zoneOf);
  const d = new Date(t + off * 60_000);
  const sign = off < 0 ? "-" : "+";
  const zone = off === 0 ? "UTC" : `UTC${sign}${two(Math.floor(Math.abs(off) / 60))}:${two(Math.abs(off) % 60)}`;
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${zone}`;
}

/** A list shown in a report is cut here; metrics.json keeps everything. */
export const LIST_LIMIT = 50;

export const shortDigest = (digest: string, n = 12): string => (digest.length > n ? `${digest.slice(0, n)}…` : digest);
