// The audit writer knows its own records. A message stored in the audit stream that is not a chain
// record (only coordinators can write there now; an exchange run by an earlier ATIX may hold such
// messages) must not stop the exchange, and must not make the chain skip an event: were its msgID
// one the writer is about to use, the writer's record would be answered "duplicate". Such an answer
// counts as written only when the stored message is a record of that very event; otherwise the
// event is recorded anew, under the next msgID of its sequence, once, also when retried after a crash.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readChain } from "../../shared/audit/chain-read.ts";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { AuditWriter, msgIdOf, readAuditHead } from "../../shared/audit/writer.ts";
import { AGENCY_JS_API, type AuditEntry, StoredAuditRecord, streams, subjects } from "../../shared/contracts/index.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { Coordinator } from "../../services/coordinator/coordinator.ts";
import { startTestExchange, submitAndWait, testAlertBody, type TestExchange } from "../support/exchange.ts";

let ex: TestExchange;
const errors: { msg: string; eventId?: string }[] = [];
const log = pino({ level: "error" }, { write: (line: string) => void errors.push(JSON.parse(line)) });
const FOREIGN = "test.foreign";

beforeAll(async () => {
  ex = await startTestExchange({ auth: true });
  const c = new Coordinator({ servers: ex.url, seed: ex.ids.coordinator.seed, instance: "w1", logger: log });
  await c.start();
  ex.coordinators.push(c);
  // A second subject on the audit stream: what the server stored there for an earlier ATIX's
  // observer (a push consumer's copies kept their own subjects) lands beside the chain's.
  const jsm = await jetstreamManager(ex.admin);
  const { config } = await jsm.streams.info(streams.audit.name);
  await jsm.streams.update(streams.audit.name, { ...config, subjects: [subjects.audit, FOREIGN] });
});
afterAll(() => ex?.stop());

async function stored() {
  const out: { streamSeq: number; record: unknown }[] = [];
  for await (const s of readChain(ex.admin)) out.push(s);
  return out;
}
const alert = (title: string) => compose("alert", testAlertBody({ title }), { sender: "KZ", sentAt: ex.clock.iso() });

it("an agency and the observer together cannot make the chain skip a record", async () => {
  // The attack that worked before: KZ stores submissions whose Nats-Msg-Id headers are the audit
  // event ids its next alert gets, and the observer has a push consumer copy them into the audit
  // stream, so the coordinator's real records are answered "duplicate".
  const m = alert("after the planted msgIDs");
  const kz = await ex.connectAgency("KZ");
  for (const event of ["submitted", "delivered"]) await kz.js.publish(subjects.submit("KZ", "presence"), JSON.stringify({ junk: event }), { msgID: `${event}:${m.id}` });
  const obs = await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed });
  try {
    const jsm = await jetstreamManager(obs, { apiPrefix: AGENCY_JS_API, checkAPI: false });
    const copy = { name: "copy", deliver_subject: subjects.audit, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All };
    await expect(jsm.consumers.add(streams.submissions.name, copy)).rejects.toThrow(/Permissions Violation/);
    await expect((await jetstreamManager(obs, { checkAPI: false })).consumers.add(streams.submissions.name, copy)).rejects.toThrow(/Permissions Violation/);
  } finally {
    await obs.close();
  }
  expect((await submitAndWait(ex, "KZ", m)).kind).toBe("acceptance");
  const records = (await stored()).map((s) => StoredAuditRecord.parse(s.record));
  expect(records.filter((r) => r.messageId === m.id).map((r) => r.event).sort()).toEqual(["delivered", "submitted"]);
  const v = new ChainVerifier(await ex.trusted());
  for (const r of records) v.push(r);
  expect(v.result().ok).toBe(true);
}, 30_000);

it("records an event whose msgID was taken by another message anew, once, and the chain does not skip it", async () => {
  const m = alert("msgIDs taken before it was sent");
  // What an agency and an earlier observer could do together: messages carrying the msgIDs of the
  // alert's next audit records, stored in the audit stream (not on the chain's subject).
  const js = jetstream(ex.admin);
  for (const event of ["submitted", "delivered"]) await js.publish(FOREIGN, JSON.stringify({ junk: event }), { msgID: `${event}:${m.id}` });
  expect((await submitAndWait(ex, "KZ", m)).kind).toBe("acceptance");

  const records = (await stored()).map((s) => StoredAuditRecord.parse(s.record));
  const about = records.filter((r) => r.messageId === m.id);
  expect(about.map((r) => r.event).sort()).toEqual(["delivered", "submitted"]);
  const v = new ChainVerifier(await ex.trusted());
  for (const r of records) v.push(r);
  expect(v.result()).toMatchObject({ ok: true, records: records.length });
  expect(errors.filter((e) => e.eventId === `submitted:${m.id}` || e.eventId === `delivered:${m.id}`).map((e) => e.msg)).toEqual([
    expect.stringMatching(new RegExp(`msgID submitted:${m.id} of event submitted:${m.id} is taken by stream message \\d+, which is not a record of that event; recording the event anew as submitted:${m.id}~1`)),
    expect.stringMatching(/msgID delivered:.* is taken .* anew as delivered:.*~1/),
  ]);

  // Recorded again (a coordinator restarted mid-way): the same msgIDs are walked, nothing is added.
  const again = new AuditWriter(ex.admin, log, newIdentity("w2").seed);
  const submitted = about.find((r) => r.event === "submitted")!;
  const { seq: _s, prevHash: _p, hash: _h, recordedAt: _r, signature: _g, ...entry } = submitted;
  await again.append(entry as AuditEntry);
  const after = (await stored()).map((s) => StoredAuditRecord.parse(s.record)).filter((r) => r.eventId === `submitted:${m.id}`);
  expect(after).toHaveLength(1);
  expect(msgIdOf(`submitted:${m.id}`, 1)).toBe(`submitted:${m.id}~1`);
}, 30_000);

it("keeps accepting and recording after a message that is not a record lands on the chain's subject; verification fails at it", async () => {
  const jsm = await jetstreamManager(ex.admin);
  const before = (await jsm.streams.info(streams.audit.name)).state.last_seq;
  await jetstream(ex.admin).publish(subjects.audit, JSON.stringify({ type: "io.nats.jetstream.api.v1.stream_info_response" }));
  const after = alert("after");
  expect((await submitAndWait(ex, "KZ", after)).kind).toBe("acceptance");

  const all = await stored();
  const isRecord = (s: { record: unknown }) => StoredAuditRecord.safeParse(s.record).success;
  const foreign = all.filter((s) => !isRecord(s));
  expect(foreign).toHaveLength(1);
  expect(foreign[0]!.streamSeq).toBeGreaterThan(before);
  // The new alert is recorded after it, and the records alone still form one chain.
  expect(all.some((s) => isRecord(s) && s.streamSeq > foreign[0]!.streamSeq && (s.record as { messageId?: string }).messageId === after.id)).toBe(true);
  const trusted = await ex.trusted();
  const records = new ChainVerifier(trusted);
  for (const s of all.filter(isRecord)) records.push(s.record);
  expect(records.result().ok).toBe(true);
  // The stream as stored does not verify, and says where.
  const whole = new ChainVerifier(trusted);
  for (const s of all) whole.push(s.record);
  const verdict = whole.result();
  expect(verdict.ok ? "" : verdict.reason).toMatch(/malformed/);
  // The head a writer reads is the last record, expecting the stream's last message.
  const head = await readAuditHead(jsm);
  expect(head.streamSeq).toBe((await jsm.streams.info(streams.audit.name)).state.last_seq);
  expect(head.seq).toBe((all.filter(isRecord).at(-1)!.record as { seq: number }).seq);
}, 30_000);
