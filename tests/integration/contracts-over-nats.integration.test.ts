// The contracts on the wire: every example travels through JetStream on its own subject and
// arrives byte-for-byte intact, valid and verifiable; de-duplication by message id holds.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MESSAGE_KINDS, parseMessageText, subjects, verify } from "../../shared/contracts/index.ts";
import { demoKeys, examples } from "../support/examples.ts";

let nc: NatsConnection;
const stream = `CONTRACTS_${Date.now()}`;
const root = `t${Date.now()}`;

beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${root}.>`], duplicate_window: 60_000_000_000 });
});
afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream);
  await nc.drain();
});

describe("example messages over JetStream", () => {
  it("arrive intact, in order, valid and with verifiable signatures; a resend is a duplicate", async () => {
    const js = jetstream(nc);
    for (const kind of MESSAGE_KINDS) {
      const m = examples[kind];
      const h = headers();
      h.set("Nats-Msg-Id", m.id);
      // Agencies submit; the coordinator's own kinds travel on a recipient's delivery subject.
      const subject = `${root}.${m.sender === "ATIX" ? subjects.deliver("KG", kind) : subjects.submit(m.sender, kind)}`;
      const ack = await js.publish(subject, JSON.stringify(m), { msgID: m.id, headers: h });
      expect(ack.duplicate).toBe(false);
      const again = await js.publish(subject, JSON.stringify(m), { msgID: m.id });
      expect(again.duplicate).toBe(true);
    }
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(stream, { durable_name: "reader", ack_policy: "explicit" });
    const consumer = await js.consumers.get(stream, "reader");
    const got: string[] = [];
    const iter = await consumer.fetch({ max_messages: MESSAGE_KINDS.length, expires: 5000 });
    for await (const msg of iter) {
      const r = parseMessageText(msg.data);
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(msg.subject.endsWith(`.${r.value.kind}`)).toBe(true);
        expect(verify(r.value, demoKeys[r.value.sender]!.publicKey)).toEqual({ ok: true });
        got.push(r.value.kind);
      }
      msg.ack();
    }
    expect(got).toEqual(MESSAGE_KINDS);
  });
});
