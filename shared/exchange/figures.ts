// The exchange's figures, defined once: how each counter is counted from the audit chain. The
// workshop dashboard, the run's progress line, `atix status`, the run's summary, metrics.json and
// the after-action report all count through ExchangeFigures, and name each figure from the
// reader's catalogue (`figure.<key>`, shared/i18n/en-figures.ts and ru-figures.ts, read through
// shared/i18n/figure-labels.ts), so one run shows the same numbers, under the same names, everywhere.
import { z } from "zod";
import { PRECEDENCES, type Precedence, StoredAuditRecord } from "../contracts/index.ts";
import type { TrackingSnapshot } from "./checkpoint-contract.ts";
import type { TrackingRecord } from "./records.ts";
import { type DeadlineEntry, type DeliveryChange, isOpen, popHeap, pushHeap, timesOf, TrackingView } from "./tracking-view.ts";

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

/** What an agency is waiting on: deliveries to it not yet acknowledged, and those past their deadline. */
export interface AgencyLoad {
  open: number;
  overdue: number;
}

export type { DeliveryChange };

/**
 * Counts the figures record by record, in chain order: constant work per delivery, whatever the
 * history (overdue deliveries come off a deadline heap as simulated time passes). What is counted
 * per record or per delivery is counted by the view itself (TrackingView.counts, which a
 * checkpoint carries); what depends on the time asked (awaiting, overdue) is counted here from
 * the open deliveries. Records before `fromSeq` are left out, so a run on a shared exchange
 * counts only its own.
 */
export class ExchangeFigures {
  /** Where each delivery stands: the same projection the coordinator keeps. */
  readonly deliveries: TrackingView;
  private readonly awaiting = Object.fromEntries(PRECEDENCES.map((p) => [p, 0])) as Record<Precedence, number>;
  private readonly overdue = Object.fromEntries(PRECEDENCES.map((p) => [p, 0])) as Record<Precedence, number>;
  private readonly load = new Map<string, AgencyLoad>();
  /** Open deliveries not yet past their deadline, earliest first. */
  private readonly pending: DeadlineEntry[] = [];
  /** Open deliveries counted as overdue. */
  private readonly overdueSet = new Set<TrackingRecord>();
  private lastSeq = 0;

  /**
   * `onChange` hears each delivery as it is counted (the dashboard keeps per-message counts by it).
   * `from` restores the figures as a checkpoint left them (its view, through record `throughSeq`).
   */
  constructor(
    private readonly fromSeq = 1,
    private readonly onChange?: (t: TrackingRecord, change: DeliveryChange) => void,
    from?: { snapshot: TrackingSnapshot; throughSeq: number; signer: string },
  ) {
    const changed = (t: TrackingRecord, change: DeliveryChange) => this.changed(t, change);
    if (!from) {
      this.deliveries = new TrackingView({ onChange: changed });
      return;
    }
    this.deliveries = TrackingView.restore(from.snapshot, from.signer, { onChange: changed });
    this.lastSeq = from.throughSeq;
    for (const t of this.deliveries.open()) this.opened(t);
  }

  /** Applies one record of the chain (read back, so its signature may be absent). Returns whether it was counted. */
  apply(record: StoredAuditRecord): boolean {
    if (record.seq < this.fromSeq) return false;
    this.lastSeq = Math.max(this.lastSeq, record.seq);
    // Unless the checkpoint restored from had it applied already (its writer's, not yet read back then).
    if (!this.deliveries.takeAhead(record)) this.deliveries.apply(record);
    return true;
  }

  /** A record as stored (unknown JSON): counted when it is an audit record, ignored otherwise. */
  applyStored(raw: unknown): boolean {
    const r = StoredAuditRecord.safeParse(raw);
    return r.success && this.apply(r.data);
  }

  private changed(t: TrackingRecord, change: DeliveryChange) {
    if (change === "delivered") this.opened(t);
    else this.settled(t);
    this.onChange?.(t, change);
  }

  private opened(t: TrackingRecord) {
    this.awaiting[t.precedence]++;
    this.agency(t.recipient).open++;
    pushHeap(this.pending, { deadlineMs: timesOf(t).deadlineMs, t });
  }

  private settled(t: TrackingRecord) {
    this.awaiting[t.precedence]--;
    const a = this.agency(t.recipient);
    a.open--;
    if (this.overdueSet.delete(t)) {
      this.overdue[t.precedence]--;
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
      this.overdue[t.precedence]++;
      this.agency(t.recipient).overdue++;
    }
  }

  /** The figures at simulated time `simNowMs` (which decides what is overdue). */
  at(simNowMs: number): Figures {
    this.advance(simNowMs);
    const byPrecedence = {} as Figures["byPrecedence"];
    const sum = { deliveries: 0, acknowledged: 0, withinDeadline: 0, awaiting: 0, overdue: 0, withdrawn: 0 };
    const { messagesAccepted, alertsAndRfis, rejected, escalations } = this.deliveries.counts;
    for (const p of PRECEDENCES) {
      const x = { ...this.deliveries.counts.byPrecedence[p], awaiting: this.awaiting[p], overdue: this.overdue[p] };
      const decided = x.acknowledged + x.overdue;
      byPrecedence[p] = { ...x, inTime: decided ? x.withinDeadline / decided : null };
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += x[k];
    }
    return { messagesAccepted, alertsAndRfis, rejected, escalations, ...sum, late: sum.acknowledged - sum.withinDeadline, byPrecedence, throughSeq: this.lastSeq };
  }

  /** Per agency (recipient): deliveries awaiting acknowledgement and overdue at `simNowMs`. */
  agencyLoad(simNowMs: number): ReadonlyMap<string, AgencyLoad> {
    this.advance(simNowMs);
    return this.load;
  }
}
