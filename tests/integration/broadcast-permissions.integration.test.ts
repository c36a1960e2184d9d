// The broadcast consumers under the generated server permissions (nkey auth, an account per
// agency): each agency reads and acks the broadcasts through its own broadcast consumer, and
// cannot read, ack on, change or delete another's, nor tap the broadcast subject itself.
import { AckPolicy, DeliverPolicy, jetstream, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY_JS_API, consumers, parseMessageText, sign, streams, subjects } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { startTestExchange, testAlertBody, type TestExchange } from "../support/exchange.ts";
import { expectPublishRefused, expectRequestRefused, expectSubscribeRefused, type Party, party } from "../support/refusals.ts";

const DELIVERIES = streams.deliveries.name;
const api = (rest: string) => `${AGENCY_JS_API}.${rest}`;
const pull = JSON.stringify({ batch: 1, no_wait: true });

let ex: TestExchange;
let kz: Party;
let observer: Party;
let admin: JetStreamManager;
let alertId: string;

beforeAll(async () => {
  ex = await startTestExchange({ auth: true, speed: 60 });
  await ex.startCoordinator("c1"); // creates every agency's two consumers
  admin = await jetstreamManager(ex.admin);
  kz = await party("KZ", (await ex.connectAgency("KZ")).nc, AGENCY_JS_API);
  observer = await party("observer", await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed }));
  // An AZ alert to all, stored as the coordinator stores a broadcast.
  const alert = sign(compose("alert", testAlertBody(), { sender: "AZ", sentAt: ex.clock.iso() }), ex.ids.agencies.get("AZ")!.seed);
  alertId = alert.id;
  await jetstream(ex.admin).publish(subjects.broadcast("alert"), JSON.stringify(alert), { msgID: `${alert.id}:all` });
});
afterAll(async () => {
  await observer?.nc.drain().catch(() => undefined);
  await ex?.stop();
});

describe("an agency's broadcast consumer", () => {
  it("is readable and ackable by its agency", async () => {
    const c = await kz.js.consumers.get(DELIVERIES, consumers.broadcast("KZ"));
    expect((await c.info()).config).toMatchObject({ filter_subject: subjects.broadcastAll, deliver_policy: DeliverPolicy.New });
    const m = await c.next({ expires: 5_000 });
    expect(m?.subject).toBe(subjects.broadcast("alert"));
    const parsed = parseMessageText(m!.data);
    expect(parsed.ok && parsed.value.id).toBe(alertId);
    expect(await m!.ackAck()).toBe(true);
    expect((await c.info()).num_ack_pending).toBe(0);
    expect(kz.violations).toEqual([]);
  });

  it("is out of reach of every other agency", async () => {
    const other = consumers.broadcast("AZ");
    await expectRequestRefused(kz, () => kz.js.consumers.get(DELIVERIES, other), api(`CONSUMER.INFO.${DELIVERIES}.${other}`));
    await expectRequestRefused(kz, () => kz.nc.request(api(`CONSUMER.MSG.NEXT.${DELIVERIES}.${other}`), pull), api(`CONSUMER.MSG.NEXT.${DELIVERIES}.${other}`));
    await expectRequestRefused(kz, () => kz.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.${other}`, pull), `$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.${other}`);
    await expectPublishRefused(kz, `$JS.ACK.${DELIVERIES}.${other}.1.1.1.0.0`);
    expect((await admin.consumers.info(DELIVERIES, other)).num_pending).toBe(1); // AZ's copy untouched
  });

  it("cannot be changed, deleted or copied by its agency, nor the broadcast subject tapped", async () => {
    const own = consumers.broadcast("KZ");
    const before = (await admin.consumers.info(DELIVERIES, own)).config;
    await expectRequestRefused(kz, () => kz.jsm.consumers.delete(DELIVERIES, own), api(`CONSUMER.DELETE.${DELIVERIES}.${own}`));
    await expectRequestRefused(kz, () => kz.jsm.consumers.update(DELIVERIES, own, { max_ack_pending: 1 }), new RegExp(`^\\$JS\\.ATIX\\.API\\.CONSUMER\\.CREATE\\.${DELIVERIES}\\.${own}`));
    await expectRequestRefused(kz, () => kz.jsm.consumers.add(DELIVERIES, { filter_subject: subjects.broadcastAll, ack_policy: AckPolicy.None }), api(`CONSUMER.CREATE.${DELIVERIES}`));
    await expectRequestRefused(kz, () => kz.jsm.direct.getMessage(DELIVERIES, { last_by_subj: subjects.broadcast("alert") }), api(`DIRECT.GET.${DELIVERIES}.${subjects.broadcast("alert")}`));
    await expectRequestRefused(kz, () => kz.js.publish(subjects.broadcast("alert"), "{}"), subjects.broadcast("alert"));
    await expectSubscribeRefused(kz, subjects.broadcastAll);
    expect((await admin.consumers.info(DELIVERIES, own)).config).toEqual(before);
  });
});

describe("the observer", () => {
  it("cannot take over, ack on or delete an agency's broadcast consumer", async () => {
    const target = consumers.broadcast("AZ");
    const before = (await admin.consumers.info(DELIVERIES, target)).config;
    await expectRequestRefused(observer, () => observer.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.${target}`, pull), `$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.${target}`);
    await expectPublishRefused(observer, `$JS.ACK.${DELIVERIES}.${target}.1.1.1.0.0`);
    // (the client asks for the consumer's info before it updates it: refused there already)
    await expectRequestRefused(observer, () => observer.jsm.consumers.update(DELIVERIES, target, { max_ack_pending: 1 }), new RegExp(`^\\$JS\\.API\\.CONSUMER\\.(INFO|CREATE)\\.${DELIVERIES}\\.${target}(\\.|$)`));
    await expectRequestRefused(observer, () => observer.jsm.consumers.delete(DELIVERIES, target), `$JS.API.CONSUMER.DELETE.${DELIVERIES}.${target}`);
    expect((await admin.consumers.info(DELIVERIES, target)).config).toEqual(before);
  });
});
