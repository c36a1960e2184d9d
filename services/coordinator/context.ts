// What every part of a coordinator instance works with, passed explicitly.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AuditWriter } from "../../shared/audit/writer.ts";
import type { SimClock } from "../../shared/clock.ts";
import { COORDINATOR_ID, sign, type Message } from "../../shared/contracts/index.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import type { Settings } from "../../shared/exchange/settings.ts";
import type { Store } from "../../shared/exchange/store.ts";
import type { TrackingView } from "../../shared/exchange/tracking-view.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import type { BoundedSet } from "../../shared/bounded.ts";
import type { Logger } from "../../shared/log.ts";

export interface Context {
  instance: string;
  nc: NatsConnection;
  js: JetStreamClient;
  store: Store;
  clock: SimClock;
  audit: AuditWriter;
  log: Logger;
  registry: () => Registry;
  settings: () => Settings;
  /** Where each delivery stands: the audit chain's projection, kept current by this instance. */
  tracking: TrackingView;
  /** Ids this instance decided lately: an earlier lookup of one is done again. */
  decided: BoundedSet<string>;
  /** Deliveries whose receipt or acknowledgement this instance is recording (the view's records). */
  recording: Map<TrackingRecord, Promise<void>>;
  /** Acceptances this instance is writing, by message id: a receipt that overtakes one waits for it. */
  accepting: Map<string, Promise<void>>;
  /** Signs the coordinator's own messages (acceptances, rejections, escalations). */
  signOwn: <M extends Message>(m: M) => M;
}

export const ownSigner = (seed: string | undefined) => <M extends Message>(m: M): M =>
  seed && m.sender === COORDINATOR_ID ? sign(m, seed) : m;

export const deadlineAfter = (ctx: Context, fromMs: number, precedence: keyof Settings["ackDeadlineMinutes"]) =>
  fromMs + ctx.settings().ackDeadlineMinutes[precedence] * 60_000;
