// nats-server configuration generated from the registry: who may publish and read what.
// An agency may publish only as itself and read only its own deliveries, outcomes and replies;
// it cannot touch streams, the audit chain or another agency's consumer. Each agency is alone in
// a NATS account of its own: nothing it sends reaches the exchange's account (where JetStream,
// the coordinators and the observers live) except through the few subjects imported for it.
import { AGENCY_JS_API, buckets, consumers, JS_API, jsApi, streams, subjects } from "../contracts/subjects.ts";
import { SUBMISSION_MAX_BYTES } from "../nats/streams.ts";
import type { Identity } from "./identities.ts";

const q = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(q).join(", ")}]`;

/** The exchange's own account: JetStream, the coordinators and the observers live here. */
export const EXCHANGE_ACCOUNT = "ATIX";
export const agencyAccount = (agency: string) => `AGENCY_${agency}`;

/**
 * What an agency may send into the exchange's account, each a service it imports: its
 * submissions and presence, and for each of its two consumers (its own deliveries, the
 * broadcasts) that consumer's info, next messages and acks. Nothing names another agency's
 * consumer, nor any consumer create, update or delete. `subject` is the name in the exchange's
 * account, `local` the name in the agency's (the JetStream API under AGENCY_JS_API). As service
 * imports, every reply is mapped back by the server, so nothing the exchange answers can land
 * anywhere but back in the agency's own account.
 */
export function agencyServices(agency: string): { subject: string; local: string; stream?: true }[] {
  const deliveries = streams.deliveries.name;
  const same = (subject: string) => ({ subject, local: subject });
  const reading = (consumer: string) => [
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

/** What an agency may receive from the exchange's account (stream imports), besides replies. */
const agencyStreams = (agency: string) => [subjects.outcomeOf(agency), subjects.clock];

/** Within its account, an agency may publish only what it imports and read only its own inbox. */
export function agencyPermissions(agency: string) {
  return {
    publish: agencyServices(agency).map((s) => s.local),
    subscribe: [`${subjects.inboxPrefix(agency)}.>`, ...agencyStreams(agency)],
  };
}

/**
 * The durable consumers the exchange runs on: the coordinators' shared intake and two per agency.
 * Only the coordinator may create, change, pull from, ack on or delete them.
 */
function durables(agencies: string[]) {
  return [
    { stream: streams.submissions.name, consumer: consumers.legacySubmissions },
    ...agencies.map((a) => ({ stream: streams.submissions.name, consumer: consumers.submissionsOf(a) })),
    ...agencies.flatMap((a) => agencyConsumers(a).map((consumer) => ({ stream: streams.deliveries.name, consumer }))),
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
 * needs two per agency, the submissions stream one; the rest is room for coordinators' and
 * observers' readers. It bounds how many consumers the observer credential can make.
 */
export const exchangeMaxConsumers = (agencies: number) => 2 * agencies + 256;

/**
 * Read-only: may read every stream and bucket through consumers of its own, change nothing.
 * Its consumers are named (nats.js ordered consumers name theirs), so the legacy unnamed create
 * subject is not allowed: through it a config naming an existing durable would update that one.
 */
export function observerPermissions(user: string, agencies: string[] = []) {
  const readable = [...Object.values(streams).map((s) => s.name), ...Object.values(buckets).map((b) => `KV_${b}`)];
  return {
    publish: [
      `${JS_API}.INFO`,
      `${JS_API}.STREAM.NAMES`,
      `${JS_API}.STREAM.LIST`,
      ...readable.flatMap((s) => [
        `${JS_API}.STREAM.INFO.${s}`,
        `${JS_API}.STREAM.MSG.GET.${s}`,
        `${JS_API}.DIRECT.GET.${s}`,
        `${JS_API}.DIRECT.GET.${s}.>`,
        // 2.9 names the consumer (and optionally its filter) in the create subject.
        `${JS_API}.CONSUMER.CREATE.${s}.>`,
        `${JS_API}.CONSUMER.INFO.${s}.>`,
        `${JS_API}.CONSUMER.MSG.NEXT.${s}.>`,
        `${JS_API}.CONSUMER.DELETE.${s}.>`,
      ]),
      "$JS.ACK.>",
      "$JS.FC.>",
    ],
    // Deny wins over allow: the exchange's own durables stay out of reach (info stays readable).
    publishDeny: durables(agencies).flatMap(({ stream, consumer }) => [
      `${JS_API}.CONSUMER.CREATE.${stream}.${consumer}`,
      `${JS_API}.CONSUMER.CREATE.${stream}.${consumer}.>`,
      `${JS_API}.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
      `${JS_API}.CONSUMER.DELETE.${stream}.${consumer}`,
      `$JS.ACK.${stream}.${consumer}.>`,
    ]),
    subscribe: [`${subjects.inboxPrefix(user)}.>`, subjects.presenceAll, subjects.coordinatorHeartbeatAll, subjects.outcomeAll, subjects.clock],
  };
}

export interface ServerAuth {
  coordinator: Identity;
  observer: Identity;
  agencies: Identity[];
}

function userBlock(id: Identity, perms?: { publish: string[]; publishDeny?: string[]; subscribe: string[] }) {
  if (!perms) return `      { nkey: ${q(id.publicKey)} }`;
  const deny = perms.publishDeny?.length ? `, deny: ${list(perms.publishDeny)}` : "";
  return `      { nkey: ${q(id.publicKey)}, permissions: { publish: { allow: ${list(perms.publish)}${deny} }, subscribe: { allow: ${list(perms.subscribe)} } } }`;
}

/**
 * The `accounts` block of nats.conf. The coordinator user may do everything in the exchange's
 * account (ATIX, the only one with JetStream); the observer only reads there. Each agency is alone
 * in an account of its own (AGENCY_<ID>) that imports only its own subjects: the server checks a
 * publish's subject against the permissions but not its reply subject, and JetStream answers
 * (PubAck, API replies, deliveries) from inside the account it runs in — within one account an
 * agency could name a stream's subject as its reply and have JetStream write there for it.
 */
export function authorizationConfig(auth: ServerAuth): string {
  const ids = auth.agencies.map((a) => a.user);
  const exports = ids.flatMap((id) => [
    ...agencyServices(id).map((s) => `      { service: ${q(s.subject)}${s.stream ? `, response_type: "stream"` : ""}, accounts: [${q(agencyAccount(id))}] }`),
    `      { stream: ${q(subjects.outcomeOf(id))}, accounts: [${q(agencyAccount(id))}] }`,
  ]);
  if (ids.length) exports.push(`      { stream: ${q(subjects.clock)}, accounts: ${list(ids.map(agencyAccount))} }`);
  const exchange = [
    `  ${EXCHANGE_ACCOUNT}: {`,
    `    jetstream: { max_consumers: ${exchangeMaxConsumers(ids.length)} }`,
    `    users: [`,
    `      # coordinator: routes, stores and audits; manages the streams`,
    userBlock(auth.coordinator),
    `      # observer: dashboards, watch, status and audit (read-only)`,
    userBlock(auth.observer, observerPermissions(auth.observer.user, ids)),
    `    ]`,
    ...(exports.length ? [`    exports: [`, ...exports, `    ]`] : []),
    `  }`,
  ];
  const agencies = auth.agencies.flatMap((a) => [
    `  # ${a.user}: alone in its account; sees the exchange only through these imports`,
    `  ${agencyAccount(a.user)}: {`,
    accountLimits(AGENCY_LIMITS),
    `    users: [`,
    userBlock(a, agencyPermissions(a.user)),
    `    ]`,
    `    imports: [`,
    ...agencyServices(a.user).map((s) => `      { service: { account: ${q(EXCHANGE_ACCOUNT)}, subject: ${q(s.subject)} }${s.local !== s.subject ? `, to: ${q(s.local)}` : ""} }`),
    ...agencyStreams(a.user).map((subject) => `      { stream: { account: ${q(EXCHANGE_ACCOUNT)}, subject: ${q(subject)} } }`),
    `    ]`,
    `  }`,
  ]);
  return `accounts {\n${[...exchange, ...agencies].join("\n")}\n}\n`;
}
