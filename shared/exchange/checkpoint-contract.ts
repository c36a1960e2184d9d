// What a checkpoint of the tracking view holds, defined once: the coordinator writes it, and a
// restarting coordinator and `atix status` read it instead of the whole audit chain. A checkpoint
// is the view as of one record of the chain (its position) plus the records its writer had
// applied as it wrote them but not yet read back (`ahead`): a reader restores it and applies the
// chain from the record after the position, passing over those.
import { z } from "zod";
import { Signature } from "../contracts/envelope.ts";
import { AgencyId, MessageId, Precedence, PRECEDENCES, Timestamp } from "../contracts/primitives.ts";
import { ESCALATION_STEPS } from "../contracts/kinds/escalation.ts";
import { EscalationState } from "./records.ts";
import { MAX_WRITTEN, SNAPSHOT_KNOWN_MESSAGES } from "./tracking-view.ts";

export const CHECKPOINT_VERSION = 1;

/**
 * What a snapshot may hold, at most: a coordinator's own bounds (services/coordinator, docs/operations.md)
 * with room to spare, so a checkpoint that holds more was not written by one and is refused
 * before it costs its reader.
 */
export const SNAPSHOT_LIMITS = {
  /** Deliveries in all: 120,000 open and 20,000 settled kept, and settled ones younger than six simulated hours. */
  deliveries: 400_000,
  /** Messages remembered: what a snapshot keeps of them. */
  known: SNAPSHOT_KNOWN_MESSAGES,
  /** Records applied ahead of the position: at most what a view notes as written. */
  ahead: MAX_WRITTEN,
  escalationBatches: 100_000,
} as const;
/** Recipients of one message's deliveries. */
const MAX_RECIPIENTS = 10_000;

const Count = z.number().int().nonnegative();
const Hash = z.string().regex(/^[0-9a-f]{64}$/, "expected a SHA-256 hash: 64 lowercase hex digits");
/** An audit record's event id. */
const EventId = z.string().min(1).max(200);
/** A time in simulated ms; null where the view holds none (it starts at minus infinity). */
const MsOrNone = z.number().nullable();

/** One delivery's own state (shared/exchange/records.ts TrackingRecord, less what its message's deliveries share). */
export const RecipientState = z.object({
  recipient: AgencyId,
  state: z.enum(["delivered", "receipted", "acknowledged", "closed"]),
  receiptAt: Timestamp.optional(),
  receiptId: MessageId.optional(),
  ackAt: Timestamp.optional(),
  ackId: MessageId.optional(),
  ackBy: z.string().max(200).optional(),
  ackLatencyMs: z.number().optional(),
  withinDeadline: z.boolean().optional(),
  /** Absent while no escalation step was taken. */
  escalations: z.partialRecord(z.enum(ESCALATION_STEPS), EscalationState).optional(),
});

/**
 * Deliveries of one message made together (one "delivered" record): what they share is written
 * once, so a broadcast's 89 deliveries cost little more than one.
 */
export const DeliveryGroup = z.object({
  messageId: MessageId,
  kind: z.string().max(40),
  originator: AgencyId,
  precedence: Precedence,
  deliveredAt: Timestamp,
  deadline: Timestamp,
  to: z.array(RecipientState).min(1).max(MAX_RECIPIENTS),
});
export type DeliveryGroup = z.infer<typeof DeliveryGroup>;

/** The counters behind the exchange's figures (shared/exchange/figures.ts): what cannot be recounted from open deliveries. */
export const FigureCounts = z.object({
  messagesAccepted: Count,
  alertsAndRfis: Count,
  rejected: Count,
  escalations: Count,
  byPrecedence: z.object(
    Object.fromEntries(PRECEDENCES.map((p) => [p, z.object({ deliveries: Count, acknowledged: Count, withinDeadline: Count, withdrawn: Count })])) as Record<
      Precedence,
      z.ZodObject<{ deliveries: typeof Count; acknowledged: typeof Count; withinDeadline: typeof Count; withdrawn: typeof Count }>
    >,
  ),
});
export type FigureCounts = z.infer<typeof FigureCounts>;

/** The view's state: its deliveries, what it remembers of those it forgot, and its counters. */
export const TrackingSnapshot = z.object({
  /** Every delivery held (open ones, and settled ones not yet forgotten), message by message. */
  deliveries: z.array(DeliveryGroup).max(SNAPSHOT_LIMITS.deliveries),
  /** The settled ones among them (indexes into the deliveries, groups taken in order), oldest settled first: what is forgotten first. */
  settled: z.array(Count).max(SNAPSHOT_LIMITS.deliveries),
  escalationBatches: z.array(z.object({ step: z.enum(ESCALATION_STEPS), agency: AgencyId, batch: Count, atMs: z.number(), items: Count })).max(SNAPSHOT_LIMITS.escalationBatches),
  /** Messages whose deliveries the view held, with their delivery time (ms), oldest first. */
  // Only ever looked up (never written into a record or a message): a bounded string will do.
  known: z.array(z.tuple([z.string().max(64), z.number()])).max(SNAPSHOT_LIMITS.known),
  knownBeforeMs: MsOrNone,
  prunedBeforeMs: MsOrNone,
  counts: FigureCounts,
  /** Event ids of records the writer had applied but not yet read back from the chain. */
  ahead: z.array(EventId).max(SNAPSHOT_LIMITS.ahead),
});
export type TrackingSnapshot = z.infer<typeof TrackingSnapshot>;

/** Where in the chain a checkpoint stands: the last record applied, as stored. */
export const ChainPosition = z.object({
  /** The record's seq in the chain. */
  seq: z.number().int().positive(),
  /** Its sequence in the audit stream. */
  streamSeq: z.number().int().positive(),
  hash: Hash,
  /** The record's own time (simulated). */
  at: Timestamp,
});
export type ChainPosition = z.infer<typeof ChainPosition>;

/**
 * What names a checkpoint and vouches for it: stored last, after its data. The data (the snapshot
 * as gzipped JSON) is stored in chunks, at the listed stream sequences; `sha256` is the digest of
 * the chunks joined, and the signature (by a coordinator key of the registry) covers the manifest.
 */
export const CheckpointManifest = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  position: ChainPosition,
  chunks: z.array(z.number().int().positive()).min(1).max(4096),
  bytes: Count,
  sha256: Hash,
  /** How many deliveries it holds, open among them: for logs and `atix status`. */
  deliveries: Count,
  open: Count,
  instance: z.string().min(1).max(200),
  writtenAt: Timestamp,
  signature: Signature,
});
export type CheckpointManifest = z.infer<typeof CheckpointManifest>;
