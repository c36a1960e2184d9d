// Receipts held back for an acknowledgement due at once. An acknowledgement sent before the
// receipt counts as both (docs/protocol.md §6), so a receipt the officer's acknowledgement will
// stand in for within moments need not go at all. Left in the receipt batch, it went: under load
// the batch is taken before the officer's turn comes, and a node then sent two messages (and the
// coordinator checked, recorded and tracked two) for every delivery its officer acknowledged at
// once. Held here instead, by message id, each for a bounded time: an acknowledgement that does
// not come in time (its send failed and waits for a retry) lets the receipt go after all.

interface Held<T> {
  item: T;
  sinceMs: number;
}

export class ReceiptHold<T> {
  /**
   * By message id, in the order they were first held: nearly always one receipt per id (no array
   * then), two for a delivery read twice.
   */
  private readonly byId = new Map<string, Held<T> | Held<T>[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** The longest a receipt is held (wall ms). */
    private readonly maxMs: number,
    /** Where a receipt goes when it is let go: into the receipt batch. */
    private readonly letGo: (item: T) => void,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get size(): number {
    let n = 0;
    for (const held of this.byId.values()) n += Array.isArray(held) ? held.length : 1;
    return n;
  }

  hold(id: string, item: T) {
    const h: Held<T> = { item, sinceMs: this.nowMs() };
    const held = this.byId.get(id);
    if (!held) this.byId.set(id, h);
    else if (Array.isArray(held)) held.push(h);
    else this.byId.set(id, [held, h]);
    this.timer ??= this.arm(this.maxMs);
  }

  /** Lets one held receipt go now (no acknowledgement will stand in for it); false if it is not held. */
  release(id: string, item: T): boolean {
    const held = this.byId.get(id);
    if (!held) return false;
    if (!Array.isArray(held)) {
      if (held.item !== item) return false;
      this.byId.delete(id);
    } else {
      const i = held.findIndex((h) => h.item === item);
      if (i < 0) return false;
      held.splice(i, 1);
      if (held.length === 1) this.byId.set(id, held[0]!);
    }
    this.letGo(item);
    return true;
  }

  /** The acknowledgement of `id` stands in: its held receipts, which it now answers for. */
  take(id: string): T[] {
    const held = this.byId.get(id);
    if (!held) return [];
    this.byId.delete(id);
    return Array.isArray(held) ? held.map((h) => h.item) : [held.item];
  }

  /** Lets go of every receipt held `maxMs` or longer; looks again when the next one is due. */
  private expire() {
    this.timer = undefined;
    const cutoff = this.nowMs() - this.maxMs;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.byId) {
      const held = Array.isArray(entry) ? entry : [entry];
      const kept = held.filter((h) => h.sinceMs > cutoff);
      if (kept.length) next = Math.min(next, kept[0]!.sinceMs);
      if (kept.length === held.length) continue;
      if (!kept.length) this.byId.delete(id);
      else this.byId.set(id, kept.length === 1 ? kept[0]! : kept);
      for (const h of held) if (h.sinceMs <= cutoff) this.letGo(h.item);
    }
    if (next !== Number.POSITIVE_INFINITY) this.timer = this.arm(next + this.maxMs - this.nowMs());
  }

  private arm(ms: number): NodeJS.Timeout {
    // A stopped node's held receipts are let go into a batch that fails: it must not keep a process alive.
    return setTimeout(() => this.expire(), Math.max(1, ms)).unref();
  }
}
