// One delivery, start to finish: parse it, record it, submit the receipt, and only then ack it
// (if the node dies in between, the redelivery just gets another receipt, which is idempotent).
// Then hand it to the officer. A malformed delivery is logged with its sequence and acked.
// Receipts are batched: deliveries keep being read while one is submitted, and those that
// arrive meanwhile share the next receipt (one signature for many under load).
// Only what the coordinator tracks is receipted; nothing a receipt could answer is, so no loop.
// Deliveries come from two consumers (own, broadcast); the seen set spans both.
import type { JsMsg } from "@nats-io/jetstream";
import { isoAt, type SimClock } from "../../shared/clock.ts";
import { type Message, type MessageKind, parseMessageText, readableFieldsOf, TRACKED_KINDS } from "../../shared/contracts/index.ts";
import { LogBudget, type Logger } from "../../shared/log.ts";
import { readBroadcast } from "./broadcast-parse.ts";
import { BATCH_MAX } from "../../shared/contracts/index.ts";
import { type BatchOutcome, Batcher, SelfBatchEntry } from "../../shared/messaging/batcher.ts";
import { type DeliveryHandle, handleOf, type Settlement } from "../../shared/nats/delivery-ack.ts";
import { deliveryPosition } from "../../shared/nats/delivery-position.ts";
import type { QueuedStep, YieldingQueue } from "../../shared/yielding-queue.ts";
import { BoundedSet } from "../../shared/bounded.ts";
import { RECENT_IDS } from "./options.ts";
import type { EventHub } from "./events.ts";
import type { OfficerDesk } from "./officer-desk.ts";
import { LINGER_MS, MAX_LINGER_MS, receiptFor } from "./reactions.ts";
import { type HeldReceipt, ReceiptHold } from "./receipt-hold.ts";
import { type SenderKeys, verifyDelivery } from "./verify-delivery.ts";

/** Deliveries a person must acknowledge (each gets the machine receipt first). */
export const FOR_THE_OFFICER: ReadonlySet<MessageKind> = new Set(TRACKED_KINDS);
/**
 * Deliveries that get a machine receipt: exactly what the coordinator tracks per recipient (the
 * accepted submissions). Escalations and outcomes are not tracked: a receipt would be rejected.
 */
export const RECEIPTED: ReadonlySet<MessageKind> = FOR_THE_OFFICER;
/** Outcomes of our own submissions: logged and acked, never receipted (no ping-pong with the coordinator). */
export const OUTCOMES: ReadonlySet<MessageKind> = new Set(["acceptance", "rejection"]);

/**
 * A receipt waits for the officer's acknowledgement when that is due within this long (wall ms):
 * about the longest a receipt waits in its batch anyway (MAX_LINGER_MS).
 */
export const STAND_IN_WITHIN_MS = MAX_LINGER_MS;
/**
 * The longest a receipt waits for that acknowledgement (ms), by default: on a busy node the
 * officer's timer fires late; a clock paused or slowed, or a node stopped, holds it back longer.
 */
export const HOLD_FOR_ACKNOWLEDGEMENT_MS = 1_000;

/** Which consumer a delivery came from: is it a broadcast, how to settle it later, and how to re-read from it. */
export interface DeliverySource {
  broadcast: boolean;
  /** Acks or naks a delivery later, on the node's connection of the moment (shared/nats/delivery-ack.ts); throws when it is closed or draining. */
  settle: (handle: DeliveryHandle, how: Settlement) => void;
  /** Called when a delivery already handled must be read again: its loop re-reads from there. */
  rewind: () => void;
}

/**
 * A delivery read and waiting for its receipt (or the acknowledgement standing in for it) to be
 * stored, then acked. One object per delivery through all of it: the outbox's step that hands it
 * to the officer, the receipt held for the acknowledgement, the item waiting in the receipt batch
 * and told the outcome (no promise, no closure, no wrapper: thousands wait at once under load,
 * and every object each keeps outlives the young generation). It holds what settles the delivery
 * rather than its JetStream message.
 */
class AwaitingReceipt extends SelfBatchEntry<Message> implements HeldReceipt, QueuedStep {
  heldSinceMs = 0;
  held = false;

  constructor(
    private readonly intake: DeliveryIntake,
    readonly delivered: Message,
    /** When it was received (simulated ms; `at` in ISO 8601). */
    readonly atMs: number,
    readonly at: string,
    readonly handle: DeliveryHandle,
    readonly seq: number,
    /** Not received before (the first copy of this message). */
    readonly first: boolean,
    readonly from: DeliverySource,
  ) {
    super();
  }

  /** Held, and waiting in the batch, by its message id (the acknowledgement stands in by it). */
  get key(): string {
    return this.delivered.id;
  }
  /** The outbox's step: the officer takes it. */
  runQueued() {
    this.intake.toOfficer(this);
  }
  sent(receipt: Message) {
    this.intake.receipted(this, receipt);
  }
  failed(err: Error) {
    this.intake.notReceipted(this, err);
  }
}

export class DeliveryIntake {
  /** Ids of the distinct valid messages received, in the order they first arrived (the last RECENT_IDS). */
  readonly received: string[] = [];
  private readonly seen = new BoundedSet<string>(RECENT_IDS);
  private readonly receipts: Batcher<AwaitingReceipt, Message>;
  /** Receipts waiting for an acknowledgement due at once to stand in for them. */
  private readonly held: ReceiptHold<AwaitingReceipt>;

  constructor(
    private readonly agency: string,
    private readonly clock: SimClock,
    private readonly submit: (m: Message) => Promise<unknown>,
    private readonly desk: OfficerDesk,
    private readonly events: EventHub,
    private readonly log: Logger,
    private readonly active: () => boolean,
    private readonly outbox: YieldingQueue,
    private readonly keys: SenderKeys,
    holdMs = HOLD_FOR_ACKNOWLEDGEMENT_MS,
  ) {
    const send = (items: AwaitingReceipt[]) => this.submit(receiptFor(items, this.agency, this.clock.iso())) as Promise<Message>;
    this.receipts = new Batcher(send, BATCH_MAX, LINGER_MS, MAX_LINGER_MS, (task) => outbox.push(task));
    this.held = new ReceiptHold(holdMs, (a) => this.receipts.enqueueEntry(a));
  }

  /**
   * Takes one delivery; true once it is taken (its receipt goes out in a batch, and one that
   * cannot be stored hands the delivery back through `from.rewind()`). Synchronous: it runs per
   * delivery, as the client reads it.
   */
  handle(msg: JsMsg, from: DeliverySource): boolean {
    const position = deliveryPosition(msg);
    const seq = position.streamSeq;
    const nowMs = this.clock.nowMs();
    const at = isoAt(nowMs);
    // Every hosted agency reads the same stored broadcast: parsed once per process.
    const broadcast = from.broadcast ? readBroadcast(position.stream, seq, msg.data, msg) : undefined;
    const parsed = broadcast ? broadcast.parsed : parseMessageText(msg.data);
    if (!parsed.ok) {
      const { messageId } = readableFieldsOf(msg.data);
      this.log.warn({ seq, subject: msg.subject, messageId, problems: parsed.problems.slice(0, 5) }, "malformed delivery skipped");
      msg.ack();
      this.events.emit({ type: "malformed", agency: this.agency, seq, at, ...(messageId ? { messageId } : {}) });
      return true;
    }
    const m = parsed.value;
    if (broadcast && (m.sender === this.agency || (broadcast.recipients && !broadcast.recipients.has(this.agency)))) {
      // Our own broadcast (the sender is not a recipient), or one stored for the registry before we
      // joined or after we left: not ours to read (no event, no receipt).
      msg.ack();
      if (this.log.isLevelEnabled("debug")) this.log.debug({ messageId: m.id, kind: m.kind, seq, own: m.sender === this.agency }, "broadcast not addressed to us skipped");
      return true;
    }
    // Nothing is receipted, acknowledged or believed unless its sender signed it (docs/protocol.md §6).
    const verified = verifyDelivery(m, msg.data, this.keys, msg, broadcast);
    if (!verified.ok) {
      msg.ack(); // read again it would fail again: never redelivered for ever
      this.log.warn({ messageId: m.id, kind: m.kind, sender: m.sender, seq, subject: msg.subject, reason: verified.reason }, "delivery with a signature that does not verify skipped");
      this.events.emit({ type: "unverified", agency: this.agency, messageId: m.id, kind: m.kind, seq, at, reason: verified.reason });
      return true;
    }
    const first = this.seen.addNew(m.id);
    if (first) {
      this.received.push(m.id);
      // Trimmed in chunks, not per message: a splice moves the whole array.
      if (this.received.length > RECENT_IDS * 1.25) this.received.splice(0, this.received.length - RECENT_IDS);
    }
    this.events.emit({ type: "delivered", agency: this.agency, messageId: m.id, kind: m.kind, seq, at, redelivered: position.deliveryCount > 1 || !first });
    if (OUTCOMES.has(m.kind)) return this.outcome(m, msg, seq, at);
    if (!RECEIPTED.has(m.kind)) {
      // Escalations (and anything else the coordinator tells us) are read, never receipted.
      msg.ack();
      this.log.info({ messageId: m.id, kind: m.kind, seq, sender: m.sender }, "notice read");
      if (m.kind === "escalation") this.desk.escalation(m);
      return true;
    }
    // Acked once the receipt (or an acknowledgement standing in for it) is stored; if it cannot
    // be, the delivery is handed back and read again.
    const awaiting = new AwaitingReceipt(this, m, nowMs, at, handleOf(msg), seq, first, from);
    // Held until the officer has it: one who acknowledges at once sends only the acknowledgement,
    // which counts as both (standIn); otherwise the receipt goes into the next batch then.
    this.held.hold(awaiting);
    // The officer has it once the outbox runs it, after the deliveries read in this turn (toOfficer).
    this.outbox.push(awaiting);
    return true;
  }

  /** The officer takes the delivery; its receipt goes unless an acknowledgement due at once will stand in. */
  toOfficer(awaiting: AwaitingReceipt) {
    const m = awaiting.delivered;
    let dueAt: number | undefined;
    try {
      dueAt = this.desk.take(m, awaiting.atMs, awaiting.seq);
    } catch (err) {
      // A fault in the officer model must not stall the queue: the receipt goes out regardless.
      this.log.error({ err, messageId: m.id, seq: awaiting.seq }, "officer could not take the delivery");
    }
    if (dueAt === undefined || this.clock.wallDelayUntil(dueAt) > STAND_IN_WITHIN_MS) this.held.release(awaiting);
  }

  /** The receipt of `d` (or the acknowledgement standing in for it) is stored: the delivery is acked. */
  receipted(d: AwaitingReceipt, receipt: Message) {
    if (!this.settle(d, "ack")) return;
    const m = d.delivered;
    this.log.info({ messageId: m.id, kind: m.kind, seq: d.seq, sender: m.sender, receiptId: receipt.id, redelivered: !d.first }, "delivery receipted");
    this.events.emit({ type: "receipted", agency: this.agency, messageId: m.id, kind: m.kind, seq: d.seq, at: d.at, replyId: receipt.id });
  }

  /** The receipt of `d` could not be submitted: the delivery is handed back, and read again from there. */
  notReceipted(d: AwaitingReceipt, err: Error) {
    if (this.active()) this.log.error({ err, messageId: d.delivered.id, seq: d.seq }, "receipt not submitted; the delivery will be read again");
    if (this.settle(d, "nak")) d.from.rewind();
  }

  /**
   * Acks or naks a delivery whose receipt settled after a wait (a batch, the outbox): by then the
   * node may be stopping or stopped, its connection draining or closed, and settling throws. The
   * delivery, unacked, comes again when the node is back (another receipt for it is harmless).
   * False if it could not be settled.
   */
  private settle(d: AwaitingReceipt, how: Settlement): boolean {
    try {
      d.from.settle(d.handle, how);
      return true;
    } catch (err) {
      if (this.active()) this.log.warn({ err, messageId: d.delivered.id, seq: d.seq }, `could not ${how} the delivery; it will be read again`);
      return false;
    }
  }

  /**
   * The officer acknowledged `messageId` before its receipt left: the receipt is not sent, and the
   * delivery counts as receipted once the acknowledgement is stored (docs/protocol.md §6: an
   * acknowledgement without a receipt counts as both). Returns the waiting receipts, to be told
   * the acknowledgement's outcome instead; none when the receipt has left already.
   */
  standIn(messageId: string): readonly BatchOutcome<Message>[] {
    const held: BatchOutcome<Message>[] = this.held.take(messageId);
    const waiting = this.receipts.withdraw(messageId);
    return waiting.length ? held.concat(waiting) : held;
  }

  /** A node refused by the thousand (over its quota) says so ten times in ten seconds, with a count. */
  private readonly rejectionLog = new LogBudget();

  private outcome(m: Message, msg: JsMsg, seq: number, at: string): boolean {
    msg.ack();
    if (m.kind === "rejection") {
      const { log, skipped } = this.rejectionLog.take();
      const fields = { messageId: m.body.messageId, rejectionId: m.id, seq, reasons: m.body.reasons };
      if (log) this.log.warn({ ...fields, ...(skipped ? { notLogged: skipped } : {}) }, skipped ? `submission rejected (${skipped} more rejections not logged one by one)` : "submission rejected");
      else this.log.debug(fields, "submission rejected");
    }
    if (m.kind === "acceptance")
      this.log.info({ messageId: m.body.messageId, acceptanceId: m.id, seq, recipients: m.body.recipients.length }, "submission accepted");
    // messageId: the submission this outcome is about; replyId: the outcome itself.
    const about = m.kind === "rejection" || m.kind === "acceptance" ? m.body.messageId : undefined;
    this.events.emit({ type: "outcome", agency: this.agency, messageId: about ?? m.id, replyId: m.id, kind: m.kind, seq, at });
    return true;
  }
}
