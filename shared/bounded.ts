// Sets and maps that forget their oldest entries beyond a size: what a 24/7 service keeps per
// message id (ids it decided, deliveries it has seen) must not grow for ever. Entries are kept in
// insertion order (a re-added one becomes the newest); the first is the oldest.
//
// The oldest is found by one iterator kept across evictions, not a fresh one each time: V8 leaves
// a deleted entry as a hole until it next compacts the table, and a fresh iterator steps over every
// hole before the first live entry. Full, that cost each add some 20–40 µs at 100,000 entries
// (tens of thousands of holes) where the kept one steps over each hole once. A kept iterator also
// keeps tables alive, though (EvictionCursor.changed).

/** The oldest-first walk of a set's or map's keys that eviction advances. */
class EvictionCursor<K> {
  private walk: Iterator<K> | undefined;
  /** Changes since the walk last moved. */
  private still = 0;

  constructor(private readonly keys: () => Iterator<K>) {}

  /**
   * The oldest key. Only called while the collection holds more than its bound, so an entry lies
   * ahead: every key behind the walk was evicted, and a key re-added went to the end.
   */
  oldest(): K {
    this.still = 0;
    // Started at the first eviction: kept from the start, it would keep every table the growing
    // collection outgrew alive until then.
    this.walk ??= this.keys();
    let r = this.walk.next();
    if (r.done) {
      // Not reached (see above); a walk that ended must not end the bound.
      this.walk = this.keys();
      r = this.walk.next();
    }
    return r.value as K;
  }

  /**
   * A change that evicted nothing (a delete, an add within the bound). V8 rebuilds a table every
   * so many changes and keeps the old one for as long as an iterator on it has not moved on, so a
   * walk that stands still while entries come and go keeps every table since alive. After as many
   * changes as the collection holds, it is dropped; the next eviction starts a new one, stepping
   * over the holes once.
   */
  changed(size: number) {
    if (this.walk && ++this.still > Math.max(64, size)) {
      this.walk = undefined;
      this.still = 0;
    }
  }
}

export class BoundedSet<T> {
  private readonly items = new Set<T>();
  private readonly cursor = new EvictionCursor<T>(() => this.items.values());

  constructor(private readonly max: number) {}

  add(item: T): this {
    this.items.delete(item);
    this.items.add(item);
    this.trim();
    return this;
  }

  /** Adds `item` unless it is held (where add() would make it the newest); true if it was not held. */
  addNew(item: T): boolean {
    if (this.items.has(item)) return false;
    this.items.add(item);
    this.trim();
    return true;
  }

  has(item: T): boolean {
    return this.items.has(item);
  }

  delete(item: T): boolean {
    if (!this.items.delete(item)) return false;
    this.cursor.changed(this.items.size);
    return true;
  }

  private trim() {
    if (this.items.size <= this.max) return this.cursor.changed(this.items.size);
    do this.items.delete(this.cursor.oldest());
    while (this.items.size > this.max);
  }

  get size(): number {
    return this.items.size;
  }
}

export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly cursor = new EvictionCursor<K>(() => this.entries.keys());

  constructor(
    private readonly max: number,
    /** Told of each entry evicted (not of those deleted). */
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.trim();
    return this;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  delete(key: K): boolean {
    if (!this.entries.delete(key)) return false;
    this.cursor.changed(this.entries.size);
    return true;
  }

  private trim() {
    if (this.entries.size <= this.max) return this.cursor.changed(this.entries.size);
    do {
      const oldest = this.cursor.oldest();
      const value = this.onEvict && (this.entries.get(oldest) as V);
      this.entries.delete(oldest);
      this.onEvict?.(oldest, value as V);
    } while (this.entries.size > this.max);
  }

  /** Oldest first. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries.entries();
  }

  get size(): number {
    return this.entries.size;
  }
}
