import { z } from "zod";
import { CoordinatorSender, envelope } from "../envelope.ts";
import { AgencyId, MessageId } from "../primitives.ts";

/** The coordinator's answer to a submission it accepted: who it goes to. */
export const AcceptanceBody = z
  .object({
    messageId: MessageId,
    recipients: z.array(AgencyId).max(5000),
    ackDeadline: z.iso.datetime({ offset: true }).optional().meta({ description: "When acknowledgements are due (simulated time)." }),
  })
  .strict();

export const AcceptanceMessage = envelope("acceptance", AcceptanceBody, CoordinatorSender);
export type AcceptanceMessage = z.infer<typeof AcceptanceMessage>;
