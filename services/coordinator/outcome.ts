// Telling the submitter what became of its submission: live on its outcome subject for
// whoever waits, and stored among its deliveries so an offline node learns it too.
import { COORDINATOR_ID, type Message, type RejectionReason, sign, subjects } from "../../shared/contracts/index.ts";
import { compose, deterministicId } from "../../shared/messaging/compose.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import type { Context } from "./context.ts";

/** Signs the coordinator's own messages (acceptances, rejections, escalations) with the coordinator identity's seed. */
export const ownSigner = (seed: string | undefined) => <M extends Message>(m: M): M =>
  seed && m.sender === COORDINATOR_ID ? sign(m, seed) : m;

export interface OutcomeRef {
  /** The submitter: the NATS identity that published. */
  submitter: string;
  messageId?: string;
  /** Stream sequence of the submission: names outcomes of submissions without a readable id. */
  streamSeq: number;
}

// Named by the submission (its stream sequence): the same submission processed again gets the
// same outcome (stored once, by its name), while two replays of one id stored in the same
// millisecond still get an outcome each. Its id is dated at the simulated time the submission was
// stored (compose.ts: ids carry simulated time), which is the same each time it is processed
// unless the clock was changed in between; the stored copy keeps its first id even then.
const outcomeName = (ref: OutcomeRef) => `outcome:${ref.messageId ?? "-"}:seq-${ref.streamSeq}`;
const outcomeId = (ctx: Context, ref: OutcomeRef, storedAtMs: number) => deterministicId(outcomeName(ref), ctx.clock.at(storedAtMs));

/** An outcome as it is sent (and kept for replays). */
export interface Outcome {
  id: string;
  kind: "acceptance" | "rejection";
  json: string;
}

const signed = (ctx: Context, message: ReturnType<typeof compose>): Outcome => ({
  id: message.id, kind: message.kind as Outcome["kind"], json: JSON.stringify(ctx.signOwn(message)),
});

/** Stores the outcome among the submitter's deliveries (once: its name is the msgID) and sends it live. */
export async function deliverOutcome(ctx: Context, ref: OutcomeRef, o: Outcome): Promise<Outcome> {
  await publishDurably(ctx.publisher, subjects.deliver(ref.submitter, o.kind), o.json, { msgID: outcomeName(ref) });
  if (ref.messageId) ctx.nc.publish(subjects.outcome(ref.submitter, ref.messageId), o.json);
  return o;
}

/** Returns the outcome as sent, to be kept for replays. */
const send = (ctx: Context, ref: OutcomeRef, message: ReturnType<typeof compose>) => deliverOutcome(ctx, ref, signed(ctx, message));

/** `storedAtMs`: when the submission was stored (wall ms), which dates the outcome's id. */
export async function sendAcceptance(ctx: Context, ref: OutcomeRef & { messageId: string }, recipients: string[], ackDeadline: string, storedAtMs: number) {
  const m = compose(
    "acceptance",
    { messageId: ref.messageId, recipients, ackDeadline },
    { id: outcomeId(ctx, ref, storedAtMs), sender: COORDINATOR_ID, sentAt: ctx.clock.iso(), inReplyTo: ref.messageId },
  );
  return send(ctx, ref, m);
}

/** The rejection of a submission, signed, not sent yet (deliverOutcome sends it). */
export function rejectionFor(ctx: Context, ref: OutcomeRef, reasons: RejectionReason[], storedAtMs: number): Outcome {
  const m = compose(
    "rejection",
    { ...(ref.messageId ? { messageId: ref.messageId } : {}), submitter: ref.submitter, reasons },
    { id: outcomeId(ctx, ref, storedAtMs), sender: COORDINATOR_ID, sentAt: ctx.clock.iso(), ...(ref.messageId ? { inReplyTo: ref.messageId } : {}) },
  );
  return signed(ctx, m);
}

export const sendRejection = (ctx: Context, ref: OutcomeRef, reasons: RejectionReason[], storedAtMs: number) => deliverOutcome(ctx, ref, rejectionFor(ctx, ref, reasons, storedAtMs));

/** A replayed id gets the first outcome again, live; the stored copy is already among its deliveries. */
export function replayOutcome(ctx: Context, submitter: string, messageId: string, outcomeJson: string) {
  ctx.nc.publish(subjects.outcome(submitter, messageId), outcomeJson);
}
