// nats-server configuration generated from the registry: who may publish and read what.
// An agency may publish only as itself and read only its own deliveries, outcomes and replies
// (and the registry, the clock and the audit chain's head); it cannot touch streams, the audit
// chain or another agency's consumer. The read-only observer (dashboards, watch, status, audit)
// reads the chain, the config and the live signals and can change nothing. Each agency, and the
// observer, is alone in a NATS account of its own: nothing it sends reaches the exchange's account
// (where JetStream and the coordinators live) except through the few subjects imported for it,
// and whatever the exchange answers is mapped back into its own account. Every member account
// has limits (connections, subscriptions, payload), so no credential can grow the server unbounded.
import { AGENCY_JS_API, buckets, consumers, jsApi, kvStream, REGISTRY_SUBJECT, streams, subjects } from "../contracts/subjects.ts";
import { SUBMISSION_MAX_BYTES } from "../nats/streams.ts";
import { OBSERVER_USER } from "./identities.ts";

const q = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(q).join(", ")}]`;

/** The exchange's own account: JetStream and the coordinators live here. */
export const EXCHANGE_ACCOUNT = "ATIX";
/** The read-only observer's account: no JetStream, only imports that read. */
export const OBSERVER_ACCOUNT = "OBSERVER";
export const agencyAccount = (agency: string) => `AGENCY_${agency}`;

/** A service imported under another name (the JetStream API under AGENCY_JS_API). */
interface Imported {
  subject: string;
  local: string;
  stream?: true;
}
const same = (subject: string): Imported => ({ subject, local: subject });
const prefixed = (subject: (prefix?: string) => string): Imported => ({ subject: subject(), local: subject(AGENCY_JS_API) });

/** The registry's key in the config bucket, by direct get: agencies read the public keys there. */
const registryGet = prefixed((p) => jsApi.directGet(kvStream(buckets.config), p, REGISTRY_SUBJECT));

/**
 * What an agency may send into the exchange's account, each a service it imports: its
 * submissions and presence, and for each of its two consumers (its own deliveries, the
 * broadcasts) that consumer's info, next messages and acks. Nothing names another agency's
 * consumer, nor any consumer create, update or delete. `subject` is the name in the exchange's
 * account, `local` the name in the agency's (the JetStream API under AGENCY_JS_API). As service
 * imports, every reply is mapped back by the server, so nothing the exchange answers can land
 * anywhere but back in the agency's own account.
 */
export function agencyServices(agency: string): Imported[] {
  const deliveries = streams.deliveries.name;
  const reading = (consumer: string): Imported[] => [
    { subject: jsApi.consumerInfo(deliveries, consumer), local: jsApi.consumerInfo(deliveries, consumer, AGENCY_JS_API) },
    { subject: jsApi.consumerNext(deliveries, consumer), local: jsApi.consumerNext(deliveries, consumer, AGENCY_JS_API), stream: true as const },
    same(jsApi.acks(deliveries, consumer)),
  ];
  return [
    same(subjects.submitOf(agency)),
    same(subjects.presence(agency)),
    ...agencyConsumers(agency).flatMap(reading),
  ];
}

/** The durable consumers one agency reads: its own deliveries, then the broadcasts. */
export const agencyConsumers = (agency: string) => [consumers.agency(agency), consumers.broadcast(agency)];

/** What every agency may read of the exchange's account: the registry's public keys. */
const memberServices: Imported[] = [registryGet];
/**
 * What every member (agencies, the observer) receives live: the clock, the chain's signed head, and
 * each new revision of the registry as it is stored (a key registered or rotated, an agency added).
 */
const memberStreams: string[] = [subjects.clock, subjects.auditHead, REGISTRY_SUBJECT];

/** What an agency may receive from the exchange's account (stream imports), besides replies. */
const agencyStreams = (agency: string) => [subjects.outcomeOf(agency), ...memberStreams];

/** Within its account, an agency may publish only what it imports and read only its own inbox. */
export function agencyPermissions(agency: string) {
  return {
    publish: [...agencyServices(agency), ...memberServices].map((s) => s.local),
    subscribe: [`${subjects.inboxPrefix(agency)}.>`, ...agencyStreams(agency)],
  };
}

/**
 * What the observer may request of the exchange's account, each a service import: direct gets of
 * the audit stream and of the config and message buckets (by sequence, by last or next on a
 * subject), of the checkpoints stream, and the info of the three streams (audit, submissions, deliveries). Each only reads; none creates a consumer or writes, and
 * every answer is mapped back into the observer's account, whatever reply subject it names.
 */
export function observerServices(): Imported[] {
  const gets = (stream: string) => [prefixed((p) => jsApi.directGet(stream, p)), prefixed((p) => jsApi.directGet(stream, p, ">"))];
  return [
    ...gets(streams.audit.name),
    // The newest checkpoint (its manifest by last on its subject, its chunks by sequence): what status reads instead of the whole chain.
    ...gets(streams.checkpoints.name),
    ...gets(kvStream(buckets.config)),
    ...gets(kvStream(buckets.messages)),
    // Each stream's state and configuration: the chain's end, and what `atix status` shows of each against its limits.
    ...[streams.audit.name, streams.submissions.name, streams.deliveries.name].map((name) => prefixed((p) => jsApi.streamInfo(name, p))),
  ];
}

/**
 * What one account may hold on the server (nats-server 2.9 enforces a `limits` block per account
 * in config mode; docs/operations.md): any account can be given one with accountLimits().
 */
export interface AccountLimits {
  /** Connections open at once. */
  max_connections: number;
  /** Subscriptions per connection. */
  max_subscriptions: number;
  /** Largest message a connection may publish, headers included (bytes). */
  max_payload: number;
}

/**
 * The observer: a dashboard, `atix watch`, `atix status`, `atix audit` and a runner's collectors
 * at once, with room; each needs a handful of subscriptions (its inbox, the live signals it
 * imports); it publishes only small read requests (a direct get, the audit stream's info), and
 * what it receives (records up to the contract's size) is not bounded by this.
 */
export const OBSERVER_LIMITS: AccountLimits = { max_connections: 64, max_subscriptions: 256, max_payload: 4 * 1024 };

/**
 * An agency: its node, a facilitator's `atix send` and a reconnect in progress; the few
 * subscriptions a node needs (inbox, two pulls, outcomes, clock) with room to spare; its largest
 * submission with its headers.
 */
export const AGENCY_LIMITS: AccountLimits = { max_connections: 8, max_subscriptions: 256, max_payload: SUBMISSION_MAX_BYTES + 4 * 1024 };

/** The `limits` line of an account block. */
export const accountLimits = (l: AccountLimits) =>
  `    limits: { max_connections: ${l.max_connections}, max_subscriptions: ${l.max_subscriptions}, max_payload: ${l.max_payload} }`;

/**
 * The exchange's account runs JetStream for everyone: every stream holds at most this many
 * consumers (nats-server 2.9 applies an account's max_consumers per stream). The deliveries stream
 * needs two per agency, the submissions stream one per agency; the rest is room for the
 * coordinators' own readers (chain followers, bucket watches). Only the coordinator user can make
 * consumers at all: agencies and the observer live in accounts without JetStream, and their
 * imports name no consumer create.
 */
export const exchangeMaxConsumers = (agencies: number) => 2 * agencies + 256;

/**
 * What the observer receives from the exchange's account (stream imports): the live signals, each
 * audit record as stored, the head. Agencies' presence comes from each agency's own account: what
 * reaches the exchange's account through a service import is not passed on by its stream exports.
 */
const observerStreams = [subjects.coordinatorHeartbeatAll, subjects.outcomeAll, subjects.auditStored, ...memberStreams];

/** The observer may publish only the reads it imports, and read only its inbox and what is exported to it. */
export function observerPermissions(user: string) {
  return {
    publish: observerServices().map((s) => s.local),
    subscribe: [`${subjects.inboxPrefix(user)}.>`, subjects.presenceAll, ...observerStreams],
  };
}

/** Who may log in: public keys only (the broker checks a signature of its nonce, never a secret). */
export interface ServerAuth {
  coordinator: string;
  observer: string;
  /** Each agency with the keys it may log in with now: two during a key rotation's overlap. */
  agencies: { id: string; publicKeys: string[] }[];
}

function userBlock(publicKey: string, perms?: { publish: string[]; subscribe: string[] }) {
  if (!perms) return `      { nkey: ${q(publicKey)} }`;
  return `      { nkey: ${q(publicKey)}, permissions: { publish: { allow: ${list(perms.publish)} }, subscribe: { allow: ${list(perms.subscribe)} } } }`;
}

const serviceExport = (s: Imported, accounts: string[]) => `      { service: ${q(s.subject)}${s.stream ? `, response_type: "stream"` : ""}, accounts: ${list(accounts)} }`;
const streamExport = (subject: string, accounts: string[]) => `      { stream: ${q(subject)}, accounts: ${list(accounts)} }`;
const serviceImport = (s: Imported) => `      { service: { account: ${q(EXCHANGE_ACCOUNT)}, subject: ${q(s.subject)} }${s.local !== s.subject ? `, to: ${q(s.local)}` : ""} }`;
const streamImport = (subject: string) => `      { stream: { account: ${q(EXCHANGE_ACCOUNT)}, subject: ${q(subject)} } }`;

/**
 * The `accounts` block of nats.conf. The coordinator user may do everything in the exchange's
 * account (ATIX, the only one with JetStream). The observer (OBSERVER) and each agency
 * (AGENCY_<ID>) are alone in accounts of their own that import only their own subjects: the server
 * checks a publish's subject against the permissions but not its reply subject, and JetStream
 * answers (PubAck, API replies, deliveries, a push consumer's copies) from inside the account it
 * runs in — within the exchange's account any client could name a stream's subject as its reply
 * (or a consumer's deliver subject) and have JetStream write there for it. Through a service
 * import the server maps the reply back into the importing account instead.
 */
export function authorizationConfig(auth: ServerAuth): string {
  const ids = auth.agencies.map((a) => a.id);
  const members = [...ids.map(agencyAccount), OBSERVER_ACCOUNT];
  const exports = [
    ...ids.flatMap((id) => [
      ...agencyServices(id).map((s) => serviceExport(s, [agencyAccount(id)])),
      streamExport(subjects.outcomeOf(id), [agencyAccount(id)]),
    ]),
    ...observerServices().map((s) => serviceExport(s, [OBSERVER_ACCOUNT])),
    // The observer's wildcard gets of the config bucket cover the registry's key as well.
    ...(ids.length ? memberServices.map((s) => serviceExport(s, ids.map(agencyAccount))) : []),
    ...observerStreams.filter((s) => !memberStreams.includes(s)).map((s) => streamExport(s, [OBSERVER_ACCOUNT])),
    ...memberStreams.map((s) => streamExport(s, members)),
  ];
  const exchange = [
    `  ${EXCHANGE_ACCOUNT}: {`,
    `    jetstream: { max_consumers: ${exchangeMaxConsumers(ids.length)} }`,
    `    users: [`,
    `      # coordinator: routes, stores and audits; manages the streams`,
    userBlock(auth.coordinator),
    `    ]`,
    `    exports: [`,
    ...exports,
    `    ]`,
    `  }`,
  ];
  const observer = [
    `  # observer: dashboards, watch, status and audit; reads through these imports and can change nothing`,
    `  ${OBSERVER_ACCOUNT}: {`,
    accountLimits(OBSERVER_LIMITS),
    `    users: [`,
    userBlock(auth.observer, observerPermissions(OBSERVER_USER)),
    `    ]`,
    `    imports: [`,
    ...observerServices().map(serviceImport),
    ...observerStreams.map(streamImport),
    // Each agency's presence, from its own account.
    ...ids.map((id) => `      { stream: { account: ${q(agencyAccount(id))}, subject: ${q(subjects.presence(id))} } }`),
    `    ]`,
    `  }`,
  ];
  const agencies = auth.agencies.flatMap((a) => [
    `  # ${a.id}: alone in its account; sees the exchange only through these imports`,
    `  ${agencyAccount(a.id)}: {`,
    accountLimits(AGENCY_LIMITS),
    `    users: [`,
    ...a.publicKeys.map((k) => userBlock(k, agencyPermissions(a.id))),
    `    ]`,
    `    exports: [`,
    streamExport(subjects.presence(a.id), [OBSERVER_ACCOUNT]),
    `    ]`,
    `    imports: [`,
    ...[...agencyServices(a.id), ...memberServices].map(serviceImport),
    ...agencyStreams(a.id).map(streamImport),
    `    ]`,
    `  }`,
  ]);
  return `accounts {\n${[...exchange, ...observer, ...agencies].join("\n")}\n}\n`;
}
