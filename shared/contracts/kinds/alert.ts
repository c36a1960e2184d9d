import { z } from "zod";
import { Distribution, RED_NEEDS_NAMED_AGENCIES_JSON, redNeedsNamedAgencies } from "../distribution.ts";
import { Entities, GeoPoint } from "../entities.ts";
import { envelope, laterThanSentAt } from "../envelope.ts";
import { Indicator } from "../indicators.ts";
import { HandlingCode, Precedence, ShortText, SourceEvaluation, ThreatCategory, Timestamp, Tlp } from "../primitives.ts";

/** Fields an alert's originator may later change with an alert-update. */
export const AlertContent = {
  precedence: Precedence,
  category: ThreatCategory,
  evaluation: SourceEvaluation,
  title: ShortText(200),
  summary: ShortText(4000).optional(),
  entities: Entities.optional(),
  indicators: z.array(Indicator).max(1000).optional(),
  location: GeoPoint.optional(),
  validUntil: Timestamp.optional().meta({ description: "After this simulated time the alert lapses; must be after sentAt." }),
};

export const AlertBody = z
  .object({
    ...AlertContent,
    tlp: Tlp,
    handling: HandlingCode,
    handlingNote: ShortText(500).optional().meta({ description: "The restriction, required with H3." }),
    distribution: Distribution,
  })
  .strict()
  .superRefine((b, ctx) => {
    redNeedsNamedAgencies(b, ctx);
    if (b.handling === "H3" && !b.handlingNote)
      ctx.addIssue({ code: "custom", path: ["handlingNote"], message: "expected a handlingNote stating the H3 restriction" });
  })
  .meta({
    allOf: [
      RED_NEEDS_NAMED_AGENCIES_JSON,
      { if: { properties: { handling: { const: "H3" } }, required: ["handling"] }, then: { required: ["handlingNote"] } },
    ],
  });

export const AlertMessage = envelope("alert", AlertBody).superRefine(
  laterThanSentAt((m) => m.body.validUntil, ["body", "validUntil"]),
);
export type AlertMessage = z.infer<typeof AlertMessage>;
