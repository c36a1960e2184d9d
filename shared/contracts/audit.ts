// An audit record: one exchange event, chained to the previous record by its hash and signed by
// the coordinator instance that wrote it. Each event has a `data` of its own shape (a union on
// `event`), so a reader that renames or mistypes a field fails to compile.
// hash = SHA-256 (hex) of the RFC 8785 canonical form of the record without `hash` and `signature`;
// signature = Ed25519 over the UTF-8 bytes of `hash` (its 64 hex characters).
import { z } from "zod";
import { Signature } from "./envelope.ts";
import { BATCH_MAX } from "./kinds/batch.ts";
import { ESCALATION_STEPS } from "./kinds/escalation.ts";
import { RejectionReason } from "./kinds/rejection.ts";
import { AgencyId, COORDINATOR_ID, MessageId, Precedence, Timestamp, Tlp } from "./primitives.ts";

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
/** Events that record an accepted message, each naming its recipients and deadline. */
export const ACCEPTED_EVENTS = ["submitted", "updated", "retracted", "answered", "hit-reported"] as const satisfies readonly AuditEvent[];
export type AcceptedEvent = (typeof ACCEPTED_EVENTS)[number];
const ACCEPTED: ReadonlySet<string> = new Set(ACCEPTED_EVENTS);
/** Whether a record (or one delivery's event of it) records an accepted message: narrows it to those variants. */
export const isAcceptedEvent = <R extends { event: string }>(r: R): r is Extract<R, { event: AcceptedEvent }> => ACCEPTED.has(r.event);

const Hash = z.string().regex(/^[0-9a-f]{64}$/, "expected a SHA-256 hash: 64 lowercase hex digits");
export const GENESIS_HASH = "0".repeat(64);
const Kind = z.string().max(40);
const Recipients = z.array(AgencyId).meta({ description: "Every agency the message was delivered to." });

/** submitted, updated, retracted, answered, hit-reported: an accepted message. */
export const AcceptedData = z
  .object({
    recipients: Recipients,
    precedence: Precedence,
    ackDeadline: Timestamp.meta({ description: "When each recipient's acknowledgement is due." }),
    tlp: Tlp.optional(),
    title: z.string().max(500).optional(),
    refersTo: MessageId.optional().meta({ description: "The alert or RFI an update, retraction, answer or hit is about." }),
  })
  .strict();
export type AcceptedData = z.infer<typeof AcceptedData>;

/** delivered: one record per accepted message, naming every recipient (no `agency`). */
export const DeliveredData = z
  .object({ recipients: Recipients, deadline: Timestamp, precedence: Precedence, originator: AgencyId })
  .strict();
export type DeliveredData = z.infer<typeof DeliveredData>;

/** Another delivery covered by the same receipt or acknowledgement (the record's own fields for it). */
const CoveredDelivery = {
  messageId: MessageId,
  kind: Kind,
  agency: AgencyId.meta({ description: "That delivery's originator." }),
  at: Timestamp.meta({ description: "The agency's own time for that delivery." }),
};

export const ReceiptedData = z
  .object({
    receiptId: MessageId,
    more: z.array(z.object(CoveredDelivery).strict()).optional().meta({ description: "Further deliveries the receipt counted for." }),
  })
  .strict();
export type ReceiptedData = z.infer<typeof ReceiptedData>;

/** What an acknowledgement records for each delivery it counted for. */
const AckFields = {
  officer: z.string().max(200).optional(),
  action: z.string().max(40).optional(),
  latencyMs: z.number().meta({ description: "Simulated ms from the delivery to the acknowledgement." }),
  withinDeadline: z.boolean(),
  precedence: Precedence,
};
export const AcknowledgedData = z
  .object({
    ackId: MessageId,
    ...AckFields,
    more: z
      .array(z.object({ ...CoveredDelivery, ...AckFields }).strict())
      .optional()
      .meta({ description: "Further deliveries the acknowledgement counted for, each with its own fields." }),
  })
  .strict();
export type AcknowledgedData = z.infer<typeof AcknowledgedData>;

/** A further late delivery a coalesced escalation covered (the same step, told to the same agency). */
const EscalatedItem = z
  .object({
    messageId: MessageId,
    kind: Kind,
    recipient: AgencyId.meta({ description: "The recipient that missed the deadline." }),
    precedence: Precedence,
    deadline: Timestamp,
    via: z.string().max(64).optional().meta({ description: "backup-contact: the organisation whose hub was told." }),
  })
  .strict();

/**
 * escalated: one escalation message, one step told to one agency (`agency`), covering one or more
 * late deliveries: the first in the record's own fields (`messageId`, `kind`, and here `recipient`,
 * `precedence`, `deadline`, `via`), the others in `more`. Its event id is
 * `escalated:<step>:<agency told>:<batch>` (before escalations were coalesced:
 * `escalated:<messageId>:<recipient>:<step>`, one per delivery, without `batch`).
 */
export const EscalatedData = z
  .object({
    step: z.enum(ESCALATION_STEPS),
    batch: z.number().int().positive().optional().meta({
      description: "Its number among the escalations of this step to this agency, from 1. Absent only in records written before escalations were coalesced (one per delivery and step).",
    }),
    recipient: AgencyId.meta({ description: "The recipient that missed the deadline." }),
    escalationId: MessageId.meta({ description: "The escalation message sent." }),
    via: z.string().max(64).optional().meta({ description: "backup-contact: the organisation whose hub was told." }),
    precedence: Precedence,
    deadline: Timestamp,
    more: z
      .array(EscalatedItem)
      .min(1)
      .max(BATCH_MAX - 1)
      .optional()
      .meta({ description: `Further late deliveries the escalation covered, up to ${BATCH_MAX} in all.` }),
  })
  .strict();
export type EscalatedData = z.infer<typeof EscalatedData>;

export const RejectedData = z
  .object({
    reasons: z.array(RejectionReason).min(1),
    submitter: z.string().max(100).meta({ description: "The NATS identity the submission came from." }),
    streamSeq: z.number().int().nonnegative().meta({ description: "The submission's sequence in ATIX_SUBMISSIONS." }),
    firstOutcome: MessageId.optional().meta({ description: "For a replay: the outcome of the first submission of the id." }),
  })
  .strict();
export type RejectedData = z.infer<typeof RejectedData>;

export const AUDIT_DATA = {
  submitted: AcceptedData,
  updated: AcceptedData,
  retracted: AcceptedData,
  answered: AcceptedData,
  "hit-reported": AcceptedData,
  delivered: DeliveredData,
  receipted: ReceiptedData,
  acknowledged: AcknowledgedData,
  escalated: EscalatedData,
  rejected: RejectedData,
} as const satisfies Record<AuditEvent, z.ZodType>;

/** The fields every record has; `signature` is passed in (required when written, optional when read back). */
const common = <S extends z.ZodType>(signature: S) => ({
  seq: z.number().int().positive().meta({ description: "Position in the chain, from 1, without gaps." }),
  eventId: z.string().min(1).max(200).meta({ description: "Deterministic id of the event; a retried write cannot add it twice." }),
  at: Timestamp.meta({ description: "Simulated time of the event." }),
  recordedAt: Timestamp.meta({ description: "Wall time the record was written." }),
  actor: z.union([AgencyId, z.literal(COORDINATOR_ID)]).meta({ description: "Who caused the event." }),
  messageId: MessageId.optional().meta({ description: "The message the event is about." }),
  kind: Kind.optional(),
  agency: AgencyId.optional().meta({
    description: "The other agency involved: the originator receipted or acknowledged to, the agency notified. None on \"delivered\" (data.recipients lists them).",
  }),
  prevHash: Hash.meta({ description: `The previous record's hash; ${GENESIS_HASH.slice(0, 8)}… (64 zeros) for record 1.` }),
  hash: Hash.meta({ description: "SHA-256 (hex) of the RFC 8785 canonical form of the record without hash and signature." }),
  signature,
});

function recordUnion<S extends z.ZodType>(signature: S) {
  const c = common(signature);
  const v = <E extends AuditEvent>(event: E) => z.object({ ...c, event: z.literal(event), data: AUDIT_DATA[event] }).strict();
  return z.discriminatedUnion("event", [
    v("submitted"), v("updated"), v("retracted"), v("answered"), v("hit-reported"),
    v("delivered"), v("receipted"), v("acknowledged"), v("escalated"), v("rejected"),
  ]);
}

const RecordSignature = Signature.meta({
  description: "The writing coordinator instance's Ed25519 signature over the UTF-8 bytes of `hash`; its key is a coordinator key of the registry.",
});

/** A record as written: signed. */
export const AuditRecord = recordUnion(RecordSignature);
export type AuditRecord = z.infer<typeof AuditRecord>;

/**
 * A record as read back: the same, with the signature optional, so that records written before
 * ATIX signed them are still read (the verifier refuses them, naming the first).
 */
export const StoredAuditRecord = recordUnion(RecordSignature.optional());
export type StoredAuditRecord = z.infer<typeof StoredAuditRecord>;

/** One variant of the record, by its event. */
export type AuditRecordOf<E extends AuditEvent> = Extract<StoredAuditRecord, { event: E }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a writer supplies; the chain adds seq, prevHash, hash, recordedAt and the signature. */
export type AuditEntry = DistributiveOmit<AuditRecord, "seq" | "prevHash" | "hash" | "recordedAt" | "signature">;
export type AuditEntryOf<E extends AuditEvent> = Extract<AuditEntry, { event: E }>;

/**
 * The live chain's head: its last record's position, hash, times and signature, as coordinators
 * publish it and `atix audit head --json` prints it. Keep a copy: `atix audit verify FILE --head`
 * checks that an export reaches it and agrees with it.
 */
export const AuditHead = z
  .object({
    seq: z.number().int().nonnegative(),
    hash: Hash,
    at: Timestamp.meta({ description: "Simulated time of the head record's event." }),
    recordedAt: Timestamp.meta({ description: "Wall time the head record was written." }),
    signer: z.string().max(100).optional().meta({ description: "The coordinator instance whose key signed it, as the registry names it." }),
    signature: RecordSignature,
  })
  .strict();
export type AuditHead = z.infer<typeof AuditHead>;
