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
});
