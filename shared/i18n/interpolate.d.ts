// Types for interpolate.js (plain JavaScript so the browser can load it as it is).
export type PluralEntry = { one: string; few?: string; many?: string; other: string };
export type Entry = string | PluralEntry;
export function pluralCategory(locale: string, n: number): string;
export function interpolate(entry: Entry, vars: Record<string, string | number | null | undefined> | undefined, locale: string): string;
