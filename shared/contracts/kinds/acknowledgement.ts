import { z } from "zod";
import { envelope } from "../envelope.ts";
import { MessageId, ShortText, Timestamp } from "../primitives.ts";
import { BATCH_MAX, noRepeatedIds } from "./batch.ts";

const Acknowledged = z.object({
  messageId: MessageId.meta({ description: "The delivered message being acknowledged." }),
  officer: ShortText(100).meta({ description: "The duty officer's call sign or post." }),
  action: z.enum(["noted", "acting", "forwarded-nationally", "no-action"]).meta({
    description: "What the agency does with it.",
  }),
  note: ShortText(2000).optional(),
});

const AcknowledgementItem = Acknowledged.extend({
  acknowledgedAt: Timestamp.meta({ description: "When the officer acknowledged this one (the message's sentAt may be a little later)." }),
}).strict();

/** A duty officer's "seen and acted on": what the precedence deadline is measured against. */
export const AcknowledgementBody = Acknowledged.extend({
  more: z
    .array(AcknowledgementItem)
    .min(1)
    .max(BATCH_MAX - 1)
    .optional()
    .meta({ description: `Further deliveries acknowledged by the same message: a busy desk batches, up to ${BATCH_MAX} in all.` }),
})
  .strict()
  .superRefine(noRepeatedIds);

export const AcknowledgementMessage = envelope("acknowledgement", AcknowledgementBody);
export type AcknowledgementMessage = z.infer<typeof AcknowledgementMessage>;
export type AcknowledgementItem = z.infer<typeof AcknowledgementItem>;
