// Receipts and acknowledgements may cover several deliveries: under load a node signs and
// submits one message for many, instead of one each (a signature costs more than the rest).
import { z } from "zod";

export const BATCH_MAX = 500;

/**
 * The body for one delivery, plus `more` for further ones in the shape `item`; each delivery
 * named once. `what` says what the message does ("receipted", "acknowledged").
 */
export const batchable = <F extends z.core.$ZodLooseShape, I extends z.ZodType>(first: z.ZodObject<F>, item: I, what: string) =>
  first
    .extend({
      more: z
        .array(item)
        .min(1)
        .max(BATCH_MAX - 1)
        .optional()
        .meta({ description: `Further deliveries ${what} by the same message: a busy node batches, up to ${BATCH_MAX} in all.` }),
    })
    .strict()
    // The generic shape hides messageId from the type checker; every caller's first has one.
    .superRefine((b, ctx) => noRepeatedIds(b as unknown as Batch, ctx));

interface Batch {
  messageId: string;
  more?: { messageId: string }[] | undefined;
}

/** The first delivery and those in `more` are all different. */
function noRepeatedIds(b: Batch, ctx: z.RefinementCtx) {
  const seen = new Set([b.messageId]);
  b.more?.forEach((item, i) => {
    if (seen.has(item.messageId)) ctx.addIssue({ code: "custom", path: ["more", i, "messageId"], message: "expected each delivery once: this messageId is repeated" });
    seen.add(item.messageId);
  });
}
