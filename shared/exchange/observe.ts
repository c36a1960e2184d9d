// How observers (`atix status`, the workshop dashboard) read the exchange's live signals:
// coordinator heartbeats and signed presence, defined once here so that every view counts
// "online" the same way. (Deliveries are counted by shared/exchange/figures.ts.)
import { z } from "zod";
import { type AgencyRegistryEntry, DUTY_STATUSES, PresenceMessage, subjects, verify } from "../contracts/index.ts";
import { keyOf, validAt } from "./agency-keys.ts";

/** What observers read from a coordinator heartbeat (published by services/coordinator/heartbeat.ts). */
export const Heartbeat = z.object({
  instance: z.string(),
  pid: z.number(),
  startedAt: z.string(),
  processed: z.number(),
  escalated: z.number().default(0),
  openDeliveries: z.number().default(0),
  auditWritten: z.number().default(0),
  invalidStored: z.number().default(0),
  lastInvalid: z.object({ bucket: z.string(), key: z.string(), revision: z.number(), problem: z.string() }).optional(),
  /** Refused as over their agency's quota. */
  rateLimited: z.number().default(0),
  /** Pulled and waiting for their turn; being decided or written. */
  queued: z.number().default(0),
  inFlight: z.number().default(0),
  rssMb: z.number().optional(),
  heapUsedMb: z.number().optional(),
  externalMb: z.number().optional(),
  /** Times its supervisor (atix up, atix run) started it again after it died. */
  restarts: z.number().default(0),
  at: z.string(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;
export type DutyStatus = (typeof DUTY_STATUSES)[number];

export const safeJson = (data: Uint8Array): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
};

/**
 * A presence message as heard on `subject`, or undefined unless it is what the agency itself said
 * on its own subject: well-formed and signed with a key the registry holds for it, valid now
 * (presence is live: it is judged when heard, at wall time `nowMs`).
 */
export function verifiedPresence(
  subject: string,
  data: Uint8Array,
  entryOf: (agency: string) => Pick<AgencyRegistryEntry, "id" | "publicKey" | "keys"> | undefined,
  nowMs = Date.now(),
): PresenceMessage | undefined {
  const raw = safeJson(data);
  const p = PresenceMessage.safeParse(raw);
  if (!p.success || !p.data.signature || subject !== subjects.presence(p.data.sender)) return undefined;
  const entry = entryOf(p.data.sender);
  const key = entry && keyOf(entry, p.data.signature.key);
  if (!key || !validAt(p.data.sender, key, nowMs).ok || !verify(raw as object, p.data.signature.key).ok) return undefined;
  return p.data;
}
