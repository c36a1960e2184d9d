// The AsyncAPI 3.0 description of the exchange, seen from an agency node: what it sends,
// what it receives, on which NATS subjects, with which payloads.
import { z } from "zod";
import { ClockState } from "../../clock.ts";
import { AuditHead } from "../audit.ts";
import { SCHEMA_VERSION } from "../envelope.ts";
import { BATCH_MAX } from "../kinds/batch.ts";
import { AGENCY_KINDS, BROADCAST_KINDS, KIND_DESCRIPTIONS, MESSAGE_KINDS, type MessageKind } from "../message.ts";
import { COORDINATOR_ID, DEFAULT_ACK_DEADLINE_MINUTES } from "../primitives.ts";
import { PRESENCE_INTERVAL_MS } from "../kinds/presence.ts";
import { RegistryData } from "../registry.ts";
import {
  AGENCY_JS_API, buckets, consumers, jsApi, kvStream, MAX_MESSAGE_BYTES, REGISTRY_SUBJECT, streams, SUBMITTED_AT_HEADER, subjects,
} from "../subjects.ts";
import { allKindSchemas, UNEXPRESSIBLE_RULES } from "./json-schema.ts";

/** Kinds the coordinator stores for a recipient: what an agency consumes from its deliveries. */
export const DELIVERED_KINDS: MessageKind[] = [
  "alert", "alert-update", "alert-retraction", "rfi", "rfi-response", "hit", "escalation", "acceptance", "rejection",
];
/** What may reach every other agency as one stored broadcast: an alert or RFI to all, its updates and retraction. */
const BROADCAST_KIND_LIST: MessageKind[] = MESSAGE_KINDS.filter((k) => BROADCAST_KINDS.has(k));
const OUTCOME_KINDS: MessageKind[] = ["acceptance", "rejection"];

const refs = (kinds: MessageKind[]) =>
  Object.fromEntries(kinds.map((k) => [k, { $ref: `#/components/messages/${k}` }]));
const opRefs = (channel: string, kinds: MessageKind[]) =>
  kinds.map((k) => ({ $ref: `#/channels/${channel}/messages/${k}` }));

// Channel addresses come from the subjects module, with AsyncAPI parameters in place of values.
const AGENCY = "{agency}";
const KIND = "{kind}" as MessageKind;

const channel = (address: string, title: string, description: string, parameters: object, kinds: MessageKind[]) => ({
  address, title, description, parameters, messages: refs(kinds),
});
const operation = (action: "send" | "receive", title: string, channelName: string, kinds: MessageKind[]) => ({
  action, title, channel: { $ref: `#/channels/${channelName}` }, messages: opRefs(channelName, kinds),
});

const agencyParam = {
  description:
    "The agency id: the ISO 3166-1 alpha-2 code of its state, optionally followed by - and 1 to 8 capitals or digits when a state has several services (AZ, DE-BKA, XA-0417). Your NATS user may only use its own.",
  examples: ["AZ", "KZ", "DE-BKA"],
};

const deadlines = Object.entries(DEFAULT_ACK_DEADLINE_MINUTES)
  .map(([p, m]) => `${p} ${m} min`)
  .join(", ");

const registryGet = jsApi.directGet(kvStream(buckets.config), AGENCY_JS_API, REGISTRY_SUBJECT);
const rules = Object.entries(UNEXPRESSIBLE_RULES).map(([k, r]) => `${k}: ${r}`).join(" ");

const description = `
ATIX is a simulated 24/7 antiterror information exchange between security services. This document
describes it from the point of view of one **agency node**; it is enough to write one in any language
(docs/onboarding.md walks through one, docs/protocol.md has every detail).

**Your key.** Your agency makes its own key pair (an Ed25519 NATS user nkey: public key U…, seed SU…;
\`atix keys new\`) and keeps the seed; the exchange registers only the public key. The operator gives
you a connection file (\`atix onboard\`): servers, your subjects and consumers, and the exchange's public keys.

**Connecting.** Connect to NATS with your nkey. Use the inbox prefix \`${subjects.inboxPrefix("<ID>")}\` for requests: your
permissions allow no other. Your agency has a NATS account of its own that imports only your own
subjects: set your client's JetStream API prefix to \`${AGENCY_JS_API}\` (instead of \`$JS.API\`) and no domain.
You may publish only on subjects that carry your own id.

**Message form.** Every message is UTF-8 JSON of at most ${MAX_MESSAGE_BYTES} bytes with the envelope
\`id\` (UUID v7), \`kind\`, \`schemaVersion\` ("${SCHEMA_VERSION}"), \`sender\`, \`sentAt\` (simulated time, ISO 8601 with offset),
optional \`correlationId\`/\`inReplyTo\`, \`signature\`, and a kind-specific \`body\`. Messages from the
coordinator carry sender "${COORDINATOR_ID}". The time in a UUID v7 is simulated time, like every time in a message:
make your id from your \`sentAt\`, so ids sort by simulated creation time across every kind.

**Signing.** Every submission must be signed: take the message without its \`signature\` field, serialise
it with RFC 8785 (JSON Canonicalization Scheme), sign the UTF-8 bytes with Ed25519 using your nkey seed,
and set \`signature\` to \`{"alg":"ed25519","key":"<your U… public key>","value":"<base64url signature, no padding>"}\`.
The coordinator checks that the key is one the registry lists for you, valid when the exchange stored
the submission (keys have a validity in wall time: a rotated key stays valid for an overlap, then is
refused with \`bad-signature\`), and that it matches the NATS user that published.

**Submitting.** Publish to \`${subjects.submit(AGENCY, KIND)}\` (captured by the JetStream stream ${streams.submissions.name};
publish through JetStream and use the message id as the \`Nats-Msg-Id\` header so retries are not doubled).
The coordinator answers with an **acceptance** (resolved recipients) or a **rejection** (machine-readable
reasons with field paths), live on \`${subjects.outcome(AGENCY, "{messageId}")}\` (subscribe before you publish) and
stored among your deliveries. Receipts and acknowledgements are answered only when rejected. A new
submission reusing an id is rejected (code \`replay\`) and never becomes a second message.

**Receiving.** Everything addressed to you is stored in the JetStream stream ${streams.deliveries.name}
on \`${subjects.deliver(AGENCY, KIND)}\`. Read it through your durable pull consumer
\`${consumers.agency(AGENCY)}\` (the exchange creates it, filtered on \`${subjects.deliverOf(AGENCY)}\`; you cannot
create consumers; bind to it by stream and name), so that after an outage you receive everything you missed, in order. What goes to every agency
but its sender (an alert or RFI to all, its updates and retraction; never an answer or a hit) is stored once instead, on \`${subjects.broadcast(KIND)}\` (same stream): read it through your second
durable pull consumer \`${consumers.broadcast(AGENCY)}\` (filtered on \`${subjects.broadcastAll}\`; it starts when your
agency joined). Read both, each in order; skip (just ack) a broadcast whose sender is you, and handle
every other exactly like a delivery of your own; deduplicate by message id across both. For each alert, alert-update,
alert-retraction, rfi, rfi-response and hit delivered, at once submit a **receipt** (machine), then
JetStream-ack the delivery; when the duty officer has seen and acted on it, submit an **acknowledgement**.

**Verifying.** Verify every delivery's signature first: an agency's message with the key its \`signature.key\` names,
which the registry must list for that agency (\`agencies[].publicKey\`, or one of \`agencies[].keys\` after a rotation)
and which must have been valid when the exchange stored the message (the \`${SUBMITTED_AT_HEADER}\` header when present, else
the delivery's own JetStream timestamp, between the key's \`validFrom\` and \`validUntil\`); the coordinator's (acceptance,
rejection, escalation) with one of the registry's coordinator keys (\`coordinators[].publicKey\`). One that does not
verify is JetStream-acked and logged, never receipted or acknowledged, and handed to no one. The registry is one
value: request \`${registryGet}\` with an empty payload (a JetStream direct get); each new revision is also
published on \`${REGISTRY_SUBJECT}\` (the registry channel): subscribe to it to learn of keys registered or rotated.
Under load one receipt or acknowledgement may cover up to ${BATCH_MAX} deliveries (\`body.more\`).
Acceptances, rejections and escalations are only JetStream-acked. Acknowledgement deadlines follow precedence (${deadlines}, configurable per
exchange); a missed deadline escalates: reminder to you, notice to your organisation's regional hub,
notice to the originator.

**Presence.** Publish a signed presence on \`${subjects.presence(AGENCY)}\` when your duty status changes and every
${PRESENCE_INTERVAL_MS / 1000} s while connected: \`atix status\` counts an agency online when heard within 2.5 s.

**The audit chain's head.** Every coordinator publishes the chain's signed head every second on
\`${subjects.auditHead}\`: keep copies, to check an export of the chain against later (docs/audit.md).

**Rules the schemas also enforce:** TLP:RED goes to named agencies only; H3 needs a handling note;
indicators must be well formed. A rule of the exchange's policy: TLP:RED names at most 12 agencies
(setting tlpRedMaxAgencies; rejection code \`policy\` beyond). Rules JSON Schema cannot state: ${rules}
`.trim();

const clockSchema = z.toJSONSchema(ClockState, { target: "draft-07", io: "input" });
const headSchema = z.toJSONSchema(AuditHead, { target: "draft-07", io: "input" });
const registrySchema = z.toJSONSchema(RegistryData, { target: "draft-07", io: "input" });

export function asyncApiDocument(serverHost = "127.0.0.1:4222"): Record<string, unknown> {
  const schemas = allKindSchemas("draft-07");
  return {
    asyncapi: "3.0.0",
    info: {
      title: "ATIX antiterror information exchange",
      version: SCHEMA_VERSION,
      description,
      license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
    },
    defaultContentType: "application/json",
    servers: {
      exchange: {
        host: serverHost,
        protocol: "nats",
        description: "The exchange's NATS server with JetStream; `atix up` prints and records the real address in .atix/exchange.json.",
      },
    },
    channels: {
      submit: channel(subjects.submit(AGENCY, KIND), "Submissions", `What an agency sends to the exchange. Stored in the stream ${streams.submissions.name}.`,
        { agency: agencyParam, kind: { enum: AGENCY_KINDS, description: "The message kind; must equal the payload's kind." } }, AGENCY_KINDS),
      deliver: channel(subjects.deliver(AGENCY, KIND), "Deliveries", `What the coordinator stores for one recipient, durably, in the stream ${streams.deliveries.name}.`,
        { agency: agencyParam, kind: { enum: DELIVERED_KINDS, description: "The delivered message's kind." } }, DELIVERED_KINDS),
      broadcast: channel(subjects.broadcast(KIND), "Broadcasts", `What the coordinator stores once for every agency but the sender, durably, in the stream ${streams.deliveries.name}; each agency reads it through its consumer ${consumers.broadcast(AGENCY)}.`,
        { kind: { enum: BROADCAST_KIND_LIST, description: "The broadcast message's kind." } }, BROADCAST_KIND_LIST),
      outcome: channel(subjects.outcome(AGENCY, "{messageId}"), "Submission outcomes", "The coordinator's answer to one submission, live (core NATS); a copy is stored among the submitter's deliveries.",
        { agency: agencyParam, messageId: { description: "The submitted message's id." } }, OUTCOME_KINDS),
      clock: {
        address: subjects.clock,
        title: "Exchange clock",
        description: "The simulated clock, broadcast every second: {simAnchor, wallAnchor, speed, paused}; simulated now = simAnchor + (wall now - wallAnchor) x speed (simAnchor while paused). Deadlines and sentAt use it.",
        messages: { clock: { $ref: "#/components/messages/clock" } },
      },
      auditHead: {
        address: subjects.auditHead,
        title: "Audit chain head",
        description: "The audit chain's last record as each coordinator instance has read it, signed (Ed25519 over its hash, with a coordinator key of the registry), every second: keep copies.",
        messages: { auditHead: { $ref: "#/components/messages/auditHead" } },
      },
      presence: channel(subjects.presence(AGENCY), "Duty status", `Live presence (core NATS), signed: publish when the duty status changes and every ${PRESENCE_INTERVAL_MS / 1000} s while connected (\`atix status\` counts an agency online when heard within 2.5 s; the dashboard calls it offline after 10 s of silence).`,
        { agency: agencyParam }, ["presence"]),
      registry: {
        address: REGISTRY_SUBJECT,
        title: "Registry",
        description: `Each new revision of the registry as the exchange stores it: agencies with their public keys (and, after a rotation, every key with its validity), organisations, sharing groups and the coordinators' keys. Its current value: request ${registryGet} with an empty payload.`,
        messages: { registry: { $ref: "#/components/messages/registry" } },
      },
    },
    operations: {
      submit: operation("send", "Submit a message", "submit", AGENCY_KINDS),
      receiveDeliveries: operation("receive", "Receive what is addressed to this agency", "deliver", DELIVERED_KINDS),
      receiveBroadcasts: operation("receive", "Receive what is addressed to every agency (skip your own)", "broadcast", BROADCAST_KIND_LIST),
      receiveOutcomes: operation("receive", "Receive the outcome of each submission", "outcome", OUTCOME_KINDS),
      followClock: { action: "receive", title: "Follow the exchange's simulated clock", channel: { $ref: "#/channels/clock" }, messages: [{ $ref: "#/channels/clock/messages/clock" }] },
      keepAuditHead: { action: "receive", title: "Keep copies of the audit chain's signed head", channel: { $ref: "#/channels/auditHead" }, messages: [{ $ref: "#/channels/auditHead/messages/auditHead" }] },
      followRegistry: { action: "receive", title: "Follow the registry's public keys", channel: { $ref: "#/channels/registry" }, messages: [{ $ref: "#/channels/registry/messages/registry" }] },
      announcePresence: operation("send", "Announce duty status", "presence", ["presence"]),
    },
    components: {
      schemas: { ...schemas, clock: clockSchema, auditHead: headSchema, registry: registrySchema },
      messages: Object.fromEntries([
        ...MESSAGE_KINDS.map((k): [string, object] => [
          k,
          {
            name: k,
            title: k,
            summary: KIND_DESCRIPTIONS[k],
            contentType: "application/json",
            headers: {
              type: "object",
              properties: { "Nats-Msg-Id": { type: "string", description: "The message id, for JetStream de-duplication." } },
            },
            payload: { $ref: `#/components/schemas/${k}` },
          },
        ]),
        ["clock", { name: "clock", title: "clock", summary: "The exchange's simulated clock state.", contentType: "application/json", payload: { $ref: "#/components/schemas/clock" } }],
        ["auditHead", { name: "auditHead", title: "audit chain head", summary: "The audit chain's signed head.", contentType: "application/json", payload: { $ref: "#/components/schemas/auditHead" } }],
        ["registry", { name: "registry", title: "registry", summary: "The exchange's registry: who takes part, with which public keys.", contentType: "application/json", payload: { $ref: "#/components/schemas/registry" } }],
      ]),
    },
  };
}

/** Adds each kind's example to its message, so readers see a real payload next to the schema. */
export function withExamples(doc: Record<string, unknown>, examples: Partial<Record<MessageKind, unknown>>) {
  const messages = (doc.components as { messages: Record<string, Record<string, unknown>> }).messages;
  for (const [kind, payload] of Object.entries(examples)) {
    const m = messages[kind];
    if (m) m.examples = [{ name: `${kind}-example`, summary: `A ${kind} from the shipped examples`, payload }];
  }
  return doc;
}
