// Checkpoints of the tracking view, without a broker: a view restored from a snapshot is the view
// it was taken of (deliveries, their order of forgetting, the counters, what escalation needs),
// records applied ahead of the snapshot's position are passed over when read again, and a
// checkpoint is used only when its manifest's signature and position and its data hold up.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { acknowledgedEntry } from "../../shared/audit/deliveries.ts";
import { chainRecord, signRecordHash } from "../../shared/audit/chain.ts";
import { type AuditEntryOf, canonicalize } from "../../shared/contracts/index.ts";
import { CHECKPOINT_VERSION, type CheckpointManifest, TrackingSnapshot } from "../../shared/exchange/checkpoint-contract.ts";
import { judgeData, judgeManifest } from "../../shared/exchange/checkpoints.ts";
import { ExchangeFigures } from "../../shared/exchange/figures.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { type Chained, TrackingView } from "../../shared/exchange/tracking-view.ts";

const at = (min: number) => new Date(Date.parse("2026-09-21T08:00:00.000Z") + min * 60_000).toISOString();
const id = (n: number) => `019a0000-0000-7000-8000-${String(n).padStart(12, "0")}`;
const delivered = (n: number, recipients: string[], min = n): AuditEntryOf<"delivered"> => ({
  eventId: `delivered:${id(n)}`, event: "delivered", actor: "ATIX", messageId: id(n), kind: "alert", at: at(min),
  data: { recipients, deadline: at(min + 10), precedence: n % 2 ? "FLASH" : "ROUTINE", originator: "AZ" },
});
const acked = (n: number, agency: string, min = n + 1) =>
  acknowledgedEntry(agency, id(1000 + n), [{ messageId: id(n), at: at(min), kind: "alert", agency: "AZ", data: { precedence: n % 2 ? "FLASH" : "ROUTINE", latencyMs: 60_000, withinDeadline: true } }]);
const submitted = (n: number): Chained => ({ eventId: `submitted:${id(n)}`, event: "submitted", actor: "AZ", messageId: id(n), kind: "alert", at: at(n), data: { recipients: ["KZ"] } }) as Chained;

/** Where each delivery stands, comparable across views. */
const standing = (v: TrackingView) => [...v.all()].map((t) => `${t.messageId} ${t.recipient} ${t.state} ${t.ackId ?? "-"} ${JSON.stringify(t.escalations)}`);
/** As a checkpoint carries it: through JSON and the contract. */
const roundTrip = (v: TrackingView) => TrackingSnapshot.parse(JSON.parse(JSON.stringify(v.snapshot())));

describe("a tracking view restored from a snapshot", () => {
  const given = () => {
    const v = new TrackingView({ forgetting: true });
    for (let n = 1; n <= 6; n++) {
      v.apply(submitted(n));
      v.apply(delivered(n, ["KZ", "KG"]));
    }
    for (const n of [1, 2, 3]) v.apply(acked(n, "KZ"));
    v.apply(acked(2, "KG"));
    v.settle(id(6), "KG", "reminder", "done");
    return v;
  };

  it("holds the same deliveries, counters and open ones, and moves on alike", () => {
    const v = given();
    const r = TrackingView.restore(roundTrip(v), { forgetting: true });
    expect(standing(r)).toEqual(standing(v));
    expect(r.counts).toEqual(v.counts);
    expect(r.openCount).toBe(v.openCount);
    expect([...r.overdue(Date.parse(at(100)))].length).toBe([...v.overdue(Date.parse(at(100)))].length);
    // When the same records come to both
    for (const x of [v, r]) {
      x.apply(acked(4, "KZ"));
      x.apply(delivered(7, ["TR"]));
    }
    // Then both stand alike
    expect(standing(r)).toEqual(standing(v));
    expect(r.counts).toEqual(v.counts);
  });

  it("forgets its settled deliveries in the order the original would", () => {
    const v = given();
    const r = TrackingView.restore(roundTrip(v), { forgetting: true });
    expect(r.prune(Number.NEGATIVE_INFINITY, 2)).toBe(v.prune(Number.NEGATIVE_INFINITY, 2));
    expect(standing(r)).toEqual(standing(v));
    // A forgotten delivery is known to have been settled, not unread.
    expect(r.wasPruned(id(1), Date.parse(at(1)))).toBe(true);
  });

  it("passes over records applied ahead of its position when they are read back", () => {
    const v = given();
    // Given a record written (and applied) but not yet read back when the snapshot is taken
    const ack = acked(5, "KZ");
    v.expectWritten(ack.eventId);
    v.applyOwnStored(ack);
    const s = roundTrip(v);
    expect(s.ahead).toEqual([ack.eventId]);
    // When a restored view reads it from the chain after the position
    const r = TrackingView.restore(s, { forgetting: true });
    const before = structuredClone(r.counts);
    expect(r.takeWritten(ack.eventId)).toBe(true);
    // Then it was counted once, in the snapshot
    expect(r.counts).toEqual(before);
    expect(r.get(id(5), "KZ")?.state).toBe("acknowledged");
  });

  it("counts a record written again (a retried submission) once", () => {
    const v = new TrackingView();
    v.applyWritten(submitted(1));
    v.applyWritten(submitted(1));
    expect(v.counts.messagesAccepted).toBe(1);
  });

  it("gives the exchange's figures as counting the whole chain does", () => {
    const whole = new ExchangeFigures();
    const records: Chained[] = [];
    for (let n = 1; n <= 6; n++) records.push(submitted(n), delivered(n, ["KZ", "KG"]));
    records.push(acked(1, "KZ"), acked(2, "KG"), acked(3, "KZ", 30));
    records.forEach((r, i) => whole.apply({ ...r, seq: i + 1 } as never));
    // A checkpoint after the first 8 records, then the rest
    const part = new TrackingView();
    records.slice(0, 8).forEach((r) => part.apply(r));
    const restored = new ExchangeFigures(1, undefined, { snapshot: roundTrip(part), throughSeq: 8 });
    records.slice(8).forEach((r, i) => restored.apply({ ...r, seq: 9 + i } as never));
    expect(restored.at(Date.parse(at(20)))).toEqual(whole.at(Date.parse(at(20))));
  });
});

describe("judging a checkpoint", () => {
  const signer = newIdentity("c1");
  const trusted = new Set([signer.publicKey]);
  /** The chain's record 40, as stored. */
  const record = chainRecord({ seq: 39, hash: "b".repeat(64) }, delivered(1, ["KZ"]), at(0), signer.seed);
  const data = Buffer.from("checkpoint data");
  const sign = (m: Omit<CheckpointManifest, "signature">, seed = signer.seed): CheckpointManifest => ({
    ...m,
    signature: signRecordHash(createHash("sha256").update(canonicalize(m)).digest("hex"), seed),
  });
  const manifest = (over: Partial<CheckpointManifest> = {}) =>
    sign({
      version: CHECKPOINT_VERSION, position: { seq: 40, streamSeq: 41, hash: record.hash, at: at(0) }, chunks: [7], bytes: data.length,
      sha256: createHash("sha256").update(data).digest("hex"), deliveries: 3, open: 1, instance: "c1", writtenAt: at(0), ...over,
    });
  /** The chain's record at the position with another seq or hash (what a forged or foreign checkpoint meets). */
  const stored = (seq: number, hash: string) => ({ ...record, seq, hash });


  it("accepts one signed by a coordinator key, naming the record the chain holds there", () => {
    expect(judgeManifest(manifest(), trusted, stored(40, record.hash))).toEqual({ accept: true });
    expect(judgeData(manifest(), data)).toEqual({ accept: true });
  });

  it("refuses one signed by another key, or changed after signing", () => {
    expect(judgeManifest(manifest(), new Set(["UOTHER"]), stored(40, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/not a coordinator key/) });
    expect(judgeManifest({ ...manifest(), open: 0 }, trusted, stored(40, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/signature does not match/) });
  });

  it("refuses one that does not match the chain at its position", () => {
    expect(judgeManifest(manifest(), trusted, stored(40, "c".repeat(64)))).toMatchObject({ accept: false, reason: expect.stringMatching(/does not match the audit chain/) });
    expect(judgeManifest(manifest(), trusted, stored(39, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/chain holds record 39/) });
    expect(judgeManifest(manifest(), trusted, undefined)).toMatchObject({ accept: false, reason: expect.stringMatching(/holds no record at stream sequence 41/) });
    expect(judgeManifest(manifest(), trusted, "not a record")).toMatchObject({ accept: false, reason: expect.stringMatching(/not an audit record/) });
  });

  it("refuses a manifest whose size or chunks are out of bounds before reading any data", () => {
    expect(judgeManifest(manifest({ chunks: [7, 8] }), trusted, stored(40, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/lists 2 chunks for 15 bytes/) });
    const huge = 200 * 1024 * 1024;
    expect(judgeManifest(manifest({ bytes: huge, chunks: Array.from({ length: 800 }, (_, i) => i + 1) }), trusted, stored(40, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/at most/) });
  });

  it("refuses data that is not what the manifest vouches for", () => {
    expect(judgeData(manifest(), Buffer.from("checkpoint dat4"))).toMatchObject({ accept: false, reason: expect.stringMatching(/digest/) });
    expect(judgeData(manifest(), data.subarray(1))).toMatchObject({ accept: false, reason: expect.stringMatching(/bytes where its manifest says/) });
  });
});
