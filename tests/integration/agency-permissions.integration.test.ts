// The agency node under the production permissions (shared/exchange/server-config.ts) on a
// private nats-server with nkey auth: each agency alone in its own account, reaching JetStream
// only through AGENCY_JS_API. It may only read its own two consumers (own deliveries and
// broadcasts), ack, submit as itself and announce presence — all it needs to receipt and acknowledge.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { v7 } from "uuid";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AgencyHost, AgencyNode, ClockFeed, senderKeysOf } from "../../services/agency/index.ts";
import type { ClockState } from "../../shared/clock.ts";
import type { AgencyEvent } from "../../services/agency/events.ts";
import { consumers, type Message, parseMessageText, RECIPIENTS_HEADER, sign, streams, subjects, verify } from "../../shared/contracts/index.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { authorizationConfig } from "../../shared/exchange/server-config.ts";
import { createLogger } from "../../shared/log.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { ensureAgencyConsumer, ensureLayout } from "../../shared/nats/streams.ts";
import { clone, examples } from "../support/examples.ts";
import { type NatsServer, startNatsServer } from "../support/nats-server.ts";

const coordinator = newIdentity("coordinator");
const observer = newIdentity("observer");
const kz = newIdentity("KZ");
const kg = newIdentity("KG");
const az = newIdentity("AZ"); // the examples' sender
/** What the nodes verify deliveries against. */
const registry = { agencies: [az, kz, kg].map((i) => ({ id: i.user, publicKey: i.publicKey })), coordinators: [{ publicKey: coordinator.publicKey }] };
const keys = senderKeysOf(registry);
const seedOf = (id: string) => [az, kz, kg].find((i) => i.user === id)!.seed;
const logger = createLogger("agency-test").child({}, { level: process.env.ATIX_LOG_LEVEL ?? "silent" });
let server: NatsServer;
let nc: NatsConnection;
let node: AgencyNode | undefined;
const rosterEntry = (id: string, ackDelay = { medianMinutes: 2, p95Minutes: 4 }) => ({
  id, name: `Agency ${id}`, country: "Testland", region: "central-asia" as const, organisations: [], sharingGroups: [], timezone: "Asia/Almaty",
  duty: { profile: "24/7" as const, ackDelay, nightFactor: 1.5, nightHours: { from: 22, to: 7 } },
});
const broadcast = async (state: ClockState) => {
  nc.publish(subjects.clock, JSON.stringify(state));
  await nc.flush();
  await new Promise((r) => setTimeout(r, 100));
};

beforeAll(async () => {
  server = await startNatsServer({ config: authorizationConfig({ coordinator: coordinator.publicKey, observer: observer.publicKey, agencies: [kz, kg].map((a) => ({ id: a.user, publicKeys: [a.publicKey] })) }) });
  nc = await connectAs({ servers: server.url, user: "coordinator", seed: coordinator.seed });
  const jsm = await ensureLayout(nc);
  for (const id of ["KZ", "KG"]) await ensureAgencyConsumer(jsm, id);
});
afterAll(async () => {
  await node?.stop();
  await nc?.drain();
  await server?.stop();
});

it("receipts and acknowledges with nothing but the agency's own permissions", async () => {
  const feed = new ClockFeed({ simAnchor: Date.parse("2026-09-21T08:00:00Z"), wallAnchor: Date.now(), speed: 1200, paused: false });
  // An officer who takes about 20 simulated minutes (FLASH: half that, 0.5 s at 1200x): the receipt
  // goes out first. A quicker one may acknowledge before it, and the acknowledgement alone counts
  // as both (docs/protocol.md §6), which would leave this test no receipt to check.
  const agency = rosterEntry("KZ", { medianMinutes: 20, p95Minutes: 24 });
  node = new AgencyNode({ agency, seed: kz.seed, servers: server.url, clock: feed.clock.snapshot(), hitProbability: 0, keys, logger });
  const errors: string[] = [];
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(streams.submissions.name, { name: "watch", filter_subject: subjects.submitOf("KZ"), deliver_policy: DeliverPolicy.All, ack_policy: AckPolicy.None });
  await node.start();
  (async () => { for await (const s of node!.connection!.status()) if (s.type === "error") errors.push(String(s.error)); })();

  const alert = clone(examples.alert) as Extract<Message, { kind: "alert" }>;
  delete alert.signature;
  Object.assign(alert, { id: v7(), sentAt: feed.clock.iso() });
  alert.body.validUntil = new Date(feed.clock.nowMs() + 86_400_000).toISOString();
  await jetstream(nc).publish(subjects.deliver("KZ", "alert"), JSON.stringify(sign(alert, az.seed)), { msgID: alert.id });

  try {
    const got: Message[] = [];
    const iter = await (await jetstream(nc).consumers.get(streams.submissions.name, "watch")).consume();
    const until = Date.now() + 10_000;
    for await (const m of iter) {
      const r = parseMessageText(m.data);
      if (r.ok) got.push(r.value);
      if (got.some((x) => x.kind === "acknowledgement") || Date.now() > until) break;
    }
    expect(got.map((m) => m.kind)).toEqual(["receipt", "acknowledgement"]);
    for (const m of got) expect(verify(m, kz.publicKey)).toEqual({ ok: true });

    // It follows the exchange clock the coordinator broadcasts on atix.clock.
    const state = { simAnchor: Date.parse("2026-09-22T00:00:00Z"), wallAnchor: Date.now(), speed: 60, paused: false };
    await broadcast(state);
    expect(node.clock.snapshot()).toEqual(state);
    expect(errors.filter((e) => /permission/i.test(e))).toEqual([]);
  } finally {
    // Stopped whatever happened: a node left running would share KZ's consumers with the next test's.
    await node.stop();
  }
});

it("reads broadcasts through its second consumer: once each, none of its own, none that do not name it", async () => {
  const feed = new ClockFeed({ simAnchor: Date.parse("2026-09-21T08:00:00Z"), wallAnchor: Date.now(), speed: 1200, paused: false });
  node = new AgencyNode({ agency: rosterEntry("KZ"), seed: kz.seed, servers: server.url, clock: feed.clock.snapshot(), hitProbability: 0, keys, logger });
  const events: AgencyEvent[] = [];
  node.onEvent((e) => events.push(e));
  await node.start();
  const alertFrom = (sender: string) => {
    const a = clone(examples.alert) as Extract<Message, { kind: "alert" }>;
    delete a.signature;
    Object.assign(a, { id: v7(), sentAt: feed.clock.iso(), sender });
    a.body.validUntil = new Date(feed.clock.nowMs() + 86_400_000).toISOString();
    return sign(a, seedOf(sender));
  };
  const own = alertFrom("KZ");
  const theirs = alertFrom("KG");
  const js = jetstream(nc);
  await js.publish(subjects.broadcast("alert"), JSON.stringify(own), { msgID: `${own.id}:all` });
  await js.publish(subjects.broadcast("alert"), JSON.stringify(theirs), { msgID: `${theirs.id}:all` });
  // The same message also addressed to KZ alone (a retry routed per recipient): one delivery, seen twice.
  await js.publish(subjects.deliver("KZ", "alert"), JSON.stringify(theirs), { msgID: `${theirs.id}:KZ` });
  // Stored for a registry without KZ (it joined or left meanwhile): not KZ's to read.
  const notForKz = alertFrom("KG");
  const h = headers();
  h.set(RECIPIENTS_HEADER, "AZ,RU");
  await js.publish(subjects.broadcast("alert"), JSON.stringify(notForKz), { msgID: `${notForKz.id}:all`, headers: h });

  const receipted = () => events.filter((e) => e.type === "receipted" && e.messageId === theirs.id).length;
  for (const until = Date.now() + 10_000; receipted() < 2 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
  const delivered = events.filter((e) => e.type === "delivered" && e.messageId === theirs.id);
  expect(delivered.map((e) => e.redelivered).sort()).toEqual([false, true]);
  expect(node.received.filter((id) => id === theirs.id)).toHaveLength(1);
  expect(events.filter((e) => e.messageId === own.id)).toEqual([]);
  expect(events.filter((e) => e.messageId === notForKz.id)).toEqual([]);
  const jsm = await jetstreamManager(nc);
  for (const c of [consumers.broadcast("KZ"), consumers.agency("KZ")])
    await expect.poll(async () => (await jsm.consumers.info(streams.deliveries.name, c)).num_ack_pending, { timeout: 5_000 }).toBe(0);
  await node.stop();
});

it("a host follows the clock through one subscription, moved when that node goes offline", async () => {
  const host = new AgencyHost({
    servers: server.url,
    agencies: [kz, kg].map((i) => ({ agency: rosterEntry(i.user), seed: i.seed })),
    registry,
    clock: { simAnchor: Date.parse("2026-09-21T08:00:00Z"), wallAnchor: Date.now(), speed: 60, paused: false },
    concurrency: 2,
    logger,
  });
  try {
    await host.start();
    const first = { simAnchor: Date.parse("2026-09-22T00:00:00Z"), wallAnchor: Date.now(), speed: 120, paused: false };
    await broadcast(first);
    expect(host.node("KZ")!.clock.snapshot()).toEqual(first);
    expect(host.node("KG")!.clock.snapshot()).toEqual(first);
    // Whichever node carries the subscription, the clock keeps following with one node down.
    await host.stopNode("KZ");
    const second = { ...first, speed: 240, wallAnchor: Date.now() };
    await broadcast(second);
    expect(host.node("KG")!.clock.snapshot()).toEqual(second);
    await host.startNode("KZ");
    await host.stopNode("KG");
    const third = { ...second, paused: true };
    await broadcast(third);
    expect(host.node("KZ")!.clock.snapshot()).toEqual(third);
  } finally {
    await host.stop();
  }
});
