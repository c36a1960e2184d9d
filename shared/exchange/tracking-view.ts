// Where each delivery stands, as the audit chain tells it: the chain is the one record of what
// was delivered, receipted, acknowledged, escalated and retracted, and this is its projection.
// The coordinator keeps one live (to judge receipts and acknowledgements and to escalate);
// observers build one by reading the chain. Applying a record twice changes nothing, so records
// may be applied as they are written and again as they are read back.
import { BoundedSet } from "../bounded.ts";
import type { Precedence } from "../contracts/index.ts";
import { type DeliveryEvent, perDelivery } from "../audit/deliveries.ts";
import { ESCALATION_STEPS } from "../contracts/kinds/escalation.ts";
import { trackingKey, type TrackingRecord } from "./records.ts";

/** Ids of records written here still expected back from the chain (see applyWritten). */
const MAX_WRITTEN = 100_000;

/** Parsed once: escalation and acknowledgement checks compare these on every pass. */
const TIMES = Symbol("times");
interface Times {
  deliveredMs: number;
  deadlineMs: number;
}
type Tracked = TrackingRecord & { [TIMES]?: Times };

/** A delivery's delivery time and deadline in ms (cached on records this view made). */
export function timesOf(t: TrackingRecord): Times {
  const r = t as Tracked;
  const cached = r[TIMES];
  if (cached) return cached;
  const times = { deliveredMs: Date.parse(t.deliveredAt), deadlineMs: Date.parse(t.deadline) };
  // Not enumerable: copies, comparisons and JSON see the record as it is.
  if (Object.isExtensible(t)) Object.defineProperty(t, TIMES, { value: times });
  return times;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);
/** Not yet acknowledged or closed: what escalates. */
export const isOpen = (t: TrackingRecord) => t.state === "delivered" || t.state === "receipted";
type Step = (typeof ESCALATION_STEPS)[number];

export class TrackingView {
  private readonly byKey = new Map<string, TrackingRecord>();
  /** Recipients per message, for a retraction closing every open delivery of its alert. */
  private readonly byMessage = new Map<string, string[]>();
  /** Deliveries of each message still in the view. */
  private readonly kept = new Map<string, number>();
  /** Keys of deliveries waiting for an acknowledgement. */
  private readonly openKeys = new Set<string>();
  /** Open deliveries not yet past their deadline, earliest deadline first (a binary heap). */
  private readonly pending: { deadlineMs: number; key: string }[] = [];
  /** Open deliveries past their deadline, as found by overdue(). */
  private readonly pastDeadline = new Set<string>();

  get(messageId: string, recipient: string): TrackingRecord | undefined {
    return this.byKey.get(trackingKey(messageId, recipient));
  }
  /** Every delivery of one message, in the order its recipients were named. */
  ofMessage(messageId: string): TrackingRecord[] {
    return (this.byMessage.get(messageId) ?? []).flatMap((r) => this.byKey.get(trackingKey(messageId, r)) ?? []);
  }
  all(): IterableIterator<TrackingRecord> {
    return this.byKey.values();
  }
  /** Deliveries still waiting for an acknowledgement. */
  *open(): Generator<TrackingRecord> {
    for (const k of this.openKeys) {
      const t = this.byKey.get(k);
      if (t) yield t;
    }
  }
  /**
   * Open deliveries whose deadline has passed at `nowMs`: only these can be due an escalation
   * (every step fires at or after the deadline), so a pass does not look at every open delivery.
   */
  *overdue(nowMs: number): Generator<TrackingRecord> {
    while (this.pending.length && this.pending[0]!.deadlineMs <= nowMs) this.pastDeadline.add(popHeap(this.pending).key);
    for (const k of this.pastDeadline) {
      const t = this.openKeys.has(k) ? this.byKey.get(k) : undefined;
      // Acknowledged, closed, or every step taken: nothing more can fall due.
      if (t && ESCALATION_STEPS.some((s) => !t.escalations[s] || t.escalations[s] === "claimed")) yield t;
      else this.pastDeadline.delete(k);
    }
  }

  get openCount() {
    return this.openKeys.size;
  }
  get size() {
    return this.byKey.size;
  }

  /** Event ids this process applied as it wrote them, skipped when read back from the chain. */
  private readonly written = new BoundedSet<string>(MAX_WRITTEN);

  /** Applies a record this process is writing (read back later, it is not applied again). */
  applyWritten(record: DeliveryEvent & { eventId: string }) {
    // Bounded: an id read back before it was noted here (or stored by another writer first) is
    // never removed by a read; applying such a record twice changes nothing anyway.
    this.written.add(record.eventId);
    this.apply(record);
  }

  /** Applies a record read from the chain, unless this process applied it as it wrote it. */
  applyRead(record: DeliveryEvent) {
    if (record.eventId && this.written.delete(record.eventId)) return;
    this.apply(record);
  }

  /** Settled deliveries (acknowledged or closed), oldest first from `settledHead`: what prune() may drop. */
  private settledKeys: string[] = [];
  private settledHead = 0;
  /** prune() forgot settled deliveries made before this (simulated ms): the latest `beforeMs`. */
  private prunedBeforeMs = Number.NEGATIVE_INFINITY;

  private markSettled(key: string) {
    if (this.openKeys.delete(key)) this.settledKeys.push(key);
  }

  /**
   * Forgets settled deliveries made before `beforeMs` (simulated), so a coordinator that runs for
   * weeks holds what is still open and what is recent, not every delivery ever made. Returns how
   * many went. A delivery of such a message no longer here was settled (see wasPruned).
   */
  prune(beforeMs: number): number {
    let dropped = 0;
    while (this.settledHead < this.settledKeys.length) {
      const key = this.settledKeys[this.settledHead]!;
      const t = this.byKey.get(key);
      if (t && timesOf(t).deliveredMs >= beforeMs) break;
      this.settledHead++;
      if (!t) continue;
      this.byKey.delete(key);
      // The message's recipient list goes with its last delivery (ofMessage skips pruned ones).
      const left = (this.kept.get(t.messageId) ?? 1) - 1;
      if (left > 0) this.kept.set(t.messageId, left);
      else {
        this.kept.delete(t.messageId);
        this.byMessage.delete(t.messageId);
      }
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

  /** Applies one audit record (any event; those about no delivery change nothing). */
  apply(record: DeliveryEvent) {
    if (record.event === "retracted") return this.retract(str(record.data?.refersTo));
    for (const e of perDelivery(record)) this.applyOne(e);
  }

  /** An escalation step another way settled (claimed and found to need no notice). */
  settle(messageId: string, recipient: string, step: Step, state: "done" | "skipped") {
    const t = this.get(messageId, recipient);
    if (t) t.escalations = { ...t.escalations, [step]: state };
  }

  private applyOne(e: DeliveryEvent) {
    const d = e.data ?? {};
    const id = e.messageId;
    if (!id) return;
    if (e.event === "delivered") return this.deliver(e, id);
    if (e.event === "escalated") {
      const recipient = str(d.recipient);
      const step = str(d.step) as Step | undefined;
      if (recipient && step && ESCALATION_STEPS.includes(step)) this.settle(id, recipient, step, "done");
      return;
    }
    const t = this.get(id, e.actor);
    if (!t) return;
    if (e.event === "receipted" && !t.receiptId) {
      Object.assign(t, { receiptId: str(d.receiptId), receiptAt: e.at, state: t.state === "delivered" ? "receipted" : t.state });
    } else if (e.event === "acknowledged" && !t.ackId) {
      Object.assign(t, {
        state: t.state === "closed" ? "closed" : "acknowledged",
        ackId: str(d.ackId),
        ackAt: e.at,
        receiptAt: t.receiptAt ?? e.at,
        ...(str(d.officer) ? { ackBy: str(d.officer) } : {}),
        ackLatencyMs: num(d.latencyMs) ?? Date.parse(e.at) - timesOf(t).deliveredMs,
        withinDeadline: typeof d.withinDeadline === "boolean" ? d.withinDeadline : Date.parse(e.at) <= timesOf(t).deadlineMs,
      });
      this.markSettled(trackingKey(id, e.actor));
    }
  }

  private deliver(e: DeliveryEvent, id: string) {
    const recipient = e.agency;
    const d = e.data ?? {};
    if (!recipient) return;
    const key = trackingKey(id, recipient);
    if (this.byKey.has(key)) return;
    this.byKey.set(key, {
      messageId: id,
      kind: e.kind ?? "alert",
      originator: str(d.originator) ?? "",
      recipient,
      precedence: (str(d.precedence) ?? "ROUTINE") as Precedence,
      deliveredAt: e.at,
      deadline: str(d.deadline) ?? e.at,
      state: "delivered",
      escalations: {},
    });
    this.openKeys.add(key);
    pushHeap(this.pending, { deadlineMs: timesOf(this.byKey.get(key)!).deadlineMs, key });
    this.kept.set(id, (this.kept.get(id) ?? 0) + 1);
    const list = this.byMessage.get(id);
    if (list) list.push(recipient);
    else this.byMessage.set(id, [recipient]);
  }

  /** The alert is withdrawn: its deliveries not yet acknowledged stop escalating. */
  private retract(alertId: string | undefined) {
    if (!alertId) return;
    for (const t of this.ofMessage(alertId)) {
      if (!isOpen(t)) continue;
      t.state = "closed";
      this.markSettled(trackingKey(t.messageId, t.recipient));
    }
  }
}

type Entry = { deadlineMs: number; key: string };

function pushHeap(h: Entry[], e: Entry) {
  let i = h.push(e) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]!.deadlineMs <= e.deadlineMs) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = e;
}

function popHeap(h: Entry[]): Entry {
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
