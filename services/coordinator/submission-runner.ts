// Carries out what decide.ts decides about one submission: reads what the decision needs, decides,
// performs the decision's writes in their order, and says when the submission may be acked (once
// everything it caused is stored). Every write is idempotent (fixed event ids and msgIDs), so a
// submission redelivered after a crash at any point ends exactly as if it had been processed once.
// An acceptance is decided in the sender's order (the intake's) and written out after: the next
// submission of the same sender is decided while the previous one's deliveries, audit records and
// outcome are still being stored (issued in order on one connection, so they stay in order). The
// in-memory guards below are what makes that overlap safe within this instance.
import { BoundedSet } from "../../shared/bounded.ts";
import { readableFieldsOf, type RejectionReason } from "../../shared/contracts/index.ts";
import type { SeenRecord, MessageRecord, TrackingRecord } from "../../shared/exchange/records.ts";
import { LogBudget } from "../../shared/log.ts";
import type { Checked } from "./checks.ts";
import type { Context } from "./context.ts";
import { type Acceptance, decide, type Decision, decideSeen, type DecisionState, type Judged, overQuota, type Rejection, type Submission } from "./decide.ts";
import { deliver } from "./deliver.ts";
import { deliverOutcome, rejectionFor, replayOutcome, sendAcceptance, sendRejection } from "./outcome.ts";
import { appendOwnRecord } from "./own-records.ts";
import { type Reference, referenceOf } from "./references.ts";
import type { Tracked } from "./track.ts";
import { type CopyBudget, judgeCopies, newCopyBudget } from "./quota.ts";

/** A submission checked ahead of its turn (intake.ts), its id's seen record already being read. */
export interface Prepared extends Judged {
  seen?: Promise<{ value: SeenRecord } | undefined>;
}

export interface Processed {
  outcome: string;
  /** Writes still under way: the submission is acked once they are done. */
  rest?: Promise<void>;
  /** An acceptance's deliveries being stored (the intake's priority for alerts ends there). */
  delivered?: Promise<void>;
  /** Not decided now: handed back, and judged again shortly. */
  retry?: { reason: string; notYetKnown: boolean };
  /** Refused over its agency's quota (`rate-limited`). */
  rateLimited?: boolean;
}

/**
 * Ids this instance decided lately (accepted, or rejected with a recorded outcome): a lookup of
 * one made before that decision is stale and done again. Far older decisions were stored long
 * before any lookup still waiting.
 */
const RECENT_DECISIONS = 50_000;
const ignore = () => undefined;
const NONE: readonly never[] = [];

interface Pending {
  waits?: Promise<void>[];
  missing?: boolean;
}

/** Refusals over quota come by the thousand in a flood: ten warnings in ten seconds, with a count (the audit chain has each). */
const rateLimitedLog = new LogBudget();

export class SubmissionRunner {
  /**
   * Acceptances being written, by message id. Guards: a submission reusing the id, or one
   * referring to it (an update, retraction, answer or hit), decided while the acceptance's records
   * are still being stored. It waits for them, then reads the seen record or the message record.
   * Entries go when their writes settle.
   */
  private readonly accepting = new Map<string, Promise<void>>();
  /**
   * Ids decided lately. Guards: a seen record read ahead of the turn (intake.ts prepare) before
   * this instance decided the same id: read again. Bounded (RECENT_DECISIONS).
   */
  private readonly decided = new BoundedSet<string>(RECENT_DECISIONS);
  /**
   * Deliveries whose receipt or acknowledgement is being recorded (the view's records). Guards: a
   * later message counting the same delivery, decided before the first one's record is stored
   * (the view moves on only then: a failed write is retried, not taken for a repeat). It waits,
   * then finds the delivery counted. Entries go when the write settles.
   */
  private readonly recording = new Map<TrackingRecord, Promise<void>>();
  /** The copies quota of each agency that had a message accepted here: no more than the registry's agencies. */
  private readonly copyBudgets = new Map<string, CopyBudget>();

  constructor(private readonly ctx: Context) {}

  /** Decides a prepared submission and starts its writes. */
  async run(p: Prepared): Promise<Processed> {
    // Decided now: a deadline runs from the acceptance, not from when the submission was pulled.
    const nowMs = this.ctx.clock.nowMs();
    // Per submission: the fields are built only when someone reads debug logs.
    if (p.checked.ok && this.ctx.log.isLevelEnabled("debug")) this.ctx.log.debug({ messageId: p.checked.message.id, kind: p.checked.message.kind, sender: p.checked.message.sender }, "submission");
    const read = this.read(p.checked, p.seen);
    const state = this.state(nowMs, read instanceof Promise ? await read : read);
    const d = decide(p, state);
    if (d.type === "accept") {
      // A redelivered submission whose message record is stored was being accepted when its
      // instance died (the record goes out with its deliveries): finished, not judged again.
      // (Redelivery alone does not do: a submission handed back to be judged later is redelivered too.)
      const finishing = p.sub.redelivered && (await this.ctx.store.messages.get(d.message.id)) !== undefined;
      const overCopies = finishing ? undefined : this.overCopies(p.sub, d);
      if (overCopies) return this.refuseOverQuota(p.sub, overCopies);
    }
    return this.apply(p.sub, p.agency, d);
  }

  /** Why the copies an acceptance would store are over its agency's quota (quota.ts); undefined when within it. */
  private overCopies(sub: Submission, d: Acceptance): RejectionReason | undefined {
    const q = this.ctx.settings().quotas;
    const sender = d.message.sender;
    let budget = this.copyBudgets.get(sender);
    if (!budget) this.copyBudgets.set(sender, (budget = newCopyBudget(q)));
    const copies = d.storedOnce ? 1 : d.record.recipients.length;
    const v = judgeCopies(budget, sender, sub.data.byteLength, copies, sub.storedAtMs, q);
    return v.ok ? undefined : v.reason;
  }

  /**
   * A submission over its agency's quota (quota.ts): refused `rate-limited` without being checked
   * further (over the copies quota: once its recipients are known), recorded and answered like any
   * rejection. Its id is read only to answer it. Unlike other
   * refusals, this one depends on the instance's recent history, so it is made durable first (the
   * seen record): a redelivery after a crash finds it and finishes it (a replay), and is never
   * decided afresh (which could accept what was already refused in the audit chain).
   */
  async refuseOverQuota(sub: Submission, reason: RejectionReason): Promise<Processed> {
    const { ctx } = this;
    const [, , agency = ""] = sub.subject.split(".");
    const nowMs = ctx.clock.nowMs();
    const readable = readableFieldsOf(sub.data);
    const d = overQuota(sub, agency, reason, nowMs, readable);
    if (!d.rememberFirst) return { outcome: await this.reject(sub, agency, d), rateLimited: true };
    const messageId = d.messageId!;
    const ref = { submitter: agency, messageId, streamSeq: sub.streamSeq };
    const outcome = rejectionFor(ctx, ref, d.reasons, sub.storedAtMs);
    const first: SeenRecord = { outcome: "rejected", outcomeId: outcome.id, outcomeJson: outcome.json, streamSeq: sub.streamSeq, kind: d.kind ?? "unknown", sender: agency, recipients: [], at: d.entry.at };
    if (!(await ctx.store.seen.create(messageId, first))) {
      const seen = await ctx.store.seen.get(messageId);
      if (seen) return this.apply(sub, agency, decideSeen(sub, agency, messageId, d.kind ?? "unknown", seen.value, nowMs));
    }
    this.decided.add(messageId);
    this.logRejection(sub, agency, d);
    // Recorded and answered before the agency's next submission is judged: a flood of refusals
    // costs one chain of writes at a time, not a share of the coordinator's.
    await ctx.audit.append(d.entry);
    await deliverOutcome(ctx, ref, outcome);
    return { outcome: "rejected", rateLimited: true };
  }

  /**
   * What a decision reads, after waiting for the writes it must see: undefined when it needs
   * nothing (no promise then: most receipts and refusals are decided without a turn of the loop).
   */
  private read(checked: Checked, seenAhead: Prepared["seen"]): Reads | Promise<Reads> | undefined {
    if (!checked.ok) return undefined;
    const m = checked.message;
    if (m.kind === "receipt" || m.kind === "acknowledgement") {
      // Most name one delivery the view holds and nobody is recording: nothing to wait for or read.
      let pending = this.pending(m.body.messageId, m.sender, undefined);
      for (const x of m.body.more ?? NONE) pending = this.pending(x.messageId, m.sender, pending);
      return pending ? this.readDeliveries(pending.waits, m) : undefined;
    }
    if (m.kind === "presence") return undefined;
    return this.readSeen(m.id, referenceOf(m), seenAhead ?? this.ctx.store.seen.get(m.id));
  }

  /** What deciding on one delivery a receipt or acknowledgement names waits for (its recording) or reads (its message record). */
  private pending(id: string, recipient: string, acc: Pending | undefined): Pending | undefined {
    const t = this.ctx.tracking.get(id, recipient);
    if (!t) (acc ??= {}).missing = true;
    else {
      const w = this.recording.get(t);
      if (w) ((acc ??= {}).waits ??= []).push(w);
    }
    return acc;
  }

  /**
   * The message records of the deliveries `m` names that the view does not hold, once the
   * recordings it waits for are done. A busy view forgets settled deliveries (prune) while this
   * waits or reads, so what it held at first is looked at again until nothing is missing unread.
   */
  private async readDeliveries(waits: Promise<void>[] | undefined, m: Tracked): Promise<Reads> {
    for (const w of waits ?? NONE) await w.catch(ignore);
    const stored = new Map<string, MessageRecord | undefined>();
    const named = [m.body.messageId, ...(m.body.more ?? NONE).map((x) => x.messageId)];
    for (;;) {
      const gone = named.filter((id) => !stored.has(id) && !this.ctx.tracking.get(id, m.sender));
      if (!gone.length) break;
      for (const id of gone) stored.set(id, (await this.ctx.store.messages.get(id))?.value);
    }
    return stored.size ? { stored } : {};
  }

  private async readSeen(id: string, reference: Reference | undefined, seenAhead: NonNullable<Prepared["seen"]>): Promise<Reads> {
    const { store } = this.ctx;
    // The same id again while (or since) this instance decided it: read again after that.
    const inFlight = this.accepting.get(id);
    let seen = await seenAhead;
    if (inFlight || this.decided.has(id)) {
      await inFlight?.catch(ignore);
      seen = await store.seen.get(id);
    }
    if (seen || !reference) return { seen: seen?.value };
    // What it refers to may still be being accepted here: its record is written by then.
    await this.accepting.get(reference.id)?.catch(ignore);
    return { reference, referenced: (await store.messages.get(reference.id))?.value };
  }

  private state(nowMs: number, reads: Reads | undefined): DecisionState {
    const { ctx } = this;
    return { registry: ctx.registry(), settings: ctx.settings(), nowMs, wallNowMs: Date.now(), clock: ctx.clock, view: ctx.tracking, ...reads };
  }

  private async apply(sub: Submission, agency: string, d: Decision): Promise<Processed> {
    switch (d.type) {
      case "ignore":
        return { outcome: d.outcome };
      case "retry":
        return { outcome: "retry", retry: d };
      case "reject":
        return { outcome: await this.reject(sub, agency, d) };
      case "replay":
        if (d.finish) {
          await this.ctx.audit.append(d.finish);
          await deliverOutcome(this.ctx, { submitter: agency, messageId: d.messageId, streamSeq: sub.streamSeq }, { id: d.seen.outcomeId, kind: "rejection", json: d.seen.outcomeJson });
        } else replayOutcome(this.ctx, agency, d.messageId, d.seen.outcomeJson);
        return { outcome: "replay" };
      case "track": {
        const rest = d.entry ? this.record(d.entry, d.covered) : undefined;
        if (d.refusal) {
          await rest;
          return { outcome: await this.reject(sub, agency, d.refusal) };
        }
        return rest ? { outcome: "recorded", rest } : { outcome: "repeat" };
      }
      case "accept":
        return this.accept(sub, d);
    }
  }

  /** A receipt's or acknowledgement's record, applied to the view once stored (a write that failed is retried, not taken for a repeat). */
  private record(entry: NonNullable<Extract<Decision, { type: "track" }>["entry"]>, covered: ReadonlySet<TrackingRecord>): Promise<void> {
    const { ctx, recording } = this;
    const rest = appendOwnRecord(ctx.tracking, (e) => ctx.audit.append(e), entry);
    for (const t of covered) recording.set(t, rest);
    const forget = () => covered.forEach((t) => recording.get(t) === rest && recording.delete(t));
    rest.then(forget, forget);
    return rest;
  }

  /** Stores the message record and what accepting it changes; returns the writing of its deliveries, records and outcome. */
  private async accept(sub: Submission, d: Acceptance): Promise<Processed> {
    const { ctx } = this;
    const m = d.message;
    // Stored alongside the deliveries (not before them): what refers to it waits for this acceptance.
    const stored = ctx.store.messages.put(m.id, d.record);
    stored.catch(ignore); // awaited with the deliveries
    const change = d.change;
    if (change?.retractedBy) {
      const by = change.retractedBy;
      await ctx.store.messages.modify(change.alertId, (a) => (a.state === "retracted" ? undefined : { ...a, state: "retracted", retractedBy: by }));
    } else if (change?.precedence) {
      const precedence = change.precedence;
      await ctx.store.messages.modify(change.alertId, (a) => (a.precedence === precedence ? undefined : { ...a, precedence }));
    }
    // Deliveries and audit records go out together: FLASH latency is submit → delivered, so
    // nothing waits for the bookkeeping. The exact bytes the originator signed go to every
    // recipient: they can verify it end to end. The records are applied to the view before
    // anything can answer them (a retraction closes its alert's open deliveries).
    ctx.tracking.applyWritten(d.accepted);
    ctx.tracking.applyWritten(d.delivered);
    const { recipients } = d.record;
    const delivered = deliver(ctx, m, sub.data, recipients, { once: d.storedOnce, ...(d.submittedAt ? { submittedAt: d.submittedAt } : {}) });
    const rest = this.finishAcceptance(sub, d, stored, delivered);
    this.decided.add(m.id);
    this.accepting.set(m.id, rest);
    const forget = () => {
      if (this.accepting.get(m.id) === rest) this.accepting.delete(m.id);
    };
    rest.then(forget, forget);
    return { outcome: "accepted", rest, delivered };
  }

  /** Once its deliveries, message record and audit records are stored: the outcome, then the seen record. */
  private async finishAcceptance(sub: Submission, d: Acceptance, stored: Promise<unknown>, delivered: Promise<void>) {
    const { ctx } = this;
    const m = d.message;
    const { recipients, precedence, ackDeadline, acceptedAt } = d.record;
    await Promise.all([delivered, stored, ctx.audit.append(d.accepted, d.urgent), ctx.audit.append(d.delivered, d.urgent)]);
    const outcome = await sendAcceptance(ctx, { submitter: m.sender, messageId: m.id, streamSeq: sub.streamSeq }, recipients, ackDeadline, sub.storedAtMs);
    await ctx.store.seen.put(m.id, {
      outcome: "accepted", outcomeId: outcome.id, outcomeJson: outcome.json, streamSeq: sub.streamSeq, kind: m.kind, sender: m.sender, recipients, at: acceptedAt,
    });
    ctx.log.info({ messageId: m.id, kind: m.kind, sender: m.sender, recipients: recipients.length, precedence }, "accepted");
  }

  /** Records and answers a rejection; a rejected id is remembered as seen (answered the same way again). */
  private async reject(sub: Submission, submitter: string, d: Rejection): Promise<string> {
    const { ctx } = this;
    const { messageId } = d;
    this.logRejection(sub, submitter, d);
    await ctx.audit.append(d.entry);
    const outcome = await sendRejection(ctx, { submitter, streamSeq: sub.streamSeq, ...(messageId ? { messageId } : {}) }, d.reasons, sub.storedAtMs);
    if (d.remember && messageId) {
      this.decided.add(messageId);
      await ctx.store.seen.create(messageId, {
        outcome: "rejected", outcomeId: outcome.id, outcomeJson: outcome.json, streamSeq: sub.streamSeq, kind: d.kind ?? "unknown", sender: submitter, recipients: [], at: d.entry.at,
      });
    }
    return d.firstOutcome ? "replay" : "rejected";
  }

  private logRejection(sub: Submission, submitter: string, d: Rejection) {
    const fields = { messageId: d.messageId, submitter, kind: d.kind, streamSeq: sub.streamSeq, reasons: d.reasons };
    const budget = d.reasons[0]?.code === "rate-limited" ? rateLimitedLog.take() : { log: true, skipped: 0 };
    if (budget.log) this.ctx.log.warn(budget.skipped ? { ...fields, notLogged: budget.skipped } : fields, budget.skipped ? `rejected (${budget.skipped} more rate-limited not logged one by one)` : "rejected");
    else this.ctx.log.debug(fields, "rejected");
  }
}

/** What was read for a decision (DecisionState's stored facts). */
type Reads = Pick<DecisionState, "seen" | "reference" | "referenced" | "stored">;
