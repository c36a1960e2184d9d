import { z } from "zod";
import { envelope } from "../envelope.ts";
import { MessageId, ShortText, Timestamp } from "../primitives.ts";
import { batchable } from "./batch.ts";

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
export const AcknowledgementBody = batchable(Acknowledged, AcknowledgementItem, "acknowledged");

export const AcknowledgementMessage = envelope("acknowledgement", AcknowledgementBody);
export type AcknowledgementMessage = z.infer<typeof AcknowledgementMessage>;
export type AcknowledgementItem = z.infer<typeof AcknowledgementItem>;
