// The one place the dashboard reads audit records: each record becomes the events the page and
// the journeys need, one per delivery it stands for (a message's "delivered", a batched receipt or
// acknowledgement), with its details as typed fields. Everything else in the dashboard reads
// these events, never a record's `data`, so a change in how the chain records an event (a renamed
// field fails to compile here; coalesced escalations) is a change here only. (The figures are
// counted by shared/exchange/figures.ts, which every view shares.)
import { type DeliveryEvent, perDelivery } from "../../shared/audit/deliveries.ts";
import { ACCEPTED_EVENTS as ACCEPTED, isAcceptedEvent, type StoredAuditRecord } from "../../shared/contracts/index.ts";
import type { AuditEventView } from "./types.ts";

/** Audit events that record an accepted message. */
export const ACCEPTED_EVENTS: ReadonlySet<string> = new Set(ACCEPTED);

/** What the dashboard knows from one event, beyond what the page is sent (AuditEventView). */
export interface DashEvent extends AuditEventView {
  /** An accepted message's recipients, its acknowledgement deadline and TLP. */
  recipients?: string[];
  deadline?: string;
  /** An acknowledgement: the officer and whether it came within the deadline. */
  officer?: string;
  withinDeadline?: boolean;
  /** An escalation: the organisation whose hub was told, and every delivery it covers. */
  via?: string;
  covers?: { messageId: string; recipient: string }[];
  /** A rejection's reasons. */
  reasons?: string[];
}

/** One record as the dashboard's events, one per delivery it stands for. */
export function eventsOf(record: StoredAuditRecord): DashEvent[] {
  // An escalation is one message to one agency however many late deliveries it lists: one event.
  if (record.event === "escalated") return [escalationOf(record)];
  const parts = perDelivery(record);
  return parts.map((r, i) => eventOf(r, parts.length > 1 ? i : undefined));
}

function eventOf(r: DeliveryEvent, part: number | undefined): DashEvent {
  const e: DashEvent = { seq: r.seq, event: r.event, at: r.at, actor: r.actor };
  if (part !== undefined) e.part = part;
  if (r.agency) e.agency = r.agency;
  if (r.messageId) e.messageId = r.messageId;
  if (r.kind) e.kind = r.kind;
  if (isAcceptedEvent(r)) {
    const d = r.data;
    Object.assign(e, { precedence: d.precedence, recipients: d.recipients, deadline: d.ackDeadline });
    if (d.title) e.title = d.title;
    if (d.tlp) e.tlp = d.tlp;
    if (d.refersTo) e.refersTo = d.refersTo;
    return e;
  }
  switch (r.event) {
    case "delivered":
      Object.assign(e, { precedence: r.data.precedence, deadline: r.data.deadline, from: r.data.originator });
      break;
    case "acknowledged":
      e.precedence = r.data.precedence;
      e.withinDeadline = r.data.withinDeadline;
      if (r.data.officer) e.officer = r.data.officer;
      break;
    case "rejected":
      e.reasons = r.data.reasons.map((x) => `${x.code} ${x.path}`.trim());
      break;
  }
  return e;
}

/** A (coalesced) escalation: the first late delivery in the record's fields, every one in `covers`. */
function escalationOf(r: Extract<StoredAuditRecord, { event: "escalated" }>): DashEvent {
  const d = r.data;
  const e: DashEvent = { seq: r.seq, event: r.event, at: r.at, actor: r.actor, precedence: d.precedence, step: d.step, recipient: d.recipient };
  if (r.agency) e.agency = r.agency;
  if (r.kind) e.kind = r.kind;
  if (d.via) e.via = d.via;
  if (r.messageId) {
    e.messageId = r.messageId;
    e.covers = [{ messageId: r.messageId, recipient: d.recipient }, ...(d.more ?? []).map((i) => ({ messageId: i.messageId, recipient: i.recipient }))];
  }
  return e;
}
