// The bench's count of garbage collections in its own process: what a burst's collections
// paused the main thread, per delivery, by kind.
import { describe, expect, it } from "vitest";
import { gcMeter } from "../../services/bench/gc-meter.ts";

describe("gcMeter", () => {
  it("counts the scavenges that short-lived garbage causes, and divides their pauses by the deliveries", async () => {
    // Given a meter, when the process makes a few hundred MB of objects that die young,
    const meter = gcMeter();
    let kept = 0;
    for (let i = 0; i < 2_000_000; i++) kept += [i, { i }, `${i}`].length;
    // (perf_hooks hands gc entries over after the collection: one turn later at most)
    await new Promise((r) => setImmediate(r));
    const gc = meter.perDelivery(1_000);
    // then it has seen scavenges, and the pause of all collections includes theirs.
    expect(kept).toBe(6_000_000);
    expect(gc.scavenges).toBeGreaterThan(0);
    expect(gc.scavengeMicros).toBeGreaterThan(0);
    expect(gc.pauseMicros).toBeGreaterThanOrEqual(gc.scavengeMicros);
    // Stopped: what comes after is not counted.
    for (let i = 0; i < 1_000_000; i++) kept += [i, { i }].length;
    expect(meter.perDelivery(1_000).scavenges).toBe(gc.scavenges);
  });
});
