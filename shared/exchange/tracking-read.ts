// Where deliveries stand, for observers (status, send --wait, the simulation's metrics, tests):
// the audit chain read into a TrackingView, once or live, without a consumer (the observer may
// create none). The chain is the one record of delivery state; there is no per-delivery key to
// read instead.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ChainStart } from "../audit/chain-follower.ts";
import { followChainLive, type LiveChainOptions } from "../audit/chain-live.ts";
import { readChain } from "../audit/chain-read.ts";
import { StoredAuditRecord } from "../contracts/audit.ts";
import { TrackingView } from "./tracking-view.ts";

/**
 * Applies a stored record to the view when it is one: checked against the record contract first
 * (what is not a record is about no delivery), unless this process wrote it and applied it then.
 */
export function applyStored(view: TrackingView, record: unknown) {
  if (view.takeWritten((record as { eventId?: unknown } | null)?.eventId) || view.takeAhead(record)) return;
  const r = StoredAuditRecord.safeParse(record);
  if (r.success) view.apply(r.data);
}

/** Every delivery as the chain tells it now (records appended while reading are left out). */
export async function readTrackingView(nc: NatsConnection, view = new TrackingView()): Promise<TrackingView> {
  for await (const { record } of readChain(nc)) applyStored(view, record);
  return view;
}

export interface TrackingFollower {
  /** Kept up to date as records are written. */
  readonly view: TrackingView;
  /**
   * Set only when following cannot go on at all (the connection closed): the view stopped there.
   * Records missed on the way (a reconnect, a leader election) are read back by direct gets, so
   * the view may lag for a moment but never skips or repeats a record.
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
  from: ChainStart,
  opts: LiveChainOptions = {},
): Promise<TrackingFollower> {
  const view = new TrackingView();
  const chain = await followChainLive(nc, from, (_, record) => applyStored(view, record), opts);
  return {
    view,
    get failure() {
      return chain.failure;
    },
    stop: () => void chain.stop(),
  };
}
