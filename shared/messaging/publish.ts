// Durable publishing with the NATS pitfalls handled: a timed-out publish may have been stored,
// so retries reuse the same msgID; leader elections briefly fail with "no responders".
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";

const RETRYABLE = /timeout|no responders|503|jetstream not enabled|stream not found|TIMEOUT|disconnect|reconnect/i;

export interface PublishOptions {
  msgID: string;
  headers?: MsgHdrs;
  expectLastSequence?: number;
  /** Total time to keep retrying, in wall ms (default 30 s). */
  retryForMs?: number;
}

export async function publishDurably(js: JetStreamClient, subject: string, data: string | Uint8Array, opts: PublishOptions): Promise<PubAck> {
  const until = Date.now() + (opts.retryForMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await js.publish(subject, data, {
        msgID: opts.msgID,
        ...(opts.headers ? { headers: opts.headers } : {}),
        ...(opts.expectLastSequence !== undefined ? { expect: { lastSequence: opts.expectLastSequence } } : {}),
        timeout: 5_000,
      });
    } catch (e) {
      if (!RETRYABLE.test(String((e as Error).message)) || Date.now() > until) throw e;
      await sleep(Math.min(2_000, 50 * 2 ** attempt));
    }
  }
}
