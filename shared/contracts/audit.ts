// An audit record: one exchange event, chained to the previous record by its hash.
// hash = SHA-256 (hex) of the RFC 8785 canonical form of the record without `hash`.
import { z } from "zod";
import { AgencyId, COORDINATOR_ID, MessageId, Timestamp } from "./primitives.ts";

export const AUDIT_EVENTS = [
  "submitted",
  "rejected",
  "delivered",
  "receipted",
  "acknowledged",
  "escalated",
  "updated",
  "retracted",
  "answered",
  "hit-reported",
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

const Hash = z.string().regex(/^[0-9a-f]{64}$/, "expected a SHA-256 hash: 64 lowercase hex digits");
export const GENESIS_HASH = "0".repeat(64);

export const AuditRecord = z
  .object({
    seq: z.number().int().positive().meta({ description: "Position in the chain, from 1, without gaps." }),
    eventId: z.string().min(1).max(200).meta({ description: "Deterministic id of the event; a retried write cannot add it twice." }),
    event: z.enum(AUDIT_EVENTS),
    at: Timestamp.meta({ description: "Simulated time of the event." }),
    recordedAt: Timestamp.meta({ description: "Wall time the record was written." }),
    actor: z.union([AgencyId, z.literal(COORDINATOR_ID)]).meta({ description: "Who caused the event." }),
    messageId: MessageId.optional().meta({ description: "The message the event is about." }),
    kind: z.string().max(40).optional(),
    agency: AgencyId.optional().meta({
      description: "The other agency involved: the originator receipted or acknowledged to, the agency notified. None on \"delivered\" (data.recipients lists them).",
    }),
    data: z.record(z.string(), z.unknown()).default({}).meta({
      description: "The event's details. A record may stand for many deliveries (data.recipients, data.more): see docs/audit.md.",
    }),
    prevHash: Hash,
    hash: Hash,
  })
  .strict();
export type AuditRecord = z.infer<typeof AuditRecord>;
/** What a writer supplies; the chain adds seq, hashes and recordedAt. */
export type AuditEntry = Omit<AuditRecord, "seq" | "prevHash" | "hash" | "recordedAt" | "data"> & {
  data?: Record<string, unknown>;
};
