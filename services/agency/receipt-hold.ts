// Receipts held back for an acknowledgement due at once. An acknowledgement sent before the
// receipt counts as both (docs/protocol.md §6), so a receipt the officer's acknowledgement will
// stand in for within moments need not go at all. Left in the receipt batch, it went: under load
// the batch is taken before the officer's turn comes, and a node then sent two messages (and the
// coordinator checked, recorded and tracked two) for every delivery its officer acknowledged at
// once. Held here instead, by message id, each for a bounded time: an acknowledgement that does
// not take it in time (the officer's timer fired late on a busy node, the clock was paused or
// slowed, the node stopped) lets the receipt go after all.

import { KeyedItems } from "../../shared/keyed-items.ts";

/**
 * A receipt as the hold keeps it: the hold's marks live on the receipt itself, not in a wrapper
 * (thousands are held at once under load, and every object each keeps outlives the young
 * generation). A receipt is held once at most.
 */
export interface HeldReceipt {
  /** The message id it is held under (its acknowledgement takes it by this). */
  readonly key: string;
  /** When it was held (the hold's clock, ms): set by hold(). */
  heldSinceMs: number;
  /** Held now (not yet taken by its acknowledgement or let go): set by the hold. */
  held: boolean;
}

/** Receipts falling due together are let go together: the timer waits at least this long (ms). */
const MIN_WAIT_MS = 20;

export class ReceiptHold<T extends HeldReceipt> {
  /** By message id: nearly always one receipt, two for a delivery read twice. */
  private readonly byId = new KeyedItems<T>();
  /** Every receipt held, in the order it was held (oldest from `head`): what falls due first is at the front. */
  private queue: T[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** The longest a receipt is held (ms). */
    private readonly maxMs: number,
    /** Where a receipt goes when it is let go: into the receipt batch. */
    private readonly letGo: (item: T) => void,
    /** A monotonic clock (ms): a wall clock stepping back must not lengthen a hold. */
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.byId.size;
  }

  hold(item: T) {
    // Held twice, it would be let go twice.
    if (item.held) throw new Error(`expected a receipt not held already; the one for ${item.key} is`);
    item.heldSinceMs = this.nowMs();
    item.held = true;
    this.byId.add(item.key, item);
    this.queue.push(item);
    this.timer ??= this.arm(this.maxMs);
  }

  /** Lets one held receipt go now (no acknowledgement will stand in for it); false if it is not held. */
  release(item: T): boolean {
    if (!item.held) return false;
    this.letGoOf(item);
    return true;
  }

  /** The acknowledgement of `id` stands in: its held receipts, which it now answers for. */
  take(id: string): T[] {
    const all = this.byId.takeAll(id);
    for (const h of all) h.held = false;
    this.emptied();
    return all;
  }

  private letGoOf(h: T) {
    this.byId.remove(h.key, h);
    h.held = false;
    this.emptied();
    this.letGo(h);
  }

  /** Nothing held: the queue (receipts taken or let go, waiting to be passed over) is dropped. */
  private emptied() {
    if (!this.byId.empty) return;
    this.queue = [];
    this.head = 0;
  }

  /** Lets go of every receipt held `maxMs` or longer, oldest first; looks again when the next falls due. */
  private expire() {
    this.timer = undefined;
    const cutoff = this.nowMs() - this.maxMs;
    const { queue } = this;
    while (this.head < queue.length) {
      const h = queue[this.head]!;
      if (h.held && h.heldSinceMs > cutoff) break;
      this.head++;
      if (!h.held) continue;
      this.letGoOf(h);
      if (this.queue !== queue) return; // emptied: nothing left to look at
    }
    if (this.head > 1024 && this.head * 2 > queue.length) {
      queue.splice(0, this.head);
      this.head = 0;
    }
    const next = queue[this.head];
    if (next) this.timer = this.arm(next.heldSinceMs + this.maxMs - this.nowMs());
  }

  private arm(ms: number): NodeJS.Timeout {
    // A stopped node's held receipts are let go into a batch that fails: it must not keep a process alive.
    return setTimeout(() => this.expire(), Math.max(MIN_WAIT_MS, ms)).unref();
  }
}
