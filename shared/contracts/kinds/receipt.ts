import { z } from "zod";
import { envelope } from "../envelope.ts";
import { MessageId, Timestamp } from "../primitives.ts";

/** Sent by the agency node's software the moment a delivery arrives; no person involved. */
export const ReceiptBody = z
  .object({
    messageId: MessageId.meta({ description: "The delivered message being receipted." }),
    receivedAt: Timestamp,
  })
  .strict();

export const ReceiptMessage = envelope("receipt", ReceiptBody);
export type ReceiptMessage = z.infer<typeof ReceiptMessage>;
