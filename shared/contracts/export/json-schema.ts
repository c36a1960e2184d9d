// JSON Schema for every message kind, generated from the zod contracts so the two never drift.
import { z } from "zod";
import { KIND_DESCRIPTIONS, Message, MESSAGE_KINDS, MESSAGE_SCHEMAS, type MessageKind } from "../message.ts";
import { SCHEMA_VERSION } from "../envelope.ts";
import { AuditHead, AuditRecord } from "../audit.ts";
import { ConnectionFile } from "../connection.ts";
import { AgencyPublicKeyFile, RegistryData } from "../registry.ts";

export type JsonSchema = Record<string, unknown>;
type Target = "draft-2020-12" | "draft-07";

export const schemaId = (name: string) => `urn:atix:schema:${SCHEMA_VERSION}:${name}`;

/**
 * Rules across fields that JSON Schema cannot state, per kind: written into the description of the
 * schemas they apply to (and nowhere else), so integrators enforce them too.
 */
export const UNEXPRESSIBLE_RULES: Partial<Record<MessageKind, string>> = {
  alert: "body.validUntil, when present, must be later than sentAt.",
  "alert-update": "body.changes.validUntil, when present, must be later than sentAt.",
  rfi: "body.respondBy must be later than sentAt.",
  receipt: "Each delivery is named once: body.messageId and every body.more[].messageId differ.",
  acknowledgement: "Each delivery is named once: body.messageId and every body.more[].messageId differ.",
};

/** A kind's description, with the rule JSON Schema cannot state for it, if any. */
export const kindDescription = (kind: MessageKind) =>
  UNEXPRESSIBLE_RULES[kind] ? `${KIND_DESCRIPTIONS[kind]} Beyond this schema: ${UNEXPRESSIBLE_RULES[kind]}` : KIND_DESCRIPTIONS[kind];

const generate = (schema: z.ZodType, target: Target): JsonSchema =>
  z.toJSONSchema(schema, { target, io: "input", unrepresentable: "throw" }) as JsonSchema;

export function kindSchema(kind: MessageKind, target: Target = "draft-2020-12"): JsonSchema {
  const { $schema, ...rest } = generate(MESSAGE_SCHEMAS[kind], target);
  return {
    ...(target === "draft-2020-12" ? { $schema, $id: schemaId(kind) } : {}),
    title: `ATIX ${kind} message`,
    description: kindDescription(kind),
    ...rest,
  };
}

/** The schema any valid ATIX message satisfies: exactly one of the kinds. */
export function messageSchema(): JsonSchema {
  const { $schema, ...rest } = generate(Message, "draft-2020-12");
  return { $schema, $id: schemaId("message"), title: "Any ATIX message", ...rest };
}

export const allKindSchemas = (target: Target = "draft-2020-12") =>
  Object.fromEntries(MESSAGE_KINDS.map((k) => [k, kindSchema(k, target)])) as Record<MessageKind, JsonSchema>;

/** An audit record as the chain stores it (`atix audit export` writes one per line): one shape per event. */
export function auditRecordSchema(): JsonSchema {
  const { $schema, ...rest } = generate(AuditRecord, "draft-2020-12");
  return {
    $schema, $id: schemaId("audit-record"), title: "ATIX audit record",
    description: "One event of the exchange, chained by hash and signed by the coordinator instance that wrote it. `data` has one shape per `event` (docs/audit.md).",
    ...rest,
  };
}

/** The chain's signed head (`atix audit head --json`, and what coordinators publish on atix.audit.head). */
export function auditHeadSchema(): JsonSchema {
  const { $schema, ...rest } = generate(AuditHead, "draft-2020-12");
  return { $schema, $id: schemaId("audit-head"), title: "ATIX audit chain head", ...rest };
}

/** Schemas of the files and values around the messages: the registry, a connection file, an agency's `.pub`. */
export function exchangeSchemas(): Record<string, JsonSchema> {
  const of = (name: string, schema: z.ZodType, title: string, description: string) => {
    const { $schema, ...rest } = generate(schema, "draft-2020-12");
    return [name, { $schema, $id: schemaId(name), title, description, ...rest }] as const;
  };
  return Object.fromEntries([
    of("registry", RegistryData, "ATIX registry", "Who takes part and with which public keys: the config bucket's registry key, each revision also published on $KV.ATIX_CONFIG.registry."),
    of("connection", ConnectionFile, "ATIX connection file", "What an agency's node needs besides its own seed (`atix onboard`). Public keys only."),
    of("agency-public-key", AgencyPublicKeyFile, "ATIX agency public key file", "ID.pub as `atix keys new` writes it on the agency's side; the agency sends it to the exchange's operator."),
  ]);
}
