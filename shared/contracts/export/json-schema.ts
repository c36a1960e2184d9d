// JSON Schema for every message kind, generated from the zod contracts so the two never drift.
import { z } from "zod";
import { KIND_DESCRIPTIONS, Message, MESSAGE_KINDS, MESSAGE_SCHEMAS, type MessageKind } from "../message.ts";
import { SCHEMA_VERSION } from "../envelope.ts";
import { AuditHead, AuditRecord } from "../audit.ts";

export type JsonSchema = Record<string, unknown>;
type Target = "draft-2020-12" | "draft-07";

export const schemaId = (name: string) => `urn:atix:schema:${SCHEMA_VERSION}:${name}`;

/** Rules across fields that JSON Schema cannot state; documented so integrators enforce them too. */
export const UNEXPRESSIBLE_RULES = [
  "Times that must come after the envelope's sentAt (alert validUntil, alert-update changes.validUntil, rfi respondBy).",
  "A receipt or acknowledgement names each delivery once (body.messageId and every body.more[].messageId differ).",
] as const;

const generate = (schema: z.ZodType, target: Target): JsonSchema =>
  z.toJSONSchema(schema, { target, io: "input", unrepresentable: "throw" }) as JsonSchema;

export function kindSchema(kind: MessageKind, target: Target = "draft-2020-12"): JsonSchema {
  const { $schema, ...rest } = generate(MESSAGE_SCHEMAS[kind], target);
  return {
    ...(target === "draft-2020-12" ? { $schema, $id: schemaId(kind) } : {}),
    title: `ATIX ${kind} message`,
    description: `${KIND_DESCRIPTIONS[kind]} ${UNEXPRESSIBLE_RULES.join(" ")}`,
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
