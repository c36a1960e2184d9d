// Per-delivery events in the audit chain. One record may stand for many deliveries: a message's
// "delivered" record names all its recipients, and a batched receipt or acknowledgement (`more`)
// is one record whose `data.more` lists the other deliveries it covered. Readers that count or
// show deliveries expand records here, so each sees one event per delivery, shaped as if recorded
// alone (first item in the record's own fields, the others with their own message, agency and time).
import type { AuditRecord } from "../contracts/audit.ts";

/** The fields of a record that expansion reads and writes (also works on unvalidated readers' records). */
export type DeliveryEvent = Pick<AuditRecord, "event" | "at" | "actor"> & { data?: Record<string, unknown> } & Partial<Pick<AuditRecord, "messageId" | "kind" | "agency" | "eventId" | "seq">>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** One event per delivery the record stands for (the record itself when it stands for one or none). */
export function perDelivery<R extends DeliveryEvent>(r: R): R[] {
  const d = r.data ?? {};
  if (r.event === "delivered" && !r.agency && Array.isArray(d.recipients)) {
    const { recipients, ...rest } = d;
    return (recipients as unknown[]).flatMap((agency) => (typeof agency === "string" ? [{ ...r, agency, data: rest }] : []));
  }
  if ((r.event === "receipted" || r.event === "acknowledged") && Array.isArray(d.more)) {
    const { more, ...first } = d;
    const common = r.event === "receipted" ? { receiptId: d.receiptId } : { ackId: d.ackId };
    const others = (more as unknown[]).filter(isObject).map((item) => {
      const { messageId, kind, agency, at, ...data } = item;
      return { ...r, messageId: str(messageId), kind: str(kind), agency: str(agency), at: str(at) ?? r.at, data: { ...common, ...data } };
    });
    return [{ ...r, data: first }, ...others];
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
