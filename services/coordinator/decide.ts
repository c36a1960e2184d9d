// What becomes of one submission, as a value: reject it (with reasons), accept it (recipients,
// deadline, the records to write), track the deliveries a receipt or acknowledgement counts for,
// replay the first outcome of an id seen before, ignore it, or hand it back to be judged again.
// Pure: everything it is decided on is in the submission and the state read before (the runner,
// submission-runner.ts, reads it and carries the decision out). Unit-tested without a broker
// (tests/unit/decide.test.ts).
import type { SimClock } from "../../shared/clock.ts";
import { boundedText } from "../../shared/contracts/bounded-text.ts";
import {
  type AcceptedEvent,
  AGENCY_ID_PATTERN,
  type AuditEntry,
  type AuditEntryOf,
  boundedReasons,
  COORDINATOR_ID,
  type Message,
  MessageId,
  type RejectionReason,
  type Tlp,
} from "../../shared/contracts/index.ts";
import type { MessageRecord, SeenRecord } from "../../shared/exchange/records.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import { storedOnce } from "./delivery-copies.ts";
import type { Settings } from "../../shared/exchange/settings.ts";
import type { TrackingView } from "../../shared/exchange/tracking-view.ts";
import { authorise, type Routing } from "./authorise.ts";
import type { Checked } from "./checks.ts";
import { mayBeOnItsWay } from "./not-yet-known.ts";
import type { Reference } from "./references.ts";
import { decideTracking, type TrackDecision } from "./track.ts";

export interface Submission {
  subject: string;
  data: Uint8Array;
  streamSeq: number;
  /** When the stream stored it (wall ms): names the outcome deterministically. */
  storedAtMs: number;
  /** The `Nats-Msg-Id` it was published under: names it when its body has no readable id. */
  msgIdHeader?: string | undefined;
  /** Delivered to a coordinator before (handed back, or its instance died while working on it). */
  redelivered?: boolean;
}

/** A submission as checked (checks.ts): its agency (from the subject) and the verdict on its bytes. */
export interface Judged {
  sub: Submission;
  agency: string;
  checked: Checked;
}

/** What a submission is decided on besides itself. */
export interface DecisionState {
  registry: Registry;
  settings: Pick<Settings, "tlpRedMaxAgencies" | "ackDeadlineMinutes">;
  /** Simulated now: the acceptance's time, from which its deadline runs. */
  nowMs: number;
  /** Wall now, with the exchange clock: whether something not stored yet may be on its way. */
  wallNowMs: number;
  clock: Pick<SimClock, "at" | "pastAt" | "speed" | "paused">;
  /** The first outcome of the submission's id, when it was seen before. */
  seen?: SeenRecord | undefined;
  /** What it refers to (references.ts), when it refers to an alert or RFI and was not seen before. */
  reference?: Reference | undefined;
  /** That alert's or RFI's stored record, when there is one. */
  referenced?: MessageRecord | undefined;
  /** Deliveries as this instance knows them (receipts and acknowledgements). */
  view: Pick<TrackingView, "get" | "wasPruned">;
  /** Message records read for the deliveries the view did not hold (undefined: none stored). */
  stored?: ReadonlyMap<string, MessageRecord | undefined> | undefined;
}

export interface Rejection {
  type: "reject";
  reasons: RejectionReason[];
  messageId?: string | undefined;
  kind?: string | undefined;
  /** Its audit record. */
  entry: AuditEntry;
  /** A rejected id is answered the same way again: its outcome is remembered as seen. */
  remember: boolean;
  /** A new submission reusing an id: the first one's outcome, which stands. */
  firstOutcome?: string;
}

export interface Acceptance {
  type: "accept";
  message: Message;
  /** The message record (who sent it, who got it), stored alongside the deliveries. */
  record: MessageRecord;
  /** What accepting it changes in the alert it refers to (a retraction, or an update's new precedence). */
  change?: { alertId: string; retractedBy?: string; precedence?: MessageRecord["precedence"] };
  accepted: AuditEntry;
  /** One record names every recipient: the chain is the record of each delivery's state. */
  delivered: AuditEntryOf<"delivered">;
  /** TLP:RED is never stored as a broadcast, also its updates and retraction (which carry no TLP). */
  red: boolean;
  /** Stored once, as a broadcast, rather than once per recipient (delivery-copies.ts): what deliver.ts stores and the copies quota counts. */
  storedOnce: boolean;
  /** Signed with a key being replaced: recipients judge it by when the submission was stored (deliver.ts). */
  submittedAt?: string;
  /**
   * Its records go before the bookkeeping and refusals waiting in the audit writer (its sender
   * waits for them), unless it is a retraction, which must not overtake an acknowledgement of what it closes.
   */
  urgent: boolean;
}

export type Decision =
  | { type: "ignore"; outcome: "presence" }
  | Rejection
  | Acceptance
  | (Extract<TrackDecision, { type: "track" }> & { refusal?: Rejection })
  /** The same stream message again (a redelivery after a crash): its first outcome, once more. */
  | { type: "replay"; messageId: string; seen: SeenRecord; /** A rejection remembered before it was carried out: finished now. */ finish?: AuditEntry }
  | Extract<TrackDecision, { type: "retry" }>;

/** Kinds that only report on earlier deliveries or on the sender: no id to look up, and they can wait (intake.ts). */
export const BOOKKEEPING_KINDS: ReadonlySet<string> = new Set(["receipt", "acknowledgement", "presence"]);

const EVENT_OF: Partial<Record<Message["kind"], AcceptedEvent>> = {
  alert: "submitted",
  rfi: "submitted",
  "alert-update": "updated",
  "alert-retraction": "retracted",
  "rfi-response": "answered",
  hit: "hit-reported",
};

export function decide({ sub, agency, checked }: Judged, state: DecisionState): Decision {
  if (!checked.ok) {
    // A body without a readable id (not JSON, say) is still named by the id it was published under.
    if (checked.messageId) return rejection(sub, agency, checked.reasons, state.nowMs, checked);
    return rejection(sub, agency, checked.reasons, state.nowMs, { kind: checked.kind, ...namedByHeader(sub) });
  }
  const m = checked.message;
  if (m.kind === "presence") return { type: "ignore", outcome: "presence" };
  if (m.kind === "receipt" || m.kind === "acknowledgement") {
    const t = decideTracking(m, sub.storedAtMs, state);
    if (t.type === "retry") return t;
    // What it covered is recorded; deliveries the sender never had are named in a rejection.
    if (t.unknown.length) return { ...t, refusal: rejection(sub, agency, t.unknown, state.nowMs, { messageId: m.id, kind: m.kind }) };
    return t;
  }
  if (state.seen) return decideSeen(sub, agency, m.id, m.kind, state.seen, state.nowMs);

  const ref = state.reference;
  // What it names may be being accepted by another instance right now: judged again shortly.
  if (ref && !state.referenced && mayBeOnItsWay(ref.id, sub.storedAtMs, state.clock, state.wallNowMs))
    return { type: "retry", reason: `${ref.id} not stored yet; judged again shortly`, notYetKnown: true };
  const auth = authorise(m, state.registry, state.settings, ref, state.referenced);
  if (!auth.ok) return rejection(sub, agency, auth.reasons, state.nowMs, { messageId: m.id, kind: m.kind });
  return acceptance(sub, m, auth.routing, state, checked.keyEnds !== undefined);
}

/** An id seen before: a redelivered submission gets its first outcome again, a new one reusing the id is refused. */
export function decideSeen(sub: Submission, agency: string, id: string, kind: string, seen: SeenRecord, nowMs: number): Decision {
  if (seen.streamSeq === sub.streamSeq) {
    // A refusal over quota is remembered before it is carried out: finished now (what was done already is not done twice).
    if (seen.outcome !== "rejected") return { type: "replay", messageId: id, seen };
    const reasons = (JSON.parse(seen.outcomeJson) as { body: { reasons: RejectionReason[] } }).body.reasons;
    return { type: "replay", messageId: id, seen, finish: rejectedEntry(sub, agency, reasons, seen.at, { messageId: id, kind: seen.kind }) };
  }
  // A new submission reusing an id: refused, and the refusal names what became of the first.
  const replay = [{ code: "replay" as const, path: "id", message: `expected a new message id; ${id} was seen before (${seen.outcome} as ${seen.outcomeId})` }];
  return rejection(sub, agency, replay, nowMs, { messageId: id, kind, firstOutcome: seen.outcomeId });
}

/**
 * A submission over its agency's quota (quota.ts), refused `rate-limited` unchecked: named by
 * the id and kind readable in it. One with an id (not bookkeeping) is remembered as seen before
 * it is carried out (the runner's refuseOverQuota), since the refusal depends on this instance's
 * recent history and must not be decided afresh after a crash.
 */
export function overQuota(sub: Submission, agency: string, reason: RejectionReason, nowMs: number, readable: { messageId?: string; kind?: string }): Rejection & { rememberFirst: boolean } {
  const { messageId, kind } = readable;
  // A body without a readable id is named by the id it was published under, as when malformed.
  if (!messageId) return { ...rejection(sub, agency, [reason], nowMs, { kind, ...namedByHeader(sub) }), rememberFirst: false };
  if (BOOKKEEPING_KINDS.has(kind ?? "")) return { ...rejection(sub, agency, [reason], nowMs, { messageId, kind }), rememberFirst: false };
  const at = new Date(nowMs).toISOString();
  const entry = rejectedEntry(sub, agency, [reason], at, { messageId, kind: kind ?? "unknown" });
  return { type: "reject", reasons: [reason], messageId, kind, entry, remember: true, rememberFirst: true };
}

/** The `Nats-Msg-Id` a submission was published under, when it is an id: told to the sender, not remembered as seen (the body never said it). */
function namedByHeader(sub: Submission): Named {
  const header = MessageId.safeParse(sub.msgIdHeader);
  return header.success ? { messageId: header.data, fromHeader: true } : {};
}

interface Named {
  messageId?: string | undefined;
  kind?: string | undefined;
  /** The id came from the `Nats-Msg-Id` header only: told to the sender, not remembered as seen. */
  fromHeader?: boolean;
  /** For a replay: the first submission's outcome, which stands (and stays the id's answer). */
  firstOutcome?: string;
}

function rejection(sub: Submission, agency: string, all: RejectionReason[], nowMs: number, named: Named): Rejection {
  const { messageId, kind, firstOutcome, fromHeader } = named;
  const reasons = boundedReasons(all);
  const at = new Date(nowMs).toISOString();
  // Receipts and acks stay retryable; a replay keeps its first answer.
  const remember = !!messageId && !firstOutcome && !fromHeader && kind !== "receipt" && kind !== "acknowledgement";
  return { type: "reject", reasons, messageId, kind, entry: rejectedEntry(sub, agency, reasons, at, named), remember, ...(firstOutcome ? { firstOutcome } : {}) };
}

export const rejectedEntry = (sub: Submission, submitter: string, reasons: RejectionReason[], at: string, { messageId, kind, firstOutcome }: Named): AuditEntry => ({
  eventId: `rejected:${messageId ?? `seq-${sub.streamSeq}`}:${sub.streamSeq}`,
  event: "rejected",
  at,
  actor: AGENCY_ID_PATTERN.test(submitter) ? submitter : "ATIX",
  ...(messageId ? { messageId } : {}),
  ...(kind ? { kind } : {}),
  data: { reasons, submitter, streamSeq: sub.streamSeq, ...(firstOutcome ? { firstOutcome } : {}) },
});

/** When acknowledgements of what is accepted at `fromMs` at `precedence` are due (simulated ms). */
export const deadlineAfter = (settings: Pick<Settings, "ackDeadlineMinutes">, fromMs: number, precedence: keyof Settings["ackDeadlineMinutes"]) =>
  fromMs + settings.ackDeadlineMinutes[precedence] * 60_000;

function acceptance(sub: Submission, m: Message, routing: Routing, state: DecisionState, keyEnds: boolean): Acceptance {
  const at = new Date(state.nowMs).toISOString();
  const deadline = new Date(deadlineAfter(state.settings, state.nowMs, routing.precedence)).toISOString();
  const { recipients, precedence, refersTo } = routing;
  const body = m.body as { tlp?: Tlp; title?: string; category?: string };
  const record: MessageRecord = {
    id: m.id,
    kind: m.kind,
    originator: m.sender,
    recipients,
    precedence,
    ...(body.tlp ? { tlp: body.tlp } : {}),
    ...(body.title ? { title: body.title } : refersTo?.title ? { title: refersTo.title } : {}),
    ...(body.category ? { category: body.category } : {}),
    ...(refersTo ? { refersTo: refersTo.id } : {}),
    ...(m.kind === "rfi" ? { question: boundedText(m.body.question, 500), ...(m.body.aboutAlert ? { aboutAlert: m.body.aboutAlert } : {}) } : {}),
    state: "active",
    sentAt: m.sentAt,
    acceptedAt: at,
    ackDeadline: deadline,
  };
  const event = EVENT_OF[m.kind]!;
  const red = (body.tlp ?? refersTo?.tlp) === "RED";
  const accepted: AuditEntry = {
    eventId: `${event}:${m.id}`, event, at, actor: m.sender, messageId: m.id, kind: m.kind,
    data: { recipients, precedence, ackDeadline: deadline, ...(body.tlp ? { tlp: body.tlp } : {}), ...(body.title ? { title: body.title } : {}), ...(refersTo ? { refersTo: refersTo.id } : {}) },
  };
  const delivered: AuditEntryOf<"delivered"> = {
    eventId: `delivered:${m.id}`, event: "delivered", at, actor: COORDINATOR_ID, messageId: m.id, kind: m.kind,
    data: { recipients, deadline, precedence, originator: m.sender },
  };
  const change =
    m.kind === "alert-retraction"
      ? { alertId: m.body.alertId, retractedBy: m.id }
      : // What follows an update (another update, the retraction, hits) goes at its new precedence.
        m.kind === "alert-update" && m.body.changes.precedence
        ? { alertId: m.body.alertId, precedence }
        : undefined;
  return {
    type: "accept",
    message: m,
    record,
    ...(change ? { change } : {}),
    accepted,
    delivered,
    red,
    storedOnce: storedOnce(state.registry, m, recipients, red),
    ...(keyEnds ? { submittedAt: new Date(sub.storedAtMs).toISOString() } : {}),
    urgent: m.kind !== "alert-retraction",
  };
}
