import { z } from "zod";
import { envelope } from "../envelope.ts";
import { MessageId, Timestamp } from "../primitives.ts";
import { BATCH_MAX, noRepeatedIds } from "./batch.ts";

const ReceiptItem = z
  .object({
    messageId: MessageId.meta({ description: "The delivered message being receipted." }),
    receivedAt: Timestamp,
  })
  .strict();

/** Sent by the agency node's software the moment a delivery arrives; no person involved. */
export const ReceiptBody = ReceiptItem.extend({
  more: z
    .array(ReceiptItem)
    .min(1)
    .max(BATCH_MAX - 1)
    .optional()
    .meta({ description: `Further deliveries receipted by the same message: a busy node batches, up to ${BATCH_MAX} in all.` }),
})
  .strict()
  .superRefine(noRepeatedIds);

export const ReceiptMessage = envelope("receipt", ReceiptBody);
export type ReceiptMessage = z.infer<typeof ReceiptMessage>;
export type ReceiptItem = z.infer<typeof ReceiptItem>;
