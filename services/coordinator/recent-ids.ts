// Ids this instance decided lately (accepted, or rejected with a recorded outcome). A lookup of
// the id made before that decision is stale: the submission is looked up again. Bounded: far
// older decisions were stored long before any lookup still waiting.
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 50_000) {}

  add(id: string) {
    this.ids.delete(id);
    this.ids.add(id);
    // A Set iterates in insertion order: the first is the oldest.
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }

  has(id: string) {
    return this.ids.has(id);
  }
}
