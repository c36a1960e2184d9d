// Fills a catalogue entry with values: "{name}" placeholders, and plural entries chosen with
// Intl.PluralRules for the language. Plain JavaScript with no imports, so the dashboard's page can
// load this very file next to a catalogue the server hands it as JSON (one implementation for
// Node and the browser).

const rules = new Map();

/** The plural category of `n` in `locale` ("one", "few", "many", "other"). */
export function pluralCategory(locale, n) {
  let r = rules.get(locale);
  if (!r) rules.set(locale, (r = new Intl.PluralRules(locale)));
  return r.select(n);
}

/**
 * An entry with its placeholders filled. A plural entry ({one, few, many, other}) is chosen by
 * `vars.n`. Numbers are formatted for the locale; a placeholder without a value stays visible.
 */
export function interpolate(entry, vars, locale) {
  let text = entry;
  if (typeof entry !== "string") {
    const n = vars && typeof vars.n === "number" ? vars.n : 0;
    text = entry[pluralCategory(locale, n)] ?? entry.other;
  }
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (all, name) => {
    const v = vars[name];
    if (v === undefined || v === null) return all;
    return typeof v === "number" ? new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(v) : String(v);
  });
}
