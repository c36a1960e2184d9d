// nats-server configuration generated from the registry: who may publish and read what.
// An agency may publish only as itself and read only its own deliveries, outcomes and replies;
// it cannot touch streams, the audit chain or another agency's consumer.
import { buckets, consumers, streams, subjects } from "../contracts/subjects.ts";
import type { Identity } from "./identities.ts";

const q = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(q).join(", ")}]`;

export function agencyPermissions(agency: string) {
  const deliveries = streams.deliveries.name;
  const consumer = consumers.agency(agency);
  return {
    publish: [
      subjects.submitOf(agency),
      subjects.presence(agency),
      `$JS.API.CONSUMER.INFO.${deliveries}.${consumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${deliveries}.${consumer}`,
      `$JS.ACK.${deliveries}.${consumer}.>`,
    ],
    subscribe: [`${subjects.inboxPrefix(agency)}.>`, subjects.outcomeOf(agency), subjects.clock],
  };
}

/** Read-only: may read every stream and bucket through consumers of its own, change nothing. */
export function observerPermissions(user: string) {
  const readable = [...Object.values(streams).map((s) => s.name), ...Object.values(buckets).map((b) => `KV_${b}`)];
  return {
    publish: [
      "$JS.API.INFO",
      "$JS.API.STREAM.NAMES",
      "$JS.API.STREAM.LIST",
      ...readable.flatMap((s) => [
        `$JS.API.STREAM.INFO.${s}`,
        `$JS.API.STREAM.MSG.GET.${s}`,
        `$JS.API.DIRECT.GET.${s}`,
        `$JS.API.DIRECT.GET.${s}.>`,
        // Consumers only read; 2.9 also names the consumer and filter in the create subject.
        `$JS.API.CONSUMER.CREATE.${s}`,
        `$JS.API.CONSUMER.CREATE.${s}.>`,
        `$JS.API.CONSUMER.INFO.${s}.>`,
        `$JS.API.CONSUMER.MSG.NEXT.${s}.>`,
        `$JS.API.CONSUMER.DELETE.${s}.>`,
      ]),
      "$JS.ACK.>",
      "$JS.FC.>",
    ],
    subscribe: [`${subjects.inboxPrefix(user)}.>`, subjects.presenceAll, subjects.coordinatorHeartbeatAll, subjects.outcomeAll, subjects.clock],
  };
}

export interface ServerAuth {
  coordinator: Identity;
  observer: Identity;
  agencies: Identity[];
}

function userBlock(id: Identity, perms?: { publish: string[]; subscribe: string[] }) {
  if (!perms) return `    { nkey: ${q(id.publicKey)} }`;
  return `    { nkey: ${q(id.publicKey)}, permissions: { publish: { allow: ${list(perms.publish)} }, subscribe: { allow: ${list(perms.subscribe)} } } }`;
}

/** The `authorization` block of nats.conf. The coordinator user may do everything. */
export function authorizationConfig(auth: ServerAuth): string {
  const users = [
    `    # coordinator: routes, stores and audits; manages the streams`,
    userBlock(auth.coordinator),
    `    # observer: dashboards, watch, status and audit (read-only)`,
    userBlock(auth.observer, observerPermissions(auth.observer.user)),
    `    # one user per agency`,
    ...auth.agencies.map((a) => userBlock(a, agencyPermissions(a.user))),
  ];
  return `authorization {\n  users = [\n${users.join("\n")}\n  ]\n}\n`;
}
