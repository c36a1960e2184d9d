// Durable publishing with the NATS pitfalls handled: a timed-out publish may have been stored,
// so retries reuse the same msgID (the stream's duplicate window answers "duplicate" then);
// leader elections briefly fail with "no responders" or "JetStream not enabled": back off, retry.
import type { PubAck } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import type { DurablePublisher } from "../nats/jetstream-publisher.ts";
import { retryTransient } from "../nats/retry.ts";

export interface PublishOptions {
  msgID: string;
  headers?: MsgHdrs;
}

export function publishDurably(publisher: DurablePublisher, subject: string, data: string | Uint8Array, opts: PublishOptions): Promise<PubAck> {
  return retryTransient(
    () =>
      publisher.publish(subject, data, {
        msgID: opts.msgID,
        ...(opts.headers ? { headers: opts.headers } : {}),
        timeout: 5_000,
      }),
  );
}
