// What a 24/7 service keeps per message id is bounded: the oldest entries go first, and a
// re-added entry counts as new.
import { describe, expect, it } from "vitest";
import { BoundedMap, BoundedSet } from "../../shared/bounded.ts";

describe("BoundedSet and BoundedMap", () => {
  it("forget the oldest entry beyond their size; re-adding makes an entry the newest", () => {
    const s = new BoundedSet<string>(3).add("a").add("b").add("c").add("a").add("d");
    expect(["a", "b", "c", "d"].filter((x) => s.has(x))).toEqual(["a", "c", "d"]);
    expect(s.size).toBe(3);

    const m = new BoundedMap<string, number>(2).set("x", 1).set("y", 2).set("x", 3).set("z", 4);
    expect([m.get("x"), m.get("y"), m.get("z")]).toEqual([3, undefined, 4]);
    expect(m.size).toBe(2);
  });

  it("keep the newest entries, oldest first, through many evictions with re-adds and deletes between them", () => {
    // Given a bound of 50 and a plain list as the model (re-added: moved to the end; deleted: gone),
    // when 20,000 ids come with every 7th re-adding a recent one and every 11th deleting one,
    // then the set, the map and the model agree on what is held, in what order.
    const max = 50;
    const s = new BoundedSet<string>(max);
    const m = new BoundedMap<string, number>(max);
    let model: string[] = [];
    const put = (k: string) => {
      model = model.filter((x) => x !== k);
      model.push(k);
      if (model.length > max) model.shift();
      s.add(k);
      m.set(k, model.length);
    };
    for (let i = 0; i < 20_000; i++) {
      put(`id-${i}`);
      if (i % 7 === 0) put(`id-${i - 3}`);
      if (i % 11 === 0) {
        const gone = `id-${i - 5}`;
        model = model.filter((x) => x !== gone);
        s.delete(gone);
        m.delete(gone);
      }
    }
    expect(s.size).toBe(model.length);
    expect([...m].map(([k]) => k)).toEqual(model);
    expect(model.every((k) => s.has(k))).toBe(true);
    expect(s.has("id-0")).toBe(false);
  });

  it("addNew adds only what is not held, and leaves a held entry where it is", () => {
    const s = new BoundedSet<string>(2);
    expect(s.addNew("a")).toBe(true);
    expect(s.addNew("b")).toBe(true);
    expect(s.addNew("a")).toBe(false); // not made the newest: "a" is still the oldest
    expect(s.addNew("c")).toBe(true);
    expect(["a", "b", "c"].filter((x) => s.has(x))).toEqual(["b", "c"]);
  });

  it("tells the map's owner each entry it evicts, with its value, and not those deleted", () => {
    const evicted: [string, number][] = [];
    const m = new BoundedMap<string, number>(2, (k, v) => void evicted.push([k, v]));
    m.set("a", 1).set("b", 2).set("a", 3).set("c", 4);
    m.delete("a");
    m.set("d", 5).set("e", 6);
    expect(evicted).toEqual([["b", 2], ["c", 4]]);
    expect([...m]).toEqual([["d", 5], ["e", 6]]);
  });

  it("let go of their eviction walk while entries come and go below the bound, so it keeps no old tables alive", () => {
    // Given a map that has evicted once (its walk started), when entries come and go below the
    // bound, V8 rebuilds its table again and again, and a walk that stood still would keep every
    // old table alive (hundreds of MB over millions of changes). Heap is not measured here (a
    // collector's timing is not a test's to rely on): the walk must be dropped, then start again.
    const m = new BoundedMap<string, number>(100);
    const walk = () => (m as unknown as { cursor: { walk?: unknown } }).cursor.walk;
    for (let i = 0; i <= 100; i++) m.set(`k${i}`, i);
    expect(walk()).toBeDefined();
    for (let i = 0; i <= 100; i++) m.delete(`k${i}`);
    for (let i = 0; i < 1_000; i++) {
      m.set(`n${i}`, i);
      if (i >= 20) m.delete(`n${i - 20}`);
    }
    expect(walk()).toBeUndefined();
    for (let i = 0; i < 200; i++) m.set(`full${i}`, i);
    expect(walk()).toBeDefined();
    expect(m.size).toBe(100);
    expect(m.has("full99")).toBe(false);
    expect(m.has("full100")).toBe(true);
  });
});
