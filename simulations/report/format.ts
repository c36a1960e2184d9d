// Formatting both renderers share that does not depend on the language: escaping, and times on
// the scenario clock. Numbers, shares, durations and dates go through the Translator (Intl).
import { offsetOf } from "../../shared/i18n/translator.ts";
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

/** Simulated minutes after the scenario start of a time given as ISO or as a scenario offset ("2h30m"). */
export function minutesAfterStart(start: string, at: string): number | undefined {
  const t = Date.parse(at);
  const t0 = Date.parse(start);
  if (/^\d{4}-\d{2}-\d{2}T/.test(at) && Number.isFinite(t) && Number.isFinite(t0)) return (t - t0) / 60_000;
  const ms = parseDuration(at);
  return ms === undefined ? undefined : ms / 60_000;
}

const two = (n: number) => String(n).padStart(2, "0");

/** The scenario clock at so many minutes after the start, in the start's own offset: its day (1, 2, …) and "HH:MM". */
export function clockAt(start: string, afterMinutes: number): { day: number; hhmm: string } {
  const t0 = Date.parse(start);
  if (!Number.isFinite(t0)) return { day: 1, hhmm: `+${Math.round(afterMinutes)}m` };
  const off = offsetOf(start);
  const local = new Date(t0 + (afterMinutes + off) * 60_000);
  const startLocal = new Date(t0 + off * 60_000);
  const day = Math.floor((Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - Date.UTC(startLocal.getUTCFullYear(), startLocal.getUTCMonth(), startLocal.getUTCDate())) / 86_400_000);
  return { day: day + 1, hhmm: `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}` };
}

/** "T+2:30" for an offset in minutes. */
export function elapsed(afterMinutes: number): string {
  const m = Math.max(0, Math.round(afterMinutes));
  return `T+${Math.floor(m / 60)}:${two(m % 60)}`;
}

/** A list shown in a report is cut here; metrics.json keeps everything. */
export const LIST_LIMIT = 50;

export const shortDigest = (digest: string, n = 12): string => (digest.length > n ? `${digest.slice(0, n)}…` : digest);
