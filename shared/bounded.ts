// Sets and maps that forget their oldest entries beyond a size: what a 24/7 service keeps per
// message id (ids it decided, deliveries it has seen) must not grow for ever. Entries are kept in
// insertion order (a re-added one becomes the newest); the first is the oldest.
export class BoundedSet<T> {
  private readonly items = new Set<T>();

  constructor(private readonly max: number) {}

  add(item: T): this {
    this.items.delete(item);
    this.items.add(item);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value!);
    return this;
  }

  has(item: T): boolean {
    return this.items.has(item);
  }

  delete(item: T): boolean {
    return this.items.delete(item);
  }

  get size(): number {
    return this.items.size;
  }
}

export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return this;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** Oldest first. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries.entries();
  }

  get size(): number {
    return this.entries.size;
  }
}
