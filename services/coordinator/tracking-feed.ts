// Keeps this instance's view of the deliveries current: the whole audit chain is read at start,
// then followed live, so what other instances record (acceptances, acknowledgements, escalations)
// reaches this one's view too. Records this instance writes are applied as it writes them.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import { auditStreamState, followAudit } from "../../shared/audit/reader.ts";
import { applyStored } from "../../shared/exchange/tracking-read.ts";
import type { TrackingView } from "../../shared/exchange/tracking-view.ts";
import type { Logger } from "../../shared/log.ts";
import { retryTransient } from "../../shared/nats/retry.ts";

/** How often a quiet follower is checked against the chain's length. */
const STALL_CHECK_MS = 2_000;

export interface TrackingFeed {
  /** Resolves once every record stored when the feed started has been applied. */
  ready: Promise<void>;
  /**
   * Whether the view has applied every record stored by now (waiting up to `waitMs` for it): what
   * escalates must not be an acknowledgement this instance has not read yet.
   */
  current(waitMs?: number): Promise<boolean>;
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
  // A follower can stall without an error (its consumer's node died and it was not recreated): when
  // the chain has grown and nothing came for a while, it is opened again from where it stopped.
  let seenAtLastCheck = next;
  const watchdog = setInterval(() => {
    void retryTransient(async () => auditStreamState(await jetstreamManager(nc)))
      .then(({ lastSeq: last }) => {
        if (!stopped && last >= next && next === seenAtLastCheck) {
          log.warn({ nextSeq: next, lastSeq: last }, "the audit chain grew but nothing came; following it again");
          follower?.stop();
        }
        seenAtLastCheck = next;
      })
      .catch(() => undefined);
  }, STALL_CHECK_MS);
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
    async current(waitMs = 2_000) {
      const { lastSeq: last } = await retryTransient(async () => auditStreamState(await jetstreamManager(nc)));
      for (const until = Date.now() + waitMs; next <= last && Date.now() < until && !stopped; ) await sleep(20);
      return next > last;
    },
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      follower?.stop();
      await done;
    },
  };
}
