// Values in the exchange's buckets are checked when read. One that fails its contract (a junk
// registry, settings, clock, escalation claim or message record, however it got there) counts as
// absent, or in the config bucket as its newest good revision; it is logged, counted in the
// coordinators' heartbeats and shown by `atix status`, and never crashes a start or makes a
// submission retry for ever.
import { Kvm } from "@nats-io/kv";
import { afterAll, beforeAll, expect, it } from "vitest";
import { escalationClaimKey, type SeenRecord } from "../../shared/exchange/records.ts";
import { buckets, type Message } from "../../shared/contracts/index.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { exchangeStatus } from "../../shared/exchange/exchange-status.ts";
import { startTestExchange, submitAndWait, testAlertBody, type TestExchange } from "../support/exchange.ts";
import { auditRecords, eventually } from "../support/streams-read.ts";

let ex: TestExchange;
const JUNK = JSON.stringify({ type: "io.nats.jetstream.api.v1.consumer_info_response", error: { code: 404 } });

beforeAll(async () => {
  // FLASH due after 6 simulated seconds (0.1 s wall at 60x): escalations come at once.
  ex = await startTestExchange({ auth: true, speed: 60, settings: { ackDeadlineMinutes: { FLASH: 0.1, IMMEDIATE: 30, PRIORITY: 180, ROUTINE: 360 } } });
  await ex.startCoordinator("s1");
});
afterAll(() => ex?.stop());

const put = async (bucket: string, key: string, value: string) => (await new Kvm(ex.admin).open(bucket)).put(key, value);
const alert = (to: string[], precedence = "PRIORITY") => compose("alert", testAlertBody({ precedence, distribution: { agencies: to } }), { sender: "AZ", sentAt: ex.clock.iso() });

it("escalates a delivery whose claims were replaced by junk, once", async () => {
  const m = alert(["KG"], "FLASH");
  // Junk under the claim key of every step's first escalation to any agency, before the alert is even sent.
  for (const step of ["reminder", "backup-contact", "originator"])
    for (const agency of ex.ids.agencies.keys()) await put(buckets.escalationClaims, escalationClaimKey(step, agency, 1), JUNK);
  expect((await submitAndWait(ex, "AZ", m)).kind).toBe("acceptance");
  const escalated = await eventually(async () => {
    const steps = (await auditRecords(ex.admin)).flatMap((r) => (r.event === "escalated" && r.messageId === m.id ? [r.data.step] : []));
    return steps.length === 3 ? steps : undefined;
  }, 15_000, "the three escalation steps recorded");
  expect(escalated.sort()).toEqual(["backup-contact", "originator", "reminder"]);
});

it("answers a retraction whose alert's record is junk with an outcome, not retries for ever", async () => {
  const m = alert(["KZ"]);
  expect((await submitAndWait(ex, "AZ", m)).kind).toBe("acceptance");
  await put(buckets.messages, m.id, JUNK);
  const retraction = compose("alert-retraction", { alertId: m.id, reason: "Withdrawn: the source was found." }, { sender: "AZ", sentAt: ex.clock.iso() });
  const outcome: Message = await submitAndWait(ex, "AZ", retraction);
  expect(outcome).toMatchObject({ kind: "rejection", body: { reasons: [{ code: "unknown-reference", path: "body.alertId" }] } });
}, 20_000);

it("starts a coordinator on junk settings, clock and registry, using their last good revisions; status shows them", async () => {
  const registry = await ex.registryNow();
  for (const key of [CONFIG_KEYS.settings, CONFIG_KEYS.clock, CONFIG_KEYS.registry]) await put(buckets.config, key, key === CONFIG_KEYS.clock ? "not json" : JUNK);
  const second = await ex.startCoordinator("s2");
  expect(second.context.registry().ids).toEqual(registry.agencies.map((a) => a.id));
  expect(second.context.settings().ackDeadlineMinutes.FLASH).toBe(0.1);
  // Work goes on with them: an alert accepted and delivered.
  expect((await submitAndWait(ex, "AZ", alert(["RU"]))).kind).toBe("acceptance");

  const observer = await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed });
  try {
    const s = await exchangeStatus(observer, ex.url, 1_500);
    // The registry was written again by the new instance registering its key (on its last good revision).
    expect((await ex.registryNow()).coordinators.map((k) => k.id)).toContain("s2");
    expect(s.agencies.registered).toBe(registry.agencies.length);
    const seen = s.invalidStored.filter((v) => v.seenBy === "status").map((v) => `${v.bucket}/${v.key}`).sort();
    expect(seen).toEqual([`${buckets.config}/clock`, `${buckets.config}/settings`]);
    // The coordinators report the last one each met, among them the claims and the message record.
    expect(s.invalidStored.filter((v) => v.seenBy !== "status").length).toBeGreaterThan(0);
    expect(s.coordinators.every((c) => c.invalidStored > 0)).toBe(true);
  } finally {
    await observer.close();
  }
}, 30_000);

it("stores a put as kv.put would: the value under its key, its revision returned; a key kv.put refuses rejects", async () => {
  const store = await openStore(ex.admin);
  const kv = await new Kvm(ex.admin).open(buckets.seen);
  const key = "0190a000-0000-7000-8000-000000000042";
  const value: SeenRecord = { outcome: "rejected", outcomeId: key, outcomeJson: "{}", streamSeq: 1, kind: "alert", sender: "AZ", recipients: [], at: ex.clock.iso() };
  const revision = await store.seen.put(key, value);
  const entry = await kv.get(key);
  expect(entry).toMatchObject({ revision, operation: "PUT" });
  expect(entry!.json()).toEqual(value);
  expect((await store.seen.get(key))?.value).toEqual(value);
  for (const bad of ["a b", ".lead", "a.*", ">"]) {
    await expect(kv.put(bad, "{}")).rejects.toThrow();
    const put = store.seen.put(bad, value);
    await expect(put).rejects.toThrow();
  }
});
