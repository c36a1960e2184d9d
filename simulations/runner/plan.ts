// The scenario as a list of timed sends: the scripted injects (the MSEL) and the generated
// background traffic, fixed by the seed. The same seed gives the same plan and digest.
import { createHash } from "node:crypto";
import { canonicalize } from "../../shared/contracts/canonical.ts";
import type { Distribution, Indicator, Precedence, Roster, ThreatCategory, Tlp } from "../../shared/contracts/index.ts";
import { createRng, pick, type Rng } from "../../shared/prng.ts";
import { audienceOf } from "../../shared/audience.ts";
import type { Inject, Scenario, TrafficStream } from "../scenario/schema.ts";
import { generatedIndicators, trafficTexts } from "./texts.ts";

export interface PlannedAlertLike {
  kind: "alert" | "rfi";
  to: Distribution;
  precedence: Precedence;
  category: ThreatCategory;
  tlp: Tlp;
  title: string;
  summary?: string;
  indicators?: Indicator[];
}

export interface PlannedSend {
  /** Position in the plan. */
  seq: number;
  /** Simulated ms after the scenario start. */
  at: number;
  from: string;
  kind: Inject["kind"] | "alert" | "rfi";
  source: "inject" | "traffic";
  /** MSEL number, for scripted injects. */
  inject?: number;
  injectSpec?: Inject;
  traffic?: PlannedAlertLike;
  stream?: string;
}

export interface Plan {
  sends: PlannedSend[];
  digest: string;
}

function weighted<T extends string>(rng: Rng, v: T | Partial<Record<T, number>>): T {
  if (typeof v === "string") return v;
  const entries = Object.entries(v) as [T, number][];
  let x = rng.next() * entries.reduce((a, [, w]) => a + w, 0);
  for (const [k, w] of entries) if ((x -= w) < 0) return k;
  return entries[entries.length - 1]![0];
}

function senderWeights(roster: Roster, senders: Record<string, number>): [string, number][] {
  return roster.agencies.map((a) => [a.id, senders[a.id] ?? senders["*"] ?? 0] as [string, number]).filter(([, w]) => w > 0);
}

function audienceFor(roster: Roster, from: string, to: TrafficStream["to"], tlp: Tlp, rng: Rng): Distribution {
  const a = roster.agencies.find((x) => x.id === from)!;
  if (tlp === "RED") {
    // TLP:RED goes to named agencies only: one to three neighbours of the sender's region.
    const near = roster.agencies.filter((x) => x.region === a.region && x.id !== from).map((x) => x.id);
    const pool = near.length ? near : roster.agencies.filter((x) => x.id !== from).map((x) => x.id);
    const n = 1 + Math.floor(rng.next() * Math.min(3, pool.length));
    return { agencies: [...new Set(Array.from({ length: n }, () => pick(rng, pool)!))] };
  }
  if (to === "own-region") return { regions: [a.region] };
  if (to === "own-organisations") return a.organisations.length ? { organisations: a.organisations } : { regions: [a.region] };
  return typeof to === "string" ? audienceOf(to) : to;
}

function streamSends(scenario: Scenario, roster: Roster, s: TrafficStream, index: number): Omit<PlannedSend, "seq">[] {
  const name = s.name ?? `stream-${index + 1}`;
  const rng = createRng(scenario.seed, "traffic", name);
  const weights = senderWeights(roster, s.senders);
  const total = weights.reduce((a, [, w]) => a + w, 0);
  const out: Omit<PlannedSend, "seq">[] = [];
  const from = s.from ?? 0;
  const until = Math.min(s.until ?? scenario.duration, scenario.duration);
  const meanGap = 3_600_000 / s.perHour;
  for (let t = from - Math.log(1 - rng.next()) * meanGap; t < until; t -= Math.log(1 - rng.next()) * meanGap) {
    let x = rng.next() * total;
    const sender = weights.find(([, w]) => (x -= w) < 0)?.[0] ?? weights[weights.length - 1]![0];
    const category = Array.isArray(s.category) ? pick(rng, s.category)! : s.category;
    const precedence = weighted<Precedence>(rng, s.precedence);
    const tlp = weighted<Tlp>(rng, s.tlp);
    const text = trafficTexts(rng, category, sender, s.kind);
    out.push({
      at: Math.floor(t),
      from: sender,
      kind: s.kind,
      source: "traffic",
      stream: name,
      traffic: {
        kind: s.kind, precedence, category, tlp, to: audienceFor(roster, sender, s.to, tlp, rng), ...text,
        ...(s.indicators ? { indicators: generatedIndicators(rng, s.indicators) } : {}),
      },
    });
  }
  return out;
}

export function buildPlan(scenario: Scenario, roster: Roster): Plan {
  let n = 0;
  const injects = scenario.timeline.map((inj): Omit<PlannedSend, "seq"> => ({
    at: inj.at, from: inj.from, kind: inj.kind, source: "inject", inject: inj.inject ?? ++n, injectSpec: inj,
  }));
  n = Math.max(0, ...injects.map((i) => i.inject ?? 0));
  const traffic = scenario.traffic.flatMap((s, i) => streamSends(scenario, roster, s, i));
  // Stable order: by time, scripted injects before traffic at the same millisecond.
  const sends = [...injects, ...traffic]
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.at - b.s.at || (a.s.source === b.s.source ? a.i - b.i : a.s.source === "inject" ? -1 : 1))
    .map(({ s }, seq) => ({ ...s, seq }));
  // The digest covers who sends what kind, at which precedence, to whom, and when.
  const fingerprint = sends.map((s) => ({
    at: s.at, from: s.from, kind: s.kind, inject: s.inject ?? null,
    precedence: s.traffic?.precedence ?? (s.injectSpec && "precedence" in s.injectSpec ? s.injectSpec.precedence ?? null : null),
    to: s.traffic?.to ?? (s.injectSpec && "to" in s.injectSpec ? s.injectSpec.to : null),
  }));
  return { sends, digest: createHash("sha256").update(canonicalize(fingerprint)).digest("hex") };
}
