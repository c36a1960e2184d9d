// Where each delivery stands, as the audit chain tells it: the chain is the one record of what
// was delivered, receipted, acknowledged, escalated and retracted, and this is its projection.
// The coordinator keeps one live (to judge receipts and acknowledgements and to escalate);
// observers build one by reading the chain. Applying a record twice changes nothing, so records
// may be applied as they are written and again as they are read back.
import { BoundedSet } from "../bounded.ts";
import { type ChainEvent, type Expand, perDelivery } from "../audit/deliveries.ts";
import { ESCALATION_STEPS } from "../contracts/kinds/escalation.ts";
import type { TrackingRecord } from "./records.ts";

/** Ids of records written here still expected back from the chain (see applyWritten). */
const MAX_WRITTEN = 100_000;

/** Parsed once: escalation and acknowledgement checks compare these on every pass. */
const TIMES = Symbol("times");
interface Times {
  deliveredMs: number;
  deadlineMs: number;
}
type Tracked = TrackingRecord & { [TIMES]?: Times };

/** The last few timestamps parsed: a message's deliveries all share its delivery time and deadline. */
const parsedTimes = new Map<string, number>();
function parseTime(iso: string): number {
  let ms = parsedTimes.get(iso);
  if (ms === undefined) {
    if (parsedTimes.size >= 64) parsedTimes.clear();
    parsedTimes.set(iso, (ms = Date.parse(iso)));
  }
  return ms;
}

/** A delivery's delivery time and deadline in ms (cached on records this view made). */
export function timesOf(t: TrackingRecord): Times {
  const r = t as Tracked;
  const cached = r[TIMES];
  if (cached) return cached;
  const times = { deliveredMs: parseTime(t.deliveredAt), deadlineMs: parseTime(t.deadline) };
  // Not enumerable: copies, comparisons and JSON see the record as it is.
  if (Object.isExtensible(t)) Object.defineProperty(t, TIMES, { value: times });
  return times;
}

/** Not yet acknowledged or closed: what escalates. */
export const isOpen = (t: TrackingRecord) => t.state === "delivered" || t.state === "receipted";
type Step = (typeof ESCALATION_STEPS)[number];
/** A record of the chain (or an entry being written), or one delivery's event of one. */
export type Chained = ChainEvent;

// Deliveries are held per message, then per recipient, and the sets below hold the records
// themselves: a lookup is two small maps and a set test is by identity, not a string key built
// and hashed in a map of every delivery (this runs several times per receipt and acknowledgement).
export class TrackingView {
  /** Each message's deliveries still in the view, in the order its recipients were named. */
  private readonly byMessage = new Map<string, Map<string, TrackingRecord>>();
  private count = 0;
  /** Deliveries waiting for an acknowledgement. */
  private readonly openSet = new Set<TrackingRecord>();
  /** Open deliveries not yet past their deadline, earliest deadline first (a binary heap). */
  private readonly pending: DeadlineEntry[] = [];
  /** Open deliveries past their deadline, as found by overdue(). */
  private readonly pastDeadline = new Set<TrackingRecord>();

  get(messageId: string, recipient: string): TrackingRecord | undefined {
    return this.byMessage.get(messageId)?.get(recipient);
  }
  /** Every delivery of one message, in the order its recipients were named. */
  ofMessage(messageId: string): TrackingRecord[] {
    return [...(this.byMessage.get(messageId)?.values() ?? [])];
  }
  *all(): Generator<TrackingRecord> {
    for (const m of this.byMessage.values()) yield* m.values();
  }
  /** Deliveries still waiting for an acknowledgement. */
  open(): IterableIterator<TrackingRecord> {
    return this.openSet.values();
  }
  /**
   * Open deliveries whose deadline has passed at `nowMs`: only these can be due an escalation
   * (every step fires at or after the deadline), so a pass does not look at every open delivery.
   */
  *overdue(nowMs: number): Generator<TrackingRecord> {
    while (this.pending.length && this.pending[0]!.deadlineMs <= nowMs) this.pastDeadline.add(popHeap(this.pending).t);
    for (const t of this.pastDeadline) {
      // Acknowledged, closed, or every step taken: nothing more can fall due.
      if (this.openSet.has(t) && ESCALATION_STEPS.some((s) => !t.escalations[s] || t.escalations[s] === "claimed")) yield t;
      else this.pastDeadline.delete(t);
    }
  }

  get openCount() {
    return this.openSet.size;
  }
  get size() {
    return this.count;
  }

  /** Event ids this process applied as it wrote them, skipped when read back from the chain. */
  private readonly written = new BoundedSet<string>(MAX_WRITTEN);

  /** Applies a record this process is writing (read back later, it is not applied again). */
  applyWritten(record: Chained) {
    // Bounded: an id read back before it was noted here (or stored by another writer first) is
    // never removed by a read; applying such a record twice changes nothing anyway.
    this.written.add(record.eventId);
    this.apply(record);
  }

  /** Applies a record read from the chain, unless this process applied it as it wrote it. */
  applyRead(record: Chained) {
    if (this.written.delete(record.eventId)) return;
    this.apply(record);
  }

  /**
   * Whether a record read back from the chain is one this process applied as it wrote it (and so
   * need not even be parsed): forgets it then, as applyRead does.
   */
  takeWritten(eventId: unknown): boolean {
    return typeof eventId === "string" && this.written.delete(eventId);
  }

  /** Settled deliveries (acknowledged or closed), oldest first from `settledHead`: what prune() may drop. */
  private settledKeys: TrackingRecord[] = [];
  private settledHead = 0;
  /** prune() forgot settled deliveries made before this (simulated ms): the latest `beforeMs`. */
  private prunedBeforeMs = Number.NEGATIVE_INFINITY;

  private markSettled(t: TrackingRecord) {
    if (this.openSet.delete(t)) this.settledKeys.push(t);
  }

  /**
   * Forgets settled deliveries made before `beforeMs` (simulated), so a coordinator that runs for
   * weeks holds what is still open and what is recent, not every delivery ever made. Returns how
   * many went. A delivery of such a message no longer here was settled (see wasPruned).
   */
  prune(beforeMs: number): number {
    let dropped = 0;
    while (this.settledHead < this.settledKeys.length) {
      const t = this.settledKeys[this.settledHead]!;
      if (timesOf(t).deliveredMs >= beforeMs) break;
      this.settledHead++;
      const ofMessage = this.byMessage.get(t.messageId);
      if (ofMessage?.get(t.recipient) !== t) continue;
      ofMessage.delete(t.recipient);
      // The message goes with its last delivery.
      if (!ofMessage.size) this.byMessage.delete(t.messageId);
      this.count--;
      dropped++;
    }
    this.prunedBeforeMs = Math.max(this.prunedBeforeMs, beforeMs);
    // Compacted now and then, not on every call.
    if (this.settledHead > 10_000 && this.settledHead * 2 > this.settledKeys.length) {
      this.settledKeys = this.settledKeys.slice(this.settledHead);
      this.settledHead = 0;
    }
    return dropped;
  }

  /**
   * Whether a delivery made at `deliveredMs` (simulated), if not here, was forgotten by prune()
   * (so it was settled): only settled ones are, and open ones of any age are kept. Derived from
   * the prune time alone, so nothing per message is kept for it.
   */
  wasPruned(deliveredMs: number): boolean {
    return deliveredMs < this.prunedBeforeMs;
  }

  /** Applies one audit record, or one delivery's event of one (any event; those about no delivery change nothing). */
  apply(record: Chained) {
    if (record.event === "retracted") return this.retract(record.data.refersTo);
    for (const e of perDelivery(record)) this.applyOne(e);
  }

  /** An escalation step another way settled (claimed and found to need no notice). */
  settle(messageId: string, recipient: string, step: Step, state: "done" | "skipped") {
    const t = this.get(messageId, recipient);
    if (t) t.escalations = { ...t.escalations, [step]: state };
  }

  private applyOne(e: Expand<ChainEvent>) {
    const id = e.messageId;
    if (!id) return;
    if (e.event === "delivered") return this.deliver(e, id);
    if (e.event === "escalated") return this.settle(id, e.data.recipient, e.data.step, "done");
    if (e.event !== "receipted" && e.event !== "acknowledged") return;
    const t = this.get(id, e.actor);
    if (!t) return;
    // Field by field, not Object.assign of a fresh object: this runs for every delivery.
    if (e.event === "receipted" && !t.receiptId) {
      t.receiptId = e.data.receiptId;
      t.receiptAt = e.at;
      if (t.state === "delivered") t.state = "receipted";
    } else if (e.event === "acknowledged" && !t.ackId) {
      const d = e.data;
      if (t.state !== "closed") t.state = "acknowledged";
      t.ackId = d.ackId;
      t.ackAt = e.at;
      t.receiptAt ??= e.at;
      if (d.officer) t.ackBy = d.officer;
      t.ackLatencyMs = d.latencyMs;
      t.withinDeadline = d.withinDeadline;
      this.markSettled(t);
    }
  }

  private deliver(e: Extract<Expand<ChainEvent>, { event: "delivered" }>, id: string) {
    const recipient = e.agency;
    const d = e.data;
    let ofMessage = this.byMessage.get(id);
    if (ofMessage?.has(recipient)) return;
    if (!ofMessage) this.byMessage.set(id, (ofMessage = new Map()));
    const t: TrackingRecord = {
      messageId: id,
      kind: e.kind ?? "alert",
      originator: d.originator,
      recipient,
      precedence: d.precedence,
      deliveredAt: e.at,
      deadline: d.deadline,
      state: "delivered",
      escalations: {},
    };
    ofMessage.set(recipient, t);
    this.count++;
    this.openSet.add(t);
    pushHeap(this.pending, { deadlineMs: timesOf(t).deadlineMs, t });
  }

  /** The alert is withdrawn: its deliveries not yet acknowledged stop escalating. */
  private retract(alertId: string | undefined) {
    if (!alertId) return;
    for (const t of this.ofMessage(alertId)) {
      if (!isOpen(t)) continue;
      t.state = "closed";
      this.markSettled(t);
    }
  }
}

/** A min-heap of deliveries by deadline (also kept by the exchange figures, shared/exchange/figures.ts). */
export type DeadlineEntry = { deadlineMs: number; t: TrackingRecord };

export function pushHeap(h: DeadlineEntry[], e: DeadlineEntry) {
  let i = h.push(e) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]!.deadlineMs <= e.deadlineMs) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = e;
}

export function popHeap(h: DeadlineEntry[]): DeadlineEntry {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]!.deadlineMs < h[l]!.deadlineMs ? l + 1 : l;
      if (h[c]!.deadlineMs >= last.deadlineMs) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
