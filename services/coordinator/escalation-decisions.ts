// Which escalations to send now, who each step tells, whether this instance takes a batch on, and
// what the escalation message and its audit record are: the decisions, pure, apart from the claims
// and messages that carry them out (escalator.ts). Missed deadlines are coalesced per step and per agency told (a recipient for
// its reminders, a regional hub for the deliveries of its region's desks, an originator for its
// messages): one message lists every overdue delivery due by then, up to BATCH_MAX. The first
// goes out when it is due; the next to the same agency for the same step waits for the window,
// unless the one before was full. So a desk that missed 300 deadlines is reminded once, not 300
// times, and the number of escalation messages follows the number of people, not of deliveries.
import type { AuditEntryOf } from "../../shared/contracts/audit.ts";
import { BATCH_MAX } from "../../shared/contracts/kinds/batch.ts";
import { ESCALATION_STEPS } from "../../shared/contracts/kinds/escalation.ts";
import { COORDINATOR_ID } from "../../shared/contracts/primitives.ts";
import type { ClaimedItem, EscalationClaim, TrackingRecord } from "../../shared/exchange/records.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import type { Settings } from "../../shared/exchange/settings.ts";
import { timesOf } from "../../shared/exchange/tracking-view.ts";
import { compose, deterministicId } from "../../shared/messaging/compose.ts";

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

/** When a step of a delivery falls due: its deadline, plus a share (setting escalationAfter) of the time it was given. */
export function dueAt(settings: Pick<Settings, "escalationAfter">, t: TrackingRecord, step: Step): number {
  const { deliveredMs, deadlineMs } = timesOf(t);
  return deadlineMs + settings.escalationAfter[step] * (deadlineMs - deliveredMs);
}

/**
 * Who a step tells: the recipient (reminder), its organisation's regional hub (backup contact; none
 * when it has no hub, or the hub is the originator), the originator.
 */
export function notifyFor(registry: Pick<Registry, "backupContact">, t: TrackingRecord, step: Step): { agency: string; via?: string } | undefined {
  if (step === "reminder") return { agency: t.recipient };
  if (step === "originator") return { agency: t.originator };
  const backup = registry.backupContact(t.recipient);
  return backup && backup.hub !== t.originator ? { agency: backup.hub, via: backup.via } : undefined;
}

/** How long a claim is held by the instance that made it: then another instance finishes it. */
export const CLAIM_TIMEOUT_WALL_MS = 15_000;
/** A claim found done before its record reached this view: looked at again after this long. */
export const RECORD_LAG_MS = 2_000;

/** A batch's claim as read from the claims bucket (one failing its contract is `invalid`). */
export type ClaimRead = { value: EscalationClaim; revision: number } | { invalid: true; revision: number } | undefined;

export type ClaimDecision =
  /** Another instance sent it, or holds it: not looked at again before `untilWall`. */
  | { type: "held-elsewhere"; untilWall: number }
  /** This instance takes it: written by create (no `revision`) or compare-and-set. */
  | { type: "claim"; claim: EscalationClaim; revision?: number; takenOverFrom?: string };

/**
 * Whether this instance takes a planned batch on. A claim that fails its contract is no claim:
 * taken over like a stale one. A claim left by an instance that died (older than the timeout) is
 * finished as it was frozen, so the very same message goes out.
 */
export function decideClaim(b: PlannedBatch, cur: ClaimRead, instance: string, wallNowMs: number): ClaimDecision {
  const held = cur && "value" in cur ? cur.value : undefined;
  // Sent by another instance; its record is on its way to this view.
  if (held && held.state !== "claimed") return { type: "held-elsewhere", untilWall: wallNowMs + RECORD_LAG_MS };
  if (held && wallNowMs - held.claimedAtWall < CLAIM_TIMEOUT_WALL_MS) return { type: "held-elsewhere", untilWall: held.claimedAtWall + CLAIM_TIMEOUT_WALL_MS };
  const revision = cur ? { revision: cur.revision } : {};
  if (held?.at && held.items?.length) return { type: "claim", claim: { ...held, instance, claimedAtWall: wallNowMs }, ...revision, takenOverFrom: held.instance };
  return { type: "claim", claim: { state: "claimed", instance, claimedAtWall: wallNowMs, at: new Date(b.atMs).toISOString(), items: b.items }, ...revision };
}

/**
 * The escalation message (unsigned) and its audit record for the `batch`'th batch of `step` told
 * to `notify`, sent at `at` covering `items`: the same bytes and ids whoever sends them.
 */
export function escalationOf(step: Step, notify: string, batch: number, at: string, items: ClaimedItem[]) {
  const name = `${step}:${notify}:${batch}`;
  const [first, ...rest] = items as [ClaimedItem, ...ClaimedItem[]];
  const item = (i: ClaimedItem) => ({ messageId: i.messageId, recipient: i.recipient, precedence: i.precedence, deadline: i.deadline, ...(i.via ? { via: i.via } : {}) });
  const message = compose(
    "escalation",
    { ...item(first), step, notify, ...(rest.length ? { more: rest.map(item) } : {}) },
    { id: deterministicId(`escalation:${name}`, Date.parse(at)), sender: COORDINATOR_ID, sentAt: at, correlationId: first.messageId },
  );
  const entry: AuditEntryOf<"escalated"> = {
    eventId: `escalated:${name}`,
    event: "escalated",
    at,
    actor: COORDINATOR_ID,
    messageId: first.messageId,
    kind: first.kind,
    agency: notify,
    data: {
      step, batch, escalationId: message.id, recipient: first.recipient, precedence: first.precedence, deadline: first.deadline,
      ...(first.via ? { via: first.via } : {}),
      ...(rest.length ? { more: rest.map((i) => ({ ...item(i), kind: i.kind })) } : {}),
    },
  };
  return { message, entry, msgID: `escalation:${name}` };
}
