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
// - At most `slots` decisions and writes at once, at most `senderSlots` of them one agency's: a
//   lone agency may use most of the coordinator, but never all of it while others wait.
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
  /** Submissions of one agency pulled and waiting for their turn. */
  queuePerSender: number;
  /** Longest bookkeeping waits behind alerts in a row. */
  maxHoldMs: number;
  /** How long bookkeeping then runs before alerts hold it again. */
  sliceMs: number;
}

export const FAIR_LIMITS: FairLimits = { slots: 128, senderSlots: 96, queuePerSender: 8, maxHoldMs: 25, sliceMs: 2 };

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
  /** Waiting in a ready line. */
  ready: boolean;
}

export class FairQueue<T extends Queued> {
  private readonly senders = new Map<string, Sender<T>>();
  private readonly lines: [Line, Line, Line] = [new Line(), new Line(), new Line()];
  private active = 0;
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
   * start now. Alerts and the like of an agency for which `urgentAllowed` says no wait (keeping
   * their place in line: the coordinator, or that agency's share of it, is at its limit of open
   * deliveries) while others' and bookkeeping go on.
   */
  next(nowMs: number, urgentAllowed: (sender: string) => boolean = () => true): T | undefined {
    if (this.active >= this.limits.slots) return undefined;
    for (const u of [0, 1] as const) {
      const item = this.take(u, urgentAllowed);
      if (item) return item;
    }
    if (!this.lines[2].length) return undefined;
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
  released(sender: string) {
    const s = this.senders.get(sender);
    if (!s) return;
    s.slots--;
    this.active--;
    this.maybeReady(sender, s);
    this.forgetIfIdle(sender, s);
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
      this.forgetIfIdle(id, s);
    }
    return out;
  }

  private sender(id: string): Sender<T> {
    let s = this.senders.get(id);
    if (!s) this.senders.set(id, (s = { items: [], deciding: false, slots: 0, ready: false }));
    return s;
  }

  private maybeReady(id: string, s: Sender<T>) {
    if (s.ready || s.deciding || !s.items.length || s.slots >= this.limits.senderSlots) return;
    s.ready = true;
    this.lines[s.items[0]!.urgency].push(id);
  }

  /** The first agency of line `u` that is `allowed` (those passed over keep their turn, at the back). */
  private take(u: Urgency, allowed: (sender: string) => boolean = () => true): T | undefined {
    const line = this.lines[u];
    let id: string | undefined;
    for (let n = line.length; n > 0; n--) {
      const next = line.shift()!;
      if (allowed(next)) {
        id = next;
        break;
      }
      line.push(next);
    }
    if (id === undefined) return undefined;
    const s = this.senders.get(id)!;
    s.ready = false;
    s.deciding = true;
    s.slots++;
    this.active++;
    this.queuedTotal--;
    return s.items.shift()!;
  }

  private forgetIfIdle(id: string, s: Sender<T>) {
    if (!s.items.length && !s.slots && !s.deciding && !s.ready) this.senders.delete(id);
  }
}
