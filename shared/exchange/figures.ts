// The exchange's figures, defined once: how each counter is counted from the audit chain. The
// workshop dashboard, the run's progress line, `atix status`, the run's summary, metrics.json and
// the after-action report all count through ExchangeFigures, and name each figure from the
// reader's catalogue (`figure.<key>`, shared/i18n/en-figures.ts and ru-figures.ts, read through
// shared/i18n/figure-labels.ts), so one run shows the same numbers, under the same names, everywhere.
import { z } from "zod";
import { type DeliveryEvent, perDelivery } from "../audit/deliveries.ts";
import { type AuditRecordOf, isAcceptedEvent, PRECEDENCES, type Precedence, StoredAuditRecord } from "../contracts/index.ts";
import type { TrackingRecord } from "./records.ts";
import { type DeadlineEntry, isOpen, popHeap, pushHeap, timesOf, TrackingView } from "./tracking-view.ts";

/** Every figure, in the order views list them (each has a label and a meaning in the catalogues). */
export const FIGURE_KEYS = [
  "messagesAccepted", "alertsAndRfis", "rejected", "deliveries", "acknowledged", "withinDeadline", "late", "awaiting", "overdue", "withdrawn", "escalations", "inTime",
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

const Count = z.number().int().nonnegative();
const PrecedenceFigures = z.object({
  deliveries: Count,
  acknowledged: Count,
  withinDeadline: Count,
  awaiting: Count,
  overdue: Count,
  withdrawn: Count,
  /** withinDeadline / (acknowledged + overdue): null until one is decided. */
  inTime: z.number().min(0).max(1).nullable(),
});

/** The figures at one moment: metrics.json's `figures`, `atix status --json`'s and the dashboard's. */
export const Figures = z.object({
  messagesAccepted: Count,
  alertsAndRfis: Count,
  rejected: Count,
  escalations: Count,
  deliveries: Count,
  acknowledged: Count,
  withinDeadline: Count,
  late: Count,
  awaiting: Count,
  overdue: Count,
  withdrawn: Count,
  byPrecedence: z.object(Object.fromEntries(PRECEDENCES.map((p) => [p, PrecedenceFigures])) as Record<Precedence, typeof PrecedenceFigures>),
  /** The last audit record counted (stream sequence): the figures are as of it. */
  throughSeq: Count,
});
export type Figures = z.infer<typeof Figures>;
type PerPrecedence = Omit<z.infer<typeof PrecedenceFigures>, "inTime">;

const LISTED_KINDS: ReadonlySet<string> = new Set(["alert", "rfi"]);

/** What an agency is waiting on: deliveries to it not yet acknowledged, and those past their deadline. */
export interface AgencyLoad {
  open: number;
  overdue: number;
}

/** A delivery changed: first recorded, acknowledged (the first acknowledgement), or withdrawn before that. */
export type DeliveryChange = "delivered" | "acknowledged" | "withdrawn";

/**
 * Counts the figures record by record, in chain order: constant work per delivery, whatever the
 * history (overdue deliveries come off a deadline heap as simulated time passes). Records before
 * `fromSeq` are left out, so a run on a shared exchange counts only its own.
 */
export class ExchangeFigures {
  /** Where each delivery stands: the same projection the coordinator keeps. */
  readonly deliveries = new TrackingView();
  private readonly n = { messagesAccepted: 0, alertsAndRfis: 0, rejected: 0, escalations: 0 };
  private readonly prec = Object.fromEntries(
    PRECEDENCES.map((p) => [p, { deliveries: 0, acknowledged: 0, withinDeadline: 0, awaiting: 0, overdue: 0, withdrawn: 0 }]),
  ) as Record<Precedence, PerPrecedence>;
  private readonly load = new Map<string, AgencyLoad>();
  /** Open deliveries not yet past their deadline, earliest first. */
  private readonly pending: DeadlineEntry[] = [];
  /** Open deliveries counted as overdue. */
  private readonly overdueSet = new Set<TrackingRecord>();
  private lastSeq = 0;

  /** `onChange` hears each delivery as it is counted (the dashboard keeps per-message counts by it). */
  constructor(
    private readonly fromSeq = 1,
    private readonly onChange?: (t: TrackingRecord, change: DeliveryChange) => void,
  ) {}

  /** Applies one record of the chain (read back, so its signature may be absent). Returns whether it was counted. */
  apply(record: StoredAuditRecord): boolean {
    if (record.seq < this.fromSeq) return false;
    this.lastSeq = Math.max(this.lastSeq, record.seq);
    if (isAcceptedEvent(record)) {
      this.n.messagesAccepted++;
      if (record.event === "submitted" && record.kind && LISTED_KINDS.has(record.kind)) this.n.alertsAndRfis++;
      if (record.event === "retracted") this.retract(record);
      return true;
    }
    switch (record.event) {
      case "rejected":
        this.n.rejected++;
        break;
      case "escalated":
        this.n.escalations++;
        this.deliveries.apply(record);
        break;
      case "delivered":
      case "acknowledged":
        for (const d of perDelivery(record)) this.applyDelivery(d);
        break;
      default:
        this.deliveries.apply(record);
    }
    return true;
  }

  /** A record as stored (unknown JSON): counted when it is an audit record, ignored otherwise. */
  applyStored(raw: unknown): boolean {
    const r = StoredAuditRecord.safeParse(raw);
    return r.success && this.apply(r.data);
  }

  private applyDelivery(d: DeliveryEvent) {
    const id = d.messageId;
    if (!id) return;
    if (d.event === "delivered") {
      if (!d.agency || this.deliveries.get(id, d.agency)) return;
      this.deliveries.apply(d);
      const t = this.deliveries.get(id, d.agency);
      if (!t) return;
      const p = this.prec[t.precedence];
      p.deliveries++;
      p.awaiting++;
      this.agency(t.recipient).open++;
      pushHeap(this.pending, { deadlineMs: timesOf(t).deadlineMs, t });
      this.onChange?.(t, "delivered");
      return;
    }
    const t = this.deliveries.get(id, d.actor);
    const wasOpen = !!t && isOpen(t);
    this.deliveries.apply(d);
    if (t && wasOpen && t.state === "acknowledged") {
      const p = this.prec[t.precedence];
      p.acknowledged++;
      if (t.withinDeadline) p.withinDeadline++;
      this.settled(t);
      this.onChange?.(t, "acknowledged");
    }
  }

  /** A withdrawal closes its alert's deliveries not yet acknowledged. */
  private retract(record: AuditRecordOf<"retracted">) {
    const alertId = record.data.refersTo;
    const open = alertId ? this.deliveries.ofMessage(alertId).filter(isOpen) : [];
    this.deliveries.apply(record);
    for (const t of open) {
      if (t.state !== "closed") continue;
      this.prec[t.precedence].withdrawn++;
      this.settled(t);
      this.onChange?.(t, "withdrawn");
    }
  }

  private settled(t: TrackingRecord) {
    this.prec[t.precedence].awaiting--;
    const a = this.agency(t.recipient);
    a.open--;
    if (this.overdueSet.delete(t)) {
      this.prec[t.precedence].overdue--;
      a.overdue--;
    }
  }

  private agency(id: string): AgencyLoad {
    let a = this.load.get(id);
    if (!a) this.load.set(id, (a = { open: 0, overdue: 0 }));
    return a;
  }

  /** Moves deliveries whose deadline passed by `simNowMs` to overdue (time only goes forward). */
  private advance(simNowMs: number) {
    while (this.pending.length && this.pending[0]!.deadlineMs < simNowMs) {
      const { t } = popHeap(this.pending);
      if (!isOpen(t)) continue;
      this.overdueSet.add(t);
      this.prec[t.precedence].overdue++;
      this.agency(t.recipient).overdue++;
    }
  }

  /** The figures at simulated time `simNowMs` (which decides what is overdue). */
  at(simNowMs: number): Figures {
    this.advance(simNowMs);
    const byPrecedence = {} as Figures["byPrecedence"];
    const sum = { deliveries: 0, acknowledged: 0, withinDeadline: 0, awaiting: 0, overdue: 0, withdrawn: 0 };
    for (const p of PRECEDENCES) {
      const x = this.prec[p];
      const decided = x.acknowledged + x.overdue;
      byPrecedence[p] = { ...x, inTime: decided ? x.withinDeadline / decided : null };
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += x[k];
    }
    return { ...this.n, ...sum, late: sum.acknowledged - sum.withinDeadline, byPrecedence, throughSeq: this.lastSeq };
  }

  /** Per agency (recipient): deliveries awaiting acknowledgement and overdue at `simNowMs`. */
  agencyLoad(simNowMs: number): ReadonlyMap<string, AgencyLoad> {
    this.advance(simNowMs);
    return this.load;
  }
}
