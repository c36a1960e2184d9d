import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, startNatsServer } from "../support/nats-server.ts";

// The server is shared by the whole run: keep subjects and stream names unique.
const unique = () => randomUUID().replaceAll("-", "");

describe("global NATS server (tests/setup/global-nats.ts)", () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: inject("natsUrl") });
  });
  afterAll(async () => {
    await nc?.drain();
  });

  it("is a private server, not the one on :4222", () => {
    expect(inject("natsUrl")).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(inject("natsUrl")).not.toMatch(/:4222$/);
    expect(nc.info?.jetstream).toBe(true);
  });

  it("core publish/subscribe round trip", async () => {
    const subject = `test.core.${unique()}`;
    const sub = nc.subscribe(subject, { max: 1 });
    const received = (async () => {
      for await (const m of sub) return { subject: m.subject, data: m.string() };
    })();
    await nc.flush(); // subscription is registered on the server before we publish
    nc.publish(subject, "hello");
    expect(await received).toEqual({ subject, data: "hello" });
  });

  it("JetStream: dedup by msgID, durable consumer, ack", async () => {
    const id = unique();
    const stream = `TEST_${id}`;
    const subject = `test.js.${id}`;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    try {
      const js = jetstream(nc);
      const first = await js.publish(subject, "payload-1", { msgID: `msg-${id}` });
      const again = await js.publish(subject, "payload-1", { msgID: `msg-${id}` });
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.seq).toBe(first.seq);
      expect((await jsm.streams.info(stream)).state.messages).toBe(1);

      await jsm.consumers.add(stream, { durable_name: "worker", ack_policy: AckPolicy.Explicit });
      const consumer = await js.consumers.get(stream, "worker");
      const msg = await consumer.next({ expires: 5_000 });
      expect(msg).not.toBeNull();
      expect(msg?.subject).toBe(subject);
      expect(msg?.string()).toBe("payload-1");
      expect(msg?.seq).toBe(first.seq);
      await msg?.ackAck(); // waits for the server to confirm the ack

      const info = await consumer.info();
      expect(info.num_ack_pending).toBe(0);
      expect(info.ack_floor.stream_seq).toBe(first.seq);
    } finally {
      await jsm.streams.delete(stream);
    }
  });
});

describe("startNatsServer()", () => {
  it("starts a second independent server with extra config, and stop() removes its store dir", async () => {
    const server = await startNatsServer({ config: 'server_name: "atix-harness-extra"\nmax_payload: 65536' });
    try {
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      expect(server.url).not.toBe(inject("natsUrl"));
      expect(existsSync(server.storeDir)).toBe(true);

      const nc = await connect({ servers: server.url });
      try {
        expect(nc.info?.server_name).toBe("atix-harness-extra");
        expect(nc.info?.max_payload).toBe(65536);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "EXTRA", subjects: ["extra.>"] });
        expect((await jetstream(nc).publish("extra.one", "x")).seq).toBe(1);
      } finally {
        await nc.close();
      }
    } finally {
      await server.stop();
    }
    expect(existsSync(server.storeDir)).toBe(false);
    await expect(connect({ servers: server.url, reconnect: false, timeout: 1_000 })).rejects.toThrow();
    await server.stop(); // idempotent
  });

  it("can start without JetStream", async () => {
    const server = await startNatsServer({ jetstream: false });
    try {
      const nc = await connect({ servers: server.url });
      expect(nc.info?.jetstream ?? false).toBe(false);
      await nc.close();
    } finally {
      await server.stop();
    }
  });

  it("puts the broker's profiler on ATIX_BROKER_PROF_PORT, and refuses a value that is not a port", async () => {
    const before = process.env.ATIX_BROKER_PROF_PORT;
    try {
      for (const bad of ["abc", "0", "65536", "1.5"]) {
        process.env.ATIX_BROKER_PROF_PORT = bad;
        await expect(startNatsServer()).rejects.toThrow(`ATIX_BROKER_PROF_PORT: expected a TCP port from 1 to 65535, got "${bad}"`);
      }
      const port = await freePort();
      process.env.ATIX_BROKER_PROF_PORT = String(port);
      const server = await startNatsServer({ jetstream: false });
      try {
        const res = await fetch(`http://127.0.0.1:${port}/debug/pprof/cmdline`);
        expect(res.status).toBe(200);
      } finally {
        await server.stop();
      }
    } finally {
      if (before === undefined) delete process.env.ATIX_BROKER_PROF_PORT;
      else process.env.ATIX_BROKER_PROF_PORT = before;
    }
  });

  it("fails with the server's stderr when the config is invalid", async () => {
    await expect(startNatsServer({ config: "this is { not valid" })).rejects.toThrow(
      /exited during startup[\s\S]*stderr tail:\n\S/,
    );
  });
});
