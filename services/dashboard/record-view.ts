// The one place the dashboard reads audit records: each record becomes the events the page and
// the journeys need, one per delivery it stands for (a message's "delivered", a batched receipt or
// acknowledgement), with its details as typed fields. Everything else in the dashboard reads
// these events, never a record's `data`, so a change in how the chain records an event (typed
// records, coalesced escalations) is a change here only. (The figures are counted by
// shared/exchange/figures.ts, which every view shares.)
import { perDelivery } from "../../shared/audit/deliveries.ts";
import type { AuditRecord } from "../../shared/contracts/index.ts";
import type { AuditEventView } from "./types.ts";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined);

/** Audit events that record an accepted message. */
export const ACCEPTED_EVENTS: ReadonlySet<string> = new Set(["submitted", "updated", "retracted", "answered", "hit-reported"]);

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
export function eventsOf(record: AuditRecord): DashEvent[] {
  const parts = perDelivery(record);
  return parts.map((r, i) => eventOf(r, parts.length > 1 ? i : undefined));
}

type TextField = "agency" | "messageId" | "kind" | "precedence" | "title" | "tlp" | "refersTo" | "deadline" | "from" | "officer" | "step" | "recipient" | "via";

function eventOf(r: AuditRecord, part: number | undefined): DashEvent {
  const d = r.data ?? {};
  const e: DashEvent = { seq: r.seq, event: r.event, at: r.at, actor: r.actor };
  if (part !== undefined) e.part = part;
  /** Copies a text field of the record (or of its data) when it has one. */
  const text = (field: TextField, value: unknown) => {
    const v = str(value);
    if (v) e[field] = v;
  };
  text("agency", r.agency);
  text("messageId", r.messageId);
  text("kind", r.kind);
  for (const k of ["precedence", "title", "tlp", "refersTo"] as const) text(k, d[k]);
  if (ACCEPTED_EVENTS.has(r.event)) {
    const recipients = strings(d.recipients);
    if (recipients) e.recipients = recipients;
    text("deadline", d.ackDeadline);
  } else if (r.event === "delivered") {
    text("deadline", d.deadline);
    text("from", d.originator);
  } else if (r.event === "acknowledged") {
    text("officer", d.officer);
    if (typeof d.withinDeadline === "boolean") e.withinDeadline = d.withinDeadline;
  } else if (r.event === "escalated") {
    for (const k of ["step", "recipient", "via"] as const) text(k, d[k]);
    // One escalation today covers one delivery; a coalesced one (one per recipient and step) may
    // list more in `messageIds`.
    const ids = strings(d.messageIds) ?? (r.messageId ? [r.messageId] : []);
    const recipient = e.recipient;
    if (recipient) e.covers = ids.map((messageId) => ({ messageId, recipient }));
  } else if (r.event === "rejected") {
    const reasons = Array.isArray(d.reasons) ? d.reasons.map((x) => (typeof x === "object" && x ? `${str((x as { code?: unknown }).code) ?? ""} ${str((x as { path?: unknown }).path) ?? ""}`.trim() : String(x))) : [];
    e.reasons = reasons;
  }
  return e;
}
