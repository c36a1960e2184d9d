// Keeps this instance's view of the deliveries current: the whole audit chain is read at start,
// then followed live, so what other instances record (acceptances, acknowledgements, escalations)
// reaches this one's view too. Records this instance writes are applied as it writes them.
import type { NatsConnection } from "@nats-io/transport-node";
import { auditStreamState, followAudit } from "../../shared/audit/reader.ts";
import type { TrackingView } from "../../shared/exchange/tracking-view.ts";
import { applyStored } from "../../shared/exchange/tracking-read.ts";
import type { Logger } from "../../shared/log.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { retryTransient } from "../../shared/nats/retry.ts";
import { setTimeout as sleep } from "node:timers/promises";

export interface TrackingFeed {
  /** Resolves once every record stored when the feed started has been applied. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export async function startTrackingFeed(nc: NatsConnection, view: TrackingView, log: Logger): Promise<TrackingFeed> {
  const { lastSeq } = await retryTransient(async () => auditStreamState(await jetstreamManager(nc)));
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  if (lastSeq === 0) markReady();
  let stopped = false;
  let next = 1;
  let follower: Awaited<ReturnType<typeof followAudit>> | undefined;
  const done = (async () => {
    // A follower lost with a broker node is opened again from the next record it had not applied.
    while (!stopped) {
      try {
        follower = await followAudit(nc, { fromSeq: next });
        for await (const { streamSeq, record } of follower) {
          applyStored(view, record);
          next = streamSeq + 1;
          if (streamSeq >= lastSeq) markReady();
        }
      } catch (e) {
        if (!stopped) log.warn({ err: e, nextSeq: next }, "following the audit chain failed; opening it again");
      }
      if (!stopped) await sleep(500);
    }
  })();
  return {
    ready,
    async stop() {
      stopped = true;
      follower?.stop();
      await done;
    },
  };
}
