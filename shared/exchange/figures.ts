// The exchange's figures, defined once: what each counter is called and how it is counted from the
// audit chain. The workshop dashboard, the run's progress line, `atix status` and the after-action
// report all count through ExchangeFigures and show FIGURES' labels, so one run shows the same
// numbers, under the same names, everywhere. (Labels live here only: translations replace them here.)
import { z } from "zod";
import { type DeliveryEvent, perDelivery } from "../audit/deliveries.ts";
import { PRECEDENCES, type Precedence } from "../contracts/index.ts";
import type { TrackingRecord } from "./records.ts";
import { type DeadlineEntry, isOpen, popHeap, pushHeap, timesOf, TrackingView } from "./tracking-view.ts";

/** Each figure's label (as a room reads it) and what it counts. */
export const FIGURES = {
  messagesAccepted: { label: "messages accepted", counts: "messages the coordinator accepted: alerts, RFIs, updates, withdrawals, RFI answers and hits" },
  alertsAndRfis: { label: "alerts and RFIs", counts: "alerts and requests for information accepted (updates, withdrawals, answers and hits not included)" },
  rejected: { label: "submissions rejected", counts: "submissions the coordinator refused, malformed ones included" },
  deliveries: { label: "deliveries", counts: "one per accepted message and recipient, recorded as delivered" },
  acknowledged: { label: "acknowledged", counts: "deliveries a duty officer acknowledged (the first acknowledgement of each)" },
  withinDeadline: { label: "within deadline", counts: "deliveries acknowledged within their precedence deadline" },
  late: { label: "acknowledged late", counts: "deliveries acknowledged after their deadline" },
  awaiting: { label: "awaiting acknowledgement", counts: "deliveries not yet acknowledged (withdrawn ones not included)" },
  overdue: { label: "overdue now", counts: "deliveries awaiting acknowledgement whose deadline has passed, in simulated time" },
  withdrawn: { label: "withdrawn before acknowledgement", counts: "deliveries of an alert withdrawn by its originator before they were acknowledged" },
  escalations: { label: "escalations", counts: "escalation steps taken: reminders, backup contacts and originators told" },
  inTime: { label: "share within deadline", counts: "share of the deliveries decided so far (acknowledged, or overdue) that were acknowledged within their deadline" },
} as const;
export type FigureKey = keyof typeof FIGURES;

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

/** Audit events that record an accepted message. */
const ACCEPTED_EVENTS: ReadonlySet<string> = new Set(["submitted", "updated", "retracted", "answered", "hit-reported"]);
const LISTED_KINDS: ReadonlySet<string> = new Set(["alert", "rfi"]);

/** What an agency is waiting on: deliveries to it not yet acknowledged, and those past their deadline. */
export interface AgencyLoad {
  open: number;
  overdue: number;
}

/** A delivery changed: first recorded, acknowledged (the first acknowledgement), or withdrawn before that. */
export type DeliveryChange = "delivered" | "acknowledged" | "withdrawn";

/** Whether a stored record has what the figures read (records are not validated here: the verifier does that). */
function isEvent(r: unknown): r is DeliveryEvent & { seq?: number } {
  const o = r as Partial<Record<keyof DeliveryEvent, unknown>> | null;
  return typeof o === "object" && o !== null && typeof o.event === "string" && typeof o.at === "string" && typeof o.actor === "string";
}

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

  /** Applies one stored record (anything else is ignored). Returns whether it was counted. */
  apply(record: unknown): boolean {
    if (!isEvent(record)) return false;
    const seq = typeof record.seq === "number" ? record.seq : undefined;
    if (seq !== undefined && seq < this.fromSeq) return false;
    if (seq !== undefined) this.lastSeq = Math.max(this.lastSeq, seq);
    const e = record.event;
    if (ACCEPTED_EVENTS.has(e)) {
      this.n.messagesAccepted++;
      if (e === "submitted" && record.kind && LISTED_KINDS.has(record.kind)) this.n.alertsAndRfis++;
      if (e === "retracted") this.retract(record);
    } else if (e === "rejected") this.n.rejected++;
    else if (e === "escalated") {
      this.n.escalations++;
      this.deliveries.apply(record);
    } else if (e === "delivered" || e === "acknowledged") for (const d of perDelivery(record)) this.applyDelivery(d);
    else this.deliveries.apply(record);
    return true;
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
  private retract(record: DeliveryEvent) {
    const alertId = record.data?.refersTo;
    const open = typeof alertId === "string" ? this.deliveries.ofMessage(alertId).filter(isOpen) : [];
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

/**
 * A share as the room, the terminal and the report read it: "74.9%" (rounded down, so a share just
 * short of a target never reads as the target), or "–" before anything is decided.
 */
export const percent = (share: number | null) => (share === null ? "–" : share >= 1 ? "100%" : `${(Math.floor(share * 1000 + 1e-9) / 10).toFixed(1).replace(/\.0$/, "")}%`);
