// The generated server permissions (shared/exchange/server-config.ts) against a real nats-server
// with nkey auth and a running coordinator: every agency connects with its own nkey into an account
// of its own and reaches JetStream through AGENCY_JS_API, and each refusal below is the one the
// server really sends (how nats.js reports each: tests/support/refusals.ts).
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection, nkeyAuthenticator, PermissionViolationError, RequestError } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { AuditWriter } from "../../shared/audit/writer.ts";
import { ExchangeReader } from "../../shared/exchange/config-read.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { RegistryData } from "../../shared/exchange/registry.ts";
import { pino } from "pino";
import { ClockState } from "../../shared/clock.ts";
import {
  AGENCY_JS_API,
  type AlertMessage,
  AuditHead,
  buckets,
  consumers,
  type Message,
  parseMessageText,
  sign,
  streams,
  subjects,
  verify,
} from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { submit } from "../../shared/messaging/submit.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { durablePublisher } from "../../shared/nats/jetstream-publisher.ts";
import { agencyConsumers as agencyConsumersOf } from "../../shared/exchange/server-config.ts";
import { ensureAgencyConsumer } from "../../shared/nats/streams.ts";
import { openStore, outcomeOf, startTestExchange, type TestExchange } from "../support/exchange.ts";
import { expectPublishRefused, expectRequestRefused, expectSubscribeRefused, type Party, party, violation } from "../support/refusals.ts";
import { auditRecords, deliveriesTo } from "../support/streams-read.ts";
import { trackingOf } from "../support/tracking.ts";

const SUBMISSIONS = streams.submissions.name;
const DELIVERIES = streams.deliveries.name;
const AUDIT = streams.audit.name;
/** A JetStream API subject as an agency names it (its account imports the API under this prefix). */
const api = (rest: string) => `${AGENCY_JS_API}.${rest}`;

let ex: TestExchange;
let kz: Party; // plays the agency that tries what it must not
let az: Party; // the agency it tries it against
let observer: Party;
let admin: JetStreamManager;

beforeAll(async () => {
  ex = await startTestExchange({ auth: true, speed: 60 });
  await ex.startCoordinator("c1");
  admin = await jetstreamManager(ex.admin);
  kz = await party("KZ", (await ex.connectAgency("KZ")).nc, AGENCY_JS_API);
  az = await party("AZ", (await ex.connectAgency("AZ")).nc, AGENCY_JS_API);
  observer = await party("observer", await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed }), AGENCY_JS_API);
});
afterAll(async () => {
  await observer?.nc.drain().catch(() => undefined);
  await ex?.stop();
});

/** The consumers of a stream (default: the audit stream's), by name. */
async function consumerNames(jsm: JetStreamManager, stream: string = AUDIT): Promise<string[]> {
  const names: string[] = [];
  for await (const c of jsm.consumers.list(stream)) names.push(c.name);
  return names.sort();
}

/** How many messages a stream holds on subjects matching `filter` (read as the coordinator). */
async function stored(stream: string, filter: string): Promise<number> {
  const info = await admin.streams.info(stream, { subjects_filter: filter });
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
}

const alertBody = (to: string[]): AlertMessage["body"] =>
  ({
    precedence: "FLASH",
    category: "terrorism",
    evaluation: { reliability: "B", credibility: 2 },
    title: "Explosives cached near the Kapshagay dam",
    tlp: "AMBER",
    handling: "H2",
    distribution: { agencies: to },
  }) as AlertMessage["body"];

const seedOf = (id: string) => ex.ids.agencies.get(id)!.seed;

// ---- an agency ---------------------------------------------------------------------------------

describe("an agency, connected with its own nkey", () => {
  it("cannot publish as another agency: core and JetStream publishes are refused and nothing is stored", async () => {
    const before = {
      azSubmissions: await stored(SUBMISSIONS, subjects.submitOf("AZ")),
      kzSubmissions: await stored(SUBMISSIONS, subjects.submitOf("KZ")),
      azDeliveries: await stored(DELIVERIES, subjects.deliverOf("AZ")),
      audit: await stored(AUDIT, subjects.audit),
    };
    // A correctly signed AZ-looking alert is not the point: KZ cannot even put bytes there.
    const posing = JSON.stringify(sign(compose("alert", alertBody(["TR"]), { sender: "AZ", sentAt: ex.clock.iso() }), seedOf("KZ")));
    await expectPublishRefused(kz, subjects.submit("AZ", "alert"), posing);
    await expectRequestRefused(kz, () => kz.js.publish(subjects.submit("AZ", "alert"), posing, { msgID: "posing-1" }), subjects.submit("AZ", "alert"));
    await expectRequestRefused(kz, () => kz.js.publish(subjects.submit("AZ", "acknowledgement"), "{}"), subjects.submit("AZ", "acknowledgement"));
    // The publisher a node submits through is told at once, not when its PubAck is overdue.
    const refused = await durablePublisher(kz.nc).publish(subjects.submit("AZ", "alert"), posing, { msgID: "posing-2", timeout: 120_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermissionViolationError);
    expect((refused as PermissionViolationError).subject).toBe(subjects.submit("AZ", "alert"));
    expect(durablePublisher(kz.nc).inFlight).toBe(0);
    // Nor speak for AZ elsewhere, nor write where only the coordinator writes.
    await expectPublishRefused(kz, subjects.presence("AZ"));
    await expectPublishRefused(kz, subjects.deliver("AZ", "alert"));
    await expectRequestRefused(kz, () => kz.js.publish(subjects.deliver("AZ", "alert"), "{}"), subjects.deliver("AZ", "alert"));
    await expectPublishRefused(kz, subjects.outcome("AZ", "01a0c4b6-a7e0-755e-8a14-f5f74adfcda7"));
    await expectRequestRefused(kz, () => kz.js.publish(subjects.audit, "{}"), subjects.audit);
    // Nor a checkpoint (a restarting coordinator would refuse a forged one, but none may be stored), nor read one.
    for (const s of [subjects.checkpointManifest, subjects.checkpointData]) await expectRequestRefused(kz, () => kz.js.publish(s, "{}"), s);
    await expectRequestRefused(kz, () => kz.jsm.direct.getMessage(streams.checkpoints.name, { last_by_subj: subjects.checkpointManifest }), api(`DIRECT.GET.${streams.checkpoints.name}.${subjects.checkpointManifest}`));
    await expectPublishRefused(kz, subjects.clock, JSON.stringify(ex.clock.snapshot()));
    await expectPublishRefused(kz, subjects.coordinatorHeartbeat("fake"));

    // Barrier: the server handles one connection's messages in order, so once KZ's own
    // submission is stored, anything refused before it would have been stored already.
    await ex.send("KZ", "presence", { status: "on-duty", officer: "KZ duty desk" });
    expect(await stored(SUBMISSIONS, subjects.submitOf("KZ"))).toBe(before.kzSubmissions + 1);
    expect(await stored(SUBMISSIONS, subjects.submitOf("AZ"))).toBe(before.azSubmissions);
    expect(await stored(DELIVERIES, subjects.deliverOf("AZ"))).toBe(before.azDeliveries);
    expect((await auditRecords(ex.admin)).filter((r) => r.actor === "AZ")).toEqual([]);
    expect(before.audit).toBe(await stored(AUDIT, subjects.audit)); // presence is not audited
  });

  it("cannot read another agency's deliveries or outcomes", async () => {
    await expectRequestRefused(kz, () => kz.js.consumers.get(DELIVERIES, consumers.agency("AZ")), api(`CONSUMER.INFO.${DELIVERIES}.agency-AZ`));
    const pull = JSON.stringify({ batch: 1, no_wait: true });
    await expectRequestRefused(kz, () => kz.nc.request(api(`CONSUMER.MSG.NEXT.${DELIVERIES}.agency-AZ`), pull), api(`CONSUMER.MSG.NEXT.${DELIVERIES}.agency-AZ`));
    await expectRequestRefused(kz, () => kz.jsm.streams.getMessage(DELIVERIES, { last_by_subj: subjects.deliver("AZ", "alert") }), api(`STREAM.MSG.GET.${DELIVERIES}`));
    await expectRequestRefused(kz, () => kz.jsm.direct.getMessage(DELIVERIES, { last_by_subj: subjects.deliver("AZ", "alert") }), api(`DIRECT.GET.${DELIVERIES}.${subjects.deliver("AZ", "alert")}`));
    await expectRequestRefused(kz, () => kz.jsm.consumers.add(DELIVERIES, { filter_subject: subjects.deliverOf("AZ"), ack_policy: AckPolicy.None }), api(`CONSUMER.CREATE.${DELIVERIES}`));
    // The unprefixed API is not there for it either (and its account has no JetStream of its own).
    await expectRequestRefused(kz, () => kz.nc.request(`$JS.API.CONSUMER.INFO.${DELIVERIES}.agency-AZ`), `$JS.API.CONSUMER.INFO.${DELIVERIES}.agency-AZ`);
    await expectRequestRefused(kz, () => kz.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.agency-AZ`, pull), `$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.agency-AZ`);
    await expectRequestRefused(kz, () => kz.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.agency-KZ`, pull), `$JS.API.CONSUMER.MSG.NEXT.${DELIVERIES}.agency-KZ`);
    // Live: nothing addressed to another agency, nothing submitted by one, no wildcard taps.
    for (const s of [
      subjects.deliverOf("AZ"), subjects.deliverAll, subjects.outcomeOf("AZ"), subjects.outcome("AZ", "*"), subjects.outcomeAll,
      subjects.submitAll, subjects.submitOf("AZ"), subjects.presenceAll, subjects.coordinatorHeartbeatAll, ">", "$JS.ACK.>",
    ])
      await expectSubscribeRefused(kz, s);
  });

  it("cannot read the audit stream or the key-value buckets", async () => {
    await expectRequestRefused(kz, () => kz.jsm.consumers.add(AUDIT, { ack_policy: AckPolicy.None }), api(`CONSUMER.CREATE.${AUDIT}`));
    await expectRequestRefused(kz, () => kz.jsm.consumers.add(AUDIT, { name: "peek", ack_policy: AckPolicy.None }), /^\$JS\.ATIX\.API\.CONSUMER\.CREATE\.ATIX_AUDIT\.peek/);
    await expectRequestRefused(kz, () => kz.js.consumers.get(AUDIT), api(`STREAM.INFO.${AUDIT}`));
    await expectRequestRefused(kz, () => kz.jsm.streams.getMessage(AUDIT, { seq: 1 }), api(`STREAM.MSG.GET.${AUDIT}`));
    await expectRequestRefused(kz, () => kz.jsm.direct.getMessage(AUDIT, { seq: 1 }), api(`DIRECT.GET.${AUDIT}`));
    await expectRequestRefused(kz, () => kz.jsm.streams.info(AUDIT), api(`STREAM.INFO.${AUDIT}`));
    await expectRequestRefused(kz, () => kz.nc.request(`$JS.API.STREAM.INFO.${AUDIT}`), `$JS.API.STREAM.INFO.${AUDIT}`);
    await expectSubscribeRefused(kz, subjects.audit);

    // Through the plain API and through its prefix (where nats.js also prefixes the KV writes).
    for (const [prefix, kvm] of [["$JS.API", new Kvm(kz.nc)], [AGENCY_JS_API, new Kvm(kz.js)]] as const) {
      const p = prefix.replaceAll(".", "\\.").replaceAll("$", "\\$");
      for (const b of Object.values(buckets)) {
        const kv = await kvm.open(b); // binds without asking the server; the first read is refused
        await expectRequestRefused(kz, () => kv.get("registry"), new RegExp(`^${p}\\.(STREAM\\.MSG|DIRECT)\\.GET\\.KV_${b}$`));
        await expectRequestRefused(kz, () => kv.put("x", "1"), prefix === "$JS.API" ? `$KV.${b}.x` : `${prefix}.$KV.${b}.x`);
        await expectRequestRefused(kz, () => kv.keys(), new RegExp(`^${p}\\.CONSUMER\\.CREATE\\.KV_${b}`));
        await expectSubscribeRefused(kz, `$KV.${b}.>`);
      }
      await expectRequestRefused(kz, () => kvm.create("KZ_PRIVATE"), `${prefix}.INFO`);
    }
  });

  it("cannot create, change or delete streams, messages or consumers", async () => {
    const names = async () => (await admin.streams.list().next()).map((s) => `${s.config.name}:${s.state.messages}`).sort();
    const streamsBefore = await names();
    const ownBefore = await admin.consumers.info(DELIVERIES, consumers.agency("KZ"));

    await expectRequestRefused(kz, () => jetstreamManager(kz.nc), "$JS.API.INFO");
    await expectRequestRefused(kz, () => jetstreamManager(kz.nc, { apiPrefix: AGENCY_JS_API }), api("INFO"));
    await expectRequestRefused(kz, () => kz.jsm.streams.add({ name: "KZ_OWN", subjects: ["kz.>"] }), api("STREAM.CREATE.KZ_OWN"));
    await expectRequestRefused(kz, () => kz.nc.request("$JS.API.STREAM.CREATE.KZ_OWN", JSON.stringify({ name: "KZ_OWN", subjects: ["kz.>"] })), "$JS.API.STREAM.CREATE.KZ_OWN");
    // (the client reads a stream's config before updating it: send the update itself)
    const update = JSON.stringify({ name: SUBMISSIONS, subjects: [subjects.submitOf("KZ")] });
    await expectRequestRefused(kz, () => kz.nc.request(api(`STREAM.UPDATE.${SUBMISSIONS}`), update), api(`STREAM.UPDATE.${SUBMISSIONS}`));
    await expectRequestRefused(kz, () => kz.nc.request(`$JS.API.STREAM.UPDATE.${SUBMISSIONS}`, update), `$JS.API.STREAM.UPDATE.${SUBMISSIONS}`);
    await expectRequestRefused(kz, () => kz.jsm.streams.delete(AUDIT), api(`STREAM.DELETE.${AUDIT}`));
    await expectRequestRefused(kz, () => kz.jsm.streams.purge(DELIVERIES, { filter: subjects.deliverOf("AZ") }), api(`STREAM.PURGE.${DELIVERIES}`));
    await expectRequestRefused(kz, () => kz.jsm.streams.deleteMessage(AUDIT, 1), api(`STREAM.MSG.DELETE.${AUDIT}`));
    await expectRequestRefused(kz, () => kz.jsm.streams.names().next(), api("STREAM.NAMES"));
    // Not even its own consumer: the coordinator owns it (it would lose its ack state).
    await expectRequestRefused(kz, () => kz.jsm.consumers.delete(DELIVERIES, consumers.agency("KZ")), api(`CONSUMER.DELETE.${DELIVERIES}.agency-KZ`));
    await expectRequestRefused(kz, () => kz.jsm.consumers.update(DELIVERIES, consumers.agency("KZ"), { max_ack_pending: 1 }), /^\$JS\.ATIX\.API\.CONSUMER\.CREATE\.ATIX_DELIVERIES\.agency-KZ/);
    await expectRequestRefused(kz, () => kz.jsm.consumers.add(DELIVERIES, { durable_name: "agency-KZ-2", filter_subject: subjects.deliverOf("AZ"), ack_policy: AckPolicy.Explicit }), /^\$JS\.ATIX\.API\.CONSUMER\.CREATE\.ATIX_DELIVERIES\.agency-KZ-2/);
    // Not even the queue of its own submissions, which the coordinators read.
    await expectRequestRefused(kz, () => kz.jsm.consumers.delete(SUBMISSIONS, consumers.submissionsOf("KZ")), api(`CONSUMER.DELETE.${SUBMISSIONS}.submit-KZ`));
    await expectRequestRefused(kz, () => kz.nc.request(api(`CONSUMER.MSG.NEXT.${SUBMISSIONS}.submit-KZ`), JSON.stringify({ batch: 1, no_wait: true })), api(`CONSUMER.MSG.NEXT.${SUBMISSIONS}.submit-KZ`));
    await expectPublishRefused(kz, `$JS.ACK.${SUBMISSIONS}.submit-KZ.1.1.1.0.0`);
    await expectPublishRefused(kz, `$JS.ACK.${DELIVERIES}.agency-AZ.1.1.1.0.0`);

    expect(await names()).toEqual(streamsBefore);
    const ownAfter = await admin.consumers.info(DELIVERIES, consumers.agency("KZ"));
    expect(ownAfter.config).toEqual(ownBefore.config);
    expect((await admin.consumers.info(SUBMISSIONS, consumers.submissionsOf("KZ"))).name).toBe("submit-KZ");
    await expect(admin.consumers.info(DELIVERIES, "agency-KZ-2")).rejects.toThrow(/consumer not found/);
  });

  it("cannot see another party's request replies: its inbox prefix is enforced", async () => {
    for (const s of ["_INBOX_AZ.>", "_INBOX_AZ.*", "_INBOX.>", "_INBOX_coordinator.>", "_INBOX_observer.>", "_INBOX_*.>"])
      await expectSubscribeRefused(kz, s);
    // With the default prefix (_INBOX) a client cannot even make a request: its reply
    // subscription is refused, and the request fails with that violation.
    const plain = await party("KZ (default inbox)", await connect({ servers: ex.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seedOf("KZ"))) }));
    try {
      const err = await plain.js.publish(subjects.submit("KZ", "presence"), "{}").then(() => undefined, (e: Error) => e);
      expect(err).toBeInstanceOf(RequestError);
      const cause = (err as RequestError).cause as PermissionViolationError;
      expect(cause).toBeInstanceOf(PermissionViolationError);
      expect(cause.operation).toBe("subscription");
      expect(cause.subject).toMatch(/^_INBOX\.[A-Za-z0-9]+\.\*$/);
      expect(cause.message).toBe(violation("Subscription", cause.subject));
    } finally {
      await plain.nc.close();
    }
  });

  it("can do its own job: submit, learn the outcome, read and ack its deliveries in order, announce presence, follow the clock", async () => {
    const kzViolations = kz.violations.length;
    const clock = (async () => {
      const sub = az.nc.subscribe(subjects.clock, { max: 1, timeout: 5_000 });
      for await (const m of sub) return ClockState.parse(m.json());
      return undefined;
    })();
    const presenceSeen = (async () => {
      const sub = observer.nc.subscribe(subjects.presence("AZ"), { max: 1, timeout: 5_000 });
      for await (const m of sub) return { subject: m.subject, message: m.json<Message>() };
      return undefined;
    })();

    // Submit a signed alert; the acceptance comes live on its own outcome subject.
    const alert = compose("alert", alertBody(["AZ"]), { sender: "KZ", sentAt: ex.clock.iso() });
    const outcome = outcomeOf(kz.nc, "KZ", alert.id);
    const { ack } = await submit(kz.js, seedOf("KZ"), alert);
    expect(ack.stream).toBe(SUBMISSIONS);
    const accepted = await outcome;
    expect(accepted).toMatchObject({ kind: "acceptance", sender: "ATIX", inReplyTo: alert.id, body: { messageId: alert.id, recipients: ["AZ"] } });
    expect(verify(accepted, ex.ids.coordinator.publicKey)).toEqual({ ok: true });

    // AZ reads what is addressed to it through its own durable consumer, in order.
    const c = await az.js.consumers.get(DELIVERIES, consumers.agency("AZ"));
    expect((await c.info()).config.filter_subject).toBe(subjects.deliverOf("AZ"));
    let delivered: { msg: JsMsg; message: Message } | undefined;
    const iter = await c.consume({ max_messages: 16 });
    for await (const msg of iter) {
      const r = parseMessageText(msg.data);
      if (r.ok && r.value.id === alert.id) {
        delivered = { msg, message: r.value };
        break;
      }
      msg.ack(); // something older: not this test's business
    }
    await iter.close();
    expect(delivered!.msg.subject).toBe(subjects.deliver("AZ", "alert"));
    // The exact bytes KZ signed: AZ verifies them end to end against KZ's key.
    expect(verify(delivered!.message, ex.ids.agencies.get("KZ")!.publicKey)).toEqual({ ok: true });

    // Receipt first, then the JetStream ack, then the duty officer's acknowledgement.
    const receipt = compose("receipt", { messageId: alert.id, receivedAt: ex.clock.iso() }, { sender: "AZ", sentAt: ex.clock.iso() });
    await submit(az.js, seedOf("AZ"), receipt);
    expect(await delivered!.msg.ackAck()).toBe(true);
    const ackMsg = compose("acknowledgement", { messageId: alert.id, officer: "AZ-DO-1", action: "acting" }, { sender: "AZ", sentAt: ex.clock.iso() });
    await submit(az.js, seedOf("AZ"), ackMsg);
    expect((await c.info()).num_ack_pending).toBe(0);

    // Presence on its own subject (core NATS), seen by the observer; the clock on atix.clock.
    const presence = sign(compose("presence", { status: "on-duty", officer: "AZ duty desk" }, { sender: "AZ", sentAt: ex.clock.iso() }), seedOf("AZ"));
    az.nc.publish(subjects.presence("AZ"), JSON.stringify(presence));
    const seen = await presenceSeen;
    expect(seen?.subject).toBe(subjects.presence("AZ"));
    expect(verify(seen!.message, ex.ids.agencies.get("AZ")!.publicKey)).toEqual({ ok: true });
    expect((await clock)?.speed).toBe(60);

    // The coordinator recorded both, and KZ finds its acceptance among its own deliveries too.
    const t = await trackingOf(observer.nc, alert.id, "AZ", { until: (v) => v.state === "acknowledged" });
    expect(t).toMatchObject({ receiptId: receipt.id, ackId: ackMsg.id, ackBy: "AZ-DO-1" });
    const own = await kz.js.consumers.get(DELIVERIES, consumers.agency("KZ"));
    const batch = await own.fetch({ max_messages: 100, expires: 2_000 });
    const kinds: string[] = [];
    for await (const m of batch) {
      const r = parseMessageText(m.data);
      if (r.ok && r.value.inReplyTo === alert.id) kinds.push(r.value.kind);
      m.ack();
      if (m.info.pending === 0) break;
    }
    expect(kinds).toEqual(["acceptance"]);

    expect(az.violations).toEqual([]);
    expect(kz.violations.slice(kzViolations)).toEqual([]);
  });
});

// ---- the observer ------------------------------------------------------------------------------

describe("the observer", () => {
  it("reads the audit chain, the config and message records, and the live signals, without a consumer", async () => {
    const consumersBefore = await consumerNames(admin);
    const records = await auditRecords(observer.nc);
    expect(records.length).toBeGreaterThan(0);
    const v = new ChainVerifier(await ex.trusted());
    records.forEach((r) => v.push(r));
    expect(v.result()).toMatchObject({ ok: true, records: records.length });

    const config = await ExchangeReader.of(observer.nc);
    expect((await config.registry())?.agencies.map((a) => a.id)).toContain("KZ");
    expect((await config.clock())?.speed).toBe(60);
    expect((await config.settings())?.tlpRedMaxAgencies).toBe(12);
    const accepted = records.find((r) => r.event === "submitted")!;
    expect((await config.message(accepted.messageId!))?.originator).toBe(accepted.actor);
    expect(config.problems).toEqual([]);
    // The chain live, as stored (with its stream sequence), and the signed head.
    const live = (async () => {
      const sub = observer.nc.subscribe(subjects.auditStored, { max: 1, timeout: 5_000 });
      for await (const m of sub) return Number(m.headers?.get("Nats-Sequence"));
      return 0;
    })();
    const head = (async () => {
      const sub = observer.nc.subscribe(subjects.auditHead, { max: 1, timeout: 5_000 });
      for await (const m of sub) return AuditHead.parse(m.json());
      return undefined;
    })();
    await observer.nc.flush();
    await ex.send("KZ", "alert", alertBody(["AZ"]));
    expect(await live).toBeGreaterThan(records.length - 1);
    expect((await head)?.signature.key).toBeDefined();
    expect(await consumerNames(admin)).toEqual(consumersBefore);
    expect(observer.violations).toEqual([]);
  });

  it("cannot read the deliveries, the submissions or the other buckets", async () => {
    for (const stream of [DELIVERIES, SUBMISSIONS, `KV_${buckets.seen}`, `KV_${buckets.escalationClaims}`])
      await expectRequestRefused(observer, () => observer.jsm.direct.getMessage(stream, { seq: 1 }), `$JS.ATIX.API.DIRECT.GET.${stream}`);
    // A stream's info (counts, limits: what `atix status` shows) but no bucket's.
    expect((await observer.jsm.streams.info(DELIVERIES)).config.name).toBe(DELIVERIES);
    await expectRequestRefused(observer, () => observer.jsm.streams.info(`KV_${buckets.seen}`), `$JS.ATIX.API.STREAM.INFO.KV_${buckets.seen}`);
    for (const s of [subjects.deliverAll, subjects.submitAll, subjects.audit, "$KV.>", ">"]) await expectSubscribeRefused(observer, s);
  });

  it("cannot submit, write the audit chain or the buckets, or change streams", async () => {
    await expectPublishRefused(observer, subjects.submit("AZ", "alert"));
    await expectRequestRefused(observer, () => observer.js.publish(subjects.submit("AZ", "alert"), "{}"), subjects.submit("AZ", "alert"));
    await expectPublishRefused(observer, subjects.presence("AZ"));
    await expectRequestRefused(observer, () => observer.js.publish(subjects.audit, "{}"), subjects.audit);
    for (const s of [subjects.checkpointManifest, subjects.checkpointData]) await expectRequestRefused(observer, () => observer.js.publish(s, "{}"), s);
    await expectRequestRefused(observer, () => observer.js.publish(subjects.deliver("AZ", "alert"), "{}"), subjects.deliver("AZ", "alert"));
    const kv = await new Kvm(observer.nc).open(buckets.config);
    await expectRequestRefused(observer, () => kv.put("clock", "{}"), `$KV.${buckets.config}.clock`);
    await expectRequestRefused(observer, () => kv.delete("registry"), `$KV.${buckets.config}.registry`);
    const plain = await jetstreamManager(observer.nc, { checkAPI: false });
    await expectRequestRefused(observer, () => plain.streams.add({ name: "OBS_OWN", subjects: ["obs.>"] }), "$JS.API.STREAM.CREATE.OBS_OWN");
    await expectRequestRefused(observer, () => plain.streams.update(AUDIT, { max_msgs: 1 }), `$JS.API.STREAM.INFO.${AUDIT}`);
    await expectRequestRefused(observer, () => plain.streams.delete(AUDIT), `$JS.API.STREAM.DELETE.${AUDIT}`);
    await expectRequestRefused(observer, () => plain.streams.purge(SUBMISSIONS), `$JS.API.STREAM.PURGE.${SUBMISSIONS}`);
    await expectRequestRefused(observer, () => plain.streams.purge(streams.checkpoints.name), `$JS.API.STREAM.PURGE.${streams.checkpoints.name}`);
    await expectRequestRefused(observer, () => observer.jsm.streams.purge(streams.checkpoints.name), `$JS.ATIX.API.STREAM.PURGE.${streams.checkpoints.name}`);
    await expectRequestRefused(observer, () => observer.jsm.streams.deleteMessage(AUDIT, 1), `$JS.ATIX.API.STREAM.MSG.DELETE.${AUDIT}`);
    expect((await admin.streams.info(AUDIT)).state.first_seq).toBe(1);
  });
});

// ---- nothing the observer or an agency sends changes the exchange -------------------------------

/**
 * Every stream's and bucket's state (messages, last sequence) and its consumers, each with its
 * configuration and how far it got (what was handed out, acknowledged, pending): a message pulled,
 * acked or a durable changed by anyone shows. Read as the coordinator.
 */
type ExchangeState = Record<string, { messages: number; lastSeq: number; consumers: Record<string, { config: unknown; [progress: string]: unknown }> }>;
async function exchangeState(jsm: JetStreamManager): Promise<ExchangeState> {
  const out: ExchangeState = {};
  for (const name of [...Object.values(streams).map((x) => x.name), ...Object.values(buckets).map((b) => `KV_${b}`)]) {
    const { state } = await jsm.streams.info(name);
    const cs: ExchangeState[string]["consumers"] = {};
    for await (const ci of jsm.consumers.list(name)) {
      const { config, delivered, ack_floor, num_pending, num_ack_pending, num_redelivered } = ci;
      cs[ci.name] = { config, delivered: delivered.stream_seq, ackFloor: ack_floor.stream_seq, num_pending, num_ack_pending, num_redelivered };
    }
    out[name] = { messages: state.messages, lastSeq: state.last_seq, consumers: cs };
  }
  return out;
}

/** The state with the named consumers' progress left out: what their owner may move by reading and acking. */
const progressLeftOut = (s: ExchangeState, stream: string, names: string[]): ExchangeState => ({
  ...s,
  [stream]: { ...s[stream]!, consumers: Object.fromEntries(Object.entries(s[stream]!.consumers).map(([n, c]) => [n, names.includes(n) ? { config: c.config } : c])) },
});

/** Every subject a JetStream answer or a copy could be steered to, to write into the exchange. */
const TARGETS = [
  subjects.deliver("AZ", "alert"), subjects.broadcast("alert"), subjects.submit("AZ", "alert"), subjects.submit("KZ", "alert"),
  subjects.audit, subjects.auditStored, subjects.auditHead, subjects.clock, subjects.presence("AZ"), subjects.outcome("AZ", "01a0c4b6-a7e0-755e-8a14-f5f74adfcda7"),
  ...Object.values(buckets).map((b) => `$KV.${b}.probe`),
];

/** Publishes `data` on `subject` once with each target as its reply (what reply steering is). */
function steer(nc: NatsConnection, subject: string, data = "") {
  for (const reply of TARGETS) nc.publish(subject, data, { reply });
}

describe("nothing the observer sends changes a stream, a bucket or a consumer of the exchange", () => {
  // Its own exchange, without a coordinator (it would record what follows): an alert's worth of
  // content in every stream and bucket, as the coordinator would have written it, and the durables
  // (each agency's deliveries and broadcasts, and its submission queue, with a submission waiting).
  it("tries every path: API answers steered by reply, consumers (push and pull), plain publishes", async () => {
    const own = await startTestExchange({ auth: true });
    try {
      const jsm = await jetstreamManager(own.admin);
      for (const id of ["AZ", "KZ"]) await ensureAgencyConsumer(jsm, id);
      const js = jetstream(own.admin);
      await own.send("KZ", "presence", { status: "on-duty" });
      await js.publish(subjects.deliver("AZ", "alert"), "{}");
      await new AuditWriter(own.admin, pino({ level: "silent" }), newIdentity("c0").seed).append({
        eventId: "rejected:probe", event: "rejected", at: own.clock.iso(), actor: "KZ", data: { reasons: [{ code: "malformed", path: "", message: "x" }], submitter: "KZ", streamSeq: 1 },
      });
      for (const b of Object.values(buckets)) await js.publish(`$KV.${b}.seeded`, "{}");
      const before = await exchangeState(jsm);
      const obs = await party("observer", await connectAs({ servers: own.url, user: "observer", seed: own.ids.observer.seed }), AGENCY_JS_API);

      // 1. What it may request, with every reply subject that names the exchange: the answer comes back to its own account.
      const readable = [AUDIT, `KV_${buckets.config}`, `KV_${buckets.messages}`];
      for (const s of readable) {
        steer(obs.nc, `$JS.ATIX.API.DIRECT.GET.${s}`, JSON.stringify({ seq: 1 }));
        steer(obs.nc, `$JS.ATIX.API.DIRECT.GET.${s}`, JSON.stringify({ next_by_subj: ">", seq: 1 }));
      }
      steer(obs.nc, `$JS.ATIX.API.DIRECT.GET.${AUDIT}.${subjects.audit}`);
      steer(obs.nc, `$JS.ATIX.API.DIRECT.GET.KV_${buckets.config}.$KV.${buckets.config}.registry`);
      for (const s of [AUDIT, SUBMISSIONS, DELIVERIES]) steer(obs.nc, `$JS.ATIX.API.STREAM.INFO.${s}`);
      // 2. The JetStream API itself, under either prefix: refused (and its account has no JetStream to answer).
      const create = (extra: object) => JSON.stringify({ stream_name: AUDIT, config: { ack_policy: "none", deliver_policy: "all", ...extra } });
      for (const prefix of ["$JS.API", "$JS.ATIX.API"]) {
        for (const s of [...Object.values(streams).map((x) => x.name), ...Object.values(buckets).map((b) => `KV_${b}`)]) {
          await expectPublishRefused(obs, `${prefix}.CONSUMER.CREATE.${s}`, create({ deliver_subject: subjects.audit }));
          await expectPublishRefused(obs, `${prefix}.CONSUMER.CREATE.${s}.copy`, create({ name: "copy", deliver_subject: subjects.deliver("AZ", "alert") }));
          await expectPublishRefused(obs, `${prefix}.CONSUMER.CREATE.${s}.pull`, create({ name: "pull" }));
          await expectPublishRefused(obs, `${prefix}.CONSUMER.DURABLE.CREATE.${s}.pull`, create({ durable_name: "pull" }));
          await expectPublishRefused(obs, `${prefix}.STREAM.MSG.GET.${s}`, JSON.stringify({ seq: 1 }));
        }
        for (const api of ["INFO", `STREAM.NAMES`, `STREAM.CREATE.OBS`, `STREAM.UPDATE.${AUDIT}`, `STREAM.PURGE.${AUDIT}`, `STREAM.MSG.DELETE.${AUDIT}`,
          `CONSUMER.MSG.NEXT.${DELIVERIES}.agency-AZ`, `CONSUMER.MSG.NEXT.${SUBMISSIONS}.coordinators`, `CONSUMER.DELETE.${SUBMISSIONS}.coordinators`,
          ...["AZ", "KZ"].flatMap((id) => [`${SUBMISSIONS}.${consumers.submissionsOf(id)}`, `${DELIVERIES}.${consumers.agency(id)}`, `${DELIVERIES}.${consumers.broadcast(id)}`])
            .flatMap((c) => [`CONSUMER.MSG.NEXT.${c}`, `CONSUMER.DELETE.${c}`, `CONSUMER.INFO.${c}`, `CONSUMER.CREATE.${c}`, `CONSUMER.DURABLE.CREATE.${c}`])])
          await expectPublishRefused(obs, `${prefix}.${api}`);
      }
      await expectRequestRefused(obs, () => obs.jsm.consumers.add(SUBMISSIONS, { name: "copy", deliver_subject: subjects.audit, ack_policy: AckPolicy.None }), /^\$JS\.ATIX\.API\.CONSUMER\.CREATE\.ATIX_SUBMISSIONS/);
      await expectRequestRefused(obs, () => obs.jsm.consumers.add(AUDIT, { name: "pull", ack_policy: AckPolicy.Explicit }), /^\$JS\.ATIX\.API\.CONSUMER\.CREATE\.ATIX_AUDIT/);
      await expectRequestRefused(obs, () => obs.js.consumers.get(AUDIT, { filter_subjects: subjects.audit }), /^\$JS\.ATIX\.API\.CONSUMER\.CREATE\.ATIX_AUDIT/);
      // 3. Plain publishes to every subject of the exchange, acks included.
      for (const t of [...TARGETS, `$JS.ACK.${DELIVERIES}.agency-AZ.1.1.1.0.0`, `$JS.ACK.${SUBMISSIONS}.coordinators.1.1.1.0.0`, `$JS.ACK.${SUBMISSIONS}.submit-KZ.1.1.1.0.0`, subjects.coordinatorHeartbeat("c9")])
        await expectPublishRefused(obs, t);
      await obs.nc.flush();
      await new Promise((r) => setTimeout(r, 300)); // answers in flight land (or not) before the state is read

      expect(await exchangeState(jsm)).toEqual(before);
      await obs.nc.close();
    } finally {
      await own.stop();
    }
  }, 60_000);

  it("cannot make a consumer deliver into the audit chain", async () => {
    const own = await startTestExchange({ auth: true });
    const obs = await party("observer", await connectAs({ servers: own.url, user: "observer", seed: own.ids.observer.seed }), AGENCY_JS_API);
    try {
      await own.send("KZ", "presence", { status: "on-duty" }); // something to copy
      const jsm = await jetstreamManager(own.admin);
      const before = (await jsm.streams.info(AUDIT)).state.messages;
      const consumersBefore = await consumerNames(jsm, SUBMISSIONS);
      const plain = await jetstreamManager(obs.nc, { checkAPI: false });
      await expectRequestRefused(obs, () => plain.consumers.add(SUBMISSIONS, {
        name: "copy", deliver_subject: subjects.audit, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All,
      }), /^\$JS\.API\.CONSUMER\.CREATE\.ATIX_SUBMISSIONS/);
      await new Promise((r) => setTimeout(r, 300));
      expect((await jsm.streams.info(AUDIT)).state.messages).toBe(before);
      expect(await consumerNames(jsm, SUBMISSIONS)).toEqual(consumersBefore);
    } finally {
      await obs.nc.close();
      await own.stop();
    }
  });

  it("cannot make a JetStream API answer land in the audit chain", async () => {
    const own = await startTestExchange({ auth: true });
    const obs = await party("observer", await connectAs({ servers: own.url, user: "observer", seed: own.ids.observer.seed }), AGENCY_JS_API);
    try {
      const jsm = await jetstreamManager(own.admin);
      const before = (await jsm.streams.info(AUDIT)).state.messages;
      // Refused as such; and what it may ask is answered into its own account only.
      await expectPublishRefused(obs, `$JS.API.STREAM.INFO.${AUDIT}`);
      obs.nc.publish(`$JS.ATIX.API.STREAM.INFO.${AUDIT}`, undefined, { reply: subjects.audit });
      await obs.nc.flush();
      await new Promise((r) => setTimeout(r, 300));
      expect((await jsm.streams.info(AUDIT)).state.messages).toBe(before);
    } finally {
      await obs.nc.close();
      await own.stop();
    }
  });
});

// ---- JetStream's answers: server permissions cannot check reply subjects -------------------------

describe("JetStream's answers to an agency", () => {
  // nats-server checks the subject of a publish against the user's permissions, never its reply
  // subject; JetStream sends its answer (a PubAck, an API response, the next delivery) to that reply
  // subject from inside the account it runs in. Were the agencies in the exchange's account, a reply
  // naming a stream's subject would have JetStream write there. Each agency has an account of its
  // own that imports its few subjects as services: the server maps the reply, and the answer can
  // only come back into the agency's account, where no stream listens.
  it("cannot be steered into another agency's subjects, the audit chain or a bucket, and cannot write the audit chain at all", async () => {
    const own = await startTestExchange({ auth: true }); // its own exchange: were it open, this would garble its audit chain
    try {
      // No coordinator (it would audit its rejections of what follows): KZ's consumers and a delivery by hand.
      const jsm = await jetstreamManager(own.admin);
      await ensureAgencyConsumer(jsm, "KZ");
      await jetstream(own.admin).publish(subjects.deliver("KZ", "alert"), "{}");
      await jetstream(own.admin).publish(subjects.broadcast("alert"), "{}");
      const kzParty = await party("KZ", (await own.connectAgency("KZ")).nc, AGENCY_JS_API);
      const { nc } = kzParty;
      const before = await exchangeState(jsm);
      // Everything it may send that JetStream answers, with every reply subject that names the
      // exchange: a submission (PubAck), its consumers' info and next message (the deliveries go to
      // the reply subject), acks (their confirmation), the registry's key.
      for (const consumer of [consumers.agency("KZ"), consumers.broadcast("KZ")]) {
        steer(nc, api(`CONSUMER.INFO.${DELIVERIES}.${consumer}`));
        steer(nc, api(`CONSUMER.MSG.NEXT.${DELIVERIES}.${consumer}`), JSON.stringify({ batch: 1, no_wait: true }));
        steer(nc, `$JS.ACK.${DELIVERIES}.${consumer}.1.1.1.0.0`, "+ACK");
      }
      steer(nc, api(`DIRECT.GET.KV_${buckets.config}.$KV.${buckets.config}.registry`));
      steer(nc, subjects.submit("KZ", "presence"), "{}");
      // Nothing of the audit chain is open to it: no publish, no JetStream write, no consumer, no read.
      for (const s of [subjects.audit, subjects.auditStored, subjects.auditHead]) await expectPublishRefused(kzParty, s);
      await expectRequestRefused(kzParty, () => kzParty.js.publish(subjects.audit, "{}", { msgID: "submitted:probe" }), subjects.audit);
      await expectRequestRefused(kzParty, () => kzParty.jsm.consumers.add(SUBMISSIONS, { name: "copy", deliver_subject: subjects.audit, ack_policy: AckPolicy.None }), /^\$JS\.ATIX\.API\.CONSUMER\.CREATE\.ATIX_SUBMISSIONS/);
      await expectRequestRefused(kzParty, () => kzParty.jsm.direct.getMessage(AUDIT, { seq: 1 }), api(`DIRECT.GET.${AUDIT}`));
      await nc.flush();
      await new Promise((r) => setTimeout(r, 300));
      // The requests were real: its submissions were stored, and nothing else changed anywhere.
      const after = await exchangeState(jsm);
      expect(after[SUBMISSIONS]!.messages).toBe(before[SUBMISSIONS]!.messages + TARGETS.length);
      // Its own two consumers moved on as it read and acked them; nothing else did.
      const unmoved = (x: ExchangeState) => ({ ...progressLeftOut(x, DELIVERIES, agencyConsumersOf("KZ")), [SUBMISSIONS]: undefined });
      expect(unmoved(after)).toEqual(unmoved(before));
      expect(kzParty.violations.map((v) => v.subject)).toEqual([subjects.audit, subjects.auditStored, subjects.auditHead, subjects.audit, expect.stringMatching(/CONSUMER\.CREATE/), api(`DIRECT.GET.${AUDIT}`)]);
    } finally {
      await own.stop();
    }
  }, 30_000);

  it("reads the registry's public keys (and nothing else of the config) and the chain's signed head", async () => {
    const reg = await kz.jsm.direct.getMessage(`KV_${buckets.config}`, { last_by_subj: `$KV.${buckets.config}.registry` });
    const registry = RegistryData.parse(reg!.json());
    expect(registry.agencies.find((a) => a.id === "AZ")?.publicKey).toBe(ex.ids.agencies.get("AZ")!.publicKey);
    expect(registry.coordinators.map((k) => k.publicKey)).toContain(ex.ids.coordinator.publicKey);
    await expectRequestRefused(kz, () => kz.jsm.direct.getMessage(`KV_${buckets.config}`, { last_by_subj: `$KV.${buckets.config}.settings` }), api(`DIRECT.GET.KV_${buckets.config}.$KV.${buckets.config}.settings`));
    const sub = kz.nc.subscribe(subjects.auditHead, { max: 1, timeout: 5_000 });
    for await (const m of sub) expect(await ex.trusted()).toContain(AuditHead.parse(m.json()).signature.key);
  });
});
