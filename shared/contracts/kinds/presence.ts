import { z } from "zod";
import { envelope } from "../envelope.ts";
import { ShortText, Timestamp } from "../primitives.ts";

export const DUTY_STATUSES = ["on-duty", "reduced", "unstaffed", "offline"] as const;

/** An agency's duty status: who is on watch and how quickly it can answer. */
export const PresenceBody = z
  .object({
    status: z.enum(DUTY_STATUSES),
    officer: ShortText(100).optional(),
    until: Timestamp.optional().meta({ description: "When this status is expected to change (simulated time)." }),
  })
  .strict();

export const PresenceMessage = envelope("presence", PresenceBody);
export type PresenceMessage = z.infer<typeof PresenceMessage>;
