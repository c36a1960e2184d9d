// The coordinator's submission decider (services/coordinator/decide.ts) set up for specifications:
// a small registry with the demo keys, signed submissions built from the shipped examples, and the
// "given" facts a decision is made on (audit records folded into the tracking view, seen records,
// stored message records), read the way the runner reads them (submission-runner.ts).
import { checkSubmission } from "../../services/coordinator/checks.ts";
import { decide, type Decision, type DecisionState, type Judged } from "../../services/coordinator/decide.ts";
import { referenceOf } from "../../services/coordinator/references.ts";
import {
  type AgencyRegistryEntry,
  type AuditEntry,
  type AuditEntryOf,
  COORDINATOR_ID,
  type Message,
  type MessageKind,
  sign,
} from "../../shared/contracts/index.ts";
import type { MessageRecord, SeenRecord } from "../../shared/exchange/records.ts";
import { Registry } from "../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS } from "../../shared/exchange/settings.ts";
import { evolve, TrackingView } from "../../shared/exchange/tracking-view.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { DeciderSpecification } from "./decider-spec.ts";
import { clone, demoKeys, examples } from "./examples.ts";

/** The examples' time: ids dated then are "young" only when the clock says so. */
export const T0 = Date.parse("2026-09-21T18:52:00.000Z");
export const MIN = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

const entry = (id: string, organisations: string[] = []): AgencyRegistryEntry => ({
  id, name: `Agency ${id}`, country: id, region: "central-asia", organisations, sharingGroups: [], timezone: "UTC",
  duty: { profile: "24/7", ackDelay: { medianMinutes: 2, p95Minutes: 4 }, nightFactor: 1, nightHours: { from: 22, to: 7 } },
  publicKey: demoKeys[id]!.publicKey,
});
/** AZ, KG, KZ, TR, UZ; KZ is the hub of CIS, which KG and UZ belong to. */
export const registry = new Registry({
  name: "spec",
  agencies: [entry("AZ"), entry("KG", ["CIS"]), entry("KZ", ["CIS"]), entry("TR"), entry("UZ", ["CIS"])],
  organisations: [{ id: "CIS", name: "Commonwealth", hub: "KZ" }],
  sharingGroups: [],
  coordinators: [],
});

type BodyOf<K extends MessageKind> = Extract<Message, { kind: K }>["body"];

/** A message of `kind` from `sender`, signed with its demo key: the example's body with `changes`. */
export function message<K extends MessageKind>(kind: K, sender: string, changes: Partial<BodyOf<K>> = {}, env: { id?: string; sentAt?: string } = {}): Extract<Message, { kind: K }> {
  const body = { ...(clone(examples[kind]).body as BodyOf<K>), ...changes };
  const m = compose(kind, body as never, { sender, sentAt: env.sentAt ?? iso(T0), ...(env.id ? { id: env.id } : {}) });
  return sign(m, demoKeys[sender]!.seed) as Extract<Message, { kind: K }>;
}

/** A submission of `m` (or of raw bytes) as the intake hands it over, checked. */
export function submitted(m: Message | { bytes: string; sender: string; kind: string; msgIdHeader?: string }, at: { streamSeq?: number; storedAtMs?: number } = {}): Judged {
  const [data, sender, kind] = "bytes" in m ? [new TextEncoder().encode(m.bytes), m.sender, m.kind] : [new TextEncoder().encode(JSON.stringify(m)), m.sender, m.kind];
  const storedAtMs = at.storedAtMs ?? T0 + 1_000;
  const sub = { subject: `atix.submit.${sender}.${kind}`, data, streamSeq: at.streamSeq ?? 7, storedAtMs, ...("msgIdHeader" in m ? { msgIdHeader: m.msgIdHeader } : {}) };
  return { sub, agency: sender, checked: checkSubmission(data, sender, kind, registry, storedAtMs) };
}

/** A "delivered" record: `messageId` from `originator` to `recipients`, deadline `deadlineMin` after `atMs`. */
export const delivered = (messageId: string, recipients: string[], opts: { atMs?: number; deadlineMin?: number; originator?: string } = {}): AuditEntryOf<"delivered"> => {
  const atMs = opts.atMs ?? T0;
  return {
    eventId: `delivered:${messageId}`, event: "delivered", at: iso(atMs), actor: COORDINATOR_ID, messageId, kind: "alert",
    data: { recipients, deadline: iso(atMs + (opts.deadlineMin ?? 10) * MIN), precedence: "FLASH", originator: opts.originator ?? "AZ" },
  };
};

/** What a submission is decided on: a record of the audit chain, a seen record, or a stored message record. */
export type Fact = { recorded: AuditEntry } | { seen: SeenRecord & { id: string } } | { stored: MessageRecord };

export interface Known {
  view: TrackingView;
  seen: Map<string, SeenRecord>;
  messages: Map<string, MessageRecord>;
}

/** When: this submission, decided at simulated `nowMs`, wall `wallNowMs` (by default a clock at speed 1: sim = wall). */
export interface When {
  judged: Judged;
  nowMs?: number;
  wallNowMs?: number;
  clock?: DecisionState["clock"];
}

/** The reads the runner makes (submission-runner.ts), from what is known. */
function stateOf(w: When, k: Known): DecisionState {
  const base: DecisionState = {
    registry, settings: DEFAULT_SETTINGS, nowMs: w.nowMs ?? T0 + 2_000, wallNowMs: w.wallNowMs ?? T0 + 60 * MIN,
    clock: w.clock ?? { at: (wall: number) => wall, pastAt: (wall: number) => wall, speed: 1, paused: false }, view: k.view,
  };
  const c = w.judged.checked;
  if (!c.ok) return base;
  const m = c.message;
  if (m.kind === "receipt" || m.kind === "acknowledgement") {
    const ids = [m.body.messageId, ...(m.body.more ?? []).map((x) => x.messageId)].filter((id) => !k.view.get(id, m.sender));
    return ids.length ? { ...base, stored: new Map(ids.map((id) => [id, k.messages.get(id)])) } : base;
  }
  const seen = k.seen.get(m.id);
  if (seen) return { ...base, seen };
  const ref = referenceOf(m);
  return ref ? { ...base, reference: ref, referenced: k.messages.get(ref.id) } : base;
}

export const submissionSpec = DeciderSpecification<When, Decision, Known, Fact>({
  initialState: () => ({ view: new TrackingView({ forgetting: true }), seen: new Map(), messages: new Map() }),
  evolve(k, f) {
    if ("recorded" in f) evolve(k.view, f.recorded);
    else if ("seen" in f) k.seen.set(f.seen.id, f.seen);
    else k.messages.set(f.stored.id, f.stored);
    return k;
  },
  decide: (w, k) => decide(w.judged, stateOf(w, k)),
});

/** The message record an acceptance of `m` stored (for facts about earlier messages). */
export function storedRecord(m: Message, over: Partial<MessageRecord> = {}): MessageRecord {
  const d = decide(submitted(m), stateOf({ judged: submitted(m) }, { view: new TrackingView(), seen: new Map(), messages: new Map() }));
  if (d.type !== "accept") throw new Error(`expected ${m.kind} ${m.id} to be accepted, was ${d.type}`);
  return { ...d.record, ...over };
}
