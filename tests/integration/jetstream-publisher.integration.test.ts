// JetStream publishes answered on one subscription per connection (shared/nats/jetstream-publisher.ts),
// against a real broker: every answer js.publish knows means the same here, as the same errors.
import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection, NoRespondersError, TimeoutError } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { isExpectationRefused, isTransient } from "../../shared/nats/errors.ts";
import { durablePublisher } from "../../shared/nats/jetstream-publisher.ts";

describe("JetStreamPublisher", () => {
  let nc: NatsConnection;
  let stream: string;
  let subject: string;
  beforeAll(async () => {
    nc = await connect({ servers: inject("natsUrl") });
    const id = randomUUID().replaceAll("-", "");
    stream = `TEST_PUB_${id}`;
    subject = `test.pub.${id}`;
    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${subject}.>`], duplicate_window: 60_000_000_000 });
  });
  afterAll(async () => {
    await nc?.drain();
  });
  const publisher = () => durablePublisher(nc);

  it("answers with the PubAck: stored, then a duplicate under the same msgID", async () => {
    const first = await publisher().publish(`${subject}.a`, "one", { msgID: "m-1" });
    expect(first).toMatchObject({ stream, seq: 1, duplicate: false });
    const again = await publisher().publish(`${subject}.a`, "one", { msgID: "m-1" });
    expect(again).toMatchObject({ stream, seq: 1, duplicate: true });
    expect(publisher().inFlight).toBe(0);
  });

  it("matches each answer to its publish when many are in flight", async () => {
    const acks = await Promise.all(Array.from({ length: 200 }, (_, i) => publisher().publish(`${subject}.many`, String(i), { msgID: `many-${i}` })));
    const stored = await jetstreamManager(nc).then((jsm) => Promise.all(acks.map((a) => jsm.streams.getMessage(stream, { seq: a.seq }))));
    expect(stored.map((m) => m!.string())).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });

  it("refuses a write whose expectation is not met with the server's code", async () => {
    const h = headers();
    h.set("Nats-Expected-Last-Sequence", "1");
    const err = await publisher().publish(`${subject}.b`, "late", { msgID: "m-2", headers: h }).catch((e: unknown) => e);
    expect(isExpectationRefused(err)).toBe(true);
    expect(isTransient(err)).toBe(false);
  });

  it("says no responders for a subject no stream takes, and that it is worth a retry", async () => {
    const err = await publisher().publish(`nowhere.${randomUUID()}`, "x", { msgID: "m-3" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoRespondersError);
    expect(isTransient(err)).toBe(true);
  });

  it("times out when a subscriber takes the message and never answers", async () => {
    const silent = `silent.${randomUUID()}`;
    const sub = nc.subscribe(silent);
    await nc.flush();
    const err = await publisher().publish(silent, "x", { msgID: "m-4", timeout: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(isTransient(err)).toBe(true);
    expect(publisher().inFlight).toBe(0);
    sub.unsubscribe();
  });

  it("takes its replies on the inbox the connection was opened with, however it was opened", async () => {
    // A member's own node connects with its identity's inbox prefix (the only one it may read).
    const own = await connect({ servers: inject("natsUrl"), inboxPrefix: "_INBOX_KZ" });
    const seen = own.subscribe(`${subject}.own`, { max: 1 });
    await own.flush();
    const ack = await durablePublisher(own).publish(`${subject}.own`, "mine", { msgID: "own-1" });
    expect(ack).toMatchObject({ stream, duplicate: false });
    for await (const m of seen) expect(m.reply).toMatch(/^_INBOX_KZ\./);
    await own.close();
  });

  it("tells what waits when the connection closes", async () => {
    const other = await connect({ servers: inject("natsUrl") });
    const silent = `silent.${randomUUID()}`;
    const sub = nc.subscribe(silent);
    await nc.flush();
    const p = durablePublisher(other).publish(silent, "x", { msgID: "m-5", timeout: 60_000 });
    await other.flush();
    await other.close();
    await expect(p).rejects.toThrow(/closed before the PubAck/);
    sub.unsubscribe();
  });
});
