// Items by key where nearly every key has one item: the item itself is the entry, and an array only
// for a key with several. Used per delivery (a batch's items by message id, receipts held by it),
// where an array per item would be one more object for every delivery in flight. Items must not be
// arrays themselves.

export class KeyedItems<T extends object> {
  private readonly byKey = new Map<string, T | T[]>();

  get empty(): boolean {
    return this.byKey.size === 0;
  }

  /** Items held, over every key. */
  get size(): number {
    let n = 0;
    for (const entry of this.byKey.values()) n += Array.isArray(entry) ? entry.length : 1;
    return n;
  }

  add(key: string, item: T) {
    const entry = this.byKey.get(key);
    if (!entry) this.byKey.set(key, item);
    else if (Array.isArray(entry)) entry.push(item);
    else this.byKey.set(key, [entry, item]);
  }

  /** Takes `item` out from under `key`; false if it was not there. */
  remove(key: string, item: T): boolean {
    const entry = this.byKey.get(key);
    if (!Array.isArray(entry)) {
      if (entry !== item) return false;
      this.byKey.delete(key);
      return true;
    }
    const rest = entry.filter((x) => x !== item);
    if (rest.length === entry.length) return false;
    if (rest.length === 0) this.byKey.delete(key);
    else this.byKey.set(key, rest.length === 1 ? rest[0]! : rest);
    return true;
  }

  /** Takes every item held under `key` out, in the order they were added. */
  takeAll(key: string): T[] {
    const entry = this.byKey.get(key);
    if (!entry) return [];
    this.byKey.delete(key);
    return Array.isArray(entry) ? entry : [entry];
  }
}
