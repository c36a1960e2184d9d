// An audience as people write it: all | region:NAME | org:NAME | group:NAME | agency:ID[,ID],
// combinable with commas ("org:CIS,agency:GE,TR"); a bare item continues the previous selector.
// Parsing gives a distribution or a one-line problem; checking against a registry names what it
// does not know and lists the valid names, so a typo is caught before anything is sent.
import { type Distribution, REGIONS } from "./contracts/index.ts";

const KEYS = { region: "regions", org: "organisations", group: "sharingGroups", agency: "agencies" } as const;
export const AUDIENCE_SYNTAX = "all, region:NAME, org:NAME, group:NAME or agency:ID[,ID] (combine with commas)";

export type AudienceResult = { ok: true; value: Distribution } | { ok: false; problem: string };

export function parseAudience(text: string): AudienceResult {
  const d: Record<string, unknown> = {};
  let current: (typeof KEYS)[keyof typeof KEYS] | undefined;
  for (const raw of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (raw.toLowerCase() === "all") {
      d.all = true;
      current = undefined;
      continue;
    }
    const m = /^(region|org|group|agency):(.+)$/i.exec(raw);
    if (m) current = KEYS[m[1]!.toLowerCase() as keyof typeof KEYS];
    const value = (m ? m[2]! : raw).trim();
    if (!current) return { ok: false, problem: `expected ${AUDIENCE_SYNTAX}, got "${raw}"` };
    const v = current === "agencies" || current === "organisations" ? value.toUpperCase() : value.toLowerCase();
    if (current === "regions" && !(REGIONS as readonly string[]).includes(v)) return { ok: false, problem: `region: expected one of ${REGIONS.join(", ")}, got "${value}"` };
    ((d[current] ??= []) as string[]).push(v);
  }
  if (!Object.keys(d).length) return { ok: false, problem: `expected at least one audience: ${AUDIENCE_SYNTAX}` };
  return { ok: true, value: d as Distribution };
}

/** For files whose audiences were checked when they were loaded: a problem here is a bug. */
export function audienceOf(text: string): Distribution {
  const r = parseAudience(text);
  if (!r.ok) throw new Error(`audience "${text}": ${r.problem}`);
  return r.value;
}

export interface KnownNames {
  agencies: readonly { id: string }[];
  organisations: readonly { id: string }[];
  sharingGroups: readonly { id: string }[];
}

/** Closest known names to a typo: those it begins, or a few letters off. */
function near(name: string, known: string[]): string[] {
  const dist = (a: string, b: string) => {
    const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return dp[a.length]![b.length]!;
  };
  const scored = known
    .map((k) => ({ k, d: k.toLowerCase().startsWith(name.toLowerCase()) ? 0 : dist(name.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(name.length / 3)));
  return scored.sort((a, b) => a.d - b.d).slice(0, 3).map((x) => x.k);
}

const LIST_AT_MOST = 40;
const listed = (names: string[]) => (names.length > LIST_AT_MOST ? `${names.slice(0, LIST_AT_MOST).join(", ")}, … (${names.length} in all)` : names.join(", "));

/**
 * Every name in a distribution that the exchange does not know, as one problem each that says
 * how to name it and lists the valid names (agencies: the first 40 and the count).
 */
export function unknownAudience(d: Distribution, known: KnownNames, scope = "this exchange"): string[] {
  const problems: string[] = [];
  const check = (kind: string, selector: string, wanted: string[] | undefined, valid: string[], how: string) => {
    for (const w of wanted ?? []) {
      if (valid.includes(w)) continue;
      const close = near(w, valid);
      problems.push(`${kind} ${w} is not in ${scope}${close.length ? ` (did you mean ${close.map((c) => `${selector}:${c}`).join(" or ")}?)` : ""}; ${how}: ${listed(valid)}`);
    }
  };
  check("agency", "agency", d.agencies, known.agencies.map((a) => a.id), "name agencies by id, agency:ID or agency:ID,ID, one of");
  check("organisation", "org", d.organisations, known.organisations.map((o) => o.id), "name organisations as org:NAME, one of");
  check("sharing group", "group", d.sharingGroups, known.sharingGroups.map((g) => g.id), "name sharing groups as group:NAME, one of");
  return problems;
}
