// Receipts and acknowledgements: the delivery's state moves forward once; a repeat changes nothing.
import type { AcknowledgementMessage, ReceiptMessage } from "../../shared/contracts/index.ts";
import { trackingKey, type TrackingRecord } from "../../shared/exchange/records.ts";
import type { Context } from "./context.ts";

export type TrackResult = "recorded" | "repeat" | "unknown";

export async function track(ctx: Context, m: ReceiptMessage | AcknowledgementMessage, nowMs: number): Promise<TrackResult> {
  const key = trackingKey(m.body.messageId, m.sender);
  // The agency's own timestamp (same exchange clock) stands, kept between delivery and now:
  // the coordinator's queueing must not count against a duty officer, and a node cannot
  // claim to have answered before the delivery or in the future.
  const stamped = (deliveredAt: string) => Math.min(nowMs, Math.max(Date.parse(deliveredAt), Date.parse(m.sentAt)));
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
      ackBy: m.body.officer,
      receiptAt: v.receiptAt ?? at,
      ackLatencyMs: when - Date.parse(v.deliveredAt),
      withinDeadline: when <= Date.parse(v.deadline),
    };
  });
  if (!counted) return "unknown";
  const rec = result ?? counted;
  // The message that counted is recorded again after a crash (same event id: recorded once).
  const countedId = m.kind === "receipt" ? rec.receiptId : rec.ackId;
  if (countedId !== m.id) return "repeat";
  await ctx.audit.append({
    eventId: `${m.kind === "receipt" ? "receipted" : "acknowledged"}:${m.body.messageId}:${m.sender}`,
    event: m.kind === "receipt" ? "receipted" : "acknowledged",
    at: (m.kind === "receipt" ? rec.receiptAt : rec.ackAt) ?? new Date(nowMs).toISOString(),
    actor: m.sender,
    messageId: m.body.messageId,
    kind: rec.kind,
    agency: rec.originator,
    data:
      m.kind === "receipt"
        ? { receiptId: m.id }
        : { ackId: m.id, officer: m.body.officer, action: m.body.action, latencyMs: rec.ackLatencyMs, withinDeadline: rec.withinDeadline, precedence: rec.precedence },
  });
  return "recorded";
}
