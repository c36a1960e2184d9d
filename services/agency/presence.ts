// Presence: a signed presence message on core NATS (atix.presence.<ID>), live only, not stored.
import type { NatsConnection } from "@nats-io/transport-node";
import { type DUTY_STATUSES, sign, subjects } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";

export type PresenceStatus = (typeof DUTY_STATUSES)[number];

export interface PresenceInfo {
  status: PresenceStatus;
  officer?: string;
  /** Simulated ms at which the status is expected to change. */
  until?: number;
}

export function presenceMessage(agency: string, at: string, info: PresenceInfo, seed: string) {
  const body = {
    status: info.status,
    ...(info.officer ? { officer: info.officer } : {}),
    ...(info.until !== undefined ? { until: new Date(info.until).toISOString() } : {}),
  };
  return sign(compose("presence", body, { sender: agency, sentAt: at }), seed);
}

/** Publishes presence; a closed or reconnecting connection just drops it (it is repeated anyway). */
export function publishPresence(nc: NatsConnection, agency: string, at: string, info: PresenceInfo, seed: string) {
  const message = presenceMessage(agency, at, info, seed);
  try {
    nc.publish(subjects.presence(agency), JSON.stringify(message));
  } catch {
    // connection closed: nothing to tell anyone
  }
  return message;
}
