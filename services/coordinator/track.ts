// Receipts and acknowledgements: each delivery's state moves forward once; a repeat changes
// nothing. One message may cover several deliveries (`more`): those that count are recorded in
// one audit record (shared/audit/deliveries.ts), which is also what moves them on in the view.
import type { AcknowledgementMessage, ReceiptMessage, RejectionReason } from "../../shared/contracts/index.ts";
import { acknowledgedEntry, type BatchItem, receiptedEntry } from "../../shared/audit/deliveries.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { timesOf } from "../../shared/exchange/tracking-view.ts";
import type { Context } from "./context.ts";
import { mayBeOnItsWay, NotYetKnown } from "./not-yet-known.ts";

type Tracked = ReceiptMessage | AcknowledgementMessage;
interface Item {
  messageId: string;
  /** The agency's own time for this delivery. */
  at: string;
  officer?: string;
  action?: string;
  /** Where the item sits in the message, for a rejection's path. */
  path: string;
}

export interface TrackResult {
  recorded: number;
  /** Deliveries the sender never had: the message is answered with a rejection naming them. */
  unknown: RejectionReason[];
  /** The recording still under way: the sender's next message is judged meanwhile. */
  rest?: Promise<void>;
}

function itemsOf(m: Tracked): Item[] {
  if (m.kind === "receipt") {
    const { messageId, receivedAt, more = [] } = m.body;
    return [{ messageId, at: receivedAt, path: "body.messageId" }, ...more.map((x, i) => ({ messageId: x.messageId, at: x.receivedAt, path: `body.more[${i}].messageId` }))];
  }
  const { messageId, officer, action, more = [] } = m.body;
  return [
    { messageId, at: m.sentAt, officer, action, path: "body.messageId" },
    ...more.map((x, i) => ({ messageId: x.messageId, at: x.acknowledgedAt, officer: x.officer, action: x.action, path: `body.more[${i}].messageId` })),
  ];
}

/** `storedAtMs`: when the stream stored the message (wall ms), for a reference not stored yet. */
export async function track(ctx: Context, m: Tracked, nowMs: number, storedAtMs: number): Promise<TrackResult> {
  const counted: BatchItem<Counted>[] = [];
  const covered = new Set<TrackingRecord>();
  const unknown: RejectionReason[] = [];
  for (const item of itemsOf(m)) {
    // Per delivery: the view answers at once; only a delivery it does not hold costs a lookup.
    const t = ctx.tracking.get(item.messageId, m.sender) ?? (await deliveryOf(ctx, m.sender, item.messageId, storedAtMs));
    if (!t) {
      unknown.push({ code: "unknown-reference", path: item.path, message: `expected a message delivered to ${m.sender}; ${item.messageId} is not one` });
      continue;
    }
    if (t === "settled") continue;
    // An earlier message counting this delivery is still being recorded: judged after it (the
    // view's record is updated in place once that is stored).
    const recording = ctx.recording.get(t);
    if (recording) await recording.catch(() => undefined);
    // Counted already (by this message, recorded before a crash, or an earlier one), or named twice here.
    if ((m.kind === "receipt" ? t.receiptId : t.ackId) || covered.has(t)) continue;
    covered.add(t);
    counted.push(itemFor(m, item, t, nowMs));
  }
  if (!counted.length) return { recorded: 0, unknown };
  const entry =
    m.kind === "receipt"
      ? receiptedEntry(m.sender, m.id, counted as BatchItem<Record<string, never>>[])
      : acknowledgedEntry(m.sender, m.id, counted as BatchItem<AckCounted>[]);
  // Applied once stored: a write that failed is retried, not taken for a repeat.
  const rest = ctx.audit.append(entry).then(() => ctx.tracking.applyWritten(entry));
  for (const t of covered) ctx.recording.set(t, rest);
  const forget = () => covered.forEach((t) => ctx.recording.get(t) === rest && ctx.recording.delete(t));
  rest.then(forget, forget);
  return { recorded: counted.length, unknown, rest };
}

/**
 * The agency's own timestamp (same exchange clock) stands, kept between delivery and now: the
 * coordinator's queueing must not count against a duty officer, and a node cannot claim to have
 * answered before the delivery or in the future.
 */
type AckCounted = { officer?: string; action?: string; latencyMs: number; withinDeadline: boolean; precedence: TrackingRecord["precedence"] };
/** What an item records: nothing more for a receipt, the officer's answer and its timing for an acknowledgement. */
type Counted = Record<string, never> | AckCounted;

function itemFor(m: Tracked, item: Item, t: TrackingRecord, nowMs: number): BatchItem<Counted> {
  const { deliveredMs, deadlineMs } = timesOf(t);
  const atMs = Date.parse(item.at);
  const when = Math.min(nowMs, Math.max(deliveredMs, atMs));
  // The agency's own text when it stands and is already in toISOString's form (most are).
  const at = when === atMs && isIsoForm(item.at) ? item.at : new Date(when).toISOString();
  const base = { messageId: item.messageId, kind: t.kind, agency: t.originator, at };
  if (m.kind === "receipt") return { ...base, data: {} };
  return {
    ...base,
    data: {
      ...(item.officer ? { officer: item.officer } : {}),
      ...(item.action ? { action: item.action } : {}),
      latencyMs: when - deliveredMs,
      withinDeadline: when <= deadlineMs,
      precedence: t.precedence,
    },
  };
}

/** YYYY-MM-DDTHH:mm:ss.sssZ, which is what toISOString gives for any time that parsed to the same ms. */
const isIsoForm = (s: string) => s.length === 24 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90;

/**
 * A delivery this instance's view does not hold: one it forgot (settled long ago, see
 * TrackingView.prune) is "settled"; an acceptance it has not read back yet, or a young message
 * not stored yet (another instance accepting it right now), is retried.
 */
async function deliveryOf(ctx: Context, recipient: string, messageId: string, storedAtMs: number): Promise<TrackingRecord | "settled" | undefined> {
  const accepted = await ctx.store.messages.get(messageId);
  if (!accepted && mayBeOnItsWay(messageId, storedAtMs, ctx.clock)) throw new NotYetKnown(`message ${messageId} not stored yet; judged again shortly`);
  if (!accepted?.value.recipients.includes(recipient)) return undefined;
  // The message record's acceptedAt is its deliveries' time (process.ts writeOut).
  if (ctx.tracking.wasPruned(messageId, Date.parse(accepted.value.acceptedAt))) return "settled";
  // Another instance may have accepted it a moment ago: the intake naks and it comes back shortly.
  throw new Error(`delivery ${messageId} to ${recipient} not in this instance's view yet`);
}
