import { z } from "zod";
import { boundedText } from "../bounded-text.ts";
import { CoordinatorSender, envelope } from "../envelope.ts";
import { AgencyId, MessageId, ShortText } from "../primitives.ts";

export const REJECTION_CODES = [
  "malformed", // not JSON, or not an object
  "too-large",
  "invalid", // fails the contract; path says where
  "unknown-sender",
  "unsigned",
  "bad-signature",
  "sender-mismatch", // signed or sent by another NATS identity than the sender field
  "replay",
  "unauthorised", // TLP, handling or role rules
  "unknown-reference", // names an alert or RFI that does not exist
  "no-recipients",
  "policy", // allowed by the contract, refused by the exchange's policy (a setting); the message names the limit
  "rate-limited", // over the sender's quota (submissions in flight or per minute): slow down, resubmit with a new id
] as const;

export const RejectionReason = z
  .object({
    code: z.enum(REJECTION_CODES),
    path: z.string().max(500).meta({ description: "The field at fault, such as body.distribution.agencies; empty for the whole message." }),
    message: ShortText(1000).meta({ description: "What was expected." }),
  })
  .strict();
export type RejectionReason = z.infer<typeof RejectionReason>;

/** Reasons one rejection names at most. */
export const MAX_REASONS = 100;

/**
 * At most MAX_REASONS reasons: a batch of 500 deliveries can fault item by item, and a rejection
 * over the bound would be refused by the node it is for. The last one kept says how many more.
 */
export function boundedReasons(reasons: RejectionReason[]): RejectionReason[] {
  if (reasons.length <= MAX_REASONS) return reasons;
  const kept = reasons.slice(0, MAX_REASONS - 1);
  const rest = reasons.length - kept.length;
  const next = reasons[kept.length]!;
  kept.push({ code: next.code, path: next.path, message: `${boundedText(next.message, 900)} (and ${rest - 1} more not listed)` });
  return kept;
}

/** The coordinator's answer to a submission it refused; also recorded in the audit chain. */
export const RejectionBody = z
  .object({
    messageId: MessageId.optional().meta({ description: "The rejected submission's id, when it had a readable one." }),
    submitter: AgencyId.meta({ description: "The NATS identity the submission came from." }),
    reasons: z.array(RejectionReason).min(1).max(MAX_REASONS),
  })
  .strict();

export const RejectionMessage = envelope("rejection", RejectionBody, CoordinatorSender);
export type RejectionMessage = z.infer<typeof RejectionMessage>;
