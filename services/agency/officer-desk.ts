// The duty officer's desk: what the officer has been handed and when they will act on it.
// Acknowledgements, RFI answers and hits are sim-time tasks in the scheduler, so they follow
// the exchange clock and survive the node going offline and coming back (kept in memory).
import type { AlertMessage, EscalationMessage, Message, Precedence, RfiMessage, RosterAgency } from "../../shared/contracts/index.ts";
import { isoAt, type SimClock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import { acknowledgeAt, afterReminder, officerOnWatch } from "./duty-officer.ts";
import type { EventHub } from "./events.ts";
import { chance, createRng, uniform } from "../../shared/prng.ts";
import { BATCH_MAX, escalationItems } from "../../shared/contracts/index.ts";
import { type BatchOutcome, Batcher, SelfBatchEntry, tellFailed, tellSent } from "../../shared/messaging/batcher.ts";
import type { YieldingQueue } from "../../shared/yielding-queue.ts";
import { BoundedMap, BoundedSet } from "../../shared/bounded.ts";
import { RECENT_IDS } from "./options.ts";
import { acknowledgementFor, type Acknowledging, type Action, chooseAction, hitFor, LINGER_MS, MAX_LINGER_MS, precedenceOf, rfiResponseFor } from "./reactions.ts";
import type { ReportingTask, SimScheduler, TaskEnd } from "./scheduler.ts";
import { type ScriptedReaction, scriptedAnswer, scriptedHit } from "./script.ts";

const MINUTE_MS = 60_000;

export interface DeskSettings {
  hitProbability: number;
  answerProbability: number;
  informationProbability: number;
  /** The script's word on a delivery (scripted injects); background traffic reacts by the probabilities. */
  scripted?: (messageId: string) => ScriptedReaction | undefined;
}

/** Scheduler key prefix of a pending acknowledgement (`ack:<messageId>`). */
export const ACK_TASK_PREFIX = "ack:";

/**
 * A delivery the officer has taken on, from the moment it is scheduled until its acknowledgement
 * is stored: the scheduler's task (it reports when due), then an item waiting in the batch, told
 * how its send ended. One object per delivery through all of that (no closure for the task, no
 * wrapper in the batch, no promise chain: a busy desk has thousands waiting, and every object each
 * keeps outlives the young generation). It settles the receipts it stands in for, then the
 * scheduler's task, which keeps a failed one for another run.
 */
class PendingAcknowledgement extends SelfBatchEntry<Message> implements Acknowledging, ReportingTask {
  /** Receipts of this delivery that had not left yet: this acknowledgement counts as them (the intake's standIn). */
  standsInFor: readonly BatchOutcome<Message>[] = NONE;
  /** When the officer acknowledged (simulated ms; `at` in ISO 8601), who, and what they did: set when it falls due. */
  atMs = 0;
  at = "";
  officer = "";
  action: Action = "noted";
  /** Where the scheduler's task is told how it ended: set when it falls due. */
  private end: TaskEnd | undefined;

  constructor(
    private readonly desk: OfficerDesk,
    readonly delivered: Message,
    readonly precedence: Precedence,
  ) {
    super();
  }

  /** Due: the officer acknowledges (the scheduler's run; a failed one runs again). */
  report(end: TaskEnd) {
    this.end = end;
    this.desk.acknowledge(this);
  }

  sent(ack: Message) {
    // The receipts it stands in for first: the delivery is reported receipted before acknowledged.
    for (const r of this.standsInFor) tellSent(r, ack);
    this.standsInFor = NONE;
    try {
      this.desk.acknowledged(this, ack);
    } finally {
      this.end?.done();
    }
  }

  failed(err: Error) {
    for (const r of this.standsInFor) tellFailed(r, err);
    this.standsInFor = NONE;
    this.end?.failed(err);
  }
}

const NONE: readonly BatchOutcome<Message>[] = Object.freeze([]);

export class OfficerDesk {
  /** Deliveries the officer has taken on: a redelivery gets a receipt, not a second acknowledgement. */
  private readonly taken = new BoundedSet<string>(RECENT_IDS);
  private readonly precedences = new BoundedMap<string, Precedence>(RECENT_IDS);
  private readonly retracted = new BoundedSet<string>(RECENT_IDS);
  /** A fault a scenario injects: the officer works `factor` times slower until `untilMs` (simulated). */
  private slow: { factor: number; untilMs: number } | undefined;
  /** Acknowledgements due at the same moment (a busy desk) go out in one message. */
  private readonly acks: Batcher<Acknowledging, Message>;

  constructor(
    private readonly agency: RosterAgency,
    private readonly rngSeed: string,
    private readonly clock: SimClock,
    private readonly scheduler: SimScheduler,
    private readonly send: (m: Message) => Promise<unknown>,
    private readonly events: EventHub,
    private readonly log: Logger,
    private readonly settings: DeskSettings,
    outbox: YieldingQueue,
    /** The intake's DeliveryIntake.standIn: an acknowledgement made before the receipt left replaces it. */
    private readonly standIn: (messageId: string) => readonly BatchOutcome<Message>[],
  ) {
    const ack = (items: Acknowledging[]) => this.send(acknowledgementFor(items, this.agency.id)) as Promise<Message>;
    this.acks = new Batcher(ack, BATCH_MAX, LINGER_MS, MAX_LINGER_MS, (task) => outbox.push(task));
  }

  private rng(...parts: string[]) {
    return createRng(this.rngSeed, ...parts);
  }
  private at(): { ms: number; iso: string } {
    const ms = this.clock.nowMs();
    return { ms, iso: isoAt(ms) };
  }

  /** Remembers the precedence of alerts and RFIs (ours or received) for what later refers to them. */
  note(m: Message) {
    if (m.kind === "alert" || m.kind === "rfi") this.precedences.set(m.id, m.body.precedence);
    if (m.kind === "alert-update" && m.body.changes.precedence) this.precedences.set(m.body.alertId, m.body.changes.precedence);
    if (m.kind === "alert-retraction") this.retracted.add(m.body.alertId);
  }

  /**
   * A delivery that needs a person: schedule the acknowledgement per the duty-officer model.
   * Returns when it is due (simulated ms); undefined when the officer had taken it on already.
   */
  take(m: Message, arrivedAt: number, seq?: number): number | undefined {
    if (!this.taken.addNew(m.id)) return undefined;
    this.note(m);
    const precedence = precedenceOf(m, (id) => this.precedences.get(id));
    let dueAt = acknowledgeAt(this.agency.duty, this.agency.timezone, arrivedAt, precedence, this.rng(m.id, "ack"));
    if (this.slow && arrivedAt < this.slow.untilMs) dueAt = arrivedAt + (dueAt - arrivedAt) * this.slow.factor;
    this.scheduler.atReporting(`${ACK_TASK_PREFIX}${m.id}`, dueAt, new PendingAcknowledgement(this, m, precedence));
    // Per delivery: the fields (an ISO date among them) are built only when debug logs are read.
    if (this.log.isLevelEnabled("debug")) this.log.debug({ messageId: m.id, kind: m.kind, seq, precedence, dueAt: new Date(dueAt).toISOString() }, "acknowledgement scheduled");
    return dueAt;
  }

  slowDown(factor: number, untilMs: number) {
    this.slow = { factor, untilMs };
  }

  /** Pending acknowledgements, earliest first. */
  pending(): { messageId: string; dueAt: number }[] {
    return this.scheduler
      .entries()
      .filter((e) => e.key.startsWith(ACK_TASK_PREFIX))
      .map((e) => ({ messageId: e.key.slice(ACK_TASK_PREFIX.length), dueAt: e.dueAt }));
  }

  /**
   * An escalation addressed to us: a reminder about our own overdue acknowledgements hurries each
   * of them (one reminder may list many).
   */
  escalation(e: EscalationMessage) {
    const { step, notify } = e.body;
    const id = this.agency.id;
    const items = escalationItems(e.body);
    if (step !== "reminder" || notify !== id) {
      this.log.info({ messageId: e.id, about: e.body.messageId, step, deliveries: items.length }, "escalation noted");
      return;
    }
    const now = this.at();
    for (const [i, { messageId, recipient }] of items.entries()) {
      if (recipient !== id) continue;
      const key = `${ACK_TASK_PREFIX}${messageId}`;
      const due = this.scheduler.dueAt(key);
      if (due === undefined) {
        this.log.info({ messageId: e.id, about: messageId }, "reminder for a delivery already acknowledged or never received");
        continue;
      }
      const sooner = afterReminder(this.agency.duty, this.agency.timezone, due, now.ms, this.rng(e.id, i === 0 ? "reminder" : `reminder:${messageId}`), e.body.precedence);
      if (sooner < due) this.scheduler.move(key, sooner);
      this.log.info({ messageId: e.id, about: messageId, dueAt: new Date(sooner).toISOString(), moved: sooner < due }, "reminder received");
      this.events.emit({ type: "reminded", agency: id, messageId, kind: "escalation", at: now.iso, replyId: e.id });
    }
  }

  /** Its scheduler's task is due: ends once the acknowledgement is stored, fails (and is kept) if it could not be. */
  acknowledge(pending: PendingAcknowledgement) {
    const now = this.at();
    const { id, timezone } = this.agency;
    const m = pending.delivered;
    pending.atMs = now.ms;
    pending.at = now.iso;
    pending.officer = officerOnWatch(id, timezone, now.ms);
    pending.action = chooseAction(m, pending.precedence, () => this.rng(m.id, "action"));
    // Before its receipt left: the acknowledgement goes alone, and stands in for it.
    pending.standsInFor = this.standIn(m.id);
    // Nothing may throw once it is queued: the batch will tell the scheduler's task, which (a
    // kept task's run again) would then be told by the failed run.
    try {
      this.acks.enqueueEntry(pending);
    } catch (err) {
      for (const r of pending.standsInFor) tellFailed(r, err as Error);
      pending.standsInFor = NONE;
      throw err;
    }
  }

  /** The acknowledgement is stored: reported, then what the officer does next (an RFI's answer, a hit). */
  acknowledged(a: PendingAcknowledgement, ack: Message) {
    const m = a.delivered;
    const { id } = this.agency;
    this.log.info({ messageId: m.id, kind: m.kind, ackId: ack.id, action: a.action, precedence: a.precedence }, "acknowledged");
    this.events.emit({ type: "acknowledged", agency: id, messageId: m.id, kind: m.kind, at: a.at, replyId: ack.id });
    if (m.kind !== "rfi" && m.kind !== "alert") return;
    const script = this.settings.scripted?.(m.id);
    if (m.kind === "rfi") return this.planAnswer(m, a.atMs, script);
    if (script ? scriptedHit(script, id) : this.settings.hitProbability > 0 && chance(this.rng(m.id, "hit?"), this.settings.hitProbability))
      this.scheduler.at(`hit:${m.id}`, a.atMs + uniform(this.rng(m.id, "hit-at"), 5, 45) * MINUTE_MS, () => this.reportHit(m));
  }

  /** Answer before respondBy: preparation takes 10–60 % of the time left (at least a minute). */
  private planAnswer(rfi: RfiMessage, ackedAt: number, script: ScriptedReaction | undefined) {
    const left = Date.parse(rfi.body.respondBy) - ackedAt;
    if (left <= 0) return this.log.info({ messageId: rfi.id }, "respondBy passed before acknowledgement; no answer");
    if (script ? !scriptedAnswer(script, this.agency.id) : !chance(this.rng(rfi.id, "answer?"), this.settings.answerProbability))
      return this.log.info({ messageId: rfi.id, scripted: !!script }, "officer will not answer this RFI");
    const prep = Math.min(left * 0.9, Math.max(MINUTE_MS, left * uniform(this.rng(rfi.id, "answer-at"), 0.1, 0.6)));
    this.scheduler.at(`answer:${rfi.id}`, ackedAt + prep, () => this.answer(rfi));
  }

  private async answer(rfi: RfiMessage) {
    const now = this.at();
    if (now.ms > Date.parse(rfi.body.respondBy))
      return this.log.info({ messageId: rfi.id, respondBy: rfi.body.respondBy }, "respondBy passed; no answer");
    const r = rfiResponseFor(rfi, this.agency.id, now.iso, this.rng(rfi.id, "information"), this.settings.informationProbability);
    await this.send(r);
    this.log.info({ messageId: rfi.id, responseId: r.id, hasInformation: r.body.hasInformation }, "RFI answered");
    this.events.emit({ type: "answered", agency: this.agency.id, messageId: rfi.id, kind: "rfi", at: now.iso, replyId: r.id });
  }

  private async reportHit(alert: AlertMessage) {
    const now = this.at();
    const lapsed = alert.body.validUntil !== undefined && now.ms > Date.parse(alert.body.validUntil);
    if (this.retracted.has(alert.id) || lapsed)
      return this.log.info({ messageId: alert.id, lapsed }, "alert retracted or lapsed; hit not reported");
    const rng = this.rng(alert.id, "hit");
    const observed = Math.max(Date.parse(alert.sentAt), now.ms - uniform(rng, 1, 10) * MINUTE_MS);
    const hit = hitFor(alert, this.agency.id, now.iso, new Date(observed).toISOString(), rng);
    if (!hit) return this.log.info({ messageId: alert.id }, "alert names nothing to match; no hit");
    await this.send(hit);
    this.log.info({ messageId: alert.id, hitId: hit.id, matched: hit.body.matched }, "hit reported");
    this.events.emit({ type: "hit", agency: this.agency.id, messageId: alert.id, kind: "alert", at: now.iso, replyId: hit.id });
  }
}
