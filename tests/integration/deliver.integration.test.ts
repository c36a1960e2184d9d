// deliver() with the acceptance's storedOnce (delivery-copies.ts): a message to every agency but
// its sender is stored once, on the broadcast subject; anything narrower once per recipient.
// Against a real broker, with the coordinator's consumers.
import { jetstreamManager, DeliverPolicy } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver } from "../../services/coordinator/deliver.ts";
import { reachesEveryone, storedOnce } from "../../services/coordinator/delivery-copies.ts";
import { consumers, type Message, RECIPIENTS_HEADER, streams, SUBMITTED_AT_HEADER, subjects } from "../../shared/contracts/index.ts";
import { issueIdentities, publishExchangeConfig, registryFor } from "../../shared/exchange/bootstrap.ts";
import { Registry, type RegistryData } from "../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS } from "../../shared/exchange/settings.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { createLogger } from "../../shared/log.ts";
import { durablePublisher } from "../../shared/nats/jetstream-publisher.ts";
import { ensureAgencyConsumer, retireUnregisteredBroadcastConsumers } from "../../shared/nats/streams.ts";
import { startTestExchange, submitAndWait, testAlertBody, testRoster, type TestExchange } from "../support/exchange.ts";
import { broadcasts, deliveriesTo, eventually, readAll } from "../support/streams-read.ts";

const DELIVERIES = streams.deliveries.name;
const logger = createLogger("deliver-test").child({}, { level: process.env.ATIX_LOG_LEVEL ?? "silent" });
let ex: TestExchange;
beforeAll(async () => {
  ex = await startTestExchange({ speed: 60 });
  await ex.startCoordinator("c1");
});
afterAll(() => ex?.stop());

const ctx = () => ({ publisher: durablePublisher(ex.admin), registry: () => ex.registry, log: logger });
const alertFrom = (sender: string, over: Record<string, unknown> = {}) => compose("alert", testAlertBody(over), { sender, sentAt: ex.clock.iso() });
const publishRegistry = (registry: RegistryData) => publishExchangeConfig(ex.admin, { registry, settings: DEFAULT_SETTINGS, clock: ex.clock.snapshot() });
const bytes = (m: Message) => new TextEncoder().encode(JSON.stringify(m));
/** As the coordinator stores an accepted message: stored once or per recipient as decided for it. */
const storeCopies = (c: ReturnType<typeof ctx>, m: Message, recipients: string[], opts: { submittedAt?: string } = {}) =>
  deliver(c, m, bytes(m), recipients, { once: storedOnce(c.registry(), m, recipients, (m.body as { tlp?: string }).tlp === "RED"), ...opts });
/** Every stored copy of `id`, by subject. */
const copiesOf = async (id: string) =>
  (await readAll(ex.admin, DELIVERIES, subjects.deliverAll)).filter((d) => JSON.parse(new TextDecoder().decode(d.data)).id === id).map((d) => d.subject);

describe("deliver", () => {
  it("stores a message to every other agency once, on the broadcast subject, and a retry is a duplicate", async () => {
    const m = alertFrom("AZ");
    const everyoneElse = ex.registry.ids.filter((id) => id !== "AZ");
    await storeCopies(ctx(), m, everyoneElse);
    await storeCopies(ctx(), m, everyoneElse);
    expect(await copiesOf(m.id)).toEqual([subjects.broadcast("alert")]);
    // Each recipient finds it among its deliveries; the sender does not.
    for (const r of everyoneElse) expect((await deliveriesTo(ex.admin, r)).map((d) => d.id)).toContain(m.id);
    expect((await deliveriesTo(ex.admin, "AZ")).map((d) => d.id)).not.toContain(m.id);
    // It names its recipients, so an agency that joined or left meanwhile can tell it is not its.
    const stored = await jetstreamManager(ex.admin).then((jsm) => jsm.streams.getMessage(DELIVERIES, { last_by_subj: subjects.broadcast("alert") }));
    expect(stored?.header.get(RECIPIENTS_HEADER)).toBe(everyoneElse.join(","));
  });

  it("stores one copy per recipient when not everyone is addressed (named agencies, TLP:RED)", async () => {
    const m = alertFrom("AZ", { tlp: "RED", distribution: { agencies: ["KZ", "RU"] } });
    await storeCopies(ctx(), m, ["KZ", "RU"]);
    expect((await copiesOf(m.id)).sort()).toEqual([subjects.deliver("KZ", "alert"), subjects.deliver("RU", "alert")]);
    // All but one other agency is still per recipient.
    const n = alertFrom("AZ");
    const allButOne = ex.registry.ids.filter((id) => id !== "AZ" && id !== "UZ");
    await storeCopies(ctx(), n, allButOne);
    expect((await copiesOf(n.id)).sort()).toEqual(allButOne.map((r) => subjects.deliver(r, "alert")).sort());
  });

  it("never stores an answer or a hit as a broadcast, even when its one recipient is every other agency (an exchange of two)", async () => {
    const two = { publisher: durablePublisher(ex.admin), registry: () => new Registry(registryFor(testRoster(["AZ", "KZ"]), issueIdentities(testRoster(["AZ", "KZ"])))), log: logger };
    const hit = compose("hit", { alertId: alertFrom("AZ").id, matched: { kind: "person", reference: "TASHEV" }, observedAt: ex.clock.iso(), tlp: "AMBER", handling: "H1" } as never, { sender: "KZ", sentAt: ex.clock.iso() });
    await storeCopies(two, hit, ["AZ"]);
    expect(await copiesOf(hit.id)).toEqual([subjects.deliver("AZ", "hit")]);
  });

  it("stamps every copy with the submission's time when its key is being replaced, and only then", async () => {
    const m = alertFrom("AZ", { distribution: { agencies: ["KZ", "RU"] } });
    await storeCopies(ctx(), m, ["KZ", "RU"], { submittedAt: "2026-09-21T08:00:00.000Z" });
    const stored = await readAll(ex.admin, DELIVERIES, subjects.deliverAll);
    const copies = stored.filter((d) => JSON.parse(new TextDecoder().decode(d.data)).id === m.id);
    expect(copies.map((c) => c.headers?.get(SUBMITTED_AT_HEADER))).toEqual(["2026-09-21T08:00:00.000Z", "2026-09-21T08:00:00.000Z"]);
    const n = alertFrom("AZ", { distribution: { agencies: ["KZ"] } });
    await storeCopies(ctx(), n, ["KZ"]);
    const plain = (await readAll(ex.admin, DELIVERIES, subjects.deliverAll)).find((d) => JSON.parse(new TextDecoder().decode(d.data)).id === n.id);
    expect(plain?.headers?.get(SUBMITTED_AT_HEADER) ?? "").toBe("");
  });

  it("never stores TLP:RED as a broadcast, even to every other agency, its retraction neither; beyond the limit (a setting) it is refused", async () => {
    const everyoneElse = ex.registry.ids.filter((id) => id !== "AZ");
    const red = alertFrom("AZ", { tlp: "RED", distribution: { agencies: everyoneElse } });
    expect((await submitAndWait(ex, "AZ", red)).kind).toBe("acceptance");
    await eventually(async () => ((await copiesOf(red.id)).length === everyoneElse.length ? true : undefined), 5_000, "the RED alert's copies");
    expect((await copiesOf(red.id)).sort()).toEqual(everyoneElse.map((r) => subjects.deliver(r, "alert")).sort());
    const withdrawn = compose("alert-retraction", { alertId: red.id, reason: "Deconflicted." }, { sender: "AZ", sentAt: ex.clock.iso() });
    expect((await submitAndWait(ex, "AZ", withdrawn)).kind).toBe("acceptance");
    await eventually(async () => ((await copiesOf(withdrawn.id)).length === everyoneElse.length ? true : undefined), 5_000, "the retraction's copies");
    expect(await copiesOf(withdrawn.id)).not.toContain(subjects.broadcast("alert-retraction"));

    // At most 3 named for TLP:RED: 4 are refused, naming the limit; 3 go.
    const store = await openStore(ex.admin);
    await store.settings.put(CONFIG_KEYS.settings, { ...DEFAULT_SETTINGS, tlpRedMaxAgencies: 3 });
    try {
      const four = alertFrom("AZ", { tlp: "RED", distribution: { agencies: ["KZ", "RU", "TR", "UZ"] } });
      const refused = await eventually(async () => {
        const o = await submitAndWait(ex, "AZ", { ...four, id: compose("alert", four.body, { sender: "AZ", sentAt: ex.clock.iso() }).id });
        return o.kind === "rejection" ? o : undefined; // the coordinator takes the new setting within moments
      }, 5_000, "the limit in force");
      expect(refused.body).toMatchObject({
        reasons: [{ code: "policy", path: "body.distribution.agencies", message: "expected at most 3 named agencies for TLP:RED (the exchange's limit, setting tlpRedMaxAgencies); 4 are named" }],
      });
      const three = alertFrom("AZ", { tlp: "RED", distribution: { agencies: ["KZ", "RU", "TR"] } });
      expect((await submitAndWait(ex, "AZ", three)).kind).toBe("acceptance");
    } finally {
      await store.settings.put(CONFIG_KEYS.settings, DEFAULT_SETTINGS);
    }
  });

  it("gives every agency of the registry its own consumer and a broadcast consumer that starts at creation", async () => {
    const jsm = await jetstreamManager(ex.admin);
    for (const id of ex.registry.ids) {
      expect((await jsm.consumers.info(DELIVERIES, consumers.agency(id))).config.filter_subject).toBe(subjects.deliverOf(id));
      const b = (await jsm.consumers.info(DELIVERIES, consumers.broadcast(id))).config;
      expect(b).toMatchObject({ filter_subject: subjects.broadcastAll, deliver_policy: DeliverPolicy.New, ack_policy: "explicit" });
    }
  });

  it("drops a broadcast consumer left for an agency not in the registry (published while no coordinator ran)", async () => {
    const jsm = await jetstreamManager(ex.admin);
    await ensureAgencyConsumer(jsm, "TM");
    expect(await retireUnregisteredBroadcastConsumers(jsm, ex.registry.byId)).toEqual(["TM"]);
    await expect(jsm.consumers.info(DELIVERIES, consumers.broadcast("TM"))).rejects.toThrow(/consumer not found/);
    for (const id of ex.registry.ids) await jsm.consumers.info(DELIVERIES, consumers.broadcast(id));
    await jsm.consumers.delete(DELIVERIES, consumers.agency("TM"));
  });

  it("gives an agency added to the registry both consumers, and none of the earlier broadcasts", async () => {
    const roster = testRoster([...ex.registry.ids, "TJ"]);
    await publishRegistry(registryFor(roster, issueIdentities(roster)));
    const jsm = await jetstreamManager(ex.admin);
    const info = await eventually(() => jsm.consumers.info(DELIVERIES, consumers.broadcast("TJ")), 10_000, "TJ's broadcast consumer");
    expect(info.num_pending).toBe(0);
    await jsm.consumers.info(DELIVERIES, consumers.agency("TJ"));
    // Put the old registry back (the other tests resolve against it): TJ's broadcast consumer goes.
    await publishRegistry(ex.registry.data);
    await eventually(() => jsm.consumers.info(DELIVERIES, consumers.broadcast("TJ")).then(() => undefined, () => true), 10_000, "TJ's broadcast consumer retired");
  });

  // Needs services/coordinator/submission-runner.ts to call deliver().
  it("through the coordinator: a FLASH to all is stored once", async () => {
    const m = alertFrom("KZ");
    expect((await submitAndWait(ex, "KZ", m)).kind).toBe("acceptance");
    expect(await copiesOf(m.id)).toEqual([subjects.broadcast("alert")]);
    expect((await broadcasts(ex.admin)).filter((b) => b.id === m.id)).toHaveLength(1);
  });
});

describe("reachesEveryone", () => {
  const roster = testRoster(["AZ", "KZ", "KG"]);
  const registry = new Registry(registryFor(roster, issueIdentities(roster)));
  it("is true only for exactly the registry's agencies other than the sender", () => {
    expect(reachesEveryone(registry, "AZ", ["KZ", "KG"])).toBe(true);
    expect(reachesEveryone(registry, "AZ", ["KG", "KZ"])).toBe(true);
    expect(reachesEveryone(registry, "AZ", ["KZ"])).toBe(false);
    expect(reachesEveryone(registry, "AZ", ["KZ", "KZ"])).toBe(false);
    expect(reachesEveryone(registry, "AZ", ["KZ", "KG", "AZ"])).toBe(false);
    expect(reachesEveryone(registry, "AZ", ["KZ", "XX"])).toBe(false);
    // A sender outside the registry (the coordinator) reaches everyone only with every agency.
    expect(reachesEveryone(registry, "ATIX", ["AZ", "KZ", "KG"])).toBe(true);
  });
});
