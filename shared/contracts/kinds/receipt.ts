import { z } from "zod";
import { envelope } from "../envelope.ts";
import { MessageId, Timestamp } from "../primitives.ts";
import { batchable } from "./batch.ts";

const ReceiptItem = z
  .object({
    messageId: MessageId.meta({ description: "The delivered message being receipted." }),
    receivedAt: Timestamp,
  })
  .strict();

/** Sent by the agency node's software the moment a delivery arrives; no person involved. */
export const ReceiptBody = batchable(ReceiptItem, ReceiptItem, "receipted");

export const ReceiptMessage = envelope("receipt", ReceiptBody);
export type ReceiptMessage = z.infer<typeof ReceiptMessage>;
export type ReceiptItem = z.infer<typeof ReceiptItem>;
