// The exchange's durable layout in JetStream, created idempotently by whoever starts first.
// Every stream and bucket has limits that fit its purpose (docs/operations.md): what an agency
// sends is bounded in size and kept only as long as it is needed; what an agency has not read yet
// is never dropped to make room; the audit chain is kept whole.
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
import { buckets, consumers, MAX_MESSAGE_BYTES, streams, subjects } from "../contracts/subjects.ts";
import type { AgencyId } from "../contracts/primitives.ts";
import { isAlreadyExists, isConsumerNotFound, isInvalidStreamConfig, isStreamNotFound } from "./errors.ts";
import { retryTransient } from "./retry.ts";

const SECOND_NS = 1_000_000_000;
const DAY_NS = 86_400 * SECOND_NS;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** Longer than any publish retry or coordinator restart, so a retried write is recognised. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** Revisions the config bucket keeps of each key: a value that fails its contract falls back to the newest good one. */
export const CONFIG_HISTORY = 5;

/**
 * Room for NATS headers on top of the contract's largest message: a message a little too large
 * is still stored and refused by the coordinator with a reason (`too-large`); beyond this the
 * stream refuses it at once.
 */
export const SUBMISSION_MAX_BYTES = MAX_MESSAGE_BYTES + 8 * 1024;

/** A checkpoint's data is stored in chunks of at most this many bytes (the server's default max_payload is 1 MiB). */
export const CHECKPOINT_CHUNK_BYTES = 256 * 1024;

/** The limits of each stream and bucket (docs/operations.md explains each and how to change it). */
export const STREAM_LIMITS = {
  /** Decided submissions are history; an undecided one waits at most a week for a coordinator. */
  submissions: { max_age: 7 * DAY_NS, max_bytes: 2 * GIB, max_msg_size: SUBMISSION_MAX_BYTES, discard: DiscardPolicy.Old },
  /** Never drops what an agency has not read: when full, new deliveries wait (and say so) until room is made. */
  deliveries: { max_age: 30 * DAY_NS, max_bytes: 20 * GIB, discard: DiscardPolicy.New },
  /** The audit chain is kept whole: no age or size limit (atix status reports its size). */
  audit: {},
  /** Only the newest checkpoints are needed (writers remove older ones); the size limit is a backstop. */
  checkpoints: { max_bytes: 1 * GIB, max_msg_size: CHECKPOINT_CHUNK_BYTES + 4 * 1024, discard: DiscardPolicy.Old },
} as const;

/** Bucket limits: ages and sizes of what each bucket keeps. */
export const BUCKET_LIMITS: Record<keyof typeof buckets, { max_bytes: number; max_age?: number; discard?: DiscardPolicy }> = {
  config: { max_bytes: 64 * MIB },
  /** Replay protection: a submission's id and first outcome, for 90 days (or the newest 2 GiB). */
  seen: { max_bytes: 2 * GIB, max_age: 90 * DAY_NS, discard: DiscardPolicy.Old },
  /** Accepted messages, for authorising updates, retractions, answers and hits within 90 days. */
  messages: { max_bytes: 2 * GIB, max_age: 90 * DAY_NS, discard: DiscardPolicy.Old },
  /** Escalation claims matter only while an escalation is being sent. */
  escalationClaims: { max_bytes: 256 * MIB, max_age: 7 * DAY_NS, discard: DiscardPolicy.Old },
};

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
    { ...common, ...STREAM_LIMITS.submissions, name: streams.submissions.name, subjects: [...streams.submissions.subjects], description: "Submissions from agencies" },
    { ...common, ...STREAM_LIMITS.deliveries, name: streams.deliveries.name, subjects: [...streams.deliveries.subjects], description: "Deliveries: one per recipient, or one broadcast for all" },
    {
      ...common, ...STREAM_LIMITS.audit, name: streams.audit.name, subjects: [...streams.audit.subjects], description: "The audit hash chain",
      // Each record as stored, with its stream sequence: observers follow the chain without a consumer.
      republish: { src: subjects.audit, dest: subjects.auditStored },
    },
    {
      ...common, ...STREAM_LIMITS.checkpoints, name: streams.checkpoints.name, subjects: [...streams.checkpoints.subjects],
      description: "Checkpoints of the tracking view: restarts and status read one and the chain after it",
    },
  ];
}

/** Limit fields an operator may change on a running exchange (`nats stream edit`): kept once set. */
const LIMIT_FIELDS = ["max_age", "max_bytes", "max_msg_size", "discard"] as const;

/**
 * The limits to apply to an existing stream: ours where it has none (a stream made before limits
 * existed), its own where it has some (an operator's change stays).
 */
export function limitsFor(existing: Partial<StreamConfig>, wanted: Partial<StreamConfig>): Partial<StreamConfig> {
  const unset = (v: unknown) => v === undefined || v === 0 || v === -1;
  const out: Partial<StreamConfig> = {};
  const hadLimits = LIMIT_FIELDS.some((f) => f !== "discard" && !unset(existing[f]));
  for (const f of LIMIT_FIELDS) {
    if (wanted[f] === undefined) continue;
    // Discard is a choice made with the sizes: changed only together with them.
    const keep = f === "discard" ? hadLimits : !unset(existing[f]);
    (out as Record<string, unknown>)[f] = keep ? existing[f] : wanted[f];
  }
  return out;
}

async function ensureStream(jsm: JetStreamManager, cfg: NamedStreamConfig) {
  try {
    const existing = await jsm.streams.info(cfg.name);
    // The replica count is chosen when the exchange is set up (`atix up`, `atix init --publish`,
    // which refuses a different one): a service started without --replicas must not scale it down.
    const update = { ...cfg, ...limitsFor(existing.config, cfg), num_replicas: existing.config.num_replicas };
    await jsm.streams.update(cfg.name, update).catch(async (e: Error) => {
      // nats-server 2.9 cannot add republishing to a stream made without it (an exchange made by an
      // earlier ATIX): it keeps running without; its observers then follow the chain by polling.
      if (!isInvalidStreamConfig(e)) throw e;
      const { republish: _none, ...without } = update;
      await jsm.streams.update(cfg.name, existing.config.republish ? { ...without, republish: existing.config.republish } : without);
    });
  } catch (e) {
    if (!isStreamNotFound(e)) throw e;
    // Another process may create it at the same moment: that is as good.
    await jsm.streams.add(cfg).catch(ignoreExisting);
  }
}

/**
 * Streams and buckets, each with `replicas` copies (a consumer inherits its stream's). Every
 * step is retried through a leader election, so a service can start while a cluster node is down.
 * The consumers each agency's submissions and deliveries go through: ensureAgencyConsumer.
 */
export async function ensureLayout(nc: NatsConnection, opts: LayoutOptions = {}): Promise<JetStreamManager> {
  const replicas = opts.replicas ?? 1;
  const jsm = await retryTransient(() => jetstreamManager(nc));
  for (const cfg of streamConfigs(replicas)) await retryTransient(() => ensureStream(jsm, cfg));
  const kvm = new Kvm(nc);
  for (const [key, name] of Object.entries(buckets) as [keyof typeof buckets, string][]) {
    const limits = BUCKET_LIMITS[key];
    const history = name === buckets.config ? CONFIG_HISTORY : 1;
    await retryTransient(() =>
      kvm.create(name, { history, replicas, max_bytes: limits.max_bytes, ...(limits.max_age ? { ttl: limits.max_age / 1e6 } : {}) }).then(() => undefined, ignoreExisting),
    );
    await retryTransient(() => ensureBucketLimits(jsm, name, limits));
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

/** A bucket made before limits existed gets them; one whose limits an operator set keeps those. */
async function ensureBucketLimits(jsm: JetStreamManager, bucket: string, limits: (typeof BUCKET_LIMITS)[keyof typeof BUCKET_LIMITS]) {
  const stream = `KV_${bucket}`;
  const { config } = await jsm.streams.info(stream);
  const wanted = { max_bytes: limits.max_bytes, ...(limits.max_age ? { max_age: limits.max_age } : {}), ...(limits.discard ? { discard: limits.discard } : {}) };
  const next = limitsFor(config, wanted);
  if (LIMIT_FIELDS.every((f) => next[f] === undefined || next[f] === config[f])) return;
  await jsm.streams.update(stream, { ...config, ...next });
}

/**
 * How coordinators read one agency's submissions: in order, explicitly acked; a message held by
 * an instance that died goes to another within seconds (ack wait 5 s; held ones are marked in
 * progress). At most this many of one agency's submissions are handed out unanswered at once,
 * across all instances: the rest wait in the stream.
 */
export const SUBMISSION_READING = { ack_policy: AckPolicy.Explicit, ack_wait: 5 * SECOND_NS, max_ack_pending: 256, max_deliver: -1 } as const;

/** How an agency reads: in order, one at a time, acked explicitly, redelivered until acked. */
const AGENCY_READING = { ack_policy: AckPolicy.Explicit, ack_wait: 10 * SECOND_NS, max_ack_pending: 1_000, max_deliver: -1 } as const;

/**
 * The durable consumers of one agency: the queue of its submissions (which coordinators pull), and
 * the two through which it reads what is addressed to it, in order: its own deliveries (from the
 * first: nothing was addressed to it before it existed) and the broadcasts (only those stored
 * from now on: earlier ones went to the agencies registered then). Create them before a registry
 * naming the agency is published, so no broadcast to it is missed and its submissions are read.
 */
export async function ensureAgencyConsumer(jsm: JetStreamManager, agency: AgencyId) {
  await ensureSubmissionQueue(jsm, agency);
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
 * One agency's submission queue. On an exchange whose submissions went through the single
 * consumer of earlier versions, each queue starts after what that consumer had acknowledged (what
 * it held unanswered is read again: every step is idempotent), and that consumer goes once every
 * queue of the registry exists (retireLegacyIntake).
 */
async function ensureSubmissionQueue(jsm: JetStreamManager, agency: AgencyId) {
  const name = consumers.submissionsOf(agency);
  const exists = await retryTransient(() => jsm.consumers.info(streams.submissions.name, name).then(() => true, (e: Error) => (ignoreMissing(e), false)));
  const legacyFloor = exists ? undefined : await legacyAckFloor(jsm);
  await ensureConsumer(jsm, streams.submissions.name, {
    ...SUBMISSION_READING,
    durable_name: name,
    filter_subject: subjects.submitOf(agency),
    ...(legacyFloor === undefined ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: legacyFloor + 1 }),
  });
}

/** The stream sequence the earlier single consumer had acknowledged everything up to, if it exists. */
async function legacyAckFloor(jsm: JetStreamManager): Promise<number | undefined> {
  return retryTransient(() =>
    jsm.consumers.info(streams.submissions.name, consumers.legacySubmissions).then(
      (ci) => ci.ack_floor.stream_seq,
      (e: Error) => (ignoreMissing(e), undefined),
    ),
  );
}

/** Once every registered agency has its own queue, the earlier single consumer goes. Returns whether it did. */
export async function retireLegacyIntake(jsm: JetStreamManager): Promise<boolean> {
  if ((await legacyAckFloor(jsm)) === undefined) return false;
  await retryTransient(() => jsm.consumers.delete(streams.submissions.name, consumers.legacySubmissions).then(() => undefined, ignoreMissing));
  return true;
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
  if (!isConsumerNotFound(e)) throw e;
}

function ignoreExisting(e: Error) {
  if (!isAlreadyExists(e)) throw e;
}
