// One submission, start to finish. Every step is idempotent, so a submission redelivered after
// a crash at any point ends exactly as if it had been processed once.
// An acceptance is decided in the sender's order (its lane) and written out after: the next
// submission of the same sender is decided while the previous one's deliveries, tracking records
// and audit events are still being stored (issued in order on one connection, so they stay in
// order). What depends on an acceptance being complete waits for it (ctx.accepting).
import type { AcceptedEvent, AuditEntry, AuditEntryOf, Message, RejectionReason, Tlp } from "../../shared/contracts/index.ts";
import { AGENCY_ID_PATTERN, COORDINATOR_ID, MessageId, readableFieldsOf } from "../../shared/contracts/index.ts";
import { authorise, type Routing } from "./authorise.ts";
import { checkSubmission } from "./checks.ts";
import { deliver } from "./deliver.ts";
import { type Context, deadlineAfter } from "./context.ts";
import { deliverOutcome, rejectionFor, replayOutcome, sendAcceptance, sendRejection } from "./outcome.ts";
import { track } from "./track.ts";
import { LogBudget } from "../../shared/log.ts";

export interface Submission {
  subject: string;
  data: Uint8Array;
  streamSeq: number;
  /** When the stream stored it (wall ms): names the outcome deterministically. */
  storedAtMs: number;
  /** The `Nats-Msg-Id` it was published under: names it when its body has no readable id. */
  msgIdHeader?: string | undefined;
  /** Called once its deliveries are stored (the intake's priority for alerts ends there). */
  delivered?: () => void;
}

const EVENT_OF: Partial<Record<Message["kind"], AcceptedEvent>> = {
  alert: "submitted",
  rfi: "submitted",
  "alert-update": "updated",
  "alert-retraction": "retracted",
  "rfi-response": "answered",
  hit: "hit-reported",
};

export interface Processed {
  outcome: string;
  /** Writes still under way: the submission is acked once they are done. */
  rest?: Promise<void>;
}

/** What can be known of a submission before its turn: its checks, and whether its id was seen. */
export interface Prepared {
  agency: string;
  checked: ReturnType<typeof checkSubmission>;
  seen?: Promise<Awaited<ReturnType<Context["store"]["seen"]["get"]>>>;
}

type Seen = NonNullable<Awaited<ReturnType<Context["store"]["seen"]["get"]>>>;

/** Kinds that only report on earlier deliveries or on the sender: no id to look up, and they can wait (intake.ts). */
export const BOOKKEEPING_KINDS: ReadonlySet<string> = new Set(["receipt", "acknowledgement", "presence"]);

/**
 * Checks a submission (pure: parse, contract, signature) and starts looking up its id, so that
 * both happen while the sender's earlier submissions are still being decided.
 */
export function prepare(ctx: Context, sub: Submission): Prepared {
  // Anything after the agency is the kind: `atix.submit.TR.alert.extra` names kind "alert.extra",
  // which no message has, so it is refused rather than read as an alert.
  const [, , agency = "", ...kindTokens] = sub.subject.split(".");
  const checked = checkSubmission(sub.data, agency, kindTokens.join("."), ctx.registry(), sub.storedAtMs);
  if (!checked.ok || BOOKKEEPING_KINDS.has(checked.message.kind)) return { agency, checked };
  const seen = ctx.store.seen.get(checked.message.id);
  seen.catch(() => undefined); // awaited in its turn; a failure is reported there
  return { agency, checked, seen };
}

export async function processSubmission(ctx: Context, sub: Submission, prepared = prepare(ctx, sub)): Promise<Processed> {
  const { agency, checked } = prepared;
  // Decided now: a deadline runs from the acceptance, not from when the submission was pulled.
  const nowMs = ctx.clock.nowMs();
  if (!checked.ok) {
    // A body without a readable id (not JSON, say) is still named by the id it was published under.
    const named = checked.messageId ? checked : { ...checked, ...idFromHeader(sub) };
    return { outcome: await reject(ctx, sub, agency, checked.reasons, nowMs, named) };
  }
  const m = checked.message;
  ctx.log.debug({ msgId: m.id, kind: m.kind, sender: m.sender }, "submission");

  if (m.kind === "presence") return { outcome: "presence" };
  if (m.kind === "receipt" || m.kind === "acknowledgement") {
    const r = await track(ctx, m, nowMs, sub.storedAtMs);
    // What it covered is recorded; deliveries the sender never had are named in a rejection.
    if (r.unknown.length) {
      await r.rest;
      return { outcome: await reject(ctx, sub, agency, r.unknown, nowMs, { messageId: m.id, kind: m.kind }) };
    }
    return { outcome: r.recorded ? "recorded" : "repeat", ...(r.rest ? { rest: r.rest } : {}) };
  }

  // The same id again while (or since) this instance decided it: looked up again after that.
  const inFlight = ctx.accepting.get(m.id);
  let seen = await prepared.seen!;
  if (inFlight || ctx.decided.has(m.id)) {
    await inFlight?.catch(() => undefined);
    seen = await ctx.store.seen.get(m.id);
  }
  if (seen) return { outcome: await answerSeen(ctx, sub, agency, m.id, m.kind, seen, nowMs) };

  // What it refers to may still be being accepted here: its record is written by then.
  const about = referenceOf(m);
  if (about) await ctx.accepting.get(about)?.catch(() => undefined);
  const auth = await authorise(m, ctx.registry(), ctx.store, sub.storedAtMs, ctx.clock, ctx.settings());
  if (!auth.ok) return { outcome: await reject(ctx, sub, agency, auth.reasons, nowMs, { messageId: m.id, kind: m.kind }) };
  const { rest } = await accept(ctx, sub, m, auth.routing, nowMs, checked.keyEnds !== undefined);
  ctx.decided.add(m.id);
  ctx.accepting.set(m.id, rest);
  const forget = () => {
    if (ctx.accepting.get(m.id) === rest) ctx.accepting.delete(m.id);
  };
  rest.then(forget, forget);
  return { outcome: "accepted", rest };
}

/**
 * A submission over its agency's quota (quota.ts): refused `rate-limited` without being checked
 * further, recorded and answered like any rejection. Its id is read only to answer it. Unlike other
 * refusals, this one depends on the instance's recent history, so it is made durable first (the
 * seen record): a redelivery after a crash finds it and finishes it (answerSeen), and is never
 * decided afresh (which could accept what was already refused in the audit chain).
 */
export async function refuseOverQuota(ctx: Context, sub: Submission, reason: RejectionReason): Promise<Processed> {
  const [, , agency = ""] = sub.subject.split(".");
  const nowMs = ctx.clock.nowMs();
  const { messageId, kind } = readableFieldsOf(sub.data);
  // Receipts and acknowledgements, and what has no readable id, are not remembered: refused as any rejection.
  if (!messageId || BOOKKEEPING_KINDS.has(kind ?? "")) return { outcome: await reject(ctx, sub, agency, [reason], nowMs, { messageId, kind }) };
  const at = new Date(nowMs).toISOString();
  const outcome = rejectionFor(ctx, { submitter: agency, messageId, streamSeq: sub.streamSeq }, [reason], sub.storedAtMs);
  const decided = { outcome: "rejected" as const, outcomeId: outcome.id, outcomeJson: outcome.json, streamSeq: sub.streamSeq, kind: kind ?? "unknown", sender: agency, recipients: [], at };
  if (!(await ctx.store.seen.create(messageId, decided))) {
    const seen = await ctx.store.seen.get(messageId);
    if (seen) return { outcome: await answerSeen(ctx, sub, agency, messageId, kind ?? "unknown", seen, nowMs) };
  }
  ctx.decided.add(messageId);
  logRejection(ctx, sub, agency, [reason], messageId, kind);
  // Recorded and answered before the agency's next submission is judged: a flood of refusals
  // costs one chain of writes at a time, not a share of the coordinator's.
  await finishRejection(ctx, sub, agency, messageId, decided);
  return { outcome: "rejected" };
}

/** A decided rejection's record and stored outcome (idempotent: the same event id and msgID), then the live outcome. */
async function finishRejection(ctx: Context, sub: Submission, agency: string, id: string, decided: Seen["value"]) {
  const reasons = (JSON.parse(decided.outcomeJson) as { body: { reasons: RejectionReason[] } }).body.reasons;
  await ctx.audit.append(rejectedEntry(sub, agency, reasons, decided.at, { messageId: id, kind: decided.kind }));
  await deliverOutcome(ctx, { submitter: agency, messageId: id, streamSeq: sub.streamSeq }, { id: decided.outcomeId, kind: "rejection", json: decided.outcomeJson });
}

/** An id seen before: a redelivered submission gets its first outcome again, a new one reusing the id is refused. */
async function answerSeen(ctx: Context, sub: Submission, agency: string, id: string, kind: string, seen: Seen, nowMs: number): Promise<string> {
  // The same stream message again (a redelivery after a crash): the first outcome, once more. A
  // refusal over quota is remembered before it is carried out: finished now (what was done already is not done twice).
  if (seen.value.streamSeq === sub.streamSeq) {
    if (seen.value.outcome === "rejected") await finishRejection(ctx, sub, agency, id, seen.value);
    else replayOutcome(ctx, agency, id, seen.value.outcomeJson);
    return "replay";
  }
  // A new submission reusing an id: refused, and the refusal names what became of the first.
  const replay = [{ code: "replay" as const, path: "id", message: `expected a new message id; ${id} was seen before (${seen.value.outcome} as ${seen.value.outcomeId})` }];
  await reject(ctx, sub, agency, replay, nowMs, { messageId: id, kind, firstOutcome: seen.value.outcomeId });
  return "replay";
}

/** The `Nats-Msg-Id` a submission was published under, when it is a message id (not remembered as seen: the body never said it). */
function idFromHeader(sub: Submission): { messageId?: string; fromHeader?: true } {
  const id = MessageId.safeParse(sub.msgIdHeader);
  return id.success ? { messageId: id.data, fromHeader: true } : {};
}

/** The alert or RFI a message refers to. */
function referenceOf(m: Message): string | undefined {
  if (m.kind === "alert-update" || m.kind === "alert-retraction" || m.kind === "hit") return m.body.alertId;
  if (m.kind === "rfi-response") return m.body.rfiId;
  return undefined;
}

/** Decides and records the message; returns the writing of its deliveries, tracking and audit. */
async function accept(ctx: Context, sub: Submission, m: Message, routing: Routing, nowMs: number, keyEnds: boolean): Promise<{ rest: Promise<void> }> {
  const at = new Date(nowMs).toISOString();
  const deadline = new Date(deadlineAfter(ctx, nowMs, routing.precedence)).toISOString();
  const { recipients, precedence, refersTo } = routing;
  const body = m.body as { tlp?: Tlp; title?: string; category?: string };
  // Stored alongside the deliveries (not before them): what refers to it waits for this acceptance.
  const stored = ctx.store.messages.put(m.id, {
    id: m.id,
    kind: m.kind,
    originator: m.sender,
    recipients,
    precedence,
    ...(body.tlp ? { tlp: body.tlp } : {}),
    ...(body.title ? { title: body.title } : refersTo?.title ? { title: refersTo.title } : {}),
    ...(body.category ? { category: body.category } : {}),
    ...(refersTo ? { refersTo: refersTo.id } : {}),
    ...(m.kind === "rfi" ? { question: m.body.question.slice(0, 500), ...(m.body.aboutAlert ? { aboutAlert: m.body.aboutAlert } : {}) } : {}),
    state: "active",
    sentAt: m.sentAt,
    acceptedAt: at,
    ackDeadline: deadline,
  });
  stored.catch(() => undefined); // awaited with the deliveries
  if (m.kind === "alert-retraction") {
    await ctx.store.messages.modify(m.body.alertId, (a) => (a.state === "retracted" ? undefined : { ...a, state: "retracted", retractedBy: m.id }));
  }
  // What follows an update (another update, the retraction, hits) goes at its new precedence.
  if (m.kind === "alert-update" && m.body.changes.precedence)
    await ctx.store.messages.modify(m.body.alertId, (a) => (a.precedence === precedence ? undefined : { ...a, precedence }));

  return { rest: writeOut(ctx, sub, m, stored, { at, deadline, recipients, precedence, refersTo, body, keyEnds }) };
}

/**
 * Deliveries and audit events go out together: FLASH latency is submit → delivered, so nothing
 * waits for the bookkeeping. The exact bytes the originator signed go to every recipient: they
 * can verify it end to end. One "delivered" record names every recipient: the chain is the
 * record of each delivery's state (tracking-view.ts), applied here before anything can answer it.
 */
async function writeOut(
  ctx: Context,
  sub: Submission,
  m: Message,
  stored: Promise<unknown>,
  { at, deadline, recipients, precedence, refersTo, body, keyEnds }: Routing & { at: string; deadline: string; body: { tlp?: Tlp; title?: string }; keyEnds: boolean },
) {
  const event = EVENT_OF[m.kind]!;
  const accepted: AuditEntry = {
    eventId: `${event}:${m.id}`, event, at, actor: m.sender, messageId: m.id, kind: m.kind,
    data: { recipients, precedence, ackDeadline: deadline, ...(body.tlp ? { tlp: body.tlp } : {}), ...(body.title ? { title: body.title } : {}), ...(refersTo ? { refersTo: refersTo.id } : {}) },
  };
  const delivered: AuditEntryOf<"delivered"> = {
    eventId: `delivered:${m.id}`, event: "delivered", at, actor: COORDINATOR_ID, messageId: m.id, kind: m.kind,
    data: { recipients, deadline, precedence, originator: m.sender },
  };
  // A retraction closes its alert's open deliveries in the view as it is recorded.
  ctx.tracking.applyWritten(accepted);
  ctx.tracking.applyWritten(delivered);
  // Bookkeeping waiting in the intake goes on once the deliveries are stored (sub.delivered).
  // TLP:RED is never stored as a broadcast, also its updates and retraction (which carry no TLP).
  const red = (body.tlp ?? refersTo?.tlp) === "RED";
  // Signed with a key being replaced: recipients judge it by when the submission was stored (deliver.ts).
  const submittedAt = keyEnds ? new Date(sub.storedAtMs).toISOString() : undefined;
  const delivering = deliver(ctx, m, sub.data, recipients, { red, ...(submittedAt ? { submittedAt } : {}) }).finally(() => sub.delivered?.());
  // Its sender waits for these: written before the bookkeeping and refusals queued (not a
  // retraction's, which must not overtake an acknowledgement of what it closes).
  const urgent = m.kind !== "alert-retraction";
  await Promise.all([delivering, stored, ctx.audit.append(accepted, urgent), ctx.audit.append(delivered, urgent)]);
  const outcome = await sendAcceptance(ctx, { submitter: m.sender, messageId: m.id, streamSeq: sub.streamSeq }, recipients, deadline, sub.storedAtMs);
  await ctx.store.seen.put(m.id, {
    outcome: "accepted", outcomeId: outcome.id, outcomeJson: outcome.json, streamSeq: sub.streamSeq, kind: m.kind, sender: m.sender, recipients, at,
  });
  ctx.log.info({ msgId: m.id, kind: m.kind, sender: m.sender, recipients: recipients.length, precedence }, "accepted");
}

interface Rejected {
  messageId?: string | undefined;
  kind?: string | undefined;
  /** The id came from the `Nats-Msg-Id` header only: told to the sender, not remembered as seen. */
  fromHeader?: true;
  /** For a replay: the first submission's outcome, which stands (and stays the id's answer). */
  firstOutcome?: string;
}

/** Refusals over quota come by the thousand in a flood: ten warnings in ten seconds, with a count (the audit chain has each). */
const rateLimitedLog = new LogBudget();

function logRejection(ctx: Context, sub: Submission, submitter: string, reasons: RejectionReason[], messageId?: string, kind?: string) {
  const fields = { msgId: messageId, submitter, kind, streamSeq: sub.streamSeq, reasons };
  const budget = reasons[0]?.code === "rate-limited" ? rateLimitedLog.take() : { log: true, skipped: 0 };
  if (budget.log) ctx.log.warn(budget.skipped ? { ...fields, notLogged: budget.skipped } : fields, budget.skipped ? `rejected (${budget.skipped} more rate-limited not logged one by one)` : "rejected");
  else ctx.log.debug(fields, "rejected");
}

const rejectedEntry = (sub: Submission, submitter: string, reasons: RejectionReason[], at: string, { messageId, kind, firstOutcome }: Rejected): AuditEntry => ({
  eventId: `rejected:${messageId ?? `seq-${sub.streamSeq}`}:${sub.streamSeq}`,
  event: "rejected",
  at,
  actor: AGENCY_ID_PATTERN.test(submitter) ? submitter : "ATIX",
  ...(messageId ? { messageId } : {}),
  ...(kind ? { kind } : {}),
  data: { reasons, submitter, streamSeq: sub.streamSeq, ...(firstOutcome ? { firstOutcome } : {}) },
});

async function reject(ctx: Context, sub: Submission, submitter: string, reasons: RejectionReason[], nowMs: number, { messageId, kind, firstOutcome, fromHeader }: Rejected = {}) {
  const at = new Date(nowMs).toISOString();
  logRejection(ctx, sub, submitter, reasons, messageId, kind);
  await ctx.audit.append(rejectedEntry(sub, submitter, reasons, at, { messageId, kind, ...(firstOutcome ? { firstOutcome } : {}) }));
  const outcome = await sendRejection(ctx, { submitter, streamSeq: sub.streamSeq, ...(messageId ? { messageId } : {}) }, reasons, sub.storedAtMs);
  // A rejected id answered once is answered the same way again (a replay keeps its first answer);
  // receipts and acks stay retryable.
  if (messageId && !firstOutcome && !fromHeader && kind !== "receipt" && kind !== "acknowledgement") {
    ctx.decided.add(messageId);
    await ctx.store.seen.create(messageId, {
      outcome: "rejected", outcomeId: outcome.id, outcomeJson: outcome.json, streamSeq: sub.streamSeq, kind: kind ?? "unknown", sender: submitter, recipients: [], at,
    });
  }
  return "rejected";
}
