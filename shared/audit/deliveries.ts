// Per-delivery events in the audit chain. One record may stand for many deliveries: a message's
// "delivered" record names all its recipients, a batched receipt or acknowledgement (`more`) is
// one record whose `data.more` lists the other deliveries it covered, and a coalesced escalation
// is one record whose `data.more` lists the other overdue deliveries it told the same agency of. Readers that count or
// show deliveries expand records here, so each sees one event per delivery, shaped as if recorded
// alone (first item in the record's own fields, the others with their own message, agency and time).
import type { AuditRecord } from "../contracts/audit.ts";

/** The fields of a record that expansion reads and writes (also works on unvalidated readers' records). */
export type DeliveryEvent = Pick<AuditRecord, "event" | "at" | "actor"> & { data?: Record<string, unknown> } & Partial<Pick<AuditRecord, "messageId" | "kind" | "agency" | "eventId" | "seq">>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** `o` without the field `omit` (a loop: rest destructuring is several times slower, and this runs per delivery). */
function without(o: Record<string, unknown>, omit: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (k !== omit) out[k] = o[k];
  return out;
}

/** What every delivery a coalesced escalation covers shares with the record's first. */
const ESCALATION_SHARED = ["step", "escalationId", "batch"] as const;

/** The fields of a batched item that are the event's own (the rest is its data). */
const ITEM_FIELDS: ReadonlySet<string> = new Set(["messageId", "kind", "agency", "at"]);

/** One event per delivery the record stands for (the record itself when it stands for one or none). */
export function perDelivery<R extends DeliveryEvent>(r: R): R[] {
  const d = r.data ?? {};
  if (r.event === "delivered" && !r.agency && Array.isArray(d.recipients)) {
    const rest = without(d, "recipients");
    const out: R[] = [];
    for (const agency of d.recipients as unknown[]) if (typeof agency === "string") out.push({ ...r, agency, data: rest });
    return out;
  }
  if (r.event === "escalated" && Array.isArray(d.more)) {
    // Every item shares the step, the escalation message and the agency told (the record's own).
    const shared: Record<string, unknown> = {};
    for (const k of ESCALATION_SHARED) if (d[k] !== undefined) shared[k] = d[k];
    const out: R[] = [{ ...r, data: without(d, "more") }];
    for (const item of d.more as unknown[]) {
      if (!isObject(item)) continue;
      const data: Record<string, unknown> = { ...shared };
      for (const k of Object.keys(item)) if (k !== "messageId" && k !== "kind") data[k] = item[k];
      out.push({ ...r, messageId: str(item.messageId), kind: str(item.kind), data });
    }
    return out;
  }
  if ((r.event === "receipted" || r.event === "acknowledged") && Array.isArray(d.more)) {
    const idField = r.event === "receipted" ? "receiptId" : "ackId";
    const out: R[] = [{ ...r, data: without(d, "more") }];
    for (const item of d.more as unknown[]) {
      if (!isObject(item)) continue;
      const data: Record<string, unknown> = { [idField]: d[idField] };
      for (const k of Object.keys(item)) if (!ITEM_FIELDS.has(k)) data[k] = item[k];
      out.push({ ...r, messageId: str(item.messageId), kind: str(item.kind), agency: str(item.agency), at: str(item.at) ?? r.at, data });
    }
    return out;
  }
  return [r];
}

/** What one item of a batched record carries besides the shared fields. */
export interface BatchItem {
  messageId: string;
  kind: string;
  /** The delivery's originator. */
  agency: string;
  at: string;
  data: Record<string, unknown>;
}

/**
 * The audit entry for a receipt or acknowledgement that counted for `items` (at least one): the
 * first item in the record's fields, the rest under `data.more`. `common` is what all share
 * (the receipt's or acknowledgement's id).
 */
export function batchedEntry(event: "receipted" | "acknowledged", actor: string, replyId: string, common: Record<string, unknown>, items: BatchItem[]) {
  const [first, ...rest] = items;
  if (!first) throw new Error("a batched audit record needs at least one item");
  return {
    eventId: `${event}:${replyId}`,
    event,
    at: first.at,
    actor,
    messageId: first.messageId,
    kind: first.kind,
    agency: first.agency,
    data: {
      ...common,
      ...first.data,
      ...(rest.length ? { more: rest.map((i) => ({ messageId: i.messageId, kind: i.kind, agency: i.agency, at: i.at, ...i.data })) } : {}),
    },
  };
}
