import { z } from "zod";
import { Distribution, RED_NEEDS_NAMED_AGENCIES_JSON, redNeedsNamedAgencies } from "../distribution.ts";
import { Entities } from "../entities.ts";
import { envelope, laterThanSentAt } from "../envelope.ts";
import { Indicator } from "../indicators.ts";
import { HandlingCode, MessageId, Precedence, ShortText, ThreatCategory, Timestamp, Tlp } from "../primitives.ts";

export const RfiBody = z
  .object({
    precedence: Precedence,
    category: ThreatCategory,
    tlp: Tlp,
    handling: HandlingCode,
    question: ShortText(4000),
    respondBy: Timestamp.meta({ description: "Deadline for answers (simulated time); must be after sentAt." }),
    distribution: Distribution,
    aboutAlert: MessageId.optional().meta({ description: "The alert this request follows up, if any." }),
    entities: Entities.optional(),
    indicators: z.array(Indicator).max(1000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    redNeedsNamedAgencies(b, ctx);
  })
  .meta({ allOf: [RED_NEEDS_NAMED_AGENCIES_JSON] });

export const RfiMessage = envelope("rfi", RfiBody).superRefine(
  laterThanSentAt((m) => m.body.respondBy, ["body", "respondBy"]),
);
export type RfiMessage = z.infer<typeof RfiMessage>;
