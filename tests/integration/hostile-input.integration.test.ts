// The coordinator under a flood of hostile input (issue 6), on a real nats-server with the
// generated accounts: four agencies publish over 10,000 generated hostile submissions through
// their own NATS identities while four others send valid alerts at the same time. Every hostile
// submission must be refused with a reason naming the field and recorded once in the audit chain;
// injection strings in the free text of valid alerts are data and must arrive unchanged; valid
// traffic must be delivered in full, exactly once; the coordinator must keep running.
//
// Reproducible: every value comes from fast-check with a fixed seed (ATIX_HOSTILE_SEED overrides it).
import { jetstreamManager } from "@nats-io/jetstream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { readChain } from "../../shared/audit/chain-read.ts";
import {
  type AuditRecordOf,
  StoredAuditRecord,
  consumers,
  ESCALATION_STEPS,
  MESSAGE_KINDS,
  type Message,
  type MessageKind,
  parseMessage,
  RejectionReason,
  sign,
  streams,
  subjects,
  verify,
} from "../../shared/contracts/index.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import { arbHostile, arbInjectedAlert, arbValidAlert, HOSTILE_CATEGORIES, type Hostile, type HostileContext, meetsExpectation, replayOf } from "../support/hostile.ts";
import { openStore, startTestExchange, testAlertBody, testRoster, submitAndWait, type TestExchange } from "../support/exchange.ts";
import { eventually, readAll } from "../support/streams-read.ts";
import { compose } from "../../shared/messaging/compose.ts";

// 10,000 rejections would otherwise be 10,000 warnings on the test's output (put back afterwards:
// the integration files share one process).
const logLevelBefore = process.env.ATIX_LOG_LEVEL;
process.env.ATIX_LOG_LEVEL ??= "error";

const SEED = Number(process.env.ATIX_HOSTILE_SEED ?? 20_260_921);
const AGENCIES = ["AZ", "KZ", "KG", "RU", "TR", "UZ", "TJ", "TM"];
const HOSTILE = ["TR", "KG", "TJ", "TM"];
const HONEST = ["AZ", "KZ", "RU", "UZ"];
/** Hostile submissions per hostile agency and category: 4 × 2,475 + 4 × 75 replays = 10,200. */
const PER_AGENCY: Record<(typeof HOSTILE_CATEGORIES)[number], number> = {
  "malformed-json": 375,
  "wrong-type": 375,
  oversized: 25,
  "unknown-kind": 250,
  "hostile-subject": 150,
  "forged-signature": 375,
  posing: 250,
  "tlp-red-unnamed": 250,
  injection: 425,
};
const REPLAYS_PER_AGENCY = 75;
/** Alerts each hostile agency gets accepted first: what it later replays. */
const PRELUDE_PER_AGENCY = 3;
/** Valid alerts with injection strings in every free-text field, per hostile agency. */
const INJECTED_PER_AGENCY = 40;
/** Valid alerts per honest agency, interleaved with the flood. */
const VALID_PER_AGENCY = 75;
const IN_FLIGHT = 64;

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

/** A valid alert the test follows to every recipient. */
interface Tracked {
  id: string;
  from: string;
  data: Uint8Array;
  recipients: string[];
  /** Free text with injection strings, which must be kept as is. */
  texts?: { field: string; text: string }[];
}
type Op = { from: string; hostile: Hostile } | { from: string; valid: Tracked };
interface Published {
  op: Op;
  seq: number;
}

let ex: TestExchange;
const outcomes = new Map<string, Message[]>(); // live outcomes by agency
const published: Published[] = [];
const prelude: Tracked[] = [];
const figures: Record<string, number | string> = {};

const party = (agency: string) => ({ agency, seed: ex.ids.agencies.get(agency)!.seed });
const context = (self: string, i: number): HostileContext => ({
  self: party(self),
  other: party(HONEST[i % HONEST.length]!),
  agencies: AGENCIES,
  nowMs: ex.clock.nowMs(),
});
const seedFor = (...parts: (string | number)[]) => parts.reduce<number>((h, p) => (Math.imul(h, 31) + String(p).split("").reduce((a, c) => a * 33 + c.charCodeAt(0), 7)) | 0, SEED);
const sample = <T,>(arb: fc.Arbitrary<T>, n: number, ...key: (string | number)[]) => fc.sample(arb, { seed: seedFor(...key), numRuns: n });

const recipientsOf = (from: string, m: { body: { distribution: { all?: true; agencies?: string[] } } }) =>
  (m.body.distribution.all ? AGENCIES : m.body.distribution.agencies!).filter((a) => a !== from).sort();
const track = (from: string, message: Record<string, any>, texts?: Tracked["texts"]): Tracked => ({
  id: message.id, from, data: encoder.encode(JSON.stringify(message)), recipients: recipientsOf(from, message as never), ...(texts ? { texts } : {}),
});

/** Publishes on the agency's own submit subject through its own connection; returns the stream sequence. */
async function publish(from: string, subjectKind: string, data: Uint8Array, msgID: string): Promise<number> {
  const { js } = await ex.connectAgency(from);
  // The subject's kind token is hostile input too: any token the agency's permissions let through.
  const ack = await publishDurably(js, subjects.submit(from, subjectKind as MessageKind), data, { msgID });
  expect(ack.duplicate, `${msgID} was stored as a duplicate`).toBe(false);
  return ack.seq;
}

/** Runs `work` over `items` with at most `limit` at once, in order of start. */
async function pool<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  }));
}

/** Interleaves lists evenly: each list's items spread over the whole run. */
function interleave<T>(lists: T[][]): T[] {
  const keyed = lists.flatMap((l) => l.map((item, i) => ({ item, at: (i + 0.5) / l.length })));
  return keyed.sort((a, b) => a.at - b.at).map((k) => k.item);
}

beforeAll(async () => {
  // Quotas out of the way: this is about what the checks make of each submission (flood.integration.test.ts is about quotas).
  ex = await startTestExchange({ roster: testRoster(AGENCIES), auth: true, speed: 1, settings: { quotas: { maxInFlight: 1_000_000, perMinute: 1_000_000, burst: 1_000_000, copiedMiBPerHour: 1_000_000 } } });
  await ex.startCoordinator("c1");
  for (const a of AGENCIES) {
    const { nc } = await ex.connectAgency(a);
    outcomes.set(a, []);
    const sub = nc.subscribe(subjects.outcomeOf(a));
    void (async () => {
      for await (const m of sub) outcomes.get(a)!.push(m.json<Message>());
    })();
  }

  // Each hostile agency first gets a few alerts accepted: the flood replays them.
  for (const [i, h] of HOSTILE.entries())
    for (const m of sample(arbValidAlert(context(h, i)), PRELUDE_PER_AGENCY, "prelude", h)) {
      const t = track(h, m);
      await publish(h, "alert", t.data, t.id);
      expect((await outcomeFor(h, t.id)).kind).toBe("acceptance");
      prelude.push(t);
    }

  const hostile: Op[][] = HOSTILE.flatMap((h, i) => [
    ...HOSTILE_CATEGORIES.map((c) => sample(arbHostile(context(h, i), c), PER_AGENCY[c], c, h).map((x) => ({ from: h, hostile: x }))),
    sample(fc.constantFrom(...prelude.filter((p) => p.from === h)), REPLAYS_PER_AGENCY, "replay", h).map((p) => ({ from: h, hostile: replayOf({ id: p.id, kind: "alert", data: p.data }) })),
    sample(arbInjectedAlert(context(h, i)), INJECTED_PER_AGENCY, "injected", h).map(({ message, texts }) => ({ from: h, valid: track(h, message, texts) })),
  ]);
  const honest: Op[][] = HONEST.map((a, i) => sample(arbValidAlert(context(a, i)), VALID_PER_AGENCY, "valid", a).map((m) => ({ from: a, valid: track(a, m) })));
  const plan = interleave([...hostile, ...honest]);
  const ids = plan.flatMap((op) => ("hostile" in op ? (op.hostile.category === "replay" ? [] : [op.hostile.messageId]) : [op.valid.id])).filter(Boolean);
  expect(new Set(ids).size, "generated ids are unique (a repeated id would be a replay)").toBe(ids.length);

  const started = Date.now();
  await pool(plan, IN_FLIGHT, async (op, i) => {
    const seq =
      "hostile" in op
        ? await publish(op.from, op.hostile.subjectKind, op.hostile.data, `hostile-${i}`)
        : await publish(op.from, "alert", op.valid.data, op.valid.id);
    published[i] = { op, seq };
  });
  figures.publishSeconds = (Date.now() - started) / 1000;

  // Done when every agency's submission queue has acknowledged everything in it.
  const jsm = await jetstreamManager(ex.admin);
  const infos = await eventually(
    async () => {
      const all = await Promise.all(AGENCIES.map((a) => jsm.consumers.info(streams.submissions.name, consumers.submissionsOf(a))));
      return all.every((ci) => ci.num_pending === 0 && ci.num_ack_pending === 0) ? all : undefined;
    },
    240_000,
    "the coordinator to process the flood",
  );
  figures.floodSeconds = (Date.now() - started) / 1000;
  figures.redelivered = infos.reduce((n, ci) => n + ci.num_redelivered, 0);
  const validAt = published.map((p, i) => ("valid" in p.op ? i : -1)).filter((i) => i >= 0);
  figures.validSpread = `published at positions ${validAt[0]}..${validAt.at(-1)} of ${published.length}`;
  // Live outcomes are core NATS, sent just before each acknowledgement: let the last ones land.
  const answered = (from: string, id: string) => outcomes.get(from)!.some((o) => (o.body as { messageId?: string }).messageId === id);
  await eventually(
    () => published.every(({ op }) => ("valid" in op ? answered(op.from, op.valid.id) : !op.hostile.messageId || answered(op.from, op.hostile.messageId))) || undefined,
    30_000,
    "the live outcomes",
  );
}, 300_000);

afterAll(async () => {
  console.info(`hostile-input figures (seed ${SEED}):`, JSON.stringify(figures, null, 1));
  await ex?.stop();
  if (logLevelBefore === undefined) delete process.env.ATIX_LOG_LEVEL;
  else process.env.ATIX_LOG_LEVEL = logLevelBefore;
});

/** The first live outcome for a message id (the subscriptions run from the start). */
const outcomeFor = (from: string, id: string): Promise<Message> =>
  eventually(() => outcomes.get(from)!.find((o) => (o.body as { messageId?: string }).messageId === id), 10_000, `outcome of ${id}`);

const hostileSent = () => published.filter((p): p is Published & { op: { from: string; hostile: Hostile } } => "hostile" in p.op);
const validSent = () => [...prelude, ...published.flatMap((p) => ("valid" in p.op ? [p.op.valid] : []))];

let auditCache: StoredAuditRecord[] | undefined;
let chainVerdict: ReturnType<ChainVerifier["result"]> | undefined;
async function audit(): Promise<StoredAuditRecord[]> {
  if (!auditCache) {
    const v = new ChainVerifier(await ex.trusted());
    const records: StoredAuditRecord[] = [];
    for await (const r of readChain(ex.admin)) {
      v.push(r.record);
      records.push(StoredAuditRecord.parse(r.record));
    }
    auditCache = records;
    chainVerdict = v.result();
  }
  return auditCache;
}

let deliveriesCache: { subject: string; data: Uint8Array; message: Message }[] | undefined;
async function deliveries() {
  deliveriesCache ??= (await readAll(ex.admin, streams.deliveries.name, subjects.deliverAll)).map((d) => ({
    subject: d.subject,
    data: d.data,
    message: JSON.parse(decoder.decode(d.data)) as Message,
  }));
  return deliveriesCache;
}

/** Who a stored delivery reaches: its one recipient, or for a broadcast every agency but the sender. */
const readersOf = (d: { subject: string; message: Message }) =>
  d.subject === subjects.broadcast(d.message.kind) ? AGENCIES.filter((a) => a !== d.message.sender) : [d.subject.split(".")[2]!];

/** The stream sequence an audit `rejected` record is about. */
const rejectedSeq = (r: AuditRecordOf<"rejected">) => r.data.streamSeq;

describe("hostile input", () => {
  it("sent over 10,000 hostile submissions of every category through the agencies' own identities", () => {
    const byCategory: Record<string, number> = {};
    for (const p of hostileSent()) byCategory[p.op.hostile.category] = (byCategory[p.op.hostile.category] ?? 0) + 1;
    Object.assign(figures, { hostile: hostileSent().length, valid: validSent().length }, Object.fromEntries(Object.entries(byCategory).map(([k, v]) => [`hostile.${k}`, v])));
    expect(hostileSent().length).toBeGreaterThanOrEqual(10_000);
    expect(Object.keys(byCategory).sort()).toEqual([...HOSTILE_CATEGORIES, "replay"].sort());
    expect(new Set(published.map((p) => p.seq)).size).toBe(published.length);
  });

  it("records each hostile submission once as rejected, with a reason naming the field at fault", async () => {
    const rejected = (await audit()).filter((r): r is AuditRecordOf<"rejected"> => r.event === "rejected");
    const bySeq = new Map<number, AuditRecordOf<"rejected">[]>();
    for (const r of rejected) bySeq.set(rejectedSeq(r), [...(bySeq.get(rejectedSeq(r)) ?? []), r]);
    const hostile = hostileSent();
    // Exactly one record per hostile stream message: none missing, none doubled, none for valid traffic.
    expect(rejected.length).toBe(hostile.length);
    const faults: string[] = [];
    for (const { op, seq } of hostile) {
      const records = bySeq.get(seq) ?? [];
      const h = op.hostile;
      const reasons: RejectionReason[] = records[0]?.data.reasons ?? [];
      const fault =
        records.length !== 1 ? `${records.length} audit records`
        : !reasons.length || !reasons.every((r) => RejectionReason.safeParse(r).success) ? `reasons outside the contract: ${JSON.stringify(reasons).slice(0, 300)}`
        : !meetsExpectation(reasons, h.expect) ? `expected ${JSON.stringify(h.expect)}, got ${JSON.stringify(reasons).slice(0, 300)}`
        // A field that is there but of the wrong type must not be reported as missing.
        : h.category === "wrong-type" && reasons.every((r) => r.message.startsWith("missing")) ? `called missing: ${JSON.stringify(reasons)}`
        : records[0]!.actor !== op.from ? `recorded against ${records[0]!.actor}`
        : undefined;
      if (fault) faults.push(`${h.category} (${h.what}) from ${op.from}, stream seq ${seq}: ${fault}`);
    }
    expect(faults.slice(0, 20), `${faults.length} hostile submissions mishandled (seed ${SEED})`).toEqual([]);
  });

  it("tells the submitter of each refusal, live on its outcome subject and stored among its deliveries, with the recorded reasons", async () => {
    const rejected = new Map((await audit()).filter((r) => r.event === "rejected").map((r) => [rejectedSeq(r), r]));
    const all = await deliveries();
    const coordinatorKey = ex.ids.coordinator.publicKey;
    let live = 0;
    let repeated = 0;
    for (const h of HOSTILE) {
      const sent = hostileSent().filter((p) => p.op.from === h);
      const stored = all.filter((d) => d.subject === subjects.deliver(h, "rejection"));
      // A stored rejection is a valid message, signed by the coordinator.
      for (const d of stored) {
        expect(parseMessage(d.message).ok, d.subject).toBe(true);
        expect(verify(d.message, coordinatorKey)).toEqual({ ok: true });
      }
      const canon = (reasons: unknown) => JSON.stringify(reasons);
      expect(stored.length, `stored rejections for ${h}`).toBe(sent.length);
      expect(stored.map((d) => canon((d.message.body as { reasons: unknown }).reasons)).sort()).toEqual(sent.map((p) => canon(rejected.get(p.seq)!.data.reasons)).sort());
      // Whatever still had a readable id is answered live, once, on that id's outcome subject.
      const byId = new Map<string, Message[]>();
      for (const o of outcomes.get(h)!) {
        const id = (o.body as { messageId?: string }).messageId;
        if (id) byId.set(id, [...(byId.get(id) ?? []), o]);
      }
      // Live outcomes are at least once (a redelivered submission is answered again): one
      // rejection, by its id, however often it arrives.
      // (A replay's id is also the accepted original's: its live answers are checked below.)
      for (const p of sent.filter((s) => s.op.hostile.messageId && s.op.hostile.category !== "replay")) {
        const got = byId.get(p.op.hostile.messageId!) ?? [];
        expect(got.map((o) => o.kind), `live outcome of ${p.op.hostile.what}`).toEqual(got.map(() => "rejection"));
        expect(new Set(got.map((o) => o.id)).size, `distinct live outcomes of ${p.op.hostile.what}`).toBe(1);
        expect(canon((got[0]!.body as { reasons: unknown }).reasons)).toBe(canon(rejected.get(p.seq)!.data.reasons));
        live++;
        repeated += got.length - 1;
      }
    }
    figures.liveRejections = live;
    figures.liveRepeats = repeated;
    figures.storedRejections = hostileSent().length;
  });

  it("records each replay as rejected (code replay, path id) and delivers the original no second time", async () => {
    const replays = hostileSent().filter((p) => p.op.hostile.category === "replay");
    const records = new Map((await audit()).filter((r) => r.event === "rejected").map((r) => [rejectedSeq(r), r]));
    for (const p of replays) expect(records.get(p.seq)?.data.reasons).toEqual([expect.objectContaining({ code: "replay", path: "id" })]);
    // The first outcome stays the acceptance; each replay is answered with a rejection (below).
    for (const t of prelude) {
      const live = outcomes.get(t.from)!.filter((o) => (o.body as { messageId?: string }).messageId === t.id);
      const times = replays.filter((p) => p.op.hostile.messageId === t.id).length;
      expect(live.length, `outcomes of ${t.id}: the first and one per replay`).toBeGreaterThanOrEqual(1 + times);
      const distinct = [...new Map(live.map((o) => [o.id, o])).values()];
      expect(distinct.filter((o) => o.kind === "acceptance"), `one acceptance of ${t.id}`).toHaveLength(1);
      const refusals = distinct.filter((o) => o.kind === "rejection");
      expect(refusals, `one refusal per replay of ${t.id}`).toHaveLength(times);
      for (const r of refusals) expect((r.body as { reasons: unknown }).reasons).toEqual([expect.objectContaining({ code: "replay", path: "id" })]);
    }
  });

  it("accepts nothing hostile: no acceptance, no delivery, no stored message for any hostile id", async () => {
    const ids = new Set(hostileSent().filter((p) => p.op.hostile.category !== "replay").flatMap((p) => (p.op.hostile.messageId ? [p.op.hostile.messageId] : [])));
    const accepted = [...outcomes.values()].flat().filter((o) => o.kind === "acceptance" && ids.has((o.body as { messageId: string }).messageId));
    expect(accepted.map((o) => o.body)).toEqual([]);
    const delivered = (await deliveries()).filter((d) => d.message.kind !== "rejection" && ids.has(d.message.id));
    expect(delivered.map((d) => d.subject)).toEqual([]);
    const store = await openStore(ex.admin);
    const stored: string[] = [];
    for await (const k of await store.messages.kv.keys()) if (ids.has(k)) stored.push(k);
    expect(stored).toEqual([]);
  });

  it("delivers every valid alert sent during the flood exactly once to every recipient, byte for byte", async () => {
    const valid = validSent();
    const all = await deliveries();
    const byId = new Map<string, { subject: string; data: Uint8Array; message: Message }[]>();
    for (const d of all) if (d.message.kind === "alert") byId.set(d.message.id, [...(byId.get(d.message.id) ?? []), d]);
    const faults: string[] = [];
    let count = 0;
    for (const t of valid) {
      const acceptances = outcomes.get(t.from)!.filter((o) => o.kind === "acceptance" && (o.body as { messageId: string }).messageId === t.id);
      const got = byId.get(t.id) ?? [];
      const to = got.flatMap((d) => readersOf(d)).sort();
      if (acceptances.length < 1) faults.push(`${t.id} from ${t.from}: no acceptance`);
      else if (JSON.stringify((acceptances[0]!.body as { recipients: string[] }).recipients.slice().sort()) !== JSON.stringify(t.recipients))
        faults.push(`${t.id}: accepted for ${JSON.stringify(acceptances[0]!.body)} instead of ${t.recipients}`);
      if (JSON.stringify(to) !== JSON.stringify(t.recipients)) faults.push(`${t.id} from ${t.from}: delivered to ${to}, expected ${t.recipients}`);
      if (got.some((d) => Buffer.compare(Buffer.from(d.data), Buffer.from(t.data)) !== 0)) faults.push(`${t.id}: delivered bytes differ from those signed`);
      count += to.length;
    }
    Object.assign(figures, { validAlerts: valid.length, validDeliveries: count, validDeliveriesExpected: valid.reduce((n, t) => n + t.recipients.length, 0) });
    expect(faults.slice(0, 20), `${faults.length} faults in valid traffic`).toEqual([]);
  });

  it("keeps injection strings in free text as data: stored and audited unchanged, never in a subject or a key", async () => {
    const injected = validSent().filter((t) => t.texts);
    expect(injected.length).toBe(HOSTILE.length * INJECTED_PER_AGENCY);
    const store = await openStore(ex.admin);
    const submitted = new Map((await audit()).filter((r) => r.event === "submitted").map((r) => [r.messageId, r]));
    for (const t of injected) {
      const title = t.texts!.find((x) => x.field === "body.title")!.text;
      expect((await store.messages.get(t.id))?.value.title).toBe(title);
      expect(submitted.get(t.id)?.data.title).toBe(title);
    }
    // Subjects and keys come from ids and codes only, never from anything a sender wrote.
    const agency = `(${AGENCIES.join("|")})`;
    const deliverSubject = new RegExp(`^atix\\.deliver\\.(${agency}|all)\\.(${MESSAGE_KINDS.join("|")})$`);
    expect((await deliveries()).map((d) => d.subject).filter((s) => !deliverSubject.test(s))).toEqual([]);
    const keyShapes: [typeof store.messages.kv, RegExp][] = [
      [store.messages.kv, new RegExp(`^${UUID}$`)],
      [store.seen.kv, new RegExp(`^${UUID}$`)],
      [store.claims.kv, new RegExp(`^${UUID}\\.${agency}\\.(${ESCALATION_STEPS.join("|")})$`)],
    ];
    for (const [kv, shape] of keyShapes) {
      const odd: string[] = [];
      for await (const k of await kv.keys()) if (!shape.test(k)) odd.push(k);
      expect(odd).toEqual([]);
    }
    const jsm = await jetstreamManager(ex.admin);
    const names: string[] = [];
    for await (const s of jsm.streams.list()) names.push(s.config.name);
    expect(names.filter((n) => !n.startsWith("KV_")).sort()).toEqual(Object.values(streams).map((s) => s.name).sort());
  });

  it("keeps running and answering, and its audit chain verifies", async () => {
    const m = compose("alert", testAlertBody({ distribution: { agencies: ["KZ"] } }), { sender: "AZ", sentAt: ex.clock.iso() });
    expect((await submitAndWait(ex, "AZ", m)).kind).toBe("acceptance");
    auditCache = undefined; // read the chain again, to its end now
    await audit();
    expect(chainVerdict).toMatchObject({ ok: true });
    figures.auditRecords = auditCache!.length;
  });

  it("answers a replay with a rejection (code replay, path id), not with the first acceptance again", async () => {
    const t = prelude[0]!;
    const before = outcomes.get(t.from)!.length;
    await publish(t.from, "alert", t.data, `replay-check-${t.id}`);
    const answer = await eventually(() => outcomes.get(t.from)!.slice(before).find((o) => (o.body as { messageId?: string }).messageId === t.id), 10_000, "replay outcome");
    expect(answer.kind).toBe("rejection");
  });

  it("refuses a valid message published on a subject with extra tokens after its kind", async () => {
    const m = sign(compose("alert", testAlertBody({ distribution: { agencies: ["KZ"] } }), { sender: "TR", sentAt: ex.clock.iso() }), party("TR").seed);
    await publish("TR", "alert.extra", encoder.encode(JSON.stringify(m)), m.id);
    expect((await outcomeFor("TR", m.id)).kind).toBe("rejection");
  });
});
