// Receipts and acknowledgements may cover several deliveries: under load a node signs and
// submits one message for many, instead of one each (a signature costs more than the rest).
import type { z } from "zod";

export const BATCH_MAX = 500;

/** The first delivery and those in `more` are all different. */
export function noRepeatedIds(b: { messageId: string; more?: { messageId: string }[] | undefined }, ctx: z.RefinementCtx) {
  const seen = new Set([b.messageId]);
  b.more?.forEach((item, i) => {
    if (seen.has(item.messageId)) ctx.addIssue({ code: "custom", path: ["more", i, "messageId"], message: "expected each delivery once: this messageId is repeated" });
    seen.add(item.messageId);
  });
}
