// The order in which a coordinator decides submissions: fair between agencies, FLASH first within
// what is fair, bookkeeping when alerts allow. Pure (no timers, no I/O), so it is unit-tested as it
// is; the intake (intake.ts) feeds it what it pulls and starts what it picks.
//
// - Each agency has a queue of its own, bounded (queuePerSender): what does not fit stays in the
//   stream. Its submissions are decided one at a time, in its order; the writes that follow a
//   decision may overlap the next decision, each holding a slot.
// - Agencies take turns: one whose head is ready waits at the back of a ready line and is served
//   once, then goes to the back again. Three lines, served in order: FLASH alerts and RFIs, other
//   alerts, answers, updates and anything refused, then bookkeeping (receipts, acknowledgements,
//   presence). A burst from one agency therefore costs the others at most one turn each round.
// - At most `slots` decisions and writes at once, at most `senderSlots` of them one agency's, at
//   most `bookkeepingSlots` of them bookkeeping: a lone agency may use most of the coordinator,
//   never all of it while others wait, and receipts waiting to be written never leave an alert
//   without a slot.
// - While an alert is being decided and fanned out (`hold`), bookkeeping waits, for at most
//   `maxHoldMs` in a row; then it gets a slice of `sliceMs`.

import { releaseOnce } from "../../shared/yielding-queue.ts";

/** 0: FLASH alerts and RFIs; 1: other urgent work; 2: bookkeeping. */
export type Urgency = 0 | 1 | 2;

export interface Queued {
  sender: string;
  urgency: Urgency;
}

export interface FairLimits {
  /** Decisions and writes under way at once, all agencies together. */
  slots: number;
  /** Of those, at most this many one agency's. */
  senderSlots: number;
  /** Of those, at most this many bookkeeping (the rest is kept for alerts and the like). */
  bookkeepingSlots: number;
  /** Submissions of one agency pulled and waiting for their turn. */
  queuePerSender: number;
  /** Longest bookkeeping waits behind alerts in a row. */
  maxHoldMs: number;
  /** How long bookkeeping then runs before alerts hold it again. */
  sliceMs: number;
}

export const FAIR_LIMITS: FairLimits = { slots: 128, senderSlots: 96, bookkeepingSlots: 96, queuePerSender: 8, maxHoldMs: 25, sliceMs: 2 };

/** A FIFO of agency ids: O(1) at both ends, compacted as it goes. */
class Line {
  private ids: string[] = [];
  private head = 0;
  push(id: string) {
    this.ids.push(id);
  }
  shift(): string | undefined {
    if (this.head >= this.ids.length) return undefined;
    const id = this.ids[this.head++];
    if (this.head > 1024 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
    return id;
  }
  get length() {
    return this.ids.length - this.head;
  }
}

interface Sender<T> {
  items: T[];
  /** Its head is being decided. */
  deciding: boolean;
  /** Decisions and writes of this agency under way. */
  slots: number;
  /** The ready line it waits in, if it does (an entry for it in another line is stale). */
  line: Urgency | undefined;
}

export class FairQueue<T extends Queued> {
  private readonly senders = new Map<string, Sender<T>>();
  private readonly lines: [Line, Line, Line] = [new Line(), new Line(), new Line()];
  private active = 0;
  private activeBookkeeping = 0;
  private queuedTotal = 0;
  private holds = 0;
  /** When bookkeeping was first turned away by a hold since it last ran. */
  private blockedSince: number | undefined;
  /** Bookkeeping may run until then although alerts hold it (it waited maxHoldMs). */
  private sliceUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly limits: FairLimits = FAIR_LIMITS) {}

  /** Decisions and writes under way. */
  get inFlight() {
    return this.active;
  }
  /** Submissions pulled and waiting for their turn. */
  get queued() {
    return this.queuedTotal;
  }
  queuedOf(sender: string) {
    return this.senders.get(sender)?.items.length ?? 0;
  }
  /** Whether one more of this agency's submissions may be pulled in. */
  hasRoom(sender: string) {
    return this.queuedOf(sender) < this.limits.queuePerSender;
  }

  offer(item: T) {
    const s = this.sender(item.sender);
    s.items.push(item);
    this.queuedTotal++;
    this.maybeReady(item.sender, s);
  }

  /**
   * The next submission to start at `nowMs` (ms of a monotonic clock), or undefined when none may
   * start now. Alerts and the like of an agency for which `urgent` says no wait (keeping their
   * place in line: the coordinator, or that agency's share of it, is at its limit of open
   * deliveries) while others' go on; with `bookkeeping` false, bookkeeping waits (the audit
   * writer is behind).
   */
  next(nowMs: number, allow: { urgent?: (sender: string) => boolean; bookkeeping?: boolean } = {}): T | undefined {
    if (this.active >= this.limits.slots) return undefined;
    for (const u of [0, 1] as const) {
      const item = this.take(u, allow.urgent);
      if (item) return item;
    }
    if (!this.lines[2].length || allow.bookkeeping === false || this.activeBookkeeping >= this.limits.bookkeepingSlots) return undefined;
    if (this.holds > 0 && nowMs >= this.sliceUntil) {
      this.blockedSince ??= nowMs;
      if (nowMs - this.blockedSince < this.limits.maxHoldMs) return undefined;
      this.sliceUntil = nowMs + this.limits.sliceMs;
    }
    this.blockedSince = undefined;
    return this.take(2);
  }

  /** The agency's decision is made: its next submission may be decided (its writes may go on). */
  decided(sender: string) {
    const s = this.senders.get(sender);
    if (!s) return;
    s.deciding = false;
    this.maybeReady(sender, s);
  }

  /** A decision and its writes are done: its slot is free. */
  released(item: T) {
    const s = this.senders.get(item.sender);
    if (!s) return;
    s.slots--;
    this.active--;
    if (item.urgency === 2) this.activeBookkeeping--;
    this.maybeReady(item.sender, s);
    this.forgetIfIdle(item.sender, s);
  }

  /** Bookkeeping waits until the returned release is called (by every holder). Releasing twice is harmless. */
  hold(): () => void {
    this.holds++;
    return releaseOnce(() => void this.holds--);
  }

  /** Everything still waiting for its turn, removed (to hand back when stopping). */
  takeAllQueued(): T[] {
    const out: T[] = [];
    for (const [id, s] of this.senders) {
      out.push(...s.items);
      this.queuedTotal -= s.items.length;
      s.items = [];
      s.line = undefined;
      this.forgetIfIdle(id, s);
    }
    return out;
  }

  private sender(id: string): Sender<T> {
    let s = this.senders.get(id);
    if (!s) this.senders.set(id, (s = { items: [], deciding: false, slots: 0, line: undefined }));
    return s;
  }

  /**
   * An agency waits in the line of the most urgent submission it has queued, though its own go in
   * its order: an alert queued behind its sender's receipts lifts them (they are decided first, at
   * the alert's priority), so an agency busy acknowledging a flood of deliveries still gets its
   * alerts through.
   */
  private maybeReady(id: string, s: Sender<T>) {
    if (s.deciding || !s.items.length || s.slots >= this.limits.senderSlots) return;
    let u = s.items[0]!.urgency;
    for (const item of s.items) if (item.urgency < u) u = item.urgency;
    // Already waiting in that line, or a better one.
    if (s.line !== undefined && s.line <= u) return;
    s.line = u;
    this.lines[u].push(id);
  }

  /**
   * The first agency of line `u` whose head may start (those passed over keep their turn, at the
   * back): `allowed` judges alerts and the like; lifted bookkeeping always may.
   */
  private take(u: Urgency, allowed: (sender: string) => boolean = () => true): T | undefined {
    const line = this.lines[u];
    let id: string | undefined;
    for (let n = line.length; n > 0; n--) {
      const next = line.shift()!;
      const s = this.senders.get(next);
      // Moved to a better line, or nothing left: this entry is stale.
      if (!s || s.line !== u || !s.items.length) continue;
      if (s.items[0]!.urgency === 2 || allowed(next)) {
        id = next;
        break;
      }
      line.push(next);
    }
    if (id === undefined) return undefined;
    const s = this.senders.get(id)!;
    const item = s.items.shift()!;
    s.line = undefined;
    s.deciding = true;
    s.slots++;
    this.active++;
    if (item.urgency === 2) this.activeBookkeeping++;
    this.queuedTotal--;
    return item;
  }

  private forgetIfIdle(id: string, s: Sender<T>) {
    if (!s.items.length && !s.slots && !s.deciding && s.line === undefined) this.senders.delete(id);
  }
}
