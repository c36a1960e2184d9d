// A coordinator's own receipt and acknowledgement records reach its tracking view exactly once,
// whichever comes first: the write's answer or the follower reading the record back (which passes
// over, undecoded, what this instance wrote). A write reported failed that the follower has read
// back was stored after all, and counts.
import { describe, expect, it } from "vitest";
import { acknowledgedEntry } from "../../shared/audit/deliveries.ts";
import type { AuditEntryOf } from "../../shared/contracts/index.ts";
import { TrackingView } from "../../shared/exchange/tracking-view.ts";
import { appendOwnRecord } from "../../services/coordinator/own-records.ts";

const A = "019a0000-0000-7000-8000-00000000000a";
const at = (min: number) => new Date(Date.parse("2026-09-21T08:00:00.000Z") + min * 60_000).toISOString();
const delivered: AuditEntryOf<"delivered"> = {
  eventId: `delivered:${A}`, event: "delivered", actor: "ATIX", messageId: A, kind: "alert", at: at(0),
  data: { recipients: ["KZ"], deadline: at(10), precedence: "FLASH", originator: "AZ" },
};
const ack = acknowledgedEntry("KZ", "019a0000-0000-7000-8000-0000000000a1", [
  { messageId: A, at: at(2), kind: "alert", agency: "AZ", data: { officer: "KZ-DO-1", action: "acting", precedence: "FLASH", latencyMs: 120_000, withinDeadline: true } },
]);

/** A write whose answer the test gives: stored (resolve) or failed (reject). */
function pendingWrite() {
  let answer!: { stored: () => void; failed: () => void };
  const append = () => new Promise<void>((resolve, reject) => (answer = { stored: resolve, failed: () => reject(new Error("timeout")) }));
  return { append, answer: () => answer };
}
/** What the chain follower does with a record read back: passed over when this instance wrote it, else applied. */
const readBack = (view: TrackingView, entry: typeof ack) => (view.takeWritten(entry.eventId) ? "passed over" : (view.apply(entry), "applied"));

describe("appendOwnRecord", () => {
  const given = () => {
    const view = new TrackingView();
    view.apply(delivered);
    return view;
  };

  it("applies the record once stored; read back later, it is passed over", async () => {
    const view = given();
    const w = pendingWrite();
    const writing = appendOwnRecord(view, w.append, ack);
    expect(view.get(A, "KZ")?.state).toBe("delivered"); // not ahead of its write
    w.answer().stored();
    await writing;
    expect(view.get(A, "KZ")?.state).toBe("acknowledged");
    expect(readBack(view, ack)).toBe("passed over");
  });

  it("read back before its write is answered, it is passed over and applied when the answer comes", async () => {
    const view = given();
    const w = pendingWrite();
    const writing = appendOwnRecord(view, w.append, ack);
    expect(readBack(view, ack)).toBe("passed over");
    expect(view.get(A, "KZ")?.state).toBe("delivered");
    w.answer().stored();
    await writing;
    expect(view.get(A, "KZ")).toMatchObject({ state: "acknowledged", ackBy: "KZ-DO-1" });
  });

  it("a write reported failed but read back meanwhile was stored: it is applied, and the failure still reported", async () => {
    const view = given();
    const w = pendingWrite();
    const writing = appendOwnRecord(view, w.append, ack);
    expect(readBack(view, ack)).toBe("passed over");
    w.answer().failed();
    await expect(writing).rejects.toThrow("timeout");
    expect(view.get(A, "KZ")?.state).toBe("acknowledged");
  });

  it("a write that failed and was not read back is not applied; if it comes later, the follower applies it", async () => {
    const view = given();
    const w = pendingWrite();
    const writing = appendOwnRecord(view, w.append, ack);
    w.answer().failed();
    await expect(writing).rejects.toThrow("timeout");
    expect(view.get(A, "KZ")?.state).toBe("delivered");
    expect(readBack(view, ack)).toBe("applied");
    expect(view.get(A, "KZ")?.state).toBe("acknowledged");
  });
});
