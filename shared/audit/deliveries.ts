// Per-delivery events in the audit chain. One record may stand for many deliveries: a message's
// "delivered" record names all its recipients, a batched receipt or acknowledgement (`more`) is
// one record whose `data.more` lists the other deliveries it covered, and a coalesced escalation
// is one record whose `data.more` lists the other late deliveries it told the same agency of.
// Readers that count or show deliveries expand records here, so each sees one event per delivery,
// shaped as if recorded alone (first item in the record's own fields, the others with their own
// message, agency and time).
import type { AcknowledgedData, AuditEntry, AuditEntryOf, DeliveredData, EscalatedData, ReceiptedData, StoredAuditRecord } from "../contracts/audit.ts";

type Expanded<R, D> = Omit<R, "data"> & { data: D };
/**
 * What one delivery's event of a record (or of an entry being written) looks like: a "delivered"
 * record's per recipient (`agency` is the recipient), a batched receipt's, acknowledgement's or
 * coalesced escalation's per item; any other record as it is.
 */
export type Expand<R> = R extends { event: "delivered" }
  ? Expanded<R, Omit<DeliveredData, "recipients">> & { agency: string }
  : R extends { event: "receipted" }
    ? Expanded<R, Omit<ReceiptedData, "more">>
    : R extends { event: "acknowledged" }
      ? Expanded<R, Omit<AcknowledgedData, "more">>
      : R extends { event: "escalated" }
        ? Expanded<R, Omit<EscalatedData, "more">>
        : R;
/** A record about one delivery (or about none): what readers that count deliveries handle. */
export type DeliveryEvent = Expand<StoredAuditRecord>;
/** Anything a delivery reader may be given: a record, an entry being written, or one already expanded. */
export type ChainEvent = AuditEntry | StoredAuditRecord | Expand<AuditEntry> | DeliveryEvent;

/** `o` without the field `omit` (a loop: rest destructuring is several times slower, and this runs per delivery). */
function without<T extends object, K extends keyof T>(o: T, omit: K): Omit<T, K> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (k !== omit) out[k] = o[k as keyof T];
  return out as Omit<T, K>;
}

/** One event per delivery the record stands for (the record itself when it stands for one or none). */
export function perDelivery<R extends ChainEvent>(r: R): Expand<R>[] {
  return expand(r as ChainEvent) as Expand<R>[];
}

/** A batched record's events: the record as if alone (its data without `more`), then one per item. */
function withItems<I>(r: ChainEvent, d: { more?: readonly I[] }, item: (i: I) => ChainEvent): ChainEvent[] {
  if (!d.more) return [r];
  const out: ChainEvent[] = [{ ...r, data: without(d, "more") } as unknown as ChainEvent];
  for (const i of d.more) out.push(item(i));
  return out;
}

function expand(r: ChainEvent): ChainEvent[] {
  switch (r.event) {
    case "delivered": {
      // Already one delivery (expanded before): as it is.
      if (!("recipients" in r.data)) return [r];
      const data = without(r.data, "recipients");
      const out: ChainEvent[] = [];
      for (const agency of r.data.recipients) out.push({ ...r, agency, data });
      return out;
    }
    case "escalated": {
      const d = r.data as EscalatedData;
      // Every item shares the step, the batch and the escalation message; the agency told is the record's.
      return withItems(r, d, (i) => {
        const data: Omit<EscalatedData, "more"> = { step: d.step, escalationId: d.escalationId, recipient: i.recipient, precedence: i.precedence, deadline: i.deadline };
        if (d.batch !== undefined) data.batch = d.batch;
        if (i.via !== undefined) data.via = i.via;
        return { ...r, messageId: i.messageId, kind: i.kind, data };
      });
    }
    case "receipted": {
      const d = r.data as ReceiptedData;
      if (!d.more) return [r];
      const data = { receiptId: d.receiptId };
      const out: ChainEvent[] = [{ ...r, data }];
      for (const i of d.more) out.push({ ...r, messageId: i.messageId, kind: i.kind, agency: i.agency, at: i.at, data });
      return out;
    }
    case "acknowledged": {
      const d = r.data as AcknowledgedData;
      return withItems(r, d, (i) => {
        const data: Omit<AcknowledgedData, "more"> = { ackId: d.ackId, latencyMs: i.latencyMs, withinDeadline: i.withinDeadline, precedence: i.precedence };
        if (i.officer !== undefined) data.officer = i.officer;
        if (i.action !== undefined) data.action = i.action;
        return { ...r, messageId: i.messageId, kind: i.kind, agency: i.agency, at: i.at, data };
      });
    }
    default:
      return [r];
  }
}

/** What one item of a batched record carries besides the shared fields. */
export interface BatchItem<D> {
  messageId: string;
  kind: string;
  /** The delivery's originator. */
  agency: string;
  at: string;
  data: D;
}
type AckItemData = Omit<AcknowledgedData, "ackId" | "more">;

/**
 * The audit entry for a receipt or acknowledgement that counted for `items` (at least one): the
 * first item in the record's fields, the rest under `data.more`.
 */
export function receiptedEntry(actor: string, receiptId: string, items: BatchItem<Record<string, never>>[]): AuditEntryOf<"receipted"> {
  const [first, ...rest] = nonEmpty(items);
  return {
    ...batchFields("receipted", actor, receiptId, first),
    data: { receiptId, ...(rest.length ? { more: rest.map((i) => ({ agency: i.agency, at: i.at, kind: i.kind, messageId: i.messageId })) } : {}) },
  };
}

export function acknowledgedEntry(actor: string, ackId: string, items: BatchItem<AckItemData>[]): AuditEntryOf<"acknowledged"> {
  const [first, ...rest] = nonEmpty(items);
  return {
    ...batchFields("acknowledged", actor, ackId, first),
    data: { ackId, ...first.data, ...(rest.length ? { more: rest.map(ackItem) } : {}) },
  };
}

// A field added to what an acknowledgement records fails to compile here until ackItem places it.
const allPlaced: [Exclude<keyof AckItemData, "officer" | "action" | "latencyMs" | "withinDeadline" | "precedence">] extends [never] ? true : never = true;
void allPlaced;

/**
 * One further delivery of an acknowledged record, its keys in canonical order: a record's hash
 * then writes its hundreds of items natively (shared/contracts/canonical.ts).
 */
function ackItem(i: BatchItem<AckItemData>): NonNullable<AcknowledgedData["more"]>[number] {
  const { officer, action, latencyMs, withinDeadline, precedence } = i.data;
  const item: Partial<NonNullable<AcknowledgedData["more"]>[number]> = {};
  if (action !== undefined) item.action = action;
  item.agency = i.agency;
  item.at = i.at;
  item.kind = i.kind;
  item.latencyMs = latencyMs;
  item.messageId = i.messageId;
  if (officer !== undefined) item.officer = officer;
  item.precedence = precedence;
  item.withinDeadline = withinDeadline;
  return item as NonNullable<AcknowledgedData["more"]>[number];
}

function nonEmpty<T>(items: T[]): [T, ...T[]] {
  if (!items.length) throw new Error("a batched audit record needs at least one item");
  return items as [T, ...T[]];
}

const batchFields = <E extends "receipted" | "acknowledged">(event: E, actor: string, replyId: string, first: BatchItem<unknown>) => ({
  eventId: `${event}:${replyId}`,
  event,
  at: first.at,
  actor,
  messageId: first.messageId,
  kind: first.kind,
  agency: first.agency,
});
