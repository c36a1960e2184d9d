// How observers (`atix status`, the workshop dashboard) read the exchange's live signals and
// durable records: coordinator heartbeats, signed presence, and open/overdue deliveries.
// Defined once here so that every view counts "online" and "overdue" the same way.
import { z } from "zod";
import { type AgencyRegistryEntry, DUTY_STATUSES, PRECEDENCES, PresenceMessage, type Precedence, subjects, verify } from "../contracts/index.ts";
import { keyOf, validAt } from "./agency-keys.ts";
import type { TrackingRecord } from "./records.ts";
import { isOpen } from "./tracking-view.ts";

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

export interface TrackingSummary {
  deliveries: number;
  open: number;
  overdue: number;
  byPrecedence: Record<Precedence, { open: number; overdue: number }>;
  acknowledged: { withinDeadline: number; afterDeadline: number };
  closed: number;
}

/** Open = delivered or receipted; overdue = open past its deadline in simulated time. */
export function summariseTracking(records: Iterable<TrackingRecord>, simNowMs: number): TrackingSummary {
  const s: TrackingSummary = {
    deliveries: 0, open: 0, overdue: 0, closed: 0, acknowledged: { withinDeadline: 0, afterDeadline: 0 },
    byPrecedence: Object.fromEntries(PRECEDENCES.map((p) => [p, { open: 0, overdue: 0 }])) as TrackingSummary["byPrecedence"],
  };
  for (const t of records) {
    s.deliveries++;
    if (t.ackAt) s.acknowledged[t.withinDeadline === false ? "afterDeadline" : "withinDeadline"]++;
    if (t.state === "closed") s.closed++;
    if (!isOpen(t)) continue;
    s.open++;
    s.byPrecedence[t.precedence].open++;
    if (Date.parse(t.deadline) < simNowMs) {
      s.overdue++;
      s.byPrecedence[t.precedence].overdue++;
    }
  }
  return s;
}
