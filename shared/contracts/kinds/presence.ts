import { z } from "zod";
import { envelope } from "../envelope.ts";
import { ShortText, Timestamp } from "../primitives.ts";

export const DUTY_STATUSES = ["on-duty", "reduced", "unstaffed", "offline"] as const;

/**
 * How often a connected node repeats its presence (wall ms), besides announcing every change:
 * `atix status` listens for 2.5 s and the dashboard calls a node offline after 10 s of silence.
 */
export const PRESENCE_INTERVAL_MS = 2_000;

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
