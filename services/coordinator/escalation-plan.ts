// Which escalations to send now: the decision, apart from the claims and messages that carry it
// out (escalator.ts). Missed deadlines are coalesced per step and per agency told (a recipient for
// its reminders, a regional hub for the deliveries of its region's desks, an originator for its
// messages): one message lists every overdue delivery due by then, up to BATCH_MAX. The first
// goes out when it is due; the next to the same agency for the same step waits for the window,
// unless the one before was full. So a desk that missed 300 deadlines is reminded once, not 300
// times, and the number of escalation messages follows the number of people, not of deliveries.
import { BATCH_MAX } from "../../shared/contracts/kinds/batch.ts";
import { ESCALATION_STEPS } from "../../shared/contracts/kinds/escalation.ts";
import type { ClaimedItem, TrackingRecord } from "../../shared/exchange/records.ts";

export type Step = (typeof ESCALATION_STEPS)[number];

/** Who a step of a delivery tells, or undefined when the step needs no notice (it is skipped). */
export type NotifyFor = (t: TrackingRecord, step: Step) => { agency: string; via?: string } | undefined;

export interface PlanInput {
  /** Open deliveries past their deadline. */
  overdue: Iterable<TrackingRecord>;
  nowMs: number;
  /** When a step of a delivery falls due (simulated ms). */
  dueAt: (t: TrackingRecord, step: Step) => number;
  notifyFor: NotifyFor;
  /** The last batch of a step told to an agency, from the audit chain. */
  last: (step: Step, notify: string) => { batch: number; atMs: number; items: number } | undefined;
  /** Simulated ms between two batches of a step to the same agency. */
  windowMs: number;
  /** A batch of this step to this agency is under way (here or in another instance): none starts. */
  busy: (step: Step, notify: string) => boolean;
  /** At most this many batches are returned (how many may start now). */
  maxBatches: number;
  maxItems?: number;
}

export interface PlannedBatch {
  step: Step;
  notify: string;
  /** Its number among the batches of this step to this agency, from 1. */
  batch: number;
  /** Simulated ms it is sent at. */
  atMs: number;
  /** What it covers, earliest deadline first (then by message and recipient: the same on every instance). */
  items: ClaimedItem[];
}

export interface Plan {
  batches: PlannedBatch[];
  /** Steps that need no notice (a backup contact that does not exist or is the originator). */
  skipped: [TrackingRecord, Step][];
}

/** The first step of a delivery not yet taken (or settled another way). */
export const nextStep = (t: TrackingRecord): Step | undefined =>
  ESCALATION_STEPS.find((s) => t.escalations[s] !== "done" && t.escalations[s] !== "skipped");

const itemOrder = (a: ClaimedItem, b: ClaimedItem) =>
  a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0;

/**
 * The batches to start now. `overdue` comes earliest deadline first (TrackingView.overdue), so
 * the batches found first are the most urgent and each takes its earliest items.
 */
export function planEscalations(p: PlanInput): Plan {
  const maxItems = p.maxItems ?? BATCH_MAX;
  const groups = new Map<string, { step: Step; notify: string; items: { t: TrackingRecord; via?: string }[] }>();
  const skipped: [TrackingRecord, Step][] = [];
  const waiting = new Set<string>();
  for (const t of p.overdue) {
    const step = nextStep(t);
    if (!step || p.nowMs < p.dueAt(t, step)) continue;
    const to = p.notifyFor(t, step);
    if (!to) {
      skipped.push([t, step]);
      continue;
    }
    const key = `${step} ${to.agency}`;
    if (waiting.has(key)) continue;
    let g = groups.get(key);
    if (!g) {
      const last = p.last(step, to.agency);
      // Full batches follow each other at once; otherwise the window must have passed.
      const ready = !last || last.items >= maxItems || p.nowMs >= last.atMs + p.windowMs;
      if (!ready || groups.size >= p.maxBatches || p.busy(step, to.agency)) {
        waiting.add(key);
        continue;
      }
      groups.set(key, (g = { step, notify: to.agency, items: [] }));
    }
    if (g.items.length < maxItems) g.items.push(to.via ? { t, via: to.via } : { t });
  }
  const batches: PlannedBatch[] = [];
  for (const g of groups.values()) {
    const items = g.items.map(({ t, via }): ClaimedItem => ({
      messageId: t.messageId, kind: t.kind, recipient: t.recipient, precedence: t.precedence, deadline: t.deadline, ...(via ? { via } : {}),
    }));
    items.sort(itemOrder);
    batches.push({ step: g.step, notify: g.notify, batch: (p.last(g.step, g.notify)?.batch ?? 0) + 1, atMs: p.nowMs, items });
  }
  return { batches, skipped };
}
