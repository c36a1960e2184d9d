// Agency nodes against a real nats-server. The test plays the coordinator: it creates the layout
// and the agencies' consumers, stores deliveries on atix.deliver.<ID>.<kind>, and reads what the
// nodes submit on atix.submit.<ID>.>. The server is shared with other test files running in
// parallel, so these tests use agency ids nobody else uses (user-assigned codes QP…QZ) and
// never delete the shared streams.
import { AckPolicy, DeliverPolicy, jetstream, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { createUser } from "@nats-io/nkeys";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { v7 } from "uuid";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import {
  AgencyHost,
  AgencyNode,
  acknowledgeAt,
  ClockFeed,
  createRng,
  type AgencyNodeOptions,
  type HostedAgency,
  senderKeysOf,
  verification,
} from "../../services/agency/index.ts";
import type { ClockState } from "../../shared/clock.ts";
import {
  consumers,
  type DutyProfile,
  type Message,
  type MessageKind,
  parseMessageText,
  type RosterAgency,
  sign,
  streams,
  subjects,
  verify,
} from "../../shared/contracts/index.ts";
import { createLogger } from "../../shared/log.ts";
import { ensureAgencyConsumer, ensureLayout } from "../../shared/nats/streams.ts";
import { clone, examples } from "../support/examples.ts";
import { startNatsServer } from "../support/nats-server.ts";

const IDS = ["QN", "QO", "QP", "QR", "QS", "QT", "QU", "QV", "QW", "QX", "QY", "QZ"] as const;
const T0 = Date.parse("2026-09-21T10:00:00Z"); // 14:00 in Baku: the day watch
const MIN = 60_000;
const logger = createLogger("agency-test").child({}, { level: process.env.ATIX_LOG_LEVEL ?? "silent" });

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
// The examples' senders (AZ, TR) send what the nodes receive; EXCHANGE signs the coordinator's messages.
const keys = Object.fromEntries([...IDS, "AZ", "TR", "EXCHANGE", "FORGER"].map((id) => [id, createUser()]));
const seed = (id: string) => new TextDecoder().decode(keys[id]!.getSeed());
const publicKey = (id: string) => keys[id]!.getPublicKey();
/** What the nodes verify deliveries against: the agencies' keys and the coordinator's. */
const registry = {
  agencies: [...IDS, "AZ", "TR"].map((id) => ({ id, publicKey: publicKey(id) })),
  coordinators: [{ publicKey: publicKey("EXCHANGE") }],
};
/** Signed as its sender would (an agency with its key, the coordinator with the exchange's). */
const signed = <M extends Message>(m: M, as = m.sender === "ATIX" ? "EXCHANGE" : m.sender) => sign(m, seed(as));
const started: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  jsm = await ensureLayout(nc);
  for (const id of IDS) await ensureAgencyConsumer(jsm, id);
  js = jetstream(nc);
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await nc.drain();
});

// ---------------------------------------------------------------- helpers

const agency = (id: string, duty: Partial<DutyProfile> = {}): RosterAgency => ({
  id,
  name: `Test agency ${id}`,
  country: "Testland",
  region: "caucasus",
  organisations: [],
  sharingGroups: [],
  timezone: "Asia/Baku",
  duty: { profile: "24/7", ackDelay: { medianMinutes: 2, p95Minutes: 4 }, nightFactor: 1, nightHours: { from: 22, to: 7 }, ...duty },
});

const clockAt = (speed: number, simAnchor = T0): ClockState => ({ simAnchor, wallAnchor: Date.now(), speed, paused: false });

function startNode(id: string, opts: Partial<AgencyNodeOptions> & { feed: ClockFeed }) {
  const { feed, ...rest } = opts;
  const node = new AgencyNode({
    agency: agency(id),
    seed: seed(id),
    servers: inject("natsUrl"),
    authenticate: false,
    clockFeed: feed,
    hitProbability: 0,
    keys: senderKeysOf(registry),
    logger,
    ...rest,
  });
  started.push(node);
  return node;
}

/** Agencies hosted in one process, at 600x, verifying against the test's registry. */
const hostOf = (agencies: HostedAgency[]) =>
  new AgencyHost({ servers: inject("natsUrl"), agencies, registry, clock: clockAt(600), authenticate: false, hitProbability: 0, logger });

/** A fresh alert for one recipient, from the example, sent "now" in simulated time. */
function alertFor(recipient: string, feed: ClockFeed, precedence: "FLASH" | "IMMEDIATE" | "PRIORITY" | "ROUTINE" = "ROUTINE") {
  const m = clone(examples.alert) as Extract<Message, { kind: "alert" }>;
  delete m.signature;
  m.id = v7();
  m.sentAt = feed.clock.iso();
  m.body.precedence = precedence;
  m.body.validUntil = new Date(feed.clock.nowMs() + 5 * 24 * 60 * MIN).toISOString();
  m.body.distribution = { agencies: [recipient] };
  return signed(m);
}

async function deliver(recipient: string, m: Message | string, kind: MessageKind = "alert") {
  const data = typeof m === "string" ? m : JSON.stringify(m);
  return js.publish(subjects.deliver(recipient, typeof m === "string" ? kind : m.kind), data, typeof m === "string" ? {} : { msgID: `${recipient}:${m.id}` });
}

/** Collects what one agency submits from now on, with its wall arrival time. */
async function watchSubmissions(id: string) {
  const name = `test-watch-${id}-${Date.now()}`;
  await jsm.consumers.add(streams.submissions.name, {
    name,
    filter_subject: subjects.submitOf(id),
    deliver_policy: DeliverPolicy.New,
    ack_policy: AckPolicy.None,
    inactive_threshold: 60 * 1_000_000_000,
  });
  const got: { m: Message; wall: number }[] = [];
  const iter = await (await js.consumers.get(streams.submissions.name, name)).consume();
  void (async () => {
    for await (const msg of iter) {
      const r = parseMessageText(msg.data);
      if (r.ok) got.push({ m: r.value, wall: Date.now() });
    }
  })();
  started.push({ stop: async () => iter.stop() });
  const find = (pred: (m: Message) => boolean) => got.find((g) => pred(g.m));
  return {
    got,
    async wait(pred: (m: Message) => boolean, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const hit = find(pred);
        if (hit) return hit;
        await sleep(20);
      }
      throw new Error(`no matching submission from ${id} within ${timeoutMs} ms; got ${got.map((g) => g.m.kind).join(", ")}`);
    },
  };
}

/** The officer's pending acknowledgement of a message (taken on just after the receipt). */
async function pendingDue(node: AgencyNode, messageId: string, timeoutMs = 2_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const p = node.pendingAcknowledgements().find((x) => x.messageId === messageId);
    if (p) return Date.parse(p.dueAt);
    if (Date.now() > until) throw new Error(`no pending acknowledgement of ${messageId}`);
    await sleep(5);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The deliveries a message is about: one, or several for a batched receipt or acknowledgement. */
const covered = (m: Message): string[] => {
  const b = m.body as { messageId?: string; more?: { messageId: string }[] };
  return b.messageId ? [b.messageId, ...(b.more ?? []).map((x) => x.messageId)] : [];
};
const about = (kind: MessageKind, id: string) => (m: Message) => m.kind === kind && covered(m).includes(id);

async function consumerIdle(id: string, timeoutMs = 3_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.consumers.info(streams.deliveries.name, consumers.agency(id));
    if (info.num_ack_pending === 0 && info.num_pending === 0) return info;
    if (Date.now() > until) throw new Error(`consumer of ${id} still busy: ${JSON.stringify({ p: info.num_pending, a: info.num_ack_pending })}`);
    await sleep(25);
  }
}

// ---------------------------------------------------------------- tests

describe("AgencyNode", () => {
  it("receipts a delivery at once, acks it, and acknowledges after the modelled delay", async () => {
    const feed = new ClockFeed(clockAt(600));
    const node = startNode("QT", { feed, agency: agency("QT", { ackDelay: { medianMinutes: 10, p95Minutes: 20 } }) });
    const subs = await watchSubmissions("QT");
    await node.start();

    const alert = alertFor("QT", feed);
    const sentWall = Date.now();
    await deliver("QT", alert);
    const receipt = await subs.wait(about("receipt", alert.id), 2_000);
    expect(receipt.wall - sentWall).toBeLessThan(1_000);
    expect(receipt.m.inReplyTo).toBe(alert.id);
    expect(verify(receipt.m, publicKey("QT"))).toEqual({ ok: true });
    await consumerIdle("QT");

    // The officer's time is the model's, from the moment of arrival, with the agency's own seed.
    const receivedAt = Date.parse((receipt.m as Extract<Message, { kind: "receipt" }>).body.receivedAt);
    const expected = acknowledgeAt(node.agency.duty, "Asia/Baku", receivedAt, "ROUTINE", createRng("QT", alert.id, "ack"));
    expect(Math.abs((await pendingDue(node, alert.id)) - expected)).toBeLessThan(2);

    const ack = await subs.wait(about("acknowledgement", alert.id), 10_000);
    const simDelay = Date.parse(ack.m.sentAt) - receivedAt;
    // Never early; late only by timer lateness (5 sim min is 0.5 s wall at speed 600).
    expect(Date.parse(ack.m.sentAt) - expected).toBeGreaterThanOrEqual(-1_000);
    expect(Date.parse(ack.m.sentAt) - expected).toBeLessThan(5 * MIN);
    expect(Math.abs(ack.wall - receipt.wall - simDelay / 600)).toBeLessThan(1_000);
    expect(ack.m.body).toMatchObject({ messageId: alert.id, officer: "QT-DO-1" });
    expect(verify(ack.m, publicKey("QT"))).toEqual({ ok: true });
    expect(node.received).toContain(alert.id);
    // The counter moves when the node's own publish is acknowledged, a moment after the stream has it.
    await vi.waitFor(() => expect(node.counters).toMatchObject({ receipted: 1, acknowledged: 1 }), { timeout: 5_000 });
  });

  it("sends the acknowledgement alone when the officer acknowledges before the receipt leaves (it counts as both)", async () => {
    // 0.0001 sim min at speed 600 is 10 µs of wall time: well inside the receipt's 20 ms wait.
    const feed = new ClockFeed(clockAt(600));
    const node = startNode("QZ", { feed, agency: agency("QZ", { ackDelay: { medianMinutes: 0.0001, p95Minutes: 0.0002 } }) });
    const subs = await watchSubmissions("QZ");
    const events: string[] = [];
    node.onEvent((e) => void (e.messageId && events.push(e.type)));
    await node.start();

    const alert = alertFor("QZ", feed);
    await deliver("QZ", alert);
    const ack = await subs.wait(about("acknowledgement", alert.id), 3_000);
    expect(verify(ack.m, publicKey("QZ"))).toEqual({ ok: true });
    // Acked once the acknowledgement is stored: nothing pending, nothing redelivered.
    await consumerIdle("QZ");
    await sleep(200);
    expect(subs.got.filter((g) => covered(g.m).includes(alert.id)).map((g) => g.m.kind)).toEqual(["acknowledgement"]);
    await vi.waitFor(() => expect(node.counters).toMatchObject({ delivered: 1, redelivered: 0, receipted: 1, acknowledged: 1 }));
    // Reported in the usual order, the receipt's stand-in first.
    expect(events).toEqual(["delivered", "receipted", "acknowledged"]);
  });

  it("sends acknowledgements alone for a burst its officer acknowledges at once: no receipt goes before them", async () => {
    // Hundreds at once: the receipt batch falls due while the officer's turn for the later ones
    // has not come yet. Their receipts wait for the acknowledgement rather than leaving without it.
    const feed = new ClockFeed(clockAt(600));
    // Held up to 30 s here, not 1: a test process stalled a second on a loaded machine must not let one go.
    const node = startNode("QN", { feed, agency: agency("QN", { ackDelay: { medianMinutes: 0.0001, p95Minutes: 0.0002 } }), receiptHoldMs: 30_000 });
    const subs = await watchSubmissions("QN");
    await node.start();
    const alerts = Array.from({ length: 300 }, () => alertFor("QN", feed, "FLASH"));
    await Promise.all(alerts.map((a) => deliver("QN", a)));
    await vi.waitFor(() => expect(node.counters).toMatchObject({ delivered: 300, acknowledged: 300 }), { timeout: 20_000 });
    await consumerIdle("QN", 10_000);
    const acknowledged = new Set(subs.got.filter((g) => g.m.kind === "acknowledgement").flatMap((g) => covered(g.m)));
    expect(alerts.filter((a) => !acknowledged.has(a.id))).toEqual([]);
    expect(subs.got.filter((g) => g.m.kind === "receipt").flatMap((g) => covered(g.m))).toEqual([]);
    // Each stood in for its receipt: every delivery counted receipted too, none read twice.
    expect(node.counters).toMatchObject({ receipted: 300, redelivered: 0 });
  });

  it("re-times a pending acknowledgement when the clock pauses and speeds up", async () => {
    const feed = new ClockFeed(clockAt(6)); // a ROUTINE acknowledgement ~12 sim min away is ~2 wall min
    const node = startNode("QY", { feed, agency: agency("QY", { ackDelay: { medianMinutes: 10, p95Minutes: 12 } }) });
    const subs = await watchSubmissions("QY");
    await node.start();
    const alert = alertFor("QY", feed);
    await deliver("QY", alert);
    await subs.wait(about("receipt", alert.id), 2_000);
    const dueAt = await pendingDue(node, alert.id);

    feed.adopt({ ...feed.clock.snapshot(), simAnchor: feed.clock.nowMs(), wallAnchor: Date.now(), paused: true });
    await sleep(500);
    expect(subs.got.some((g) => g.m.kind === "acknowledgement")).toBe(false);

    const resumed = Date.now();
    feed.adopt({ simAnchor: feed.clock.nowMs(), wallAnchor: Date.now(), speed: 6_000, paused: false });
    const ack = await subs.wait(about("acknowledgement", alert.id), 3_000);
    expect(ack.wall - resumed).toBeLessThan(2_000);
    // The same simulated due time as before the pause: not early (late only by timer lateness).
    expect(Date.parse(ack.m.sentAt)).toBeGreaterThanOrEqual(dueAt - 1_000);
  });

  it("acknowledges an RFI, then answers it before respondBy; reports a hit on an alert", async () => {
    const feed = new ClockFeed(clockAt(1_500)); // the answer and the hit take simulated tens of minutes
    const node = startNode("QU", { feed, hitProbability: 1, answerProbability: 1 });
    const subs = await watchSubmissions("QU");
    await node.start();

    const rfi = clone(examples.rfi) as Extract<Message, { kind: "rfi" }>;
    delete rfi.signature;
    Object.assign(rfi, { id: v7(), sentAt: feed.clock.iso() });
    rfi.body.respondBy = new Date(feed.clock.nowMs() + 60 * MIN).toISOString();
    rfi.body.distribution = { agencies: ["QU"] };
    await deliver("QU", signed(rfi));
    const ack = await subs.wait(about("acknowledgement", rfi.id), 5_000);
    const answer = await subs.wait((m) => m.kind === "rfi-response" && m.body.rfiId === rfi.id, 10_000);
    expect(answer.m.inReplyTo).toBe(rfi.id);
    expect(answer.m.body).toMatchObject({ tlp: rfi.body.tlp, handling: rfi.body.handling });
    expect(Date.parse(answer.m.sentAt)).toBeGreaterThan(Date.parse(ack.m.sentAt));
    expect(Date.parse(answer.m.sentAt)).toBeLessThanOrEqual(Date.parse(rfi.body.respondBy));
    expect(verify(answer.m, publicKey("QU"))).toEqual({ ok: true });

    const alert = alertFor("QU", feed, "FLASH");
    await deliver("QU", alert);
    const hit = await subs.wait((m) => m.kind === "hit" && m.body.alertId === alert.id, 10_000);
    const h = hit.m as Extract<Message, { kind: "hit" }>;
    const persons = alert.body.entities!.persons!.map((p) => p.fullName);
    const indicators = alert.body.indicators!.map((i) => i.value);
    expect([...persons, ...indicators].some((x) => h.body.matched.reference.includes(x))).toBe(true);
    expect(h.body).toMatchObject({ tlp: alert.body.tlp, handling: alert.body.handling });
    expect(node.counters).toMatchObject({ answered: 1, hits: 1 });
  });

  it("skips malformed deliveries (acked, logged) and hurries an acknowledgement on a reminder", async () => {
    const feed = new ClockFeed(clockAt(600));
    // ~10 sim hours for a ROUTINE acknowledgement: only the reminder can make it come soon.
    const node = startNode("QV", { feed, agency: agency("QV", { ackDelay: { medianMinutes: 500, p95Minutes: 600 } }) });
    const subs = await watchSubmissions("QV");
    await node.start();

    await deliver("QV", "this is { not JSON", "alert");
    await deliver("QV", JSON.stringify({ ...alertFor("QV", feed), body: { title: "no precedence" }, signature: undefined }), "alert");
    const alert = alertFor("QV", feed);
    await deliver("QV", alert);
    await subs.wait(about("receipt", alert.id), 3_000);
    expect(node.counters.malformed).toBe(2);
    await consumerIdle("QV");

    const escalation = signed({
      id: v7(),
      kind: "escalation",
      schemaVersion: "1.0",
      sender: "ATIX",
      sentAt: feed.clock.iso(),
      body: { messageId: alert.id, recipient: "QV", step: "reminder", notify: "QV", precedence: "ROUTINE", deadline: feed.clock.iso() },
    } as Message);
    const before = await pendingDue(node, alert.id);
    const reminded = new Promise<string>((resolve) => node.onEvent((e) => e.type === "reminded" && resolve(e.at)));
    await deliver("QV", escalation);
    const remindedAt = Date.parse(await reminded);
    const ack = await subs.wait(about("acknowledgement", alert.id), 3_000);
    // The officer now acts 1–3 simulated minutes after reading the reminder, not hours later.
    const acted = Date.parse(ack.m.sentAt);
    expect(before - remindedAt).toBeGreaterThan(60 * MIN);
    expect(acted - remindedAt).toBeGreaterThanOrEqual(1 * MIN - 1_000);
    expect(acted - remindedAt).toBeLessThan(3 * MIN + 5 * MIN); // + timer lateness under load (0.5 s wall)
    expect(node.counters.reminded).toBe(1);
    expect(subs.got.some((g) => g.m.kind === "receipt" && covered(g.m).includes(escalation.id))).toBe(false);
  });

  it("stops within 2 s, announcing offline; presence is signed and says who is on duty", async () => {
    const feed = new ClockFeed(clockAt(600));
    const node = startNode("QX", { feed, agency: agency("QX", { ackDelay: { medianMinutes: 500, p95Minutes: 600 } }) });
    const presence: Message[] = [];
    const sub = nc.subscribe(subjects.presence("QX"), { callback: (_e, msg) => { const r = parseMessageText(msg.data); if (r.ok) presence.push(r.value); } });
    await nc.flush();
    await node.start();
    const alerts = Array.from({ length: 5 }, () => alertFor("QX", feed));
    for (const a of alerts) await deliver("QX", a);
    for (const a of alerts) await pendingDue(node, a.id);

    const t = Date.now();
    await node.stop();
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(node.running).toBe(false);
    await nc.flush();
    await sleep(50);
    sub.unsubscribe();
    expect(presence[0]?.body).toMatchObject({ status: "on-duty", officer: "QX-DO-1" });
    expect(presence.at(-1)?.body).toMatchObject({ status: "offline" });
    expect(verify(presence[0]!, publicKey("QX"))).toEqual({ ok: true });
  });
});

describe("AgencyHost", () => {
  it("takes a node offline and brings it back: it catches up on 20 deliveries, in order", async () => {
    // A deliberate officer (about 0.5 s wall here): the receipts this test reads go out before
    // any acknowledgement could stand in for them (docs/protocol.md §6).
    const host = hostOf([{ agency: agency("QW", { ackDelay: { medianMinutes: 10, p95Minutes: 12 } }), seed: seed("QW") }]);
    started.push(host);
    const subs = await watchSubmissions("QW");
    await host.start();
    const node = host.node("QW")!;
    const first = alertFor("QW", host.feed);
    await deliver("QW", first);
    await subs.wait(about("receipt", first.id), 2_000);

    await host.stopNode("QW");
    const missed = Array.from({ length: 20 }, () => alertFor("QW", host.feed));
    for (const m of missed) await deliver("QW", m);
    const info = await jsm.consumers.info(streams.deliveries.name, consumers.agency("QW"));
    expect(info.num_pending).toBeGreaterThanOrEqual(20);

    const seqs: number[] = [];
    node.onEvent((e) => e.type === "delivered" && e.seq !== undefined && seqs.push(e.seq));
    await host.startNode("QW");
    const last = missed.at(-1)!;
    await subs.wait(about("receipt", last.id), 5_000);
    const ours = new Set(missed.map((m) => m.id));
    expect(node.received.filter((id) => ours.has(id))).toEqual(missed.map((m) => m.id));
    const receipted = subs.got.filter((g) => g.m.kind === "receipt").flatMap((g) => covered(g.m)).filter((id) => ours.has(id));
    expect(receipted).toEqual(missed.map((m) => m.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await consumerIdle("QW");
    // The officer acknowledges everything, including what arrived while the node was down.
    for (const m of [first, ...missed]) await subs.wait(about("acknowledgement", m.id), 10_000);
  });

  it("gives scripted injects only the reactions the script names; background traffic reacts by chance", async () => {
    // Every alert would produce a hit and every RFI an answer, were they background traffic.
    const host = new AgencyHost({
      servers: inject("natsUrl"),
      agencies: [{ agency: agency("QO"), seed: seed("QO") }],
      registry,
      clock: clockAt(1_500),
      authenticate: false,
      hitProbability: 1,
      answerProbability: 1,
      logger,
    });
    started.push(host);
    const subs = await watchSubmissions("QO");
    await host.start();
    const rfi = () => {
      const m = clone(examples.rfi) as Extract<Message, { kind: "rfi" }>;
      delete m.signature;
      Object.assign(m, { id: v7(), sentAt: host.feed.clock.iso() });
      m.body.respondBy = new Date(host.feed.clock.nowMs() + 60 * MIN).toISOString();
      m.body.distribution = { agencies: ["QO"] };
      return signed(m);
    };
    const [quiet, background, named] = [alertFor("QO", host.feed, "FLASH"), alertFor("QO", host.feed, "FLASH"), alertFor("QO", host.feed, "FLASH")];
    const [unnamed, answered] = [rfi(), rfi()];
    host.script.add(quiet.id);
    host.script.add(named.id, { answers: [], hits: ["QO"] });
    host.script.add(unnamed.id, { answers: ["QZ"], hits: [] });
    host.script.add(answered.id, { answers: "all", hits: [] });
    for (const m of [quiet, background, named, unnamed, answered]) await deliver("QO", m);
    await subs.wait((m) => m.kind === "hit" && m.body.alertId === background.id, 15_000);
    await subs.wait((m) => m.kind === "hit" && m.body.alertId === named.id, 15_000);
    await subs.wait((m) => m.kind === "rfi-response" && m.body.rfiId === answered.id, 15_000);
    // Every one acknowledged. A hit comes 5-45 and an answer at most 54 simulated minutes after
    // the acknowledgement: past that, the quiet alert and the RFI naming another agency got nothing.
    const acked = await Promise.all([quiet, unnamed].map((m) => subs.wait(about("acknowledgement", m.id), 5_000)));
    const quietUntil = Math.max(...acked.map((a) => Date.parse(a.m.sentAt))) + 61 * MIN;
    while (host.feed.clock.nowMs() < quietUntil) await sleep(50);
    expect(subs.got.filter((g) => g.m.kind === "hit" && g.m.body.alertId === quiet.id)).toEqual([]);
    expect(subs.got.filter((g) => g.m.kind === "rfi-response" && g.m.body.rfiId === unnamed.id)).toEqual([]);
    expect(host.node("QO")!.counters).toMatchObject({ hits: 2, answered: 1 });
  });
});

describe("a delivery whose acknowledgement cannot be stored", () => {
  // On a broker of its own: the fault is a submissions stream that refuses everything the node
  // sends (its size limit lowered below any message), which must not touch the shared server.
  it("is handed back and read again, never acked, until the acknowledgement is stored; then it is acked", async () => {
    const server = await startNatsServer();
    const own = await connect({ servers: server.url });
    try {
      const ownJsm = await ensureLayout(own);
      await ensureAgencyConsumer(ownJsm, "QO");
      const submissions = await ownJsm.streams.info(streams.submissions.name);
      await ownJsm.streams.update(streams.submissions.name, { ...submissions.config, max_msg_size: 64 });
      const feed = new ClockFeed(clockAt(600));
      // The officer acknowledges at once: the acknowledgement stands in for the receipt.
      const node = startNode("QO", { feed, servers: server.url, agency: agency("QO", { ackDelay: { medianMinutes: 0.0001, p95Minutes: 0.0002 } }) });
      const events: { type: string; redelivered?: boolean }[] = [];
      node.onEvent((e) => void events.push({ type: e.type, ...(e.redelivered !== undefined ? { redelivered: e.redelivered } : {}) }));
      await node.start();

      const alert = alertFor("QO", feed);
      await jetstream(own).publish(subjects.deliver("QO", "alert"), JSON.stringify(alert), { msgID: `QO:${alert.id}` });
      // Refused: the delivery is nak'd and comes again, and nothing is reported receipted.
      await vi.waitFor(() => expect(events.filter((e) => e.type === "delivered" && e.redelivered)).not.toHaveLength(0), { timeout: 10_000 });
      expect(events.filter((e) => e.type === "receipted" || e.type === "acknowledged")).toEqual([]);
      expect((await ownJsm.streams.info(streams.submissions.name)).state.messages).toBe(0);
      const consumer = await ownJsm.consumers.info(streams.deliveries.name, consumers.agency("QO"));
      expect(consumer.ack_floor.stream_seq).toBe(0); // the only delivery, never acked
      expect(consumer.num_ack_pending + consumer.num_pending).toBeGreaterThan(0);

      // The fault clears: the acknowledgement is stored, and only then is the delivery acked.
      await ownJsm.streams.update(streams.submissions.name, submissions.config);
      await vi.waitFor(
        async () => {
          const info = await ownJsm.consumers.info(streams.deliveries.name, consumers.agency("QO"));
          expect({ pending: info.num_pending, unacked: info.num_ack_pending }).toEqual({ pending: 0, unacked: 0 });
        },
        { timeout: 10_000, interval: 50 },
      );
      const stored = await ownJsm.streams.info(streams.submissions.name);
      expect(stored.state.messages).toBeGreaterThan(0);
      await vi.waitFor(() => expect(node.counters).toMatchObject({ receipted: 1, acknowledged: 1 }), { timeout: 5_000 });
      await node.stop();
    } finally {
      await own.close();
      await server.stop();
    }
  });
});

describe("a delivery whose signature does not verify", () => {
  it("is acked (never redelivered), neither receipted nor acknowledged, logged and reported: a forged alert, escalation or outcome", async () => {
    const feed = new ClockFeed(clockAt(600));
    const node = startNode("QS", { feed, agency: agency("QS", { ackDelay: { medianMinutes: 0.0001, p95Minutes: 0.0002 } }) });
    const subs = await watchSubmissions("QS");
    const unverified: { messageId?: string; reason?: string }[] = [];
    node.onEvent((e) => e.type === "unverified" && unverified.push({ ...(e.messageId ? { messageId: e.messageId } : {}), ...(e.reason ? { reason: e.reason } : {}) }));
    await node.start();

    // AZ's alert signed by someone else's key; an edited one; one from an agency not in the registry.
    const forged = signed({ ...alertFor("QS", feed), signature: undefined } as Message, "FORGER");
    const edited = { ...alertFor("QS", feed) } as Extract<Message, { kind: "alert" }>;
    edited.body = { ...edited.body, title: "Changed after signing" };
    const stranger = signed({ ...alertFor("QS", feed), sender: "QQ", signature: undefined } as Message, "FORGER");
    // The coordinator's messages signed with a key the registry does not list for it.
    const escalation = signed({
      id: v7(), kind: "escalation", schemaVersion: "1.0", sender: "ATIX", sentAt: feed.clock.iso(),
      body: { messageId: forged.id, recipient: "QS", step: "reminder", notify: "QS", precedence: "ROUTINE", deadline: feed.clock.iso() },
    } as Message, "FORGER");
    const acceptance = signed({
      id: v7(), kind: "acceptance", schemaVersion: "1.0", sender: "ATIX", sentAt: feed.clock.iso(),
      body: { messageId: v7(), recipients: ["QT"], ackDeadline: feed.clock.iso() },
    } as Message, "QS");
    const genuine = alertFor("QS", feed);
    for (const m of [forged, edited, stranger, escalation, acceptance, genuine]) await deliver("QS", m);

    // The genuine one after them is handled as usual; the others are gone from the consumer.
    await subs.wait(about("acknowledgement", genuine.id), 5_000);
    await consumerIdle("QS");
    expect(unverified.map((u) => u.messageId)).toEqual([forged.id, edited.id, stranger.id, escalation.id, acceptance.id]);
    expect(unverified.map((u) => u.reason)).toEqual([
      expect.stringMatching(/registered public key/),
      expect.stringMatching(/valid Ed25519 signature/),
      expect.stringMatching(/QQ is not one/),
      expect.stringMatching(/coordinator key of the registry/),
      expect.stringMatching(/coordinator key of the registry/),
    ]);
    const answered = new Set(subs.got.flatMap((g) => covered(g.m)));
    for (const m of [forged, edited, stranger]) expect(answered.has(m.id)).toBe(false);
    expect(node.counters).toMatchObject({ unverified: 5, reminded: 0, accepted: 0 });
    expect(node.received).not.toContain(forged.id);
  });

  it("is verified once per process for every hosted agency that receives the same stored bytes", async () => {
    const host = hostOf((["QR", "QP"] as const).map((id) => ({ agency: agency(id, { ackDelay: { medianMinutes: 0.0001, p95Minutes: 0.0002 } }), seed: seed(id) })));
    started.push(host);
    await host.start();
    const subs = await Promise.all(["QR", "QP"].map((id) => watchSubmissions(id)));
    const before = { ...verification };
    // One message, its exact signed bytes stored once per recipient (as the coordinator does).
    const alert = alertFor("QR", host.feed);
    alert.body.distribution = { agencies: ["QR", "QP"] };
    const both = signed({ ...alert, signature: undefined } as Message);
    for (const id of ["QR", "QP"]) await deliver(id, both);
    for (const s of subs) await s.wait(about("acknowledgement", both.id), 5_000);
    expect(verification.checks - before.checks).toBe(2);
    expect(verification.verified - before.verified).toBe(1);
  });
});

describe("ClockFeed", () => {
  it("adopts a broadcast clock state and ignores a malformed one", async () => {
    const feed = new ClockFeed(clockAt(1));
    const other = await connect({ servers: inject("natsUrl") });
    const subject = `test.clock.${Date.now()}`;
    feed.attach(other, subject);
    await other.flush();
    const state = clockAt(1440, T0 + 3 * 60 * MIN);
    other.publish(subject, JSON.stringify(state));
    other.publish(subject, "not a clock");
    await other.flush();
    await sleep(100);
    expect(feed.clock.snapshot()).toEqual(state);
    await other.drain();
  });
});
