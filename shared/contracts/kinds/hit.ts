import { z } from "zod";
import { GeoPoint } from "../entities.ts";
import { envelope } from "../envelope.ts";
import { HandlingCode, ShortText, Timestamp, Tlp } from "../primitives.ts";

/** A recipient reports back to the originator that something in its alert matched. */
export const HitBody = z
  .object({
    alertId: z.uuidv7({ error: "expected the id (UUID v7) of the alert that matched" }),
    matched: z
      .object({
        kind: z.enum(["person", "organisation", "vehicle", "place", "indicator"]),
        reference: ShortText(500).meta({ description: "Which one: the person's name, the indicator value, …" }),
      })
      .strict(),
    observedAt: Timestamp,
    location: GeoPoint.optional(),
    details: ShortText(4000),
    tlp: Tlp,
    handling: HandlingCode,
  })
  .strict();

export const HitMessage = envelope("hit", HitBody);
export type HitMessage = z.infer<typeof HitMessage>;
