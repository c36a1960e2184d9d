import { z } from "zod";
import { CoordinatorSender, envelope } from "../envelope.ts";
import { AgencyId, MessageId, Timestamp } from "../primitives.ts";

/** The coordinator's answer to a submission it accepted: who it goes to. */
export const AcceptanceBody = z
  .object({
    messageId: MessageId,
    recipients: z.array(AgencyId).min(1, "expected at least one recipient: a submission reaching nobody is rejected").max(5000),
    ackDeadline: Timestamp.optional().meta({ description: "When acknowledgements are due (simulated time)." }),
  })
  .strict();

export const AcceptanceMessage = envelope("acceptance", AcceptanceBody, CoordinatorSender);
export type AcceptanceMessage = z.infer<typeof AcceptanceMessage>;
