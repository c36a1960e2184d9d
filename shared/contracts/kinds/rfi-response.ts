import { z } from "zod";
import { Entities } from "../entities.ts";
import { envelope } from "../envelope.ts";
import { Indicator } from "../indicators.ts";
import { HandlingCode, ShortText, SourceEvaluation, Tlp } from "../primitives.ts";

export const RfiResponseBody = z
  .object({
    rfiId: z.uuidv7({ error: "expected the id (UUID v7) of the RFI this answers" }),
    hasInformation: z.boolean().meta({ description: "false: a 'nothing held' answer, which still closes the request for this agency." }),
    answer: ShortText(8000),
    tlp: Tlp,
    handling: HandlingCode,
    evaluation: SourceEvaluation.optional(),
    entities: Entities.optional(),
    indicators: z.array(Indicator).max(1000).optional(),
  })
  .strict();

export const RfiResponseMessage = envelope("rfi-response", RfiResponseBody);
export type RfiResponseMessage = z.infer<typeof RfiResponseMessage>;
