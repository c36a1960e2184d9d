// A coordinator's checkpoints: its tracking view restored from the newest one at start (then the
// chain after it is read, not the whole chain), and written again as the chain grows, so a
// restart and `atix status` do not take longer as the history does. Writing one is kept off the
// hot path: taken between records (the snapshot is synchronous, so it is the view as of one
// position), at most every so many records and seconds; compressing and storing it is
// asynchronous and delays nothing else.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ChainReader } from "../../shared/audit/chain-read.ts";
import type { ChainPosition } from "../../shared/exchange/checkpoint-contract.ts";
import { type Checkpoint, type CoordinatorKeys, readCheckpoint, writeCheckpoint } from "../../shared/exchange/checkpoints.ts";
import { TrackingView } from "../../shared/exchange/tracking-view.ts";
import type { Logger } from "../../shared/log.ts";

/** Records between checkpoints, by default. */
export const CHECKPOINT_EVERY_RECORDS = 20_000;
/** At most one checkpoint in this many ms of wall time, however fast the chain grows. */
const MIN_INTERVAL_MS = 10_000;

/** How this instance's view began: from a checkpoint (and how many records it read after it), or from the whole chain and why. */
export type Restored =
  | { from: "checkpoint"; seq: number; streamSeq: number; tailRecords?: number }
  | { from: "chain"; refused?: string };

/**
 * The view to start from: the newest usable checkpoint's, or an empty one. A checkpoint that
 * cannot be used is logged with the reason; the whole chain is read instead.
 */
export async function restoreView(nc: NatsConnection, chain: ChainReader, keys: CoordinatorKeys, log: Logger): Promise<{ view: TrackingView; checkpoint?: Checkpoint; restored: Restored }> {
  const fresh = () => new TrackingView({ forgetting: true });
  let read;
  try {
    read = await readCheckpoint(nc, chain, keys);
  } catch (err) {
    log.error({ err }, "could not read the newest checkpoint; reading the whole audit chain instead");
    return { view: fresh(), restored: { from: "chain", refused: (err as Error).message } };
  }
  if (read.found === "none") {
    log.info("no checkpoint yet; reading the whole audit chain");
    return { view: fresh(), restored: { from: "chain" } };
  }
  if (read.found === "refused") {
    log.error({ reason: read.reason, seq: read.position?.seq }, `checkpoint refused: ${read.reason}; reading the whole audit chain instead`);
    return { view: fresh(), restored: { from: "chain", refused: read.reason } };
  }
  const { manifest, snapshot } = read.checkpoint;
  const view = TrackingView.restore(snapshot, manifest.signature.key, { forgetting: true });
  log.info({ seq: manifest.position.seq, deliveries: manifest.deliveries, open: manifest.open, writtenBy: manifest.instance }, "tracking view restored from a checkpoint; reading the chain after it");
  return { view, checkpoint: read.checkpoint, restored: { from: "checkpoint", seq: manifest.position.seq, streamSeq: manifest.position.streamSeq } };
}

export interface CheckpointWriterOptions {
  nc: NatsConnection;
  view: TrackingView;
  /** Where the view stands now (the tracking feed's position). */
  position: () => ChainPosition | undefined;
  instance: string;
  seed: string;
  log: Logger;
  every?: number;
  /** The stream sequence of the checkpoint the view was restored from (0: none). */
  fromStreamSeq: number;
}

export class CheckpointWriter {
  written = 0;
  private lastStreamSeq: number;
  private lastAtMs = 0;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private live = false;
  private stopped = false;
  private lastSeq = 0;
  private readonly waiters: { minSeq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly every: number;

  constructor(private readonly o: CheckpointWriterOptions) {
    this.lastStreamSeq = o.fromStreamSeq;
    this.every = o.every ?? CHECKPOINT_EVERY_RECORDS;
  }

  /** The view has caught up with the chain: from now on checkpoints are written (the first at once, if due). */
  caughtUp() {
    this.live = true;
    this.applied(this.o.position()?.streamSeq ?? 0, true);
  }

  /** A record was applied at `streamSeq`: a checkpoint is written when one is due. */
  applied(streamSeq: number, force = false) {
    if (!this.live || this.writing || this.stopped || streamSeq - this.lastStreamSeq < this.every) return;
    const wait = MIN_INTERVAL_MS - (Date.now() - this.lastAtMs);
    if (!force && wait > 0) {
      // Due by records, not yet by time: written then, even if no record comes meanwhile.
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.applied(this.o.position()?.streamSeq ?? 0);
      }, wait);
      return;
    }
    // Between records, not inside the one being applied.
    this.writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.write())
      .catch((err: unknown) => this.o.log.warn({ err }, "could not write a checkpoint; the next is tried after as many records again"))
      .finally(() => (this.writing = undefined));
  }

  /** Resolves once a checkpoint at record `minSeq` or later has been written by this instance. */
  whenWritten(minSeq: number): Promise<void> {
    if (this.lastSeq >= minSeq) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error(`the coordinator stopped before writing a checkpoint at record ${minSeq}`));
    return new Promise((resolve, reject) => this.waiters.push({ minSeq, resolve, reject }));
  }

  private async write() {
    const position = this.o.position();
    if (!position || this.stopped) return;
    // Synchronously together: the view as of this position (and the records applied ahead of it).
    const snapshot = this.o.view.snapshot();
    this.lastStreamSeq = position.streamSeq;
    this.lastAtMs = Date.now();
    const started = performance.now();
    const m = await writeCheckpoint(this.o.nc, { position, snapshot, instance: this.o.instance, seed: this.o.seed });
    this.written++;
    this.lastSeq = position.seq;
    this.o.log.info({ seq: position.seq, deliveries: m.deliveries, open: m.open, bytes: m.bytes, ms: Math.round(performance.now() - started) }, "checkpoint written");
    for (let i = this.waiters.length - 1; i >= 0; i--)
      if (this.waiters[i]!.minSeq <= position.seq) this.waiters.splice(i, 1)[0]!.resolve();
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.writing;
    // Whoever waits for a checkpoint this instance will not write hears so, rather than waiting for ever.
    for (const w of this.waiters.splice(0)) w.reject(new Error(`the coordinator stopped before writing a checkpoint at record ${w.minSeq}`));
  }
}
