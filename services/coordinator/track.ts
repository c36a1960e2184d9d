// Receipts and acknowledgements: each delivery's state moves forward once; a repeat changes
// nothing. One message may cover several deliveries (`more`): each is tracked on its own.
import type { AcknowledgementMessage, ReceiptMessage, RejectionReason } from "../../shared/contracts/index.ts";
import { trackingKey, type TrackingRecord } from "../../shared/exchange/records.ts";
import type { Context } from "./context.ts";

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
  repeats: number;
  /** Deliveries the sender never had: the message is answered with a rejection naming them. */
  unknown: RejectionReason[];
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

export async function track(ctx: Context, m: Tracked, nowMs: number): Promise<TrackResult> {
  const results = await Promise.all(itemsOf(m).map((item) => trackOne(ctx, m, item, nowMs)));
  return {
    recorded: results.filter((r) => r === "recorded").length,
    repeats: results.filter((r) => r === "repeat").length,
    unknown: results.flatMap((r, i) =>
      typeof r === "object" ? [{ code: "unknown-reference" as const, path: r.path, message: `expected a message delivered to ${m.sender}; ${r.messageId} is not one` }] : [],
    ),
  };
}

async function trackOne(ctx: Context, m: Tracked, item: Item, nowMs: number): Promise<"recorded" | "repeat" | Item> {
  const key = trackingKey(item.messageId, m.sender);
  // Deliveries leave before their tracking records are stored: wait for our own acceptance.
  await ctx.accepting.get(item.messageId)?.catch(() => undefined);
  // The agency's own timestamp (same exchange clock) stands, kept between delivery and now:
  // the coordinator's queueing must not count against a duty officer, and a node cannot
  // claim to have answered before the delivery or in the future.
  const stamped = (deliveredAt: string) => Math.min(nowMs, Math.max(Date.parse(deliveredAt), Date.parse(item.at)));
  let counted: TrackingRecord | undefined;
  const result = await ctx.store.tracking.modify(key, (v) => {
    counted = v;
    const when = stamped(v.deliveredAt);
    const at = new Date(when).toISOString();
    if (m.kind === "receipt") {
      if (v.receiptId) return undefined;
      return { ...v, receiptId: m.id, receiptAt: at, state: v.state === "delivered" ? "receipted" : v.state };
    }
    if (v.ackId) return undefined;
    return {
      ...v,
      state: v.state === "closed" ? "closed" : "acknowledged",
      ackId: m.id,
      ackAt: at,
      ...(item.officer ? { ackBy: item.officer } : {}),
      receiptAt: v.receiptAt ?? at,
      ackLatencyMs: when - Date.parse(v.deliveredAt),
      withinDeadline: when <= Date.parse(v.deadline),
    };
  });
  if (!counted) {
    // Another instance may still be writing the acceptance: retried shortly (the intake naks).
    const accepted = await ctx.store.messages.get(item.messageId);
    if (accepted?.value.recipients.includes(m.sender)) throw new Error(`tracking record ${key} not written yet`);
    return item;
  }
  const rec = result ?? counted;
  // The message that counted is recorded again after a crash (same event id: recorded once).
  const countedId = m.kind === "receipt" ? rec.receiptId : rec.ackId;
  if (countedId !== m.id) return "repeat";
  await ctx.audit.append({
    eventId: `${m.kind === "receipt" ? "receipted" : "acknowledged"}:${item.messageId}:${m.sender}`,
    event: m.kind === "receipt" ? "receipted" : "acknowledged",
    at: (m.kind === "receipt" ? rec.receiptAt : rec.ackAt) ?? new Date(nowMs).toISOString(),
    actor: m.sender,
    messageId: item.messageId,
    kind: rec.kind,
    agency: rec.originator,
    data:
      m.kind === "receipt"
        ? { receiptId: m.id }
        : { ackId: m.id, officer: item.officer, action: item.action, latencyMs: rec.ackLatencyMs, withinDeadline: rec.withinDeadline, precedence: rec.precedence },
  });
  return "recorded";
}
