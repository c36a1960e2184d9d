import { z } from "zod";
import { envelope, laterThanSentAt } from "../envelope.ts";
import { ShortText } from "../primitives.ts";
import { AlertContent } from "./alert.ts";

const Changes = z
  .object(Object.fromEntries(Object.entries(AlertContent).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof AlertContent]: z.ZodOptional<(typeof AlertContent)[K]>;
  })
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: "expected at least one changed field" })
  .meta({ minProperties: 1 });

export const AlertUpdateBody = z
  .object({
    alertId: z.uuidv7({ error: "expected the id (UUID v7) of the alert this update changes" }),
    reason: ShortText(1000),
    changes: Changes.meta({ description: "The new values; fields left out keep their value. TLP and distribution cannot change." }),
  })
  .strict();

export const AlertUpdateMessage = envelope("alert-update", AlertUpdateBody).superRefine(
  laterThanSentAt((m) => m.body.changes.validUntil, ["body", "changes", "validUntil"]),
);
export type AlertUpdateMessage = z.infer<typeof AlertUpdateMessage>;
