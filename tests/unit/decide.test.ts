// What the coordinator decides about one submission (services/coordinator/decide.ts), without a
// broker: Given the audit records, seen records and message records so far, When a submission
// comes, Then it is rejected (with these reasons), accepted (these recipients, this deadline, these
// records), tracked, replayed, ignored, or handed back to be judged again.
import { describe, expect, it } from "vitest";
import { checkSubmission } from "../../services/coordinator/checks.ts";
import { isWellFormed } from "../../shared/contracts/bounded-text.ts";
import { decide, deadlineAfter, overQuota } from "../../services/coordinator/decide.ts";
import { REPORT_HOLD_MS } from "../../services/coordinator/track.ts";
import { SimClock } from "../../shared/clock.ts";
import { RejectionBody } from "../../shared/contracts/index.ts";
import { DEFAULT_SETTINGS } from "../../shared/exchange/settings.ts";
import { delivered, iso, message, MIN, registry, storedRecord, submissionSpec as spec, submitted, T0 } from "../support/coordinator-decider.ts";

const alert = (sender = "AZ", changes = {}) => message("alert", sender, { distribution: { agencies: ["KZ", "UZ"] }, tlp: "AMBER", ...changes });

describe("checks", () => {
  it("rejects what is not JSON, named by the id it was published under, and does not remember that id", () => {
    const id = "01a0c54f-8c80-70d6-b8c7-61e1bd023f99";
    spec.given().when({ judged: submitted({ bytes: "{not json", sender: "AZ", kind: "alert", msgIdHeader: id }) }).then({
      type: "reject", reasons: [{ code: "malformed" }], messageId: id, remember: false, entry: { eventId: `rejected:${id}:7`, event: "rejected", actor: "AZ" },
    });
  });

  it("rejects a message whose sender is not the identity that published it", () => {
    const m = alert("AZ");
    const judged = submitted(m);
    const forged = { ...judged, agency: "KZ", checked: submitted({ bytes: JSON.stringify(m), sender: "KZ", kind: "alert" }).checked };
    spec.given().when({ judged: forged }).then({ type: "reject", reasons: [{ code: "sender-mismatch", path: "sender" }], messageId: m.id, remember: true });
  });

  it("rejects a signature made with another agency's key, and remembers the id (answered the same way again)", () => {
    const m = { ...alert("AZ"), signature: message("alert", "KZ").signature };
    spec.given().when({ judged: submitted(m) }).then({ type: "reject", reasons: [{ code: "bad-signature", path: "signature.key" }], remember: true });
  });

  it("quotes what a sender wrote as well-formed text: a lone surrogate replaced, a long path or kind cut before a pair, never inside", () => {
    const text = JSON.stringify(alert("AZ"));
    const reasonsOf = (bytes: string, kind = "alert") => {
      const c = checkSubmission(new TextEncoder().encode(bytes), "AZ", kind, registry, T0);
      if (c.ok) throw new Error("expected a rejection");
      expect(RejectionBody.shape.reasons.safeParse(c.reasons).success).toBe(true);
      for (const r of c.reasons) expect(isWellFormed(r.path) && isWellFormed(r.message)).toBe(true);
      return c;
    };
    expect(reasonsOf(text.replace('"body":{', '"body":{"x\\ud800":1,')).reasons[0]).toMatchObject({ code: "malformed", path: "body.x\ufffd" });
    const key = `${"a".repeat(493)}\u{1F600}${"a".repeat(487)}\u{1F600}tail`;
    expect(reasonsOf(text.replace('"body":{', `"body":{${JSON.stringify(key)}:1,`)).reasons[0]!.path).toBe(`body.${"a".repeat(493)}…`);
    const kind = `${"k".repeat(39)}\u{1F600}`;
    expect(reasonsOf(text.replace('"kind":"alert"', `"kind":${JSON.stringify(kind)}`), kind).kind).toBe("k".repeat(39));
  });

  it("refuses bytes that are not UTF-8, naming the message they were, so its sender can tell which", () => {
    const m = alert("AZ");
    const bytes = new TextEncoder().encode(JSON.stringify(m));
    // One byte of the title that is no UTF-8: the rest still reads as JSON.
    bytes[Buffer.from(bytes).indexOf('"title":"') + 9] = 0xff;
    expect(checkSubmission(bytes, "AZ", "alert", registry, T0)).toEqual({
      ok: false, reasons: [{ code: "malformed", path: "", message: "not valid UTF-8" }], messageId: m.id, kind: "alert",
    });
  });

  it("ignores a presence message: nothing to record or answer", () => {
    spec.given().when({ judged: submitted(message("presence", "KZ")) }).then({ type: "ignore", outcome: "presence" });
  });
});

describe("authorisation and TLP", () => {
  it("accepts an alert to named agencies: recipients, the precedence's deadline from now, the records to write", () => {
    const m = alert("AZ");
    const nowMs = T0 + 2_000;
    const d = spec.given().when({ judged: submitted(m), nowMs }).then({
      type: "accept",
      record: { id: m.id, kind: "alert", originator: "AZ", recipients: ["KZ", "UZ"], precedence: "FLASH", tlp: "AMBER", state: "active", acceptedAt: iso(nowMs) },
      accepted: { eventId: `submitted:${m.id}`, event: "submitted", actor: "AZ" },
      delivered: { eventId: `delivered:${m.id}`, event: "delivered", data: { recipients: ["KZ", "UZ"], precedence: "FLASH", originator: "AZ" } },
      red: false,
      urgent: true,
    });
    expect(d.type === "accept" && d.record.ackDeadline).toBe(iso(deadlineAfter(DEFAULT_SETTINGS, nowMs, "FLASH")));
  });

  it("rejects TLP:RED naming more agencies than the exchange allows", () => {
    const settings = { ...DEFAULT_SETTINGS, tlpRedMaxAgencies: 1 };
    const d = decide(submitted(alert("AZ", { tlp: "RED" })), { registry, settings, nowMs: T0, wallNowMs: T0, clock: { at: (w) => w, pastAt: (w) => w, speed: 1, paused: false }, view: { get: () => undefined, wasPruned: () => false } });
    expect(d).toMatchObject({ type: "reject", reasons: [{ code: "policy", path: "body.distribution.agencies" }] });
  });

  it("accepts TLP:RED within the limit, marked red (never stored as a broadcast)", () => {
    spec.given().when({ judged: submitted(alert("AZ", { tlp: "RED" })) }).then({ type: "accept", red: true, storedOnce: false });
    const everyoneElse = registry.ids.filter((id) => id !== "AZ");
    spec.given().when({ judged: submitted(alert("AZ", { tlp: "RED", distribution: { agencies: everyoneElse } })) }).then({ type: "accept", red: true, storedOnce: false });
  });

  it("decides an alert to every other agency is stored once, as a broadcast, and one to fewer once per recipient", () => {
    spec.given().when({ judged: submitted(alert("AZ", { distribution: { all: true } })) }).then({ type: "accept", storedOnce: true });
    spec.given().when({ judged: submitted(alert("AZ")) }).then({ type: "accept", storedOnce: false });
  });

  it("rejects addressees not in the registry, and a distribution that reaches no one else", () => {
    spec.given().when({ judged: submitted(alert("AZ", { distribution: { agencies: ["GE"] } })) }).then({ type: "reject", reasons: [{ code: "unknown-reference", path: "body.distribution" }] });
    spec.given().when({ judged: submitted(alert("AZ", { distribution: { agencies: ["AZ"] } })) }).then({ type: "reject", reasons: [{ code: "no-recipients" }] });
  });

  it("rejects an update of an alert by anyone but its originator, and of a retracted alert", () => {
    const a = alert("AZ");
    const byKz = message("alert-update", "KZ", { alertId: a.id });
    spec.given({ stored: storedRecord(a) }).when({ judged: submitted(byKz) }).then({ type: "reject", reasons: [{ code: "unauthorised", message: expect.stringContaining("only it may update") }] });
    const byAz = message("alert-update", "AZ", { alertId: a.id });
    spec.given({ stored: storedRecord(a, { state: "retracted" }) }).when({ judged: submitted(byAz) }).then({ type: "reject", reasons: [{ code: "unauthorised", message: expect.stringContaining("was retracted") }] });
  });

  it("accepts an update raising the alert to a new precedence: the alert's record changes with it", () => {
    const a = alert("AZ", { precedence: "ROUTINE" });
    const up = message("alert-update", "AZ", { alertId: a.id, changes: { precedence: "FLASH" } });
    spec.given({ stored: storedRecord(a) }).when({ judged: submitted(up) }).then({
      type: "accept", record: { recipients: ["KZ", "UZ"], precedence: "FLASH", refersTo: a.id }, change: { alertId: a.id, precedence: "FLASH" }, accepted: { event: "updated" },
    });
  });

  it("accepts a retraction as not urgent (it must not overtake an acknowledgement of what it closes), closing the alert", () => {
    const a = alert("AZ", { tlp: "RED" });
    const r = message("alert-retraction", "AZ", { alertId: a.id });
    spec.given({ stored: storedRecord(a) }).when({ judged: submitted(r) }).then({ type: "accept", change: { alertId: a.id, retractedBy: r.id }, urgent: false, red: true, accepted: { event: "retracted" } });
  });

  it("sends a hit to the originator alone, and only from an agency the alert was addressed to", () => {
    const a = alert("AZ");
    spec.given({ stored: storedRecord(a) }).when({ judged: submitted(message("hit", "UZ", { alertId: a.id, tlp: "AMBER" })) }).then({ type: "accept", record: { recipients: ["AZ"], refersTo: a.id } });
    spec.given({ stored: storedRecord(a) }).when({ judged: submitted(message("hit", "TR", { alertId: a.id, tlp: "AMBER" })) }).then({ type: "reject", reasons: [{ code: "unauthorised", path: "body.alertId" }] });
  });

  it("rejects an answer shared more widely than the RFI it answers (no laundering by reply)", () => {
    const rfi = message("rfi", "TR", { distribution: { agencies: ["KZ"] }, tlp: "AMBER" });
    spec.given({ stored: storedRecord(rfi) }).when({ judged: submitted(message("rfi-response", "KZ", { rfiId: rfi.id, tlp: "GREEN" })) }).then({ type: "reject", reasons: [{ code: "unauthorised", path: "body.tlp" }] });
  });
});

describe("references not stored (yet)", () => {
  const young = alert("AZ"); // dated T0 (its id): young while its naming submission is stored moments ago
  const hit = message("hit", "UZ", { alertId: young.id, tlp: "AMBER" });

  it("hands back what names a young message not stored yet: another instance may be accepting it", () => {
    spec.given().when({ judged: submitted(hit, { storedAtMs: T0 + 1_000 }), wallNowMs: T0 + 1_500 }).then({ type: "retry", notYetKnown: true });
  });

  it("rejects it as unknown once it has had its time", () => {
    spec.given().when({ judged: submitted(hit, { storedAtMs: T0 + 1_000 }), wallNowMs: T0 + 10_000 }).then({ type: "reject", reasons: [{ code: "unknown-reference", path: "body.alertId" }] });
  });
});

describe("replays", () => {
  const m = alert("AZ");
  const first = { id: m.id, outcome: "accepted" as const, outcomeId: "01a0c54f-8c80-70d6-b8c7-000000000001", outcomeJson: "{}", streamSeq: 7, kind: "alert", sender: "AZ", recipients: ["KZ"], at: iso(T0) };

  it("gives the same stream message (a redelivery) its first outcome again", () => {
    spec.given({ seen: first }).when({ judged: submitted(m, { streamSeq: 7 }) }).then({ type: "replay", messageId: m.id });
  });

  it("finishes a rejection remembered before it was carried out: the same record again", () => {
    const rejected = { ...first, outcome: "rejected" as const, outcomeJson: JSON.stringify({ body: { reasons: [{ code: "rate-limited", path: "", message: "slow down" }] } }) };
    spec.given({ seen: rejected }).when({ judged: submitted(m, { streamSeq: 7 }) }).then({
      type: "replay", finish: { eventId: `rejected:${m.id}:7`, at: iso(T0), data: { reasons: [{ code: "rate-limited" }] } },
    });
  });

  it("refuses a new submission reusing the id, naming the first outcome, without remembering the refusal", () => {
    spec.given({ seen: first }).when({ judged: submitted(m, { streamSeq: 8 }) }).then({
      type: "reject", reasons: [{ code: "replay", path: "id" }], firstOutcome: first.outcomeId, remember: false, entry: { eventId: `rejected:${m.id}:8`, data: { firstOutcome: first.outcomeId } },
    });
  });
});

describe("tracking receipts and acknowledgements", () => {
  const a = alert("AZ");
  const deliveredToKzUz = { recorded: delivered(a.id, ["KZ", "UZ"]) };
  const receipt = (sender = "KZ", at = T0 + 30_000, more: { messageId: string; receivedAt: string }[] = []) =>
    message("receipt", sender, { messageId: a.id, receivedAt: iso(at), ...(more.length ? { more } : {}) });
  const ack = (sender = "KZ", at = T0 + 5 * MIN) => message("acknowledgement", sender, { messageId: a.id, officer: "DO-2", action: "acting" }, { sentAt: iso(at) });

  it("records a receipt of a delivery once", () => {
    const r = receipt();
    spec.given(deliveredToKzUz).when({ judged: submitted(r) }).then({ type: "track", entry: { eventId: `receipted:${r.id}`, event: "receipted", actor: "KZ", messageId: a.id, agency: "AZ" }, unknown: [] });
  });

  it("records nothing for a delivery already receipted (a repeat)", () => {
    const first = receipt();
    const again = receipt();
    const recordedFirst = spec.given(deliveredToKzUz).when({ judged: submitted(first) }).then({ type: "track" });
    if (recordedFirst.type !== "track" || !recordedFirst.entry) throw new Error("expected a record");
    spec.given(deliveredToKzUz, { recorded: recordedFirst.entry }).when({ judged: submitted(again) }).thenDecision((d) => {
      expect(d).toMatchObject({ type: "track", unknown: [] });
      expect(d.type === "track" && d.entry).toBeFalsy();
    });
  });

  it("names deliveries the sender never had in a rejection, and records the ones it had", () => {
    const other = "01a0c54f-8c80-70d6-b8c7-000000000abc";
    const r = receipt("KZ", T0 + 30_000, [{ messageId: other, receivedAt: iso(T0 + 30_000) }]);
    spec.given(deliveredToKzUz).when({ judged: submitted(r) }).then({
      type: "track", entry: { messageId: a.id }, refusal: { type: "reject", reasons: [{ code: "unknown-reference", path: "body.more[0].messageId" }], remember: false },
    });
    spec.given(deliveredToKzUz).when({ judged: submitted(receipt("TR")) }).then({ type: "track", refusal: { reasons: [{ code: "unknown-reference", path: "body.messageId" }] } });
  });

  it("names at most 100 unknown deliveries in one rejection, the last saying how many more (a valid rejection)", () => {
    const unknown = Array.from({ length: 150 }, (_, i) => ({ messageId: `01a0c54f-8c80-70d6-b8c7-${String(i).padStart(12, "0")}`, receivedAt: iso(T0 + 30_000) }));
    spec.given(deliveredToKzUz).when({ judged: submitted(receipt("KZ", T0 + 30_000, unknown)) }).thenDecision((d) => {
      const reasons = d.type === "track" ? d.refusal?.reasons ?? [] : [];
      expect(reasons).toHaveLength(100);
      expect(reasons[98]).toMatchObject({ code: "unknown-reference", path: "body.more[98].messageId" });
      expect(reasons[99]).toMatchObject({ code: "unknown-reference", path: "body.more[99].messageId", message: expect.stringContaining("(and 50 more not listed)") });
      expect(RejectionBody.safeParse({ submitter: "KZ", reasons }).success).toBe(true);
    });
  });

  it("counts a delivery named twice in one message once", () => {
    const r = receipt("KZ", T0 + 30_000, [{ messageId: a.id, receivedAt: iso(T0 + 31_000) }]);
    spec.given(deliveredToKzUz).when({ judged: submitted(r) }).thenDecision((d) => expect(d.type === "track" && d.entry && "more" in d.entry.data ? d.entry.data.more : undefined).toBeUndefined());
  });

  it("records an acknowledgement with its latency and whether it met the deadline", () => {
    spec.given(deliveredToKzUz).when({ judged: submitted(ack("KZ", T0 + 5 * MIN)), nowMs: T0 + 6 * MIN }).then({
      type: "track", entry: { event: "acknowledged", at: iso(T0 + 5 * MIN), data: { officer: "DO-2", action: "acting", latencyMs: 5 * MIN, withinDeadline: true, precedence: "FLASH" } },
    });
    spec.given(deliveredToKzUz).when({ judged: submitted(ack("KZ", T0 + 12 * MIN)), nowMs: T0 + 13 * MIN }).then({ type: "track", entry: { data: { latencyMs: 12 * MIN, withinDeadline: false } } });
  });

  it("keeps the agency's own time between the delivery and now (queueing does not count; no answer from the future)", () => {
    spec.given(deliveredToKzUz).when({ judged: submitted(ack("KZ", T0 + 30 * MIN)), nowMs: T0 + 6 * MIN }).then({ type: "track", entry: { at: iso(T0 + 6 * MIN), data: { latencyMs: 6 * MIN } } });
  });

  it("counts an acknowledgement dated long before the exchange stored it from a few seconds before then (no backdating into the deadline)", () => {
    // Acknowledged, it claims, 5 minutes after delivery; stored only at 12 minutes, after the 10-minute deadline.
    const late = submitted(ack("KZ", T0 + 5 * MIN), { storedAtMs: T0 + 12 * MIN });
    const counted = T0 + 12 * MIN - REPORT_HOLD_MS;
    spec.given(deliveredToKzUz).when({ judged: late, nowMs: T0 + 12 * MIN + 1_000 }).then({
      type: "track", entry: { at: iso(counted), data: { latencyMs: counted - T0, withinDeadline: false } },
    });
    // Held a moment (batching) before it was stored: its own time stands.
    const prompt = submitted(ack("KZ", T0 + 9 * MIN), { storedAtMs: T0 + 9 * MIN + 1_000 });
    spec.given(deliveredToKzUz).when({ judged: prompt, nowMs: T0 + 9 * MIN + 2_000 }).then({ type: "track", entry: { at: iso(T0 + 9 * MIN), data: { withinDeadline: true } } });
  });

  it("dates the hold by the clock as it ran: a jump of the exchange's clock meanwhile does not count against the officer", () => {
    let wall = T0;
    const clock = new SimClock({ simAnchor: T0, wallAnchor: T0, speed: 60, paused: false }, () => wall);
    expect(clock.pastAt(T0 - 1)).toBeUndefined(); // before anything this clock knows
    wall = T0 + 1_000; // a simulated minute after delivery the officer acknowledges…
    const ackedAt = clock.nowMs();
    wall += 100;
    clock.jumpTo(clock.nowMs() + 6 * MIN); // …and the facilitator skips 6 minutes (more than the hold) before it is stored.
    wall += 100;
    const judged = submitted(ack("KZ", ackedAt), { storedAtMs: wall });
    spec.given(deliveredToKzUz).when({ judged, nowMs: clock.nowMs(), wallNowMs: wall, clock }).then({
      type: "track", entry: { at: iso(ackedAt), data: { latencyMs: MIN, withinDeadline: true } },
    });
    // Stored a minute of wall time later: counted from 5 wall seconds (5 simulated minutes) before then, late.
    wall += 60_000;
    const late = submitted(ack("KZ", ackedAt), { storedAtMs: wall });
    spec.given(deliveredToKzUz).when({ judged: late, nowMs: clock.nowMs(), wallNowMs: wall, clock }).then({
      type: "track", entry: { at: iso(clock.nowMs() - 5 * MIN), data: { withinDeadline: false } },
    });
  });

  describe("at a clock too fast for the hold to bound it, or one whose past this instance does not know", () => {
    // 1000x: the 5-second hold spans 83 simulated minutes; sim = T0 + (wall - T0) * 1000.
    const fast = { at: (w: number) => T0 + (w - T0) * 1000, pastAt: (w: number) => T0 + (w - T0) * 1000, speed: 1000, paused: false };
    const storedAtSim = (simMs: number) => T0 + (simMs - T0) / 1000;

    it("counts an acknowledgement the stream stored after the deadline, claiming a time within it, from when it was stored", () => {
      // Claims 5 minutes; stored at 25 minutes (after every escalation step of a FLASH).
      const late = submitted(ack("KZ", T0 + 5 * MIN), { storedAtMs: storedAtSim(T0 + 25 * MIN) });
      spec.given(deliveredToKzUz).when({ judged: late, nowMs: T0 + 26 * MIN, clock: fast }).then({
        type: "track", entry: { at: iso(T0 + 25 * MIN), data: { latencyMs: 25 * MIN, withinDeadline: false } },
      });
      // Claiming a time after the deadline (honestly late): its own time stands, within the hold.
      const ownLate = submitted(ack("KZ", T0 + 20 * MIN), { storedAtMs: storedAtSim(T0 + 25 * MIN) });
      spec.given(deliveredToKzUz).when({ judged: ownLate, nowMs: T0 + 26 * MIN, clock: fast }).then({ type: "track", entry: { at: iso(T0 + 20 * MIN), data: { withinDeadline: false } } });
      // Stored before the deadline: its own time stands, however fast the clock.
      const prompt = submitted(ack("KZ", T0 + 5 * MIN), { storedAtMs: storedAtSim(T0 + 9 * MIN) });
      spec.given(deliveredToKzUz).when({ judged: prompt, nowMs: T0 + 26 * MIN, clock: fast }).then({ type: "track", entry: { at: iso(T0 + 5 * MIN), data: { withinDeadline: true } } });
    });

    it("keeps the officer's own time when this instance cannot tell when the message was stored (the clock changed since)", () => {
      const unknownPast = { ...fast, pastAt: () => undefined };
      const late = submitted(ack("KZ", T0 + 5 * MIN), { storedAtMs: storedAtSim(T0 + 25 * MIN) });
      spec.given(deliveredToKzUz).when({ judged: late, nowMs: T0 + 26 * MIN, clock: unknownPast }).then({ type: "track", entry: { at: iso(T0 + 5 * MIN), data: { withinDeadline: true } } });
    });

    it("judges a receipt's time by the hold only (a receipt has no deadline)", () => {
      const r = submitted(receipt("KZ", T0 + 60_000), { storedAtMs: storedAtSim(T0 + 25 * MIN) });
      spec.given(deliveredToKzUz).when({ judged: r, nowMs: T0 + 26 * MIN, clock: fast }).then({ type: "track", entry: { at: iso(T0 + 60_000) } });
    });
  });

  it("hands back a receipt of a message this view has not read yet but the store has (accepted by another instance)", () => {
    spec.given({ stored: storedRecord(a, { recipients: ["KZ", "UZ"] }) }).when({ judged: submitted(receipt()) }).then({ type: "retry", notYetKnown: false });
  });

  it("hands back a receipt of a young message not stored yet, and names an old unknown one in a rejection", () => {
    spec.given().when({ judged: submitted(receipt(), { storedAtMs: T0 + 1_000 }), wallNowMs: T0 + 1_500 }).then({ type: "retry", notYetKnown: true });
    spec.given().when({ judged: submitted(receipt(), { storedAtMs: T0 + 1_000 }), wallNowMs: T0 + 10_000 }).then({ type: "track", refusal: { reasons: [{ code: "unknown-reference" }] } });
  });

  it("records nothing more once a delivery is acknowledged", () => {
    const first = spec.given(deliveredToKzUz).when({ judged: submitted(ack()) }).then({ type: "track" });
    if (first.type !== "track" || !first.entry) throw new Error("expected a record");
    spec.given(deliveredToKzUz, { recorded: first.entry }).when({ judged: submitted(ack("KZ", T0 + 7 * MIN)) }).thenDecision((d) => {
      expect(d).toMatchObject({ type: "track", unknown: [] });
      expect(d.type === "track" && d.entry).toBeFalsy();
    });
  });
});

describe("over quota", () => {
  const sub = submitted(alert("AZ")).sub;
  const reason = { code: "rate-limited" as const, path: "", message: "slow down" };

  it("is remembered before it is carried out when it names an id (a redelivery must find it, not decide afresh)", () => {
    expect(overQuota(sub, "AZ", reason, T0, { messageId: "01a0c54f-8c80-70d6-b8c7-000000000001", kind: "alert" })).toMatchObject({ type: "reject", rememberFirst: true, entry: { kind: "alert" } });
    expect(overQuota(sub, "AZ", reason, T0, { messageId: "01a0c54f-8c80-70d6-b8c7-000000000001" })).toMatchObject({ rememberFirst: true, entry: { kind: "unknown" } });
  });

  it("is refused as any rejection when it has no id, or only reports (receipts stay retryable)", () => {
    expect(overQuota(sub, "AZ", reason, T0, {})).toMatchObject({ rememberFirst: false, remember: false, entry: { eventId: "rejected:seq-7:7" } });
    expect(overQuota(sub, "AZ", reason, T0, { messageId: "01a0c54f-8c80-70d6-b8c7-000000000001", kind: "receipt" })).toMatchObject({ rememberFirst: false, remember: false });
  });

  it("names a body without a readable id by the id it was published under, so its sender can match the refusal", () => {
    const id = "01a0c54f-8c80-70d6-b8c7-61e1bd023f99";
    const junk = submitted({ bytes: "{not json", sender: "AZ", kind: "alert", msgIdHeader: id }).sub;
    expect(overQuota(junk, "AZ", reason, T0, {})).toMatchObject({
      rememberFirst: false, remember: false, messageId: id, entry: { eventId: `rejected:${id}:7`, messageId: id },
    });
  });
});
