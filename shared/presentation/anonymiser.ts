// Anonymity for a room: every agency id and name a reader would see becomes a neutral label of its
// region ("EUR-07", "CAS-02"), the same within a run (the labels follow a seed), and free text
// (scenario titles, descriptions, findings) loses the ids, the services' names and acronyms in
// English and Russian, and the names and adjectives of the participating states. What the audit
// chain and metrics.json record keeps the real ids: this only changes what is shown.
import { hashString, mulberry32 } from "../prng.ts";
import { AGENCY_NAMES_RU } from "../i18n/agency-names-ru.ts";
import { agencyName, REGION_NAMES } from "../i18n/names.ts";
import { STATES, stateOf } from "../i18n/states.ts";

export interface AnonymisedAgency {
  id: string;
  name: string;
  country: string;
  region: string;
}

interface Term {
  source: string;
  replacement: string;
}

/** Parenthesised acronyms of a name ("(KNB)", "(СГБ Грузии)" and its "СГБ"), and the name without them. */
function nameTerms(name: string): string[] {
  const out = [name];
  const core = name.replace(/\s*\([^)]*\)/g, "").replace(/^[^:]+:\s*/, "").trim();
  if (core.split(/\s+/).length >= 2) out.push(core);
  for (const m of name.matchAll(/\(([^)]+)\)/g)) {
    const inner = m[1]!.trim();
    if (!/^\p{Lu}[\p{L}\p{N}]{1,7}(?: \p{Lu}\p{L}+)?$/u.test(inner)) continue;
    out.push(inner);
    const first = inner.split(" ")[0]!;
    if (first !== inner) out.push(first);
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function combine(terms: Term[], wrap: (alternation: string) => string, flags: string) {
  // Longest first, so "DE-BKA" wins over "DE" and "State Security Service of Georgia" over its core.
  const sorted = [...terms].sort((a, b) => b.source.length - a.source.length);
  if (!sorted.length) return undefined;
  const re = new RegExp(wrap(sorted.map((t) => `(${t.source})`).join("|")), flags);
  return { re, replacements: sorted.map((t) => t.replacement) };
}

export class Anonymiser {
  /** True when it changes anything; the identity anonymiser leaves everything as it is. */
  readonly active: boolean;
  private readonly labels = new Map<string, string>();
  private readonly patterns: { re: RegExp; replacements: string[] }[] = [];

  private constructor(agencies: readonly AnonymisedAgency[], seed: number, redacted: string, active: boolean) {
    this.active = active;
    if (!active) return;
    const byRegion = new Map<string, AnonymisedAgency[]>();
    for (const a of [...agencies].sort((x, y) => x.id.localeCompare(y.id))) byRegion.set(a.region, [...(byRegion.get(a.region) ?? []), a]);
    for (const [region, list] of byRegion) {
      // A seeded shuffle: the numbers do not follow the ids' alphabetical order.
      const rng = mulberry32(hashString(`${seed}:${region}`));
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      const code = REGION_NAMES[region]?.code ?? region.slice(0, 3).toUpperCase();
      const width = Math.max(2, String(list.length).length);
      list.forEach((a, i) => this.labels.set(a.id, `${code}-${String(i + 1).padStart(width, "0")}`));
    }

    // Words that name an agency or its state, each with the label it becomes; a word naming
    // several agencies ("State Security Service", "NIS") becomes the neutral placeholder.
    const words = new Map<string, Set<string>>();
    const stems = new Map<string, Set<string>>();
    const add = (map: Map<string, Set<string>>, key: string, label: string) => {
      if (key) (map.get(key) ?? map.set(key, new Set()).get(key)!).add(label);
    };
    const leads = new Map<string, string>();
    for (const a of agencies) {
      const code = stateOf(a.id);
      if (!leads.has(code) || a.id === code) leads.set(code, this.labels.get(a.id)!);
    }
    for (const a of agencies) {
      const label = this.labels.get(a.id)!;
      for (const n of new Set([...nameTerms(a.name), ...nameTerms(agencyName(a, "ru")), ...(AGENCY_NAMES_RU[a.id] ? nameTerms(AGENCY_NAMES_RU[a.id]!) : [])])) add(words, escape(n), label);
    }
    for (const [code, label] of leads) {
      const country = agencies.find((a) => stateOf(a.id) === code)?.country;
      const st = STATES[code];
      for (const w of [country, st?.en, ...(st?.enWords ?? [])]) if (w) add(words, /[()?]/.test(w) ? w : escape(w), label);
      for (const stem of [...(st ? [escape(st.ru.toLowerCase())] : []), ...(st?.ruStems ?? [])]) add(stems, stem, label);
    }
    const pick = (labels: Set<string>) => (labels.size === 1 ? [...labels][0]! : redacted);
    const ids = combine([...this.labels].map(([id, label]) => ({ source: escape(id), replacement: label })), (alt) => `(?<![A-Za-z0-9])(?:${alt})(?![A-Za-z0-9])`, "gu");
    const exact = combine([...words].map(([source, l]) => ({ source, replacement: pick(l) })), (alt) => `(?<![\\p{L}\\p{N}])(?:${alt})(?![\\p{L}\\p{N}])`, "gu");
    const ru = combine([...stems].map(([source, l]) => ({ source, replacement: pick(l) })), (alt) => `(?<![\\p{L}\\p{N}])(?:${alt})[\\p{L}]*`, "giu");
    // Names before ids: a name may contain an id-like acronym of its own.
    for (const p of [exact, ru, ids]) if (p) this.patterns.push(p);
  }

  /** Labels agencies by region; `seed` fixes the numbering (the same seed, the same labels). */
  static of(agencies: readonly AnonymisedAgency[], seed: number, opts: { redacted?: string } = {}): Anonymiser {
    return new Anonymiser(agencies, seed, opts.redacted ?? "[…]", true);
  }

  /** Leaves everything as it is. */
  static none(): Anonymiser {
    return new Anonymiser([], 0, "", false);
  }

  /** The label of an agency id ("EUR-07"); an id it does not know (or when inactive) as it is. */
  id(id: string): string {
    return this.labels.get(id) ?? id;
  }

  /** Free text with every agency id, service name and participating state's name replaced. */
  text(s: string): string {
    if (!this.active || !s) return s;
    let out = s;
    for (const { re, replacements } of this.patterns)
      out = out.replace(re, (...args: unknown[]) => {
        const groups = args.slice(1, 1 + replacements.length);
        return replacements[groups.findIndex((g) => g !== undefined)] ?? String(args[0]);
      });
    return out;
  }

  /**
   * A JSON value with every string passed through text() and every key that is an agency id
   * relabelled: what a server applies to everything it sends to a page. Values under
   * `organisations`, `sharingGroups` and `regions` are ids of those, not of agencies, and stay
   * (the African Union's id AU is also Australia's), as do the keys of objects under them (a map
   * of organisation names by id); the names themselves are still masked.
   */
  deep<T>(value: T): T {
    if (!this.active) return value;
    const walk = (v: unknown, key?: string, notAgencies = false): unknown => {
      const ids = notAgencies || key === "organisations" || key === "sharingGroups" || key === "regions";
      if (typeof v === "string") return ids && !notAgencies ? v : this.text(v);
      if (Array.isArray(v)) return v.map((x) => walk(x, key, notAgencies));
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [ids ? k : (this.labels.get(k) ?? k), walk(x, k, ids)]));
      return v;
    };
    return walk(value) as T;
  }

  /** Real id → label, for a page or a tool that relabels ids itself. */
  mapping(): Record<string, string> {
    return Object.fromEntries(this.labels);
  }
}
