// Where deliveries stand, for observers (status, send --wait, the simulation's metrics, tests):
// the audit chain read into a TrackingView, once or live. The chain is the one record of
// delivery state; there is no per-delivery key to read instead.
import type { NatsConnection } from "@nats-io/transport-node";
import type { DeliveryEvent } from "../audit/deliveries.ts";
import { type ChainFollowOptions, followChain } from "../audit/chain-follower.ts";
import { readAudit } from "../audit/reader.ts";
import { TrackingView } from "./tracking-view.ts";

/**
 * Whether a stored record has what the view reads. Records are not validated here (that is the
 * verifier's job, and too slow for every poll); one without these fields is about no delivery.
 */
function isEvent(r: unknown): r is DeliveryEvent {
  const o = r as Partial<Record<keyof DeliveryEvent, unknown>> | null;
  return typeof o === "object" && o !== null && typeof o.event === "string" && typeof o.at === "string" && typeof o.actor === "string";
}

/** Applies a stored record to the view when it is one (for callers that read the chain anyway). */
export function applyStored(view: TrackingView, record: unknown) {
  if (isEvent(record)) view.applyRead(record);
}

/** Every delivery as the chain tells it now (records appended while reading are left out). */
export async function readTrackingView(nc: NatsConnection, view = new TrackingView()): Promise<TrackingView> {
  for await (const { record } of readAudit(nc)) applyStored(view, record);
  return view;
}

export interface TrackingFollower {
  /** Kept up to date as records are written. */
  readonly view: TrackingView;
  /**
   * Set only when following cannot go on at all (the connection closed): the view stopped there.
   * A follower lost or stalled with a broker node is opened again from the next record it had
   * not applied, so the view may lag for a moment but never skips or repeats a record.
   */
  readonly failure: Error | undefined;
  stop(): void;
}

/**
 * A view kept live from the chain: from the next record written (`fromNow`, e.g. just before
 * sending a message whose deliveries are to be followed) or from stream sequence `fromSeq`.
 */
export async function followTracking(
  nc: NatsConnection,
  from: { fromNow: true } | { fromSeq: number },
  opts: ChainFollowOptions = {},
): Promise<TrackingFollower> {
  const view = new TrackingView();
  const chain = await followChain(nc, from, (_, record) => applyStored(view, record), opts);
  return {
    view,
    get failure() {
      return chain.failure;
    },
    stop: () => void chain.stop(),
  };
}
