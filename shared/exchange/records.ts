// The coordinator's durable records in the key-value buckets. Observers (status, send --wait,
// dashboard) read them too, so their shape is defined once, here.
import { z } from "zod";
import { AgencyId, MessageId, Precedence, Timestamp, Tlp } from "../contracts/primitives.ts";
import { BATCH_MAX } from "../contracts/kinds/batch.ts";
import { ESCALATION_STEPS } from "../contracts/kinds/escalation.ts";

/** Outcome of a submission, kept so a replayed id gets the first outcome again. */
export const SeenRecord = z.object({
  outcome: z.enum(["accepted", "rejected"]),
  outcomeId: MessageId,
  /** The outcome exactly as first sent, for replays. */
  outcomeJson: z.string(),
  streamSeq: z.number(),
  kind: z.string(),
  sender: z.string(),
  recipients: z.array(AgencyId).default([]),
  at: Timestamp,
});
export type SeenRecord = z.infer<typeof SeenRecord>;

/** An accepted alert, update, retraction, RFI, answer or hit: who sent it and who got it. */
export const MessageRecord = z.object({
  id: MessageId,
  kind: z.string(),
  originator: AgencyId,
  recipients: z.array(AgencyId),
  precedence: Precedence,
  tlp: Tlp.optional(),
  title: z.string().optional(),
  category: z.string().optional(),
  /** For updates, retractions, answers and hits: the alert or RFI they refer to. */
  refersTo: MessageId.optional(),
  /** For RFIs: the question (its first 500 characters) and the alert it follows up, for observers to show. */
  question: z.string().max(500).optional(),
  aboutAlert: MessageId.optional(),
  state: z.enum(["active", "retracted"]).default("active"),
  retractedBy: MessageId.optional(),
  sentAt: Timestamp,
  acceptedAt: Timestamp,
  ackDeadline: Timestamp,
});
export type MessageRecord = z.infer<typeof MessageRecord>;

export const EscalationState = z.enum(["claimed", "done", "skipped"]);

/**
 * One delivery to one recipient and how far it got. Not stored as such (so a type, not a contract
 * to parse): the projection of the audit chain (shared/exchange/tracking-view.ts), the one record
 * of deliveries.
 */
export interface TrackingRecord {
  messageId: z.infer<typeof MessageId>;
  kind: string;
  originator: z.infer<typeof AgencyId>;
  recipient: z.infer<typeof AgencyId>;
  precedence: z.infer<typeof Precedence>;
  deliveredAt: z.infer<typeof Timestamp>;
  deadline: z.infer<typeof Timestamp>;
  state: "delivered" | "receipted" | "acknowledged" | "closed";
  receiptAt?: z.infer<typeof Timestamp>;
  /** The receipt and acknowledgement that counted; later copies change nothing. */
  receiptId?: z.infer<typeof MessageId>;
  ackAt?: z.infer<typeof Timestamp>;
  ackId?: z.infer<typeof MessageId>;
  ackBy?: string;
  ackLatencyMs?: number;
  withinDeadline?: boolean;
  escalations: Partial<Record<(typeof ESCALATION_STEPS)[number], z.infer<typeof EscalationState>>>;
}

/** One overdue delivery a coalesced escalation covers, as its claim freezes it. */
export const ClaimedItem = z
  .object({
    messageId: MessageId,
    kind: z.string(),
    recipient: AgencyId,
    precedence: Precedence,
    deadline: Timestamp,
    via: z.string().optional(),
  })
  .strict();
export type ClaimedItem = z.infer<typeof ClaimedItem>;

/**
 * An escalation taken on by one coordinator instance, so exactly one performs it. Key:
 * `<step>.<notify>.<batch>` in the claims bucket (escalationClaimKey): the batch'th escalation of
 * that step to that agency. The claim freezes what it covers and when (`items`, `at`), so an
 * instance finishing a claim left by a dead one sends the very same message. (Claims of earlier
 * versions, one per delivery and step, have neither.)
 */
export const EscalationClaim = z.object({
  state: EscalationState,
  instance: z.string(),
  /** Wall time of the claim, so a claim left by a dead instance can be finished by another. */
  claimedAtWall: z.number(),
  /** Simulated time the escalation is sent at (its sentAt and audit time). */
  at: Timestamp.optional(),
  items: z.array(ClaimedItem).max(BATCH_MAX).optional(),
});
export type EscalationClaim = z.infer<typeof EscalationClaim>;

export const escalationClaimKey = (step: string, notify: string, batch: number) => `${step}.${notify}.${batch}`;
