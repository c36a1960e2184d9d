import { z } from "zod";
import { CoordinatorSender, envelope } from "../envelope.ts";
import { AgencyId, MessageId, Precedence, Timestamp } from "../primitives.ts";
import { BATCH_MAX } from "./batch.ts";

export const ESCALATION_STEPS = ["reminder", "backup-contact", "originator"] as const;

const Via = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, "expected an organisation id")
  .meta({ description: "backup-contact: the organisation whose regional hub is notified." });

/** One overdue delivery an escalation is about. */
const Missed = {
  messageId: MessageId.meta({ description: "The delivered message that was not acknowledged in time." }),
  recipient: AgencyId.meta({ description: "The agency whose acknowledgement is overdue." }),
  precedence: Precedence,
  deadline: Timestamp.meta({ description: "The acknowledgement deadline that was missed." }),
};

const MissedItem = z.object({ ...Missed, via: Via.optional() }).strict();
export type EscalationItem = z.infer<typeof MissedItem>;

/**
 * Issued by the coordinator when acknowledgement deadlines pass. One message per step and party
 * told, listing every overdue delivery that step covers (the first in the body's own fields, the
 * others in `more`): a desk that missed 300 deadlines gets one reminder, not 300.
 */
export const EscalationBody = z
  .object({
    ...Missed,
    step: z.enum(ESCALATION_STEPS).meta({
      description: "reminder: to the recipient; backup-contact: to its organisation's regional hub; originator: to the sender.",
    }),
    notify: AgencyId.meta({ description: "The agency this escalation is addressed to." }),
    via: Via.optional(),
    more: z
      .array(MissedItem)
      .min(1)
      .max(BATCH_MAX - 1)
      .optional()
      .meta({ description: `Further overdue deliveries this escalation covers (the same step, told to the same agency), up to ${BATCH_MAX} in all.` }),
  })
  .strict()
  .superRefine((b, ctx) => {
    // Each delivery once: a message may be missed by several recipients, a recipient may miss several messages.
    const seen = new Set([`${b.messageId} ${b.recipient}`]);
    b.more?.forEach((item, i) => {
      const key = `${item.messageId} ${item.recipient}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["more", i, "messageId"], message: "expected each delivery once: this messageId and recipient are repeated" });
      seen.add(key);
    });
  });

export const EscalationMessage = envelope("escalation", EscalationBody, CoordinatorSender);
export type EscalationMessage = z.infer<typeof EscalationMessage>;

/** Every overdue delivery an escalation covers, the first included. */
export function escalationItems(b: z.infer<typeof EscalationBody>): EscalationItem[] {
  const { messageId, recipient, precedence, deadline, via } = b;
  return [{ messageId, recipient, precedence, deadline, ...(via ? { via } : {}) }, ...(b.more ?? [])];
}
