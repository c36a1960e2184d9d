// Where a delivery got, as the audit chain tells it (the chain is its one record): polled until
// a condition holds, for tests that wait on the coordinator.
import type { NatsConnection } from "@nats-io/transport-node";
import { perDelivery } from "../../shared/audit/deliveries.ts";
import type { DeliveryEvent } from "../../shared/audit/deliveries.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { readTrackingView } from "../../shared/exchange/tracking-read.ts";
import { auditRecords, eventually } from "./streams-read.ts";

/** The delivery of `messageId` to `recipient` once `until` holds of it (by default: once it exists). */
export async function trackingOf(
  nc: NatsConnection,
  messageId: string,
  recipient: string,
  opts: { until?: (t: TrackingRecord) => boolean; timeoutMs?: number } = {},
): Promise<TrackingRecord> {
  let last: TrackingRecord | undefined;
  return eventually(
    async () => {
      last = (await readTrackingView(nc)).get(messageId, recipient);
      return last && (opts.until?.(last) ?? true) ? last : undefined;
    },
    opts.timeoutMs ?? 10_000,
    `the delivery of ${messageId} to ${recipient}${opts.until ? " to reach the expected state" : ""}`,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last seen: ${last ? JSON.stringify(last) : "no delivery recorded"}`);
  });
}

/** The audit chain as stored now, one event per delivery (batched records expanded). */
export const auditDeliveryEvents = async (nc: NatsConnection): Promise<DeliveryEvent[]> => (await auditRecords(nc)).flatMap((r) => perDelivery(r));
