// What every part of a coordinator instance works with, passed explicitly.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AuditWriter } from "../../shared/audit/writer.ts";
import type { SimClock } from "../../shared/clock.ts";
import type { Message } from "../../shared/contracts/index.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import type { Settings } from "../../shared/exchange/settings.ts";
import type { Store } from "../../shared/exchange/store.ts";
import type { TrackingView } from "../../shared/exchange/tracking-view.ts";
import type { Logger } from "../../shared/log.ts";
import type { DurablePublisher } from "../../shared/nats/jetstream-publisher.ts";

export interface Context {
  instance: string;
  nc: NatsConnection;
  js: JetStreamClient;
  /** Publishes what the coordinator stores (deliveries, outcomes, escalations). */
  publisher: DurablePublisher;
  store: Store;
  clock: SimClock;
  audit: AuditWriter;
  log: Logger;
  registry: () => Registry;
  settings: () => Settings;
  /** Where each delivery stands: the audit chain's projection, kept current by this instance. */
  tracking: TrackingView;
  /** Signs the coordinator's own messages (acceptances, rejections, escalations). */
  signOwn: <M extends Message>(m: M) => M;
}
