import { z } from "zod";
import { envelope } from "../envelope.ts";
import { ShortText } from "../primitives.ts";

export const AlertRetractionBody = z
  .object({
    alertId: z.uuidv7({ error: "expected the id (UUID v7) of the alert this retraction withdraws" }),
    reason: ShortText(1000),
    instruction: z
      .enum(["disregard", "destroy", "supersede"])
      .optional()
      .meta({ description: "What recipients do with what they hold: disregard it, destroy copies, or await the superseding alert. Absent means disregard." }),
  })
  .strict();

export const AlertRetractionMessage = envelope("alert-retraction", AlertRetractionBody);
export type AlertRetractionMessage = z.infer<typeof AlertRetractionMessage>;
