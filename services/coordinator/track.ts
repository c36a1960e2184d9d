// Receipts and acknowledgements: each delivery's state moves forward once; a repeat changes
// nothing. One message may cover several deliveries (`more`): those that count are recorded in
// one audit record (shared/audit/deliveries.ts), which is also what moves them on in the view.
// Pure: the decision is made on the view and on the message records read for deliveries the view
// does not hold (submission-runner.ts reads them, and waits for earlier recordings, first).
import type { AcknowledgementMessage, AuditEntryOf, ReceiptMessage, RejectionReason } from "../../shared/contracts/index.ts";
import type { SimClock } from "../../shared/clock.ts";
import { acknowledgedEntry, type BatchItem, receiptedEntry } from "../../shared/audit/deliveries.ts";
import type { MessageRecord, TrackingRecord } from "../../shared/exchange/records.ts";
import { timesOf, type TrackingView } from "../../shared/exchange/tracking-view.ts";
import { mayBeOnItsWay } from "./not-yet-known.ts";

export type Tracked = ReceiptMessage | AcknowledgementMessage;
interface Item {
  messageId: string;
  /** The agency's own time for this delivery. */
  at: string;
  officer?: string | undefined;
  action?: string | undefined;
  /** Where the item sits in the message: -1 for body.messageId, else its index in body.more. */
  index: number;
}

/** The item's path in the message, for a rejection (built only then: items come by the hundred). */
const pathOf = (item: Item) => (item.index < 0 ? "body.messageId" : `body.more[${item.index}].messageId`);

/** What tracking a receipt or acknowledgement is decided on. */
export interface TrackingState {
  view: Pick<TrackingView, "get" | "wasPruned">;
  /** The message records of deliveries the view did not hold (undefined: none stored). */
  stored?: ReadonlyMap<string, MessageRecord | undefined> | undefined;
  /** Simulated now: no receipt or acknowledgement counts as made later. */
  nowMs: number;
  /** Wall now: whether a record not stored yet may be on its way. */
  wallNowMs: number;
  clock: Pick<SimClock, "at" | "pastAt" | "speed" | "paused">;
}

/**
 * How long (wall time) a node may hold a receipt or acknowledgement before the exchange stores it:
 * its batching (a tenth of a second) and a publish retried through a short outage. A time it
 * claims from before that counts from then: the node's own time is all that dates a report, and
 * one sent late must not be dated back. At a fast clock this hold is many simulated minutes (83 at
 * 1000x), so the deadline is judged on the exchange's own time too: an acknowledgement the stream
 * stored after the delivery's deadline is late, whatever time it claims.
 */
export const REPORT_HOLD_MS = 5_000;

export type TrackDecision =
  | {
      type: "track";
      /** The record of the deliveries that counted, when any did. */
      entry?: AuditEntryOf<"receipted"> | AuditEntryOf<"acknowledged">;
      /** The deliveries it counts for (the view's records). */
      covered: ReadonlySet<TrackingRecord>;
      /** Deliveries the sender never had: the message is answered with a rejection naming them. */
      unknown: RejectionReason[];
    }
  /** A delivery this instance cannot judge yet: handed back and judged again. */
  | { type: "retry"; reason: string; notYetKnown: boolean };

function itemsOf(m: Tracked): Item[] {
  if (m.kind === "receipt") {
    const { messageId, receivedAt, more } = m.body;
    const items: Item[] = [{ messageId, at: receivedAt, index: -1 }];
    if (more) for (let i = 0; i < more.length; i++) items.push({ messageId: more[i]!.messageId, at: more[i]!.receivedAt, index: i });
    return items;
  }
  const { messageId, officer, action, more } = m.body;
  const items: Item[] = [{ messageId, at: m.sentAt, officer, action, index: -1 }];
  if (more)
    for (let i = 0; i < more.length; i++) {
      const x = more[i]!;
      items.push({ messageId: x.messageId, at: x.acknowledgedAt, officer: x.officer, action: x.action, index: i });
    }
  return items;
}

/** `storedAtMs`: when the stream stored the message (wall ms), for a reference not stored yet. */
export function decideTracking(m: Tracked, storedAtMs: number, state: TrackingState): TrackDecision {
  const counted: BatchItem<Counted>[] = [];
  const covered = new Set<TrackingRecord>();
  const unknown: RejectionReason[] = [];
  // Simulated times by the clock as it ran; unknown (the clock changed before this instance
  // started, and after the message was stored): the node's own time then stands.
  const bounds: Bounds = {
    earliestMs: state.clock.pastAt(storedAtMs - REPORT_HOLD_MS) ?? Number.NEGATIVE_INFINITY,
    storedMs: state.clock.pastAt(storedAtMs) ?? Number.NEGATIVE_INFINITY,
  };
  for (const item of itemsOf(m)) {
    // Per delivery: the view answers at once; only a delivery it does not hold was looked up.
    const t = state.view.get(item.messageId, m.sender) ?? deliveryOf(state, m.sender, item.messageId, storedAtMs);
    if (t === undefined) {
      unknown.push({ code: "unknown-reference", path: pathOf(item), message: `expected a message delivered to ${m.sender}; ${item.messageId} is not one` });
      continue;
    }
    if (t === "settled") continue;
    if ("retry" in t) return { type: "retry", ...t.retry };
    // Counted already (by this message, recorded before a crash, or an earlier one), or named twice here.
    if ((m.kind === "receipt" ? t.receiptId : t.ackId) || covered.has(t)) continue;
    covered.add(t);
    counted.push(itemFor(m, item, t, bounds, state.nowMs));
  }
  if (!counted.length) return { type: "track", covered, unknown };
  const entry =
    m.kind === "receipt"
      ? receiptedEntry(m.sender, m.id, counted as BatchItem<Record<string, never>>[])
      : acknowledgedEntry(m.sender, m.id, counted as BatchItem<AckCounted>[]);
  return { type: "track", entry, covered, unknown };
}

/**
 * The agency's own timestamp (same exchange clock) stands, kept between the latest of the delivery
 * and REPORT_HOLD_MS before the exchange stored the message, and now: the coordinator's queueing
 * must not count against a duty officer, and a node cannot claim to have answered before the
 * delivery, long before it said so, or in the future. An acknowledgement stored after the deadline
 * that claims a time within it counts from when it was stored: late, by as much as it was.
 */
type AckCounted = { officer?: string; action?: string; latencyMs: number; withinDeadline: boolean; precedence: TrackingRecord["precedence"] };
/** Simulated times: REPORT_HOLD_MS before the stream stored the message, and when it stored it. */
interface Bounds {
  earliestMs: number;
  storedMs: number;
}

/** What an item records: nothing more for a receipt, the officer's answer and its timing for an acknowledgement. */
type Counted = Record<string, never> | AckCounted;

function itemFor(m: Tracked, item: Item, t: TrackingRecord, bounds: Bounds, nowMs: number): BatchItem<Counted> {
  const { deliveredMs, deadlineMs } = timesOf(t);
  const atMs = Date.parse(item.at);
  let when = Math.min(nowMs, Math.max(deliveredMs, bounds.earliestMs, atMs));
  if (m.kind === "acknowledgement" && bounds.storedMs > deadlineMs && when <= deadlineMs) when = Math.min(nowMs, bounds.storedMs);
  // The agency's own text when it stands and is already in toISOString's form (most are).
  const at = when === atMs && isIsoForm(item.at) ? item.at : new Date(when).toISOString();
  if (m.kind === "receipt") return { messageId: item.messageId, kind: t.kind, agency: t.originator, at, data: {} };
  // Field by field, not spreads of fresh objects: this runs for every delivery acknowledged.
  const data: AckCounted = { latencyMs: when - deliveredMs, withinDeadline: when <= deadlineMs, precedence: t.precedence };
  if (item.officer) data.officer = item.officer;
  if (item.action) data.action = item.action;
  return { messageId: item.messageId, kind: t.kind, agency: t.originator, at, data };
}

/** YYYY-MM-DDTHH:mm:ss.sssZ, which is what toISOString gives for any time that parsed to the same ms. */
const isIsoForm = (s: string) => s.length === 24 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90;

/**
 * A delivery this instance's view does not hold: one it forgot (settled long ago, see
 * TrackingView.prune) is "settled"; an acceptance it has not read back yet, or a young message
 * not stored yet (another instance accepting it right now), is retried.
 */
function deliveryOf(state: TrackingState, recipient: string, messageId: string, storedAtMs: number): TrackingRecord | "settled" | undefined | { retry: { reason: string; notYetKnown: boolean } } {
  const accepted = state.stored?.get(messageId);
  if (!accepted && mayBeOnItsWay(messageId, storedAtMs, state.clock, state.wallNowMs))
    return { retry: { reason: `message ${messageId} not stored yet; judged again shortly`, notYetKnown: true } };
  if (!accepted?.recipients.includes(recipient)) return undefined;
  // The message record's acceptedAt is its deliveries' time (decide.ts).
  if (state.view.wasPruned(messageId, Date.parse(accepted.acceptedAt))) return "settled";
  // Another instance may have accepted it a moment ago: the intake naks and it comes back shortly.
  return { retry: { reason: `delivery ${messageId} to ${recipient} not in this instance's view yet`, notYetKnown: false } };
}
