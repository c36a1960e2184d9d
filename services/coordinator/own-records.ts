// A record this instance writes is applied to its tracking view once stored, and passed over,
// undecoded, when its chain follower reads it back (tracking-feed.ts). The one subtle case: a
// write reported failed may have been stored all the same (its answer lost in an election); if
// the follower has read it back meanwhile, it is in the chain and is applied then.
import type { Chained, TrackingView } from "../../shared/exchange/tracking-view.ts";

export type OwnRecordView = Pick<TrackingView, "expectWritten" | "applyOwnStored" | "apply" | "takeWritten">;

/** Appends `entry` with `append`; the view has it once it is stored, and exactly once. */
export function appendOwnRecord<E extends Chained & { eventId: string }>(view: OwnRecordView, append: (entry: E) => Promise<unknown>, entry: E): Promise<void> {
  view.expectWritten(entry.eventId);
  return append(entry).then(
    () => view.applyOwnStored(entry),
    (e: unknown) => {
      // Still expected: not read back, so not known to be stored (if it comes, the follower applies it).
      if (!view.takeWritten(entry.eventId)) view.apply(entry);
      throw e;
    },
  );
}
