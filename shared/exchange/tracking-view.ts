// Where each delivery stands, as the audit chain tells it: the chain is the one record of what
// was delivered, receipted, acknowledged, escalated and retracted, and this is its projection.
// The coordinator keeps one live (to judge receipts and acknowledgements and to escalate);
// observers build one by reading the chain. Applying a record twice changes nothing, so records
// may be applied as they are written and again as they are read back.
import { BoundedMap } from "../bounded.ts";
import { type ChainEvent, type Expand, perDelivery } from "../audit/deliveries.ts";
import { isAcceptedEvent } from "../contracts/audit.ts";
import { ESCALATION_STEPS } from "../contracts/kinds/escalation.ts";
import { PRECEDENCES } from "../contracts/primitives.ts";
import type { DeliveryGroup, FigureCounts, TrackingSnapshot } from "./checkpoint-contract.ts";
import type { TrackingRecord } from "./records.ts";

/** Ids of records written here still expected back from the chain (see applyWritten). */
export const MAX_WRITTEN = 100_000;
/** Messages whose deliveries a forgetting view remembers having held (see wasPruned). */
const MAX_KNOWN_MESSAGES = 200_000;
/** Of those, a snapshot keeps the newest this many (older ones count as forgotten by their time, see wasPruned). */
export const SNAPSHOT_KNOWN_MESSAGES = 50_000;
/** Kinds counted among "alerts and RFIs". */
const LISTED_KINDS: ReadonlySet<string> = new Set(["alert", "rfi"]);

/** A delivery changed: first recorded, acknowledged (the first acknowledgement), or withdrawn before that. */
export type DeliveryChange = "delivered" | "acknowledged" | "withdrawn";

const noCounts = (): FigureCounts => ({
  messagesAccepted: 0,
  alertsAndRfis: 0,
  rejected: 0,
  escalations: 0,
  byPrecedence: Object.fromEntries(PRECEDENCES.map((p) => [p, { deliveries: 0, acknowledged: 0, withinDeadline: 0, withdrawn: 0 }])) as FigureCounts["byPrecedence"],
});
/** What every new delivery's escalations start as (a step taken replaces it): one object for all. */
const NO_ESCALATIONS: TrackingRecord["escalations"] = Object.freeze({});

/** Parsed once: escalation and acknowledgement checks compare these on every pass. */
const TIMES = Symbol("times");
interface Times {
  deliveredMs: number;
  deadlineMs: number;
}
type Tracked = TrackingRecord & { [TIMES]?: Times };

/** The last few timestamps parsed: a message's deliveries all share its delivery time and deadline. */
const parsedTimes = new Map<string, number>();
function parseTime(iso: string): number {
  let ms = parsedTimes.get(iso);
  if (ms === undefined) {
    if (parsedTimes.size >= 64) parsedTimes.clear();
    parsedTimes.set(iso, (ms = Date.parse(iso)));
  }
  return ms;
}

/** A delivery's delivery time and deadline in ms (cached on records this view made). */
export function timesOf(t: TrackingRecord): Times {
  const r = t as Tracked;
  const cached = r[TIMES];
  if (cached) return cached;
  const times = { deliveredMs: parseTime(t.deliveredAt), deadlineMs: parseTime(t.deadline) };
  cacheTimes(t, times);
  return times;
}

/** Not enumerable: copies, comparisons and JSON see the record as it is. */
function cacheTimes(t: TrackingRecord, times: Times) {
  if (Object.isExtensible(t)) Object.defineProperty(t, TIMES, { value: times });
}

/** Not yet acknowledged or closed: what escalates. */
export const isOpen = (t: TrackingRecord) => t.state === "delivered" || t.state === "receipted";
type Step = (typeof ESCALATION_STEPS)[number];
/** A record of the chain (or an entry being written), or one delivery's event of one. */
export type Chained = ChainEvent;

// Deliveries are held per message, then per recipient, and the sets below hold the records
// themselves: a lookup is two small maps and a set test is by identity, not a string key built
// and hashed in a map of every delivery (this runs several times per receipt and acknowledgement).
//
// What one delivery costs is kept small, since a coordinator may hold a hundred thousand: the
// deliveries of one message share its parsed times and one deadline-heap entry, and a delivery
// with no escalation yet shares one empty set of steps.
export class TrackingView {
  /** Each message's deliveries still in the view, in the order its recipients were named. */
  private readonly byMessage = new Map<string, Map<string, TrackingRecord>>();
  private count = 0;
  /** Deliveries waiting for an acknowledgement. */
  private readonly openSet = new Set<TrackingRecord>();
  /** Open deliveries not yet past their deadline, by message and deadline, earliest first (a binary heap). */
  private readonly pending: Entry[] = [];
  /** Open deliveries past their deadline, as found by overdue(). */
  private readonly pastDeadline = new Set<TrackingRecord>();
  /**
   * A view that forgets settled deliveries (prune) remembers which messages it held deliveries of
   * (by id, with their delivery time; the oldest go beyond MAX_KNOWN_MESSAGES), so it can tell a
   * delivery it forgot from one it has not read yet (wasPruned).
   */
  private readonly known: BoundedMap<string, number> | undefined;
  /** Messages forgotten from `known` were delivered before this (simulated ms). */
  private knownBeforeMs = Number.NEGATIVE_INFINITY;

  /**
   * What the exchange's figures count, counted as records are applied (each record once: see
   * `written`), so a checkpoint carries them and they need not be recounted from the whole chain.
   */
  readonly counts: FigureCounts = noCounts();
  private readonly onChange: ((t: TrackingRecord, change: DeliveryChange) => void) | undefined;

  /**
   * `forgetting`: prune() will be used (the coordinator's view); observers' views keep everything.
   * `onChange` hears each delivery as it is first recorded, acknowledged or withdrawn.
   */
  constructor(opts: { forgetting?: boolean; onChange?: (t: TrackingRecord, change: DeliveryChange) => void } = {}) {
    this.known = opts.forgetting ? new BoundedMap(MAX_KNOWN_MESSAGES, (_id, ms) => (this.knownBeforeMs = Math.max(this.knownBeforeMs, ms + 1))) : undefined;
    this.onChange = opts.onChange;
  }

  get(messageId: string, recipient: string): TrackingRecord | undefined {
    return this.byMessage.get(messageId)?.get(recipient);
  }
  /** Every delivery of one message, in the order its recipients were named. */
  ofMessage(messageId: string): TrackingRecord[] {
    return [...(this.byMessage.get(messageId)?.values() ?? [])];
  }
  *all(): Generator<TrackingRecord> {
    for (const m of this.byMessage.values()) yield* m.values();
  }
  /** Deliveries still waiting for an acknowledgement. */
  open(): IterableIterator<TrackingRecord> {
    return this.openSet.values();
  }
  /**
   * Open deliveries whose deadline has passed at `nowMs`: only these can be due an escalation
   * (every step fires at or after the deadline), so a pass does not look at every open delivery.
   */
  *overdue(nowMs: number): Generator<TrackingRecord> {
    while (this.pending.length && this.pending[0]!.deadlineMs <= nowMs) {
      const e = popHeap(this.pending);
      e.left = true;
      this.heapSize -= e.records.length;
      for (const t of e.records) this.pastDeadline.add(t);
    }
    for (const t of this.pastDeadline) {
      // Acknowledged, closed, or every step taken: nothing more can fall due.
      if (this.openSet.has(t) && ESCALATION_STEPS.some((s) => !t.escalations[s] || t.escalations[s] === "claimed")) yield t;
      else this.pastDeadline.delete(t);
    }
  }

  get openCount() {
    return this.openSet.size;
  }
  /** Open deliveries of the messages one agency sent. */
  openOf(originator: string): number {
    return this.openByOriginator.get(originator) ?? 0;
  }
  private readonly openByOriginator = new Map<string, number>();
  /** Settled deliveries still held (acknowledged or closed): what prune() may drop. */
  get settledCount() {
    return this.settledKeys.length - this.settledHead;
  }
  get size() {
    return this.count;
  }

  /**
   * Event ids of records this process writes, skipped when read back from the chain: true once
   * applied (then a checkpoint carries them as `ahead`), false while only expected.
   */
  private readonly written = new BoundedMap<string, boolean>(MAX_WRITTEN);

  /** Applies a record this process is writing (read back later, it is not applied again). */
  applyWritten(record: Chained) {
    // Bounded: an id read back before it was noted here (or stored by another writer first) is
    // never removed by a read; applying such a record twice changes nothing anyway.
    // Written again (a retried submission): applied once, or its record would be counted twice.
    if (this.written.get(record.eventId)) return;
    this.written.set(record.eventId, true);
    this.apply(record);
  }

  /** Applies a record this process wrote, once stored (expectWritten said it was coming). */
  applyOwnStored(record: Chained) {
    const applied = this.written.get(record.eventId);
    if (applied) return;
    // Not read back yet: passed over when it is, so a checkpoint taken meanwhile must say so.
    if (applied === false) this.written.set(record.eventId, true);
    this.apply(record);
  }

  /**
   * A record this process is about to write and will apply once stored: read back before then,
   * it is passed over, not applied ahead of its write. If the write fails, takeWritten tells
   * whether it was read back all the same (stored after all). See own-records.ts.
   */
  expectWritten(eventId: string) {
    this.written.set(eventId, false);
  }

  /** Applies a record read from the chain, unless this process applied it as it wrote it. */
  applyRead(record: Chained) {
    if (this.takeWritten(record.eventId)) return;
    this.apply(record);
  }

  /**
   * Records the checkpoint this view was restored from had applied ahead of its position, and the
   * key that signed it: only a record signed with that key (its writer's own) is passed over.
   */
  private restoredAhead: { ids: Set<string>; signer: string } | undefined;

  /**
   * Whether a record read from the chain after the checkpoint this view was restored from was
   * applied already (see restoredAhead): forgets it then.
   */
  takeAhead(record: unknown): boolean {
    const a = this.restoredAhead;
    if (!a) return false;
    const r = record as { eventId?: unknown; signature?: { key?: unknown } } | null;
    if (typeof r?.eventId !== "string" || r.signature?.key !== a.signer || !a.ids.delete(r.eventId)) return false;
    if (!a.ids.size) this.restoredAhead = undefined;
    return true;
  }

  /**
   * Whether a record read back from the chain is one this process applied as it wrote it (and so
   * need not even be parsed): forgets it then, as applyRead does.
   */
  takeWritten(eventId: unknown): boolean {
    return typeof eventId === "string" && this.written.delete(eventId);
  }

  /** Settled deliveries (acknowledged or closed), oldest first from `settledHead`: what prune() may drop. */
  private settledKeys: TrackingRecord[] = [];
  private settledHead = 0;
  /** prune() forgot settled deliveries made before this (simulated ms): the latest `beforeMs`. */
  private prunedBeforeMs = Number.NEGATIVE_INFINITY;

  private markSettled(t: TrackingRecord) {
    if (!this.openSet.delete(t)) return;
    this.settledKeys.push(t);
    const n = (this.openByOriginator.get(t.originator) ?? 1) - 1;
    if (n > 0) this.openByOriginator.set(t.originator, n);
    else this.openByOriginator.delete(t.originator);
  }

  /**
   * Forgets settled deliveries made before `beforeMs` (simulated), and beyond `maxSettled` settled
   * ones the oldest settled, so a coordinator that runs for weeks holds what is still open and
   * what is recent, not every delivery ever made. Returns how many went. A delivery of such a
   * message no longer here was settled (see wasPruned).
   */
  prune(beforeMs: number, maxSettled = Infinity): number {
    let dropped = 0;
    while (this.settledHead < this.settledKeys.length) {
      const t = this.settledKeys[this.settledHead]!;
      const tooMany = this.settledKeys.length - this.settledHead > maxSettled;
      if (!tooMany && timesOf(t).deliveredMs >= beforeMs) break;
      this.settledHead++;
      const ofMessage = this.byMessage.get(t.messageId);
      if (ofMessage?.get(t.recipient) !== t) continue;
      ofMessage.delete(t.recipient);
      // The message goes with its last delivery.
      if (!ofMessage.size) this.byMessage.delete(t.messageId);
      this.count--;
      dropped++;
    }
    this.prunedBeforeMs = Math.max(this.prunedBeforeMs, beforeMs);
    // Deliveries settled before their deadline still wait in the heap until it passes (6 h for
    // ROUTINE): rebuilt from the open ones when those are the minority.
    if (this.heapSize > 2 * this.openSet.size + 10_000) {
      const entries = this.pending.splice(0);
      this.heapSize = 0;
      for (const e of entries) {
        e.left = true;
        const open = e.records.filter((t) => this.openSet.has(t));
        if (open.length) {
          pushHeap(this.pending, { deadlineMs: e.deadlineMs, messageId: e.messageId, records: open });
          this.heapSize += open.length;
        }
      }
    }
    // Compacted now and then, not on every call.
    if (this.settledHead > 10_000 && this.settledHead * 2 > this.settledKeys.length) {
      this.settledKeys = this.settledKeys.slice(this.settledHead);
      this.settledHead = 0;
    }
    return dropped;
  }

  /** Deliveries held in the deadline heap (settled ones stay until their deadline or a rebuild). */
  private heapSize = 0;

  /**
   * Whether a delivery of `messageId` made at `deliveredMs` (simulated), if not here, was
   * forgotten by prune() (so it was settled: open ones of any age are kept), rather than not read
   * yet. A forgetting view knows the messages it held deliveries of; beyond those, and in any view,
   * deliveries older than what prune() was told to forget were forgotten.
   */
  wasPruned(messageId: string, deliveredMs: number): boolean {
    if (this.known?.has(messageId)) return true;
    return deliveredMs < Math.max(this.prunedBeforeMs, this.knownBeforeMs);
  }

  /** Applies one audit record, or one delivery's event of one (any event; those about no delivery change nothing). */
  apply(record: Chained) {
    // The events that come by the delivery are applied item by item, without an expanded copy of
    // the record per delivery (perDelivery's shape): a broadcast's record names 89 recipients.
    const id = record.messageId;
    const n = this.counts;
    if (isAcceptedEvent(record)) {
      n.messagesAccepted++;
      if (record.event === "submitted" && record.kind && LISTED_KINDS.has(record.kind)) n.alertsAndRfis++;
    } else if (record.event === "rejected") n.rejected++;
    else if (record.event === "escalated") n.escalations++;
    switch (record.event) {
      case "retracted":
        return this.retract(record.data.refersTo);
      case "delivered": {
        const d = record.data;
        if (!id) return;
        if ("recipients" in d) for (const recipient of d.recipients) this.deliver(id, recipient, record.kind, record.at, d);
        else if ("agency" in record && record.agency) this.deliver(id, record.agency, record.kind, record.at, d);
        return;
      }
      case "receipted": {
        const d = record.data;
        if (id) this.receipted(id, record.actor, d.receiptId, record.at);
        if ("more" in d && d.more) for (const i of d.more) this.receipted(i.messageId, record.actor, d.receiptId, i.at);
        return;
      }
      case "acknowledged": {
        const d = record.data;
        if (id) this.acknowledged(id, record.actor, d.ackId, record.at, d);
        if ("more" in d && d.more) for (const i of d.more) this.acknowledged(i.messageId, record.actor, d.ackId, i.at, i);
        return;
      }
      case "escalated":
        this.escalationSent(record);
    }
    for (const e of perDelivery(record)) this.applyOne(e);
  }

  /** Every step and agency's last escalation batch (what a checkpoint carries). */
  escalationBatchList(): TrackingSnapshot["escalationBatches"] {
    return [...this.escalationBatches].map(([key, b]) => {
      const [step, agency] = key.split(" ") as [Step, string];
      return { step, agency, ...b };
    });
  }

  /** The last coalesced escalation of each step to each agency told: `<step> <agency>` → batch and time. */
  private readonly escalationBatches = new Map<string, { batch: number; atMs: number; items: number }>();

  /**
   * The last escalation batch of `step` told to `notify` (numbered from 1 per step and agency),
   * and its simulated time: the next one is that number plus one, once the window has passed.
   */
  lastEscalation(step: Step, notify: string): { batch: number; atMs: number; items: number } | undefined {
    return this.escalationBatches.get(`${step} ${notify}`);
  }

  private escalationSent(r: Extract<Chained, { event: "escalated" }>) {
    const { batch, step } = r.data;
    if (batch === undefined || !r.agency) return; // one per delivery, written before escalations were coalesced
    const key = `${step} ${r.agency}`;
    const last = this.escalationBatches.get(key);
    // An expanded event (one delivery of a record) says nothing of the record's size: only whole records count.
    const items = 1 + ("more" in r.data && r.data.more ? r.data.more.length : 0);
    if (!last || batch > last.batch) this.escalationBatches.set(key, { batch, atMs: Date.parse(r.at), items });
  }

  /** An escalation step another way settled (claimed and found to need no notice). */
  settle(messageId: string, recipient: string, step: Step, state: "done" | "skipped") {
    const t = this.get(messageId, recipient);
    if (t) t.escalations = { ...t.escalations, [step]: state };
  }

  private applyOne(e: Expand<ChainEvent>) {
    const id = e.messageId;
    if (id && e.event === "escalated") this.settle(id, e.data.recipient, e.data.step, "done");
  }

  private receipted(messageId: string, actor: string, receiptId: string, at: string) {
    const t = this.get(messageId, actor);
    if (!t || t.receiptId) return;
    // Field by field, not Object.assign of a fresh object: this runs for every delivery.
    t.receiptId = receiptId;
    t.receiptAt = at;
    if (t.state === "delivered") t.state = "receipted";
  }

  private acknowledged(messageId: string, actor: string, ackId: string, at: string, d: { officer?: string | undefined; latencyMs: number; withinDeadline: boolean }) {
    const t = this.get(messageId, actor);
    if (!t || t.ackId) return;
    const wasOpen = isOpen(t);
    if (t.state !== "closed") t.state = "acknowledged";
    t.ackId = ackId;
    t.ackAt = at;
    t.receiptAt ??= at;
    if (d.officer) t.ackBy = d.officer;
    t.ackLatencyMs = d.latencyMs;
    t.withinDeadline = d.withinDeadline;
    this.markSettled(t);
    if (!wasOpen) return;
    const p = this.counts.byPrecedence[t.precedence];
    p.acknowledged++;
    if (d.withinDeadline) p.withinDeadline++;
    this.onChange?.(t, "acknowledged");
  }

  /** The times and heap entry of the message whose deliveries are being added (they come one after another). */
  private adding: { messageId: string; deadline: string; times: Times; entry: Entry } | undefined;

  private deliver(id: string, recipient: string, kind: string | undefined, at: string, d: { deadline: string; originator: string; precedence: TrackingRecord["precedence"] }) {
    let ofMessage = this.byMessage.get(id);
    if (ofMessage?.has(recipient)) return;
    if (!ofMessage) this.byMessage.set(id, (ofMessage = new Map()));
    const deadline = d.deadline;
    const t: TrackingRecord = {
      messageId: id,
      kind: (kind ?? "alert") as TrackingRecord["kind"],
      originator: d.originator,
      recipient,
      precedence: d.precedence,
      deliveredAt: at,
      deadline,
      state: "delivered",
      escalations: NO_ESCALATIONS,
    };
    // A message's deliveries share their times and their place in the deadline heap.
    let a = this.adding;
    if (!a || a.messageId !== id || a.deadline !== deadline || a.entry.left) {
      const times = { deliveredMs: parseTime(at), deadlineMs: parseTime(deadline) };
      const entry: Entry = { deadlineMs: times.deadlineMs, messageId: id, records: [] };
      pushHeap(this.pending, entry);
      a = this.adding = { messageId: id, deadline, times, entry };
    }
    cacheTimes(t, a.times);
    a.entry.records.push(t);
    this.heapSize++;
    ofMessage.set(recipient, t);
    this.count++;
    this.openSet.add(t);
    this.openByOriginator.set(t.originator, (this.openByOriginator.get(t.originator) ?? 0) + 1);
    this.remember(id, a.times.deliveredMs);
    this.counts.byPrecedence[t.precedence].deliveries++;
    this.onChange?.(t, "delivered");
  }

  /** Notes a message this (forgetting) view held deliveries of; beyond MAX_KNOWN_MESSAGES the oldest is forgotten by its time. */
  private remember(id: string, deliveredMs: number) {
    if (!this.known || this.known.has(id)) return;
    this.known.set(id, deliveredMs);
  }

  /** The alert is withdrawn: its deliveries not yet acknowledged stop escalating. */
  private retract(alertId: string | undefined) {
    if (!alertId) return;
    for (const t of this.ofMessage(alertId)) {
      if (!isOpen(t)) continue;
      t.state = "closed";
      this.markSettled(t);
      this.counts.byPrecedence[t.precedence].withdrawn++;
      this.onChange?.(t, "withdrawn");
    }
  }

  /**
   * The view's state, for a checkpoint: synchronous, so it is the view as of one moment (the
   * caller notes the chain position of that moment). Records applied but not yet read back are
   * listed, so whoever restores it passes over them.
   */
  snapshot(): TrackingSnapshot {
    const deliveries: DeliveryGroup[] = [];
    const index = new Map<TrackingRecord, number>();
    let group: DeliveryGroup | undefined;
    for (const m of this.byMessage.values())
      for (const t of m.values()) {
        index.set(t, index.size);
        if (!group || !sameGroup(group, t)) {
          const { messageId, kind, originator, precedence, deliveredAt, deadline } = t;
          deliveries.push((group = { messageId, kind, originator, precedence, deliveredAt, deadline, to: [] }));
        }
        group.to.push(recipientState(t));
      }
    const settled: number[] = [];
    for (let i = this.settledHead; i < this.settledKeys.length; i++) {
      const at = index.get(this.settledKeys[i]!);
      if (at !== undefined) settled.push(at);
    }
    const known: [string, number][] = [];
    let knownBeforeMs = this.knownBeforeMs;
    if (this.known) {
      let skip = this.known.size - SNAPSHOT_KNOWN_MESSAGES;
      for (const [id, ms] of this.known) {
        if (skip-- > 0) knownBeforeMs = Math.max(knownBeforeMs, ms + 1);
        else known.push([id, ms]);
      }
    }
    const ahead: string[] = [];
    for (const [id, applied] of this.written) if (applied) ahead.push(id);
    return {
      deliveries,
      settled,
      escalationBatches: this.escalationBatchList(),
      known,
      knownBeforeMs: finiteOrNull(knownBeforeMs),
      prunedBeforeMs: finiteOrNull(this.prunedBeforeMs),
      counts: structuredClone(this.counts),
      ahead,
    };
  }

  /**
   * A view as a snapshot left it. `signer`: the key that signed its checkpoint (the records it
   * applied ahead are passed over only when signed with it).
   */
  static restore(s: TrackingSnapshot, signer: string, opts: ConstructorParameters<typeof TrackingView>[0] = {}): TrackingView {
    const v = new TrackingView(opts);
    const all: TrackingRecord[] = [];
    for (const g of s.deliveries) {
      const times = { deliveredMs: parseTime(g.deliveredAt), deadlineMs: parseTime(g.deadline) };
      // A message's open deliveries share one heap entry, as when they were delivered.
      let entry: Entry | undefined;
      let ofMessage = v.byMessage.get(g.messageId);
      if (!ofMessage) v.byMessage.set(g.messageId, (ofMessage = new Map()));
      for (const r of g.to) {
        const { messageId, kind, originator, precedence, deliveredAt, deadline } = g;
        const t: TrackingRecord = { messageId, kind, originator, recipient: r.recipient, precedence, deliveredAt, deadline, state: r.state, escalations: r.escalations ?? NO_ESCALATIONS };
        for (const k of OPTIONAL_FIELDS) if (r[k] !== undefined) (t as unknown as Record<string, unknown>)[k] = r[k];
        cacheTimes(t, times);
        all.push(t);
        // Named twice (no writer does): held and counted once.
        if (ofMessage.has(t.recipient)) continue;
        ofMessage.set(t.recipient, t);
        v.count++;
        if (!isOpen(t)) continue;
        v.openSet.add(t);
        v.openByOriginator.set(t.originator, (v.openByOriginator.get(t.originator) ?? 0) + 1);
        if (!entry) pushHeap(v.pending, (entry = { deadlineMs: times.deadlineMs, messageId: g.messageId, records: [] }));
        entry.records.push(t);
        v.heapSize++;
      }
    }
    for (const i of s.settled) if (all[i] && !isOpen(all[i])) v.settledKeys.push(all[i]);
    for (const b of s.escalationBatches) v.escalationBatches.set(`${b.step} ${b.agency}`, { batch: b.batch, atMs: b.atMs, items: b.items });
    for (const [id, ms] of s.known) v.remember(id, ms);
    v.knownBeforeMs = s.knownBeforeMs ?? Number.NEGATIVE_INFINITY;
    v.prunedBeforeMs = s.prunedBeforeMs ?? Number.NEGATIVE_INFINITY;
    Object.assign(v.counts, structuredClone(s.counts));
    if (s.ahead.length) v.restoredAhead = { ids: new Set(s.ahead), signer };
    return v;
  }
}

/** What a delivery holds beyond what its message's deliveries share, when set. */
const OPTIONAL_FIELDS = ["receiptAt", "receiptId", "ackAt", "ackId", "ackBy", "ackLatencyMs", "withinDeadline"] as const;

const sameGroup = (g: DeliveryGroup, t: TrackingRecord) =>
  g.messageId === t.messageId && g.deliveredAt === t.deliveredAt && g.deadline === t.deadline && g.precedence === t.precedence && g.kind === t.kind && g.originator === t.originator;

function recipientState(t: TrackingRecord): DeliveryGroup["to"][number] {
  const r: DeliveryGroup["to"][number] = { recipient: t.recipient, state: t.state };
  for (const k of OPTIONAL_FIELDS) if (t[k] !== undefined) (r as Record<string, unknown>)[k] = t[k];
  if (t.escalations !== NO_ESCALATIONS && Object.keys(t.escalations).length) r.escalations = t.escalations;
  return r;
}

const finiteOrNull = (ms: number) => (Number.isFinite(ms) ? ms : null);

/**
 * The view after one more record of the chain (or entry being written): the tracking decider's
 * evolve. The view is changed in place (it holds every open delivery: copying it per record would
 * cost more than the record), and applying a record twice changes nothing.
 */
export function evolve(view: TrackingView, record: Chained): TrackingView {
  view.apply(record);
  return view;
}

/** The deliveries of one message with one deadline, in the deadline heap (`left` once taken out). */
type Entry = { deadlineMs: number; messageId: string; records: TrackingRecord[]; left?: true };

/** One delivery in a min-heap by deadline (the exchange figures keep one: shared/exchange/figures.ts). */
export type DeadlineEntry = { deadlineMs: number; t: TrackingRecord };

/** Min-heaps by deadline, of whatever entries carry one. */

export function pushHeap<E extends { deadlineMs: number }>(h: E[], e: E) {
  let i = h.push(e) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]!.deadlineMs <= e.deadlineMs) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = e;
}

export function popHeap<E extends { deadlineMs: number }>(h: E[]): E {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]!.deadlineMs < h[l]!.deadlineMs ? l + 1 : l;
      if (h[c]!.deadlineMs >= last.deadlineMs) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
