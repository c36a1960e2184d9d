// Reading stored messages without a consumer: JetStream's direct get (the exchange's streams and
// buckets allow it). Nothing is created on the server and nothing is written, so a read-only
// observer may do it through its account's imports (shared/exchange/server-config.ts).
import { type DirectStreamAPI, jetstreamManager, type StoredMsg, type StreamInfo } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { jsApiPrefix } from "./connect.ts";
import { isNoResponders, isStreamNotFound } from "./errors.ts";
import { retryTransient } from "./retry.ts";

export type DirectQuery = { seq: number } | { last_by_subj: string } | { next_by_subj: string; seq: number };

/** How long a read is retried through an election before its caller hears of it (any replica answers a direct get). */
const READ_PATIENCE_MS = 5_000;

/** The stream read does not exist here, or this account may not read it. */
export class StreamMissing extends Error {
  constructor(stream: string, cause: unknown) {
    super(`cannot read ${stream}: it does not exist here or may not be read (is the exchange up?)`, { cause });
    this.name = "StreamMissing";
  }
}

export class DirectReader {
  private constructor(
    private readonly direct: DirectStreamAPI,
    private readonly info: (stream: string) => Promise<StreamInfo>,
  ) {}

  static async of(nc: NatsConnection): Promise<DirectReader> {
    // No account probe ($JS.API.INFO): an observer may not make it.
    const jsm = await jetstreamManager(nc, { apiPrefix: jsApiPrefix(nc), checkAPI: false });
    return new DirectReader(jsm.direct, (s) => jsm.streams.info(s));
  }

  /** The message `query` names in `stream`, or null when there is none (or it was deleted). */
  get(stream: string, query: DirectQuery): Promise<StoredMsg | null> {
    return retryTransient(() => this.direct.getMessage(stream, query), { forMs: READ_PATIENCE_MS }).catch((e: Error) => {
      if (isStreamNotFound(e) || isNoResponders(e)) throw new StreamMissing(stream, e);
      throw e;
    });
  }

  /** The stream's state and configuration (the observer may ask this of the exchange's three streams, not of its buckets). */
  streamInfo(stream: string): Promise<StreamInfo> {
    return retryTransient(() => this.info(stream), { forMs: READ_PATIENCE_MS });
  }
}
