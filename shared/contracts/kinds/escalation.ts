import { z } from "zod";
import { CoordinatorSender, envelope } from "../envelope.ts";
import { AgencyId, MessageId, Precedence, Timestamp } from "../primitives.ts";

export const ESCALATION_STEPS = ["reminder", "backup-contact", "originator"] as const;

/** Issued by the coordinator when a delivery's acknowledgement deadline passes. */
export const EscalationBody = z
  .object({
    messageId: MessageId.meta({ description: "The delivered message that was not acknowledged in time." }),
    recipient: AgencyId.meta({ description: "The agency whose acknowledgement is overdue." }),
    step: z.enum(ESCALATION_STEPS).meta({
      description: "reminder: to the recipient; backup-contact: to its organisation's regional hub; originator: to the sender.",
    }),
    notify: AgencyId.meta({ description: "The agency this escalation is addressed to." }),
    via: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, "expected an organisation id")
      .optional()
      .meta({ description: "backup-contact: the organisation whose regional hub is notified." }),
    precedence: Precedence,
    deadline: Timestamp.meta({ description: "The acknowledgement deadline that was missed." }),
  })
  .strict();

export const EscalationMessage = envelope("escalation", EscalationBody, CoordinatorSender);
export type EscalationMessage = z.infer<typeof EscalationMessage>;
