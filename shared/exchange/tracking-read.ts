// Where deliveries stand, for observers (status, send --wait, the simulation's metrics, tests):
// the audit chain read into a TrackingView, once or live. The chain is the one record of
// delivery state; there is no per-delivery key to read instead.
import type { NatsConnection } from "@nats-io/transport-node";
import type { DeliveryEvent } from "../audit/deliveries.ts";
import { followAudit, readAudit } from "../audit/reader.ts";
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
  /** Set when following failed (the connection closed, the stream went away): the view stopped there. */
  readonly failure: Error | undefined;
  stop(): void;
}

/**
 * A view kept live from the chain: from the next record written (`fromNow`, e.g. just before
 * sending a message whose deliveries are to be followed) or from stream sequence `fromSeq`.
 */
export async function followTracking(nc: NatsConnection, from: { fromNow: true } | { fromSeq: number }): Promise<TrackingFollower> {
  const follow = await followAudit(nc, from);
  const state = { view: new TrackingView(), failure: undefined as Error | undefined, stop: () => follow.stop() };
  void (async () => {
    for await (const { record } of follow) applyStored(state.view, record);
  })().catch((e: Error) => void (state.failure = new Error(`following the audit chain failed: ${e.message}`)));
  return state;
}
