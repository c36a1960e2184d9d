// Every NATS subject and stream name of the exchange, built here and nowhere else.
import type { AgencyId } from "./primitives.ts";
import type { MessageKind } from "./message.ts";

/** Largest message the exchange accepts, in bytes of UTF-8 JSON. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

const ROOT = "atix";

export const subjects = {
  /** An agency publishes its submissions (any agency kind) here; permissions pin ID to its user. */
  submit: (agency: AgencyId, kind: MessageKind) => `${ROOT}.submit.${agency}.${kind}`,
  submitAll: `${ROOT}.submit.>`,
  submitOf: (agency: AgencyId) => `${ROOT}.submit.${agency}.>`,
  /** The coordinator stores each delivery for its recipient here. */
  deliver: (agency: AgencyId, kind: MessageKind) => `${ROOT}.deliver.${agency}.${kind}`,
  deliverAll: `${ROOT}.deliver.>`,
  deliverOf: (agency: AgencyId) => `${ROOT}.deliver.${agency}.>`,
  /**
   * A delivery to every agency but its sender, stored once and read by each agency's broadcast
   * consumer. In the deliveries stream (so `deliverAll` covers it); "all" is lowercase, which no
   * agency id can be, so `deliverOf(agency)` never matches it.
   */
  broadcast: (kind: MessageKind) => `${ROOT}.deliver.all.${kind}`,
  broadcastAll: `${ROOT}.deliver.all.>`,
  /**
   * Outcome of a submission (acceptance or rejection), live to whoever waits for it; the same
   * outcome is also stored among the submitter's deliveries.
   */
  outcome: (agency: AgencyId, messageId: string) => `${ROOT}.outcome.${agency}.${messageId}`,
  outcomeOf: (agency: AgencyId) => `${ROOT}.outcome.${agency}.>`,
  outcomeAll: `${ROOT}.outcome.>`,
  /** Live presence / duty status (core NATS, not stored). */
  presence: (agency: AgencyId) => `${ROOT}.presence.${agency}`,
  presenceAll: `${ROOT}.presence.>`,
  /** The audit chain: one subject, so the stream keeps a single total order. */
  audit: `${ROOT}.audit`,
  /**
   * Each audit record as the stream stored it (republished by the server, with its stream sequence
   * in the Nats-Sequence header): observers follow the chain here, without a consumer.
   */
  auditStored: `${ROOT}.audit.stored`,
  /** The chain's signed head, published by every coordinator instance every second: members keep copies. */
  auditHead: `${ROOT}.audit.head`,
  /**
   * Checkpoints of the coordinators' tracking view (shared/exchange/checkpoints.ts): each one's
   * data in chunks, then its signed manifest. Only coordinators write here; observers read it.
   */
  checkpointData: `${ROOT}.checkpoint.data`,
  checkpointManifest: `${ROOT}.checkpoint.manifest`,
  /** The exchange's simulated clock, broadcast every second and on every change. */
  clock: `${ROOT}.clock`,
  /** Coordinator instances announce themselves here (core NATS heartbeats). */
  coordinatorHeartbeat: (instance: string) => `${ROOT}.coordinator.${instance}`,
  coordinatorHeartbeatAll: `${ROOT}.coordinator.>`,
  /** Per-user inbox prefix, so no agency can see another's replies. */
  inboxPrefix: (user: string) => `_INBOX_${user}`,
} as const;

/** JetStream's own API prefix, as seen from the exchange's account (coordinators, observers). */
export const JS_API = "$JS.API";

/**
 * The JetStream API prefix an agency (and the read-only observer) uses: set it as the client's
 * JetStream API prefix. Each agency, and the observer, is alone in a NATS account without
 * JetStream, where the server answers `$JS.API.>` itself ("JetStream not enabled for account");
 * the few calls it may make (an agency: its own consumers' info and next messages; the observer:
 * direct gets and the audit stream's info) are imported from the exchange's account under this name.
 */
export const AGENCY_JS_API = "$JS.ATIX.API";

/** JetStream API and ack subjects of one consumer, under a given API prefix. */
export const jsApi = {
  consumerInfo: (stream: string, consumer: string, prefix: string = JS_API) => `${prefix}.CONSUMER.INFO.${stream}.${consumer}`,
  consumerNext: (stream: string, consumer: string, prefix: string = JS_API) => `${prefix}.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
  /** Acks are not API calls: they keep their name whatever the prefix. */
  acks: (stream: string, consumer: string) => `$JS.ACK.${stream}.${consumer}.>`,
  /** A direct get of a stored message: by a request naming it (`{"seq":N}`, …) or, with `subject`, the last on that subject. */
  directGet: (stream: string, prefix: string = JS_API, subject?: string) => `${prefix}.DIRECT.GET.${stream}${subject ? `.${subject}` : ""}`,
  streamInfo: (stream: string, prefix: string = JS_API) => `${prefix}.STREAM.INFO.${stream}`,
} as const;

export const streams = {
  submissions: { name: "ATIX_SUBMISSIONS", subjects: [subjects.submitAll] },
  deliveries: { name: "ATIX_DELIVERIES", subjects: [subjects.deliverAll] },
  audit: { name: "ATIX_AUDIT", subjects: [subjects.audit] },
  checkpoints: { name: "ATIX_CHECKPOINTS", subjects: [subjects.checkpointData, subjects.checkpointManifest] },
} as const;

export const consumers = {
  /** The durable consumer through which an agency reads its own deliveries. */
  agency: (agency: AgencyId) => `agency-${agency}`,
  /** The durable consumer through which an agency reads the broadcasts (filtered on broadcastAll). */
  broadcast: (agency: AgencyId) => `broadcast-${agency}`,
  /**
   * One agency's submissions, as a queue of their own (filtered on submitOf): every coordinator
   * instance pulls from each in turn, so one agency's backlog never stands in front of another's.
   */
  submissionsOf: (agency: AgencyId) => `submit-${agency}`,
  /** The one consumer all submissions went through before per-agency queues; taken over once, then removed. */
  legacySubmissions: "coordinators",
} as const;

/** The stream behind a key-value bucket, and the subject of one of its keys. */
export const kvStream = (bucket: string) => `KV_${bucket}`;
export const kvSubject = (bucket: string, key: string) => `$KV.${bucket}.${key}`;

/** Key-value buckets (JetStream KV) holding the exchange's durable state. */
export const buckets = {
  config: "ATIX_CONFIG",
  seen: "ATIX_SEEN",
  messages: "ATIX_MESSAGES",
  /** Escalations claimed by coordinators (`<step>.<notify>.<batch>`); delivery state is the audit chain's. */
  escalationClaims: "ATIX_ESCALATION_CLAIMS",
} as const;

/**
 * The registry's key in the config bucket. Each new revision stored there is also published on
 * this subject: members subscribe to it to learn of keys registered or rotated (and read its last
 * value by a direct get of it).
 */
export const REGISTRY_SUBJECT = kvSubject(buckets.config, "registry");

/**
 * On a broadcast delivery: the recipients it was stored for, comma-separated. An agency not named
 * (one that joined or left while the broadcast was decided) drops it, unread.
 */
export const RECIPIENTS_HEADER = "Atix-Recipients";

/**
 * On a delivery whose originator signed with a key being retired (a rotation's overlap): when the
 * exchange stored the submission (ISO 8601, wall time). Its key's validity is judged at that
 * moment, not when the delivery was stored (a coordinator busy at the key's end may store it after).
 */
export const SUBMITTED_AT_HEADER = "Atix-Submitted-At";
