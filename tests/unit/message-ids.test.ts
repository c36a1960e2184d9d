// One rule for ids (shared/messaging/compose.ts, docs/protocol.md §2): a UUID v7 carries simulated
// time. A composed message's id is dated at its sentAt; a deterministic one (outcome, escalation,
// inject) is the same each time it is made, so redelivery stays idempotent.
import { describe, expect, it } from "vitest";
import { v7Time } from "../../services/coordinator/not-yet-known.ts";
import { MessageId } from "../../shared/contracts/primitives.ts";
import { compose, deterministicId, idAt } from "../../shared/messaging/compose.ts";

describe("message ids", () => {
  it("date a composed message's id at its sentAt, whatever the wall clock says", () => {
    const sentAt = "2031-03-01T04:05:06.789Z";
    const m = compose("presence", { status: "on-duty" }, { sender: "KZ", sentAt });
    expect(v7Time(m.id)).toBe(Date.parse(sentAt));
    const earlier = compose("presence", { status: "on-duty" }, { sender: "KZ", sentAt: "2031-03-01T04:05:05.000Z" });
    expect(earlier.id < m.id).toBe(true); // ids sort by simulated creation time, across kinds
  });

  it("draw fresh random bits for every id, across refills of the pool they come from", () => {
    const at = Date.parse("2031-03-01T04:05:06.789Z");
    // 4 KB of random bytes make 256 ids: 1,000 in a row span several refills.
    const ids = Array.from({ length: 1_000 }, () => idAt(at));
    expect(new Set(ids).size).toBe(ids.length);
    // The 74 random bits too, not only the whole: no two ids share their last 12 hex digits.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
    for (const id of ids) {
      expect(MessageId.safeParse(id).success).toBe(true);
      expect(v7Time(id)).toBe(at);
    }
  });

  it("keep a given id, and make deterministic ones the same every time, dated as asked", () => {
    const id = deterministicId("outcome:x:seq-7", Date.parse("2026-09-21T08:00:00Z"));
    expect(deterministicId("outcome:x:seq-7", Date.parse("2026-09-21T08:00:00Z"))).toBe(id);
    expect(v7Time(id)).toBe(Date.parse("2026-09-21T08:00:00Z"));
    expect(compose("presence", { status: "on-duty" }, { sender: "KZ", sentAt: "2026-09-21T08:00:00Z", id }).id).toBe(id);
  });
});
