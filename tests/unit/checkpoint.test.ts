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
import { checkpointDifference } from "../../shared/exchange/checkpoint-check.ts";
import { judgeData, judgeManifest, snapshotProblem } from "../../shared/exchange/checkpoints.ts";
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
/** The key that signed the checkpoint a view is restored from. */
const WRITER = "UWRITER";
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
    const r = TrackingView.restore(roundTrip(v), WRITER, { forgetting: true });
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
    const r = TrackingView.restore(roundTrip(v), WRITER, { forgetting: true });
    expect(r.prune(Number.NEGATIVE_INFINITY, 2)).toBe(v.prune(Number.NEGATIVE_INFINITY, 2));
    expect(standing(r)).toEqual(standing(v));
    // A forgotten delivery is known to have been settled, not unread.
    expect(r.wasPruned(id(1), Date.parse(at(1)))).toBe(true);
  });

  it("passes over records applied ahead of its position when they are read back, if its writer signed them", () => {
    const v = given();
    // Given a record written (and applied) but not yet read back when the snapshot is taken
    const ack = acked(5, "KZ");
    v.expectWritten(ack.eventId);
    v.applyOwnStored(ack);
    const s = roundTrip(v);
    expect(s.ahead).toEqual([ack.eventId]);
    const r = TrackingView.restore(s, WRITER, { forgetting: true });
    const before = structuredClone(r.counts);
    // When another key's record of that event id is read from the chain after the position, it is not passed over
    expect(r.takeAhead({ ...ack, signature: { alg: "ed25519", key: "UOTHER", value: "x" } })).toBe(false);
    // When the writer's own is, it is (once), and was counted once, in the snapshot
    expect(r.takeAhead({ ...ack, signature: { alg: "ed25519", key: WRITER, value: "x" } })).toBe(true);
    expect(r.takeAhead({ ...ack, signature: { alg: "ed25519", key: WRITER, value: "x" } })).toBe(false);
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
    const restored = new ExchangeFigures(1, undefined, { snapshot: roundTrip(part), throughSeq: 8, signer: WRITER });
    records.slice(8).forEach((r, i) => restored.apply({ ...r, seq: 9 + i } as never));
    expect(restored.at(Date.parse(at(20)))).toEqual(whole.at(Date.parse(at(20))));
  });
});

describe("judging a checkpoint", () => {
  const signer = newIdentity("c1");
  const trusted = { coordinators: [{ id: "c1", publicKey: signer.publicKey, registeredAt: at(0) }] };
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
    expect(judgeManifest(manifest(), { coordinators: [{ id: "c1", publicKey: "UOTHER", registeredAt: at(0) }] }, stored(40, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/not a coordinator key/) });
    expect(judgeManifest({ ...manifest(), open: 0 }, trusted, stored(40, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/signature does not match/) });
  });

  it("refuses one whose signing key belongs to another instance than it names", () => {
    expect(judgeManifest(manifest({ instance: "c2" }), trusted, stored(40, record.hash))).toMatchObject({ accept: false, reason: expect.stringMatching(/written by c2 but is signed with the key of c1/) });
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

describe("a snapshot's own consistency", () => {
  const view = () => {
    const v = new TrackingView({ forgetting: true });
    for (let n = 1; n <= 4; n++) v.apply(delivered(n, ["KZ", "KG"]));
    v.apply(acked(1, "KZ"));
    return v;
  };
  const manifestOf = (s: TrackingSnapshot, over: Partial<CheckpointManifest> = {}) => {
    const all = s.deliveries.flatMap((g) => g.to);
    return {
      position: { seq: 9, streamSeq: 9, hash: "a".repeat(64), at: at(10) },
      deliveries: all.length, open: all.filter((r) => r.state === "delivered" || r.state === "receipted").length, ...over,
    } as CheckpointManifest;
  };
  const ghost = { messageId: id(99), kind: "alert", originator: "AZ", precedence: "FLASH" as const, deliveredAt: at(5), deadline: at(50), to: [{ recipient: "KZ", state: "delivered" as const }] };

  it("holds for what a view makes", () => {
    const s = roundTrip(view());
    expect(snapshotProblem(s, manifestOf(s))).toBeUndefined();
  });

  it("fails for an open delivery its counters do not count, or counters that contradict each other", () => {
    const s = roundTrip(view());
    const withGhost = { ...s, deliveries: [...s.deliveries, ghost] };
    expect(snapshotProblem(withGhost, manifestOf(withGhost))).toMatch(/FLASH counters \(4 delivered, 1 acknowledged, 0 withdrawn\) do not match the 4 open deliveries/);
    const counts = structuredClone(s.counts);
    counts.byPrecedence.FLASH.withinDeadline += 5;
    expect(snapshotProblem({ ...s, counts }, manifestOf(s))).toMatch(/more acknowledged in time than acknowledged/);
  });

  it("fails for a manifest that miscounts it, or times after its position", () => {
    const s = roundTrip(view());
    expect(snapshotProblem(s, manifestOf(s, { open: 0 }))).toMatch(/where its manifest says/);
    const late = { ...s, escalationBatches: [{ step: "reminder" as const, agency: "KZ", batch: 9_007_199_254_740_991, atMs: 8.64e15, items: 1 }] };
    expect(snapshotProblem(late, manifestOf(late))).toMatch(/times after its position/);
  });
});

describe("a checkpoint against the chain", () => {
  const records: Chained[] = [submitted(1), delivered(1, ["KZ", "KG"]), delivered(2, ["KZ"]), acked(1, "KZ")];
  const chain = () => {
    const v = new TrackingView({ forgetting: true });
    records.forEach((r) => v.apply(r));
    return v;
  };

  it("agrees when made from the same records", () => {
    expect(checkpointDifference(roundTrip(chain()), chain())).toBeUndefined();
  });

  it("differs when it holds a delivery the chain does not record, misses an open one, or states one otherwise", () => {
    const s = roundTrip(chain());
    const ghost = { messageId: id(99), kind: "alert", originator: "AZ", precedence: "FLASH" as const, deliveredAt: at(5), deadline: at(50), to: [{ recipient: "KZ", state: "delivered" as const }] };
    expect(checkpointDifference({ ...s, deliveries: [...s.deliveries, ghost] }, chain())).toMatch(/that the chain does not record/);
    expect(checkpointDifference({ ...s, deliveries: s.deliveries.filter((g) => g.messageId !== id(2)) }, chain())).toMatch(/open delivery of .* to KZ is missing/);
    const acked1 = structuredClone(s);
    acked1.deliveries[0]!.to.find((r) => r.recipient === "KG")!.state = "acknowledged";
    expect(checkpointDifference(acked1, chain())).toMatch(/is acknowledged .* where the chain says delivered/);
    const counts = structuredClone(s.counts);
    counts.messagesAccepted++;
    expect(checkpointDifference({ ...s, counts }, chain())).toMatch(/counters/);
  });
});
