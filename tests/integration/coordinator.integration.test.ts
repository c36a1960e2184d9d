// The coordinator against a real broker: routing, outcomes, tracking, audit, authorisation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../shared/contracts/index.ts";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { submit } from "../../shared/messaging/submit.ts";
import { sign, subjects } from "../../shared/contracts/index.ts";
import { auditRecords, deliveriesTo, eventually } from "../support/streams-read.ts";
import { auditDeliveryEvents, trackingOf } from "../support/tracking.ts";
import { outcomeOf, startTestExchange, submitAndWait, testAlertBody, type TestExchange } from "../support/exchange.ts";

let ex: TestExchange;
beforeAll(async () => {
  ex = await startTestExchange({ speed: 60 });
  await ex.startCoordinator("c1");
});
afterAll(() => ex?.stop());


const sendAndWait = (from: string, m: Message, seed?: string) => submitAndWait(ex, from, m, seed);

const newAlert = (from: string, over: Record<string, unknown> = {}) => compose("alert", testAlertBody(over), { sender: from, sentAt: ex.clock.iso() });

describe("coordinator", () => {
  it("accepts an alert to all, stores one delivery per recipient, tracks each and audits it", async () => {
    const m = newAlert("AZ");
    const outcome = await sendAndWait("AZ", m);
    expect(outcome.kind).toBe("acceptance");
    const recipients = (outcome as Extract<Message, { kind: "acceptance" }>).body.recipients;
    expect(recipients.sort()).toEqual(["KG", "KZ", "RU", "TR", "UZ"]);
    for (const r of recipients) {
      const got = await deliveriesTo(ex.admin, r);
      expect(got.map((d) => d.id)).toContain(m.id);
    }
    expect((await trackingOf(ex.admin, m.id, "KZ")).state).toBe("delivered");
    // One "delivered" record for the message, naming every recipient; one event per delivery when expanded.
    const records = (await auditRecords(ex.admin)).filter((r) => r.messageId === m.id);
    expect(records.map((r) => r.event).sort()).toEqual(["delivered", "submitted"]);
    const delivered = records.find((r) => r.event === "delivered")!;
    expect(delivered).toMatchObject({ eventId: `delivered:${m.id}`, actor: "ATIX", data: { originator: "AZ", precedence: m.body.precedence } });
    expect(delivered.agency).toBeUndefined();
    expect((delivered.data.recipients as string[]).sort()).toEqual(recipients);
    const perRecipient = (await auditDeliveryEvents(ex.admin)).filter((r) => r.messageId === m.id && r.event === "delivered");
    expect(perRecipient.map((r) => r.agency).sort()).toEqual(recipients);
  });

  it("records receipt and acknowledgement once, with latency against the deadline", async () => {
    const m = newAlert("AZ", { distribution: { agencies: ["KZ"] } });
    await sendAndWait("AZ", m);
    const kz = await ex.connectAgency("KZ");
    const seed = ex.ids.agencies.get("KZ")!.seed;
    const receipt = compose("receipt", { messageId: m.id, receivedAt: ex.clock.iso() }, { sender: "KZ", sentAt: ex.clock.iso() });
    await submit(kz.js, seed, receipt);
    await submit(kz.js, seed, compose("receipt", { messageId: m.id, receivedAt: ex.clock.iso() }, { sender: "KZ", sentAt: ex.clock.iso() }));
    await submit(kz.js, seed, compose("acknowledgement", { messageId: m.id, officer: "KZ-DO-1", action: "acting" }, { sender: "KZ", sentAt: ex.clock.iso() }));
    const t = await trackingOf(ex.admin, m.id, "KZ", { until: (v) => v.state === "acknowledged" });
    expect(t.receiptId).toBe(receipt.id);
    expect(t.withinDeadline).toBe(true);
    expect(t.ackLatencyMs).toBeGreaterThanOrEqual(0);
    const events = (await auditRecords(ex.admin)).filter((r) => r.messageId === m.id).map((r) => r.event);
    expect(events.filter((e) => e === "receipted")).toHaveLength(1);
    expect(events.filter((e) => e === "acknowledged")).toHaveLength(1);
  });

  it("rejects a message posing as another agency, a forged signature and a replay, and records each", async () => {
    const kz = await ex.connectAgency("KZ");
    // KZ publishes on its own subject a message claiming to be from AZ.
    const posing = sign(newAlert("AZ"), ex.ids.agencies.get("KZ")!.seed);
    const o1 = outcomeOf(kz.nc, "KZ", posing.id);
    await kz.js.publish(subjects.submit("KZ", "alert"), JSON.stringify(posing), { msgID: posing.id });
    expect((await o1).kind).toBe("rejection");
    expect(JSON.stringify((await o1).body)).toContain("sender-mismatch");

    // Signed with KZ's key but claiming KZ's own identity under AZ's key: bad signature.
    const forged = sign(newAlert("KZ"), ex.ids.agencies.get("AZ")!.seed);
    const o2 = outcomeOf(kz.nc, "KZ", forged.id);
    await kz.js.publish(subjects.submit("KZ", "alert"), JSON.stringify(forged), { msgID: forged.id });
    expect(JSON.stringify((await o2).body)).toContain("bad-signature");

    // A replayed id (new stream message, same content) is refused, naming the first outcome; no second alert.
    const m = newAlert("KZ", { distribution: { agencies: ["AZ"] } });
    const first = await sendAndWait("KZ", m);
    const again = outcomeOf(kz.nc, "KZ", m.id);
    await kz.js.publish(subjects.submit("KZ", "alert"), JSON.stringify(sign(m, ex.ids.agencies.get("KZ")!.seed)), { msgID: `${m.id}-replay` });
    const refusal = await again;
    expect(refusal.kind).toBe("rejection");
    expect(refusal.body).toMatchObject({ messageId: m.id, reasons: [expect.objectContaining({ code: "replay", path: "id", message: expect.stringContaining(first.id) })] });
    await eventually(async () => (await auditRecords(ex.admin)).some((r) => r.event === "rejected" && r.messageId === m.id) || undefined);
    expect((await deliveriesTo(ex.admin, "AZ")).filter((d) => d.id === m.id)).toHaveLength(1);
    const rejected = (await auditRecords(ex.admin)).filter((r) => r.event === "rejected").map((r) => r.messageId);
    expect(rejected).toEqual(expect.arrayContaining([posing.id, forged.id, m.id]));
  });

  it("tracks each delivery a batched receipt or acknowledgement covers, and names the ones the sender never had", async () => {
    const mine = [newAlert("AZ", { distribution: { agencies: ["KZ"] } }), newAlert("TR", { distribution: { agencies: ["KZ", "UZ"] } }), newAlert("RU", { distribution: { all: true } })];
    for (const m of mine) await sendAndWait(m.sender, m);
    const notMine = newAlert("AZ", { distribution: { agencies: ["UZ"] } });
    await sendAndWait("AZ", notMine);
    const kz = await ex.connectAgency("KZ");
    const seed = ex.ids.agencies.get("KZ")!.seed;
    const at = ex.clock.iso();
    const [first, ...rest] = mine;
    const receipt = compose("receipt", { messageId: first!.id, receivedAt: at, more: [...rest.map((m) => ({ messageId: m.id, receivedAt: at })), { messageId: notMine.id, receivedAt: at }] }, { sender: "KZ", sentAt: at });
    const refusal = outcomeOf(kz.nc, "KZ", receipt.id);
    await submit(kz.js, seed, receipt);
    expect((await refusal).body).toMatchObject({ reasons: [{ code: "unknown-reference", path: "body.more[2].messageId", message: expect.stringContaining(notMine.id) }] });
    const ack = compose("acknowledgement", { messageId: first!.id, officer: "KZ-DO-1", action: "acting", more: rest.map((m) => ({ messageId: m.id, officer: "KZ-DO-2", action: "noted" as const, acknowledgedAt: at })) }, { sender: "KZ", sentAt: at });
    await submit(kz.js, seed, ack);
    for (const m of mine) {
      const t = await trackingOf(ex.admin, m.id, "KZ", { until: (v) => v.state === "acknowledged" });
      expect(t).toMatchObject({ receiptId: receipt.id, ackId: ack.id, ackBy: m === first ? "KZ-DO-1" : "KZ-DO-2" });
    }
    // One record per receipt and per acknowledgement, the first delivery in its fields, the others under data.more.
    const batched = (await auditRecords(ex.admin)).filter((r) => r.actor === "KZ" && (r.eventId === `receipted:${receipt.id}` || r.eventId === `acknowledged:${ack.id}`));
    expect(batched.map((r) => [r.event, r.messageId, (r.event === "receipted" || r.event === "acknowledged" ? (r.data.more ?? []) : []).map((x) => x.messageId)])).toEqual([
      ["receipted", first!.id, rest.map((m) => m.id)],
      ["acknowledged", first!.id, rest.map((m) => m.id)],
    ]);
    const events = await auditDeliveryEvents(ex.admin);
    for (const m of mine) expect(events.filter((r) => r.messageId === m.id && r.actor === "KZ").map((r) => r.event).sort()).toEqual(["acknowledged", "receipted"]);
    expect(events.some((r) => r.messageId === notMine.id && r.event === "receipted")).toBe(false);
  });

  it("refuses a signed message that names a key twice, at that key (readers would disagree on its value)", async () => {
    const kz = await ex.connectAgency("KZ");
    const m = sign(newAlert("KZ", { distribution: { agencies: ["AZ"] }, title: "Routine bulletin" }), ex.ids.agencies.get("KZ")!.seed);
    // Signed over the last title (what JSON.parse keeps); a first-value reader would see the other.
    const text = JSON.stringify(m).replace('"title":"Routine bulletin"', '"title":"Evacuate the airport","title":"Routine bulletin"');
    const o = outcomeOf(kz.nc, "KZ", m.id);
    await kz.js.publish(subjects.submit("KZ", "alert"), text, { msgID: m.id });
    expect((await o).body).toMatchObject({ reasons: [{ code: "malformed", path: "body.title", message: expect.stringContaining("each key once") }] });
    expect((await deliveriesTo(ex.admin, "AZ")).filter((d) => d.id === m.id)).toHaveLength(0);
  });

  it("names a submission it cannot parse by the Nats-Msg-Id it was published under, live and in the stored rejection", async () => {
    const kz = await ex.connectAgency("KZ");
    const id = compose("presence", { status: "on-duty" }, { sender: "KZ", sentAt: ex.clock.iso() }).id;
    const o = outcomeOf(kz.nc, "KZ", id);
    await kz.js.publish(subjects.submit("KZ", "alert"), "{ this is not JSON", { msgID: id });
    const rejection = (await o) as Extract<Message, { kind: "rejection" }>;
    expect(rejection.body).toMatchObject({ messageId: id, submitter: "KZ", reasons: [{ code: "malformed" }] });
    await eventually(async () => (await deliveriesTo(ex.admin, "KZ")).some((d) => d.kind === "rejection" && (d.body as { messageId?: string }).messageId === id), 10_000, "the stored rejection");
    expect((await auditRecords(ex.admin)).find((r) => r.event === "rejected" && r.messageId === id)?.actor).toBe("KZ");
  });

  it("lets only the originator update or retract, and only addressees answer an RFI", async () => {
    const alert = newAlert("AZ", { distribution: { agencies: ["KZ", "KG"] } });
    await sendAndWait("AZ", alert);
    const upd = compose("alert-update", { alertId: alert.id, reason: "more detail", changes: { summary: "x" } }, { sender: "KZ", sentAt: ex.clock.iso() });
    const o = await sendAndWait("KZ", upd);
    expect(o.kind).toBe("rejection");
    expect(JSON.stringify(o.body)).toContain("only it may update");

    const rfi = compose("rfi", {
      precedence: "IMMEDIATE", category: "terrorism", tlp: "AMBER", handling: "H1", question: "Where did they cross?",
      respondBy: new Date(ex.clock.nowMs() + 3_600_000).toISOString(), distribution: { agencies: ["KZ"] },
    }, { sender: "TR", sentAt: ex.clock.iso() });
    expect((await sendAndWait("TR", rfi)).kind).toBe("acceptance");
    const answer = (from: string) => compose("rfi-response", { rfiId: rfi.id, hasInformation: true, answer: "Via Kuryk", tlp: "AMBER", handling: "H1" }, { sender: from, sentAt: ex.clock.iso(), inReplyTo: rfi.id });
    expect((await sendAndWait("UZ", answer("UZ"))).kind).toBe("rejection");
    expect((await sendAndWait("KZ", answer("KZ"))).kind).toBe("acceptance");
    expect((await deliveriesTo(ex.admin, "TR")).some((d) => d.kind === "rfi-response")).toBe(true);
  });

  it("judges a hit or receipt naming a message not stored yet again shortly, instead of refusing it", async () => {
    // What another instance is accepting right now: the reference arrives before its record does.
    const alert = newAlert("AZ", { distribution: { agencies: ["KZ"] } });
    const kz = await ex.connectAgency("KZ");
    const seed = ex.ids.agencies.get("KZ")!.seed;
    const at = ex.clock.iso();
    const hit = compose("hit", { alertId: alert.id, matched: { kind: "person", reference: "A. Suspect" }, observedAt: at, details: "Seen at the border crossing", tlp: "AMBER", handling: "H1" }, { sender: "KZ", sentAt: at });
    const receipt = compose("receipt", { messageId: alert.id, receivedAt: at }, { sender: "KZ", sentAt: at });
    const hitOutcome = outcomeOf(kz.nc, "KZ", hit.id, 20_000);
    const receiptOutcome = outcomeOf(kz.nc, "KZ", receipt.id, 20_000).then(
      (o) => o,
      () => undefined, // a receipt that counted has no outcome
    );
    await submit(kz.js, seed, hit);
    await submit(kz.js, seed, receipt);
    await new Promise((r) => setTimeout(r, 300));
    expect((await sendAndWait("AZ", alert)).kind).toBe("acceptance");
    expect((await hitOutcome).kind).toBe("acceptance");
    const t = await trackingOf(ex.admin, alert.id, "KZ", { until: (v) => v.state === "receipted" });
    expect(t.receiptId).toBe(receipt.id);
    // A receipt that counted has no outcome; a refusal would have come by now.
    expect(await Promise.race([receiptOutcome, new Promise((r) => setTimeout(() => r(undefined), 1_000))])).toBeUndefined();
  }, 30_000);

  it("delivers a retraction to every recipient of the alert", async () => {
    const alert = newAlert("AZ", { distribution: { organisations: ["CIS"] } });
    const acc = await sendAndWait("AZ", alert);
    const recipients = (acc.body as { recipients: string[] }).recipients;
    const retraction = compose("alert-retraction", { alertId: alert.id, reason: "Suspects arrested" }, { sender: "AZ", sentAt: ex.clock.iso() });
    expect((await sendAndWait("AZ", retraction)).kind).toBe("acceptance");
    for (const r of recipients) expect((await deliveriesTo(ex.admin, r)).some((d) => d.id === retraction.id)).toBe(true);
    const again = compose("alert-update", { alertId: alert.id, reason: "late", changes: { summary: "y" } }, { sender: "AZ", sentAt: ex.clock.iso() });
    expect(JSON.stringify((await sendAndWait("AZ", again)).body)).toContain("retracted");
  });

  it("keeps an audit chain that verifies", async () => {
    const v = new ChainVerifier(await ex.trusted());
    const records = await auditRecords(ex.admin);
    records.forEach((r) => v.push(r));
    expect(v.result()).toMatchObject({ ok: true, records: records.length });
  });
});
