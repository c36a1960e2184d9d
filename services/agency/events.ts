// What an agency node reports to tests and the simulation runner: one event per step of a
// delivery's life, and running counters. Listeners are synchronous and must not throw.
import type { MessageKind } from "../../shared/contracts/index.ts";

export type AgencyEventType =
  | "delivered" // a delivery arrived (again, when redelivered is true)
  | "receipted" // its receipt (or the acknowledgement standing in for it) was submitted, the delivery acked
  | "acknowledged" // the duty officer's acknowledgement was submitted
  | "answered" // an RFI got its rfi-response
  | "hit" // a hit was reported on an alert
  | "reminded" // a reminder escalation moved a pending acknowledgement forward
  | "malformed" // a delivery that is not a valid message was acked and skipped
  | "unverified" // a delivery whose signature does not verify against the registry was acked and skipped
  | "outcome"; // an acceptance or rejection of one of our own submissions

export interface AgencyEvent {
  type: AgencyEventType;
  agency: string;
  /** The delivered message this is about (for "malformed": its id when readable). */
  messageId?: string;
  kind?: MessageKind;
  /** Stream sequence of the delivery in ATIX_DELIVERIES, when the event comes from one. */
  seq?: number;
  /** Simulated time, ISO 8601. */
  at: string;
  /** Id of what the node sent in response (receipt, acknowledgement, rfi-response, hit). */
  replyId?: string;
  redelivered?: boolean;
  /** For "unverified": why the signature does not stand. */
  reason?: string;
}

export type AgencyEventListener = (event: AgencyEvent) => void;

export interface AgencyCounters {
  delivered: number;
  redelivered: number;
  receipted: number;
  acknowledged: number;
  answered: number;
  hits: number;
  reminded: number;
  malformed: number;
  unverified: number;
  rejected: number;
  accepted: number;
}

const COUNTER_OF: Partial<Record<AgencyEventType, keyof AgencyCounters>> = {
  delivered: "delivered",
  receipted: "receipted",
  acknowledged: "acknowledged",
  answered: "answered",
  hit: "hits",
  reminded: "reminded",
  malformed: "malformed",
  unverified: "unverified",
};

export const emptyCounters = (): AgencyCounters => ({
  delivered: 0,
  redelivered: 0,
  receipted: 0,
  acknowledged: 0,
  answered: 0,
  hits: 0,
  reminded: 0,
  malformed: 0,
  unverified: 0,
  rejected: 0,
  accepted: 0,
});

export class EventHub {
  readonly counters = emptyCounters();
  private readonly listeners = new Set<AgencyEventListener>();

  on(fn: AgencyEventListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(event: AgencyEvent) {
    const c = COUNTER_OF[event.type];
    if (c) this.counters[c]++;
    if (event.type === "delivered" && event.redelivered) this.counters.redelivered++;
    if (event.type === "outcome") this.counters[event.kind === "rejection" ? "rejected" : "accepted"]++;
    for (const fn of this.listeners) fn(event);
  }
}
