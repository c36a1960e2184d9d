// A message that is not a record can reach the audit stream: the server writes there for a client
// of the exchange's account (the known holes in permissions.integration.test.ts). The exchange must
// go on (the chain continues after it, nothing is lost), and every verification must fail there.
import { AckPolicy, DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { expect, it } from "vitest";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { readAudit, type StoredAuditRecord } from "../../shared/audit/reader.ts";
import { readAuditHead } from "../../shared/audit/writer.ts";
import { AuditRecord } from "../../shared/contracts/audit.ts";
import { streams, subjects } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AlertMessage } from "../../shared/contracts/index.ts";
import { startTestExchange, submitAndWait, testAlertBody, type TestExchange } from "../support/exchange.ts";

const isRecord = (s: StoredAuditRecord) => AuditRecord.safeParse(s.record).success;

/** A coordinator that has accepted one alert, the observer, and a way to send more as KZ. */
async function withExchange(test: (ex: TestExchange, obs: NatsConnection, alert: (title: string) => AlertMessage) => Promise<void>) {
  const ex = await startTestExchange({ auth: true });
  await ex.startCoordinator();
  const obs = await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed });
  const alert = (title: string) => compose("alert", testAlertBody({ title }), { sender: "KZ", sentAt: ex.clock.iso() });
  try {
    expect((await submitAndWait(ex, "KZ", alert("before"))).kind).toBe("acceptance");
    await test(ex, obs, alert);
  } finally {
    await obs.close();
    await ex.stop();
  }
}

it("keeps accepting and recording after a foreign message lands in the audit stream, and verification fails at it", () =>
  withExchange(async (ex, obs, alert) => {
    const jsm = await jetstreamManager(ex.admin);
    const before = (await jsm.streams.info(streams.audit.name)).state.last_seq;

    // The observer names the audit subject as the reply of a JetStream API request.
    obs.publish(`$JS.API.STREAM.INFO.${streams.audit.name}`, undefined, { reply: subjects.audit });
    await obs.flush();
    await expect.poll(async () => (await jsm.streams.info(streams.audit.name)).state.last_seq, { timeout: 5_000 }).toBeGreaterThan(before);

    const after = alert("after");
    const outcome = await submitAndWait(ex, "KZ", after);
    expect(outcome.kind).toBe("acceptance");

    const stored: StoredAuditRecord[] = [];
    for await (const s of readAudit(ex.admin)) stored.push(s);
    const foreign = stored.filter((s) => !isRecord(s));
    expect(foreign).toHaveLength(1);
    // The new alert is recorded after the foreign message.
    expect(stored.some((s) => isRecord(s) && s.streamSeq > foreign[0]!.streamSeq && (s.record as AuditRecord).messageId === after.id)).toBe(true);
    // The records alone still form one chain: the writer went on from the last record before it.
    const records = new ChainVerifier();
    for (const s of stored.filter(isRecord)) records.push(s.record);
    expect(records.result()).toMatchObject({ ok: true, records: stored.length - 1 });
    // The stream as stored does not verify, and says where.
    const whole = new ChainVerifier();
    for (const s of stored) whole.push(s.record);
    const verdict = whole.result();
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(/malformed/);
    // The head a writer or `atix status` reads is the last record, expecting the stream's last message.
    const head = await readAuditHead(jsm);
    expect(head.streamSeq).toBe(stored.at(-1)!.streamSeq);
    expect(head.seq).toBe((stored.filter(isRecord).at(-1)!.record as AuditRecord).seq);
  }), 60_000);

it("keeps accepting while a consumer copies submissions into the audit stream; the chain as read still verifies", () =>
  withExchange(async (ex, obs, alert) => {
    // The server stores the copies under their own subjects, beside the chain's.
    await (await jetstreamManager(obs, { checkAPI: false })).consumers.add(streams.submissions.name, {
      name: "copy", deliver_subject: subjects.audit, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All,
    });
    const sent = [alert("one"), alert("two"), alert("three")];
    for (const m of sent) expect((await submitAndWait(ex, "KZ", m)).kind).toBe("acceptance");

    const jsm = await jetstreamManager(ex.admin);
    const stored: StoredAuditRecord[] = [];
    for await (const s of readAudit(ex.admin)) stored.push(s);
    // The copies are there, but not in the chain.
    expect((await jsm.streams.info(streams.audit.name)).state.messages).toBeGreaterThan(stored.length);
    const v = new ChainVerifier();
    for (const s of stored) v.push(s.record);
    expect(v.result()).toMatchObject({ ok: true, records: stored.length });
    for (const m of sent) expect(stored.some((s) => (s.record as AuditRecord).messageId === m.id && (s.record as AuditRecord).event === "submitted")).toBe(true);
  }), 60_000);
