// Keeps this instance's view of the deliveries current: the audit chain is read at start (from
// the record after a checkpoint, or whole), then followed live, so what other instances record
// (acceptances, acknowledgements, escalations) reaches this one's view too. Records this instance
// writes are applied as it writes them.
import type { NatsConnection } from "@nats-io/transport-node";
import { followChain } from "../../shared/audit/chain-follower.ts";
import { decodeStored } from "../../shared/audit/chain-read.ts";
import { AuditHead, type AuditRecord } from "../../shared/contracts/index.ts";
import type { ChainPosition } from "../../shared/exchange/checkpoint-contract.ts";
import { applyStored } from "../../shared/exchange/tracking-read.ts";
import type { TrackingView } from "../../shared/exchange/tracking-view.ts";
import type { Logger } from "../../shared/log.ts";

export interface TrackingFeed {
  /** Resolves once every record stored when the feed started has been applied. */
  ready: Promise<void>;
  /**
   * Whether the view has applied every record stored by now (waiting up to `waitMs` for it): what
   * escalates must not be an acknowledgement this instance has not read yet.
   */
  current(waitMs?: number): Promise<boolean>;
  /** The chain's head as this instance has read it: its last record, signed (none before the first). */
  head(): AuditHead | undefined;
  /** Where the view stands in the chain: the last record applied (read, or passed over as written here). */
  position(): ChainPosition | undefined;
  stop(): Promise<void>;
}

/** While the chain is read, `prune` runs every this many records: the view stays within its bounds however long the chain. */
const PRUNE_EVERY_RECORDS = 20_000;

export interface FeedOptions {
  /** Runs now and then while the chain is read: the view stays within its bounds however long the chain. */
  prune?: () => void;
  /** Where the view was restored from (a checkpoint): the record it stands at, and that record's stream sequence. */
  from?: { streamSeq: number; record: unknown };
  /** Told each record's stream sequence once applied (checkpoints are taken by it). */
  onApplied?: (streamSeq: number) => void;
}

export async function startTrackingFeed(nc: NatsConnection, view: TrackingView, log: Logger, opts: FeedOptions = {}): Promise<TrackingFeed> {
  const { prune = () => undefined, onApplied = () => undefined } = opts;
  // The last record read: decoded, or (one this instance wrote, passed over undecoded) its bytes.
  let last: unknown = opts.from?.record;
  let lastStreamSeq = opts.from?.streamSeq ?? 0;
  let lastStored: { streamSeq: number; data: Uint8Array } | undefined;
  let head: AuditHead | undefined;
  const read = (streamSeq: number) => {
    lastStreamSeq = streamSeq;
    if (streamSeq % PRUNE_EVERY_RECORDS === 0) prune();
    onApplied(streamSeq);
  };
  const decodeLast = () => {
    if (lastStored) {
      last = decodeStored(lastStored.streamSeq, lastStored.data).record;
      lastStored = undefined;
    }
    return last as Partial<AuditRecord> | undefined;
  };
  // Reopened after a lost or stalled follower from the next record it had not applied.
  const chain = await followChain(
    nc,
    { fromSeq: lastStreamSeq + 1 },
    (streamSeq, record) => {
      last = record;
      lastStored = undefined;
      applyStored(view, record);
      read(streamSeq);
    },
    {
      log,
      // What this instance wrote it applied as it wrote it: not even parsed when read back.
      known: (msgId, streamSeq, data) => {
        if (!view.takeWritten(msgId)) return false;
        lastStored = { streamSeq, data };
        read(streamSeq);
        return true;
      },
    },
  );
  return {
    ready: chain.caughtUp,
    current: (waitMs) => chain.current(waitMs),
    head() {
      // Checked when asked (once a second), not per record read.
      const r = decodeLast();
      if (r && r.hash !== head?.hash) head = AuditHead.safeParse(r && { seq: r.seq, hash: r.hash, at: r.at, recordedAt: r.recordedAt, signature: r.signature }).data;
      return head;
    },
    position() {
      const r = decodeLast();
      if (!r || typeof r.seq !== "number" || typeof r.hash !== "string" || typeof r.at !== "string") return undefined;
      return { seq: r.seq, streamSeq: lastStreamSeq, hash: r.hash, at: r.at };
    },
    stop: () => chain.stop(),
  };
}
