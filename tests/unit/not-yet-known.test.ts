// Whether a reference to a message not in the store may just be early (coordinator/not-yet-known.ts).
import { v7 } from "uuid";
import { describe, expect, it } from "vitest";
import { SimClock } from "../../shared/clock.ts";
import { JUDGED_AGAIN_FOR_MS, mayBeOnItsWay, STORE_LAG_MS, v7Time } from "../../services/coordinator/not-yet-known.ts";

const at = (ms: number) => v7({ msecs: ms });
/** A clock whose simulated time is `simNow` at wall time `wallNow`. */
const clock = (wallNow: number, speed = 1, simNow = wallNow) => new SimClock({ simAnchor: simNow, wallAnchor: wallNow, speed, paused: false });

describe("not yet known", () => {
  it("reads the creation time of a UUID v7, and nothing from other ids", () => {
    const now = Date.UTC(2026, 10, 22, 9, 0, 0, 123);
    expect(v7Time(at(now))).toBe(now);
    expect(v7Time("0f8fad5b-d9cb-469f-a165-70867728950e")).toBeUndefined(); // v4
    expect(v7Time("not an id")).toBeUndefined();
  });

  it("takes a young id for one that may be on its way, an old or far-future one for unknown", () => {
    const now = Date.now();
    const stored = now - 10;
    const c = clock(now);
    expect(mayBeOnItsWay(at(now - 50), stored, c, now)).toBe(true);
    expect(mayBeOnItsWay(at(now + 1_000), stored, c, now)).toBe(true); // a clock a little ahead
    expect(mayBeOnItsWay(at(now - STORE_LAG_MS - 1), stored, c, now)).toBe(false);
    expect(mayBeOnItsWay(at(now + 60_000), stored, c, now)).toBe(false);
    expect(mayBeOnItsWay("0f8fad5b-d9cb-469f-a165-70867728950e", stored, c, now)).toBe(false);
  });

  it("reads ids in simulated time, its bounds stretched by the clock's speed", () => {
    const wall = Date.now();
    const sim = Date.UTC(2026, 8, 21, 8, 0, 0);
    const fast = clock(wall, 1000, sim);
    // Made 10 simulated minutes ago at x1000 (0.6 s of wall time): young. Dated by wall time: not.
    expect(mayBeOnItsWay(at(sim - 600_000), wall - 10, fast, wall)).toBe(true);
    expect(mayBeOnItsWay(at(wall - 50), wall - 10, fast, wall)).toBe(false);
    expect(mayBeOnItsWay(at(sim - STORE_LAG_MS * 1000 - 1), wall - 10, fast, wall)).toBe(false);
  });

  it("judges a submission again only for a few seconds after it was stored, however young the id", () => {
    const now = Date.now();
    expect(mayBeOnItsWay(at(now - 50), now - JUDGED_AGAIN_FOR_MS + 100, clock(now), now)).toBe(true);
    expect(mayBeOnItsWay(at(now - 50), now - JUDGED_AGAIN_FOR_MS, clock(now), now)).toBe(false);
  });
});
