// The exchange's durable layout in JetStream, created idempotently by whoever starts first.
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerUpdateConfig,
  DeliverPolicy,
  DiscardPolicy,
  jetstreamManager,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { buckets, consumers, streams, subjects } from "../contracts/subjects.ts";
import type { AgencyId } from "../contracts/primitives.ts";
import { retryTransient } from "./retry.ts";

const SECOND_NS = 1_000_000_000;
/** Longer than any publish retry or coordinator restart, so a retried write is recognised. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** Revisions the config bucket keeps of each key: a value that fails its contract falls back to the newest good one. */
export const CONFIG_HISTORY = 5;

export interface LayoutOptions {
  replicas?: number;
}

type NamedStreamConfig = Partial<StreamConfig> & { name: string };

function streamConfigs(replicas: number): NamedStreamConfig[] {
  const common = {
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    duplicate_window: (DUPLICATE_WINDOW_MS / 1000) * SECOND_NS,
    allow_direct: true,
  };
  return [
    { ...common, name: streams.submissions.name, subjects: [...streams.submissions.subjects], description: "Submissions from agencies" },
    { ...common, name: streams.deliveries.name, subjects: [...streams.deliveries.subjects], description: "Deliveries: one per recipient, or one broadcast for all" },
    {
      ...common, name: streams.audit.name, subjects: [...streams.audit.subjects], description: "The audit hash chain",
      // Each record as stored, with its stream sequence: observers follow the chain without a consumer.
      republish: { src: subjects.audit, dest: subjects.auditStored },
    },
  ];
}

async function ensureStream(jsm: JetStreamManager, cfg: NamedStreamConfig) {
  try {
    const existing = await jsm.streams.info(cfg.name);
    // The replica count is chosen when the exchange is set up (`atix up`, `atix init --publish`,
    // which refuses a different one): a service started without --replicas must not scale it down.
    const update = { ...cfg, num_replicas: existing.config.num_replicas };
    await jsm.streams.update(cfg.name, update).catch(async (e: Error) => {
      // nats-server 2.9 cannot add republishing to a stream made without it (an exchange made by an
      // earlier ATIX): it keeps running without; its observers then follow the chain by polling.
      if (!/republish/i.test(e.message)) throw e;
      const { republish: _none, ...without } = update;
      await jsm.streams.update(cfg.name, existing.config.republish ? { ...without, republish: existing.config.republish } : without);
    });
  } catch (e) {
    if (!/stream not found/i.test((e as Error).message)) throw e;
    // Another process may create it at the same moment: that is as good.
    await jsm.streams.add(cfg).catch(ignoreExisting);
  }
}

/**
 * Streams, the coordinators' consumer and the buckets, each with `replicas` copies (a consumer
 * inherits its stream's). Every step is retried through a leader election, so a service can start
 * while a cluster node is down.
 */
export async function ensureLayout(nc: NatsConnection, opts: LayoutOptions = {}): Promise<JetStreamManager> {
  const replicas = opts.replicas ?? 1;
  const jsm = await retryTransient(() => jetstreamManager(nc));
  for (const cfg of streamConfigs(replicas)) await retryTransient(() => ensureStream(jsm, cfg));
  // A short ack wait: what a killed instance held is redelivered to the others within seconds.
  await ensureConsumer(jsm, streams.submissions.name, {
    durable_name: consumers.submissions,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: 5 * SECOND_NS,
    max_ack_pending: 20_000,
    max_deliver: -1,
  });
  const kvm = new Kvm(nc);
  for (const name of Object.values(buckets)) {
    const history = name === buckets.config ? CONFIG_HISTORY : 1;
    await retryTransient(() => kvm.create(name, { history, replicas }).then(() => undefined, ignoreExisting));
  }
  await retryTransient(() => keepConfigHistory(jsm));
  return jsm;
}

/** A config bucket made by an earlier ATIX kept one revision per key: it keeps CONFIG_HISTORY from now on. */
async function keepConfigHistory(jsm: JetStreamManager) {
  const name = `KV_${buckets.config}`;
  const { config } = await jsm.streams.info(name);
  if (config.max_msgs_per_subject < CONFIG_HISTORY) await jsm.streams.update(name, { ...config, max_msgs_per_subject: CONFIG_HISTORY });
}

/** How an agency reads: in order, one at a time, acked explicitly, redelivered until acked. */
const AGENCY_READING = { ack_policy: AckPolicy.Explicit, ack_wait: 10 * SECOND_NS, max_ack_pending: 1_000, max_deliver: -1 } as const;

/**
 * The two durable consumers through which one agency reads what is addressed to it, in order:
 * its own deliveries (from the first: nothing was addressed to it before it existed) and the
 * broadcasts (only those stored from now on: earlier ones went to the agencies registered then).
 * Create both before a registry naming the agency is published, so no broadcast to it is missed.
 */
export async function ensureAgencyConsumer(jsm: JetStreamManager, agency: AgencyId) {
  await ensureConsumer(jsm, streams.deliveries.name, {
    ...AGENCY_READING,
    durable_name: consumers.agency(agency),
    filter_subject: subjects.deliverOf(agency),
    deliver_policy: DeliverPolicy.All,
  });
  await ensureConsumer(jsm, streams.deliveries.name, {
    ...AGENCY_READING,
    durable_name: consumers.broadcast(agency),
    filter_subject: subjects.broadcastAll,
    deliver_policy: DeliverPolicy.New,
  });
}

/**
 * An agency left the registry: drop its broadcast consumer, or should it come back it would be
 * handed every broadcast of its absence. (Its own consumer keeps nothing it was not sent.)
 */
export async function retireBroadcastConsumer(jsm: JetStreamManager, agency: AgencyId) {
  await retryTransient(() => jsm.consumers.delete(streams.deliveries.name, consumers.broadcast(agency)).then(() => undefined, ignoreMissing));
}

/**
 * Drops the broadcast consumers of agencies not in `registered`: a registry published while no
 * coordinator ran (or a removal that failed) must not leave a departed agency reading broadcasts.
 * Returns the agencies whose consumer went.
 */
export async function retireUnregisteredBroadcastConsumers(jsm: JetStreamManager, registered: { has(agency: string): boolean }): Promise<string[]> {
  const prefix = consumers.broadcast("");
  const gone: string[] = [];
  const names = await retryTransient(async () => {
    const all: string[] = [];
    for await (const c of jsm.consumers.list(streams.deliveries.name)) all.push(c.name);
    return all;
  });
  for (const name of names) {
    const agency = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
    if (agency === undefined || registered.has(agency)) continue;
    await retireBroadcastConsumer(jsm, agency as AgencyId);
    gone.push(agency);
  }
  return gone;
}

/** Creates the durable, or brings an existing one's settings up to date. */
function ensureConsumer(jsm: JetStreamManager, stream: string, cfg: Partial<ConsumerConfig> & { durable_name: string }) {
  return retryTransient(() => createOrUpdateConsumer(jsm, stream, cfg));
}

async function createOrUpdateConsumer(jsm: JetStreamManager, stream: string, cfg: Partial<ConsumerConfig> & { durable_name: string }) {
  try {
    await jsm.consumers.add(stream, cfg);
  } catch (e) {
    ignoreExisting(e as Error);
    const { ack_wait, max_ack_pending, max_deliver } = cfg;
    await jsm.consumers.update(stream, cfg.durable_name, { ack_wait, max_ack_pending, max_deliver } as Partial<ConsumerUpdateConfig>);
  }
}

function ignoreMissing(e: Error) {
  if (!/consumer not found/i.test(e.message)) throw e;
}

function ignoreExisting(e: Error) {
  if (!/already in use|already exists/i.test(e.message)) throw e;
}
