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
  /** By message id, in the order they were first held; nearly always one per id (two for a delivery read twice). */
  private readonly byId = new Map<string, Held<T>[]>();
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
    for (const held of this.byId.values()) n += held.length;
    return n;
  }

  hold(id: string, item: T) {
    const held = this.byId.get(id);
    if (held) held.push({ item, sinceMs: this.nowMs() });
    else this.byId.set(id, [{ item, sinceMs: this.nowMs() }]);
    this.timer ??= this.arm(this.maxMs);
  }

  /** Lets one held receipt go now (no acknowledgement will stand in for it); false if it is not held. */
  release(id: string, item: T): boolean {
    const held = this.byId.get(id);
    const i = held ? held.findIndex((h) => h.item === item) : -1;
    if (i < 0) return false;
    held!.splice(i, 1);
    if (!held!.length) this.byId.delete(id);
    this.letGo(item);
    return true;
  }

  /** The acknowledgement of `id` stands in: its held receipts, which it now answers for. */
  take(id: string): T[] {
    const held = this.byId.get(id);
    if (!held) return [];
    this.byId.delete(id);
    return held.map((h) => h.item);
  }

  /** Lets go of every receipt held `maxMs` or longer; looks again when the next one is due. */
  private expire() {
    this.timer = undefined;
    const cutoff = this.nowMs() - this.maxMs;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, held] of this.byId) {
      const kept = held.filter((h) => h.sinceMs > cutoff);
      if (kept.length) next = Math.min(next, kept[0]!.sinceMs);
      if (kept.length === held.length) continue;
      if (kept.length) this.byId.set(id, kept);
      else this.byId.delete(id);
      for (const h of held) if (h.sinceMs <= cutoff) this.letGo(h.item);
    }
    if (next !== Number.POSITIVE_INFINITY) this.timer = this.arm(next + this.maxMs - this.nowMs());
  }

  private arm(ms: number): NodeJS.Timeout {
    // A stopped node's held receipts are let go into a batch that fails: it must not keep a process alive.
    return setTimeout(() => this.expire(), Math.max(1, ms)).unref();
  }
}
