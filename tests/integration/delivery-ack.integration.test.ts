// A delivery settled later by its reply subject alone (shared/nats/delivery-ack.ts): acked, it is
// gone from the consumer; nak'd, it comes again; on a closed connection, settling throws. Its
// position read from that subject (delivery-position.ts) is what nats.js reads.
import { randomUUID } from "node:crypto";
import { AckPolicy, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, inject, it } from "vitest";
import { brokerConnection } from "../support/broker-connection.ts";
import { handleOf, settleDelivery } from "../../shared/nats/delivery-ack.ts";
import { deliveryPosition } from "../../shared/nats/delivery-position.ts";

describe("settling a delivery by its reply subject", () => {
  const broker = brokerConnection();

  it("acks and naks what JsMsg.ack() and nak() would, and refuses to once the connection is closed", async () => {
    const id = randomUUID().replaceAll("-", "");
    const stream = `TEST_ACK_${id}`;
    const subject = `test.ack.${id}`;
    const jsm = await jetstreamManager(broker.nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    try {
      const js = jetstream(broker.nc);
      for (const body of ["first", "second"]) await js.publish(subject, body);
      await jsm.consumers.add(stream, { durable_name: "reader", ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
      const consumer = await js.consumers.get(stream, "reader");
      const next = async (): Promise<JsMsg> => {
        const m = (await consumer.next({ expires: 5_000 }))!;
        expect(deliveryPosition(m)).toEqual({ stream: m.info.stream, streamSeq: m.info.streamSequence, deliveryCount: m.info.deliveryCount });
        return m;
      };

      const first = await next();
      const handle = handleOf(first);
      // nats.js shows the reply subject (else the handle is the message, and nothing is gained).
      expect(handle).toBe((first as unknown as { reply: string }).reply);
      expect(handle).toMatch(/^\$JS\.ACK\./);
      settleDelivery(broker.nc, handle, "nak");
      // The nak'd one comes again (before or after the next one: the server does not promise which).
      const both = [await next(), await next()];
      const again = both.find((m) => m.string() === "first")!;
      const second = both.find((m) => m.string() === "second")!;
      expect(again.redelivered).toBe(true);
      expect(deliveryPosition(again)).toEqual({ stream, streamSeq: 1, deliveryCount: 2 });
      expect(second.redelivered).toBe(false);
      for (const m of both) settleDelivery(broker.nc, handleOf(m), "ack");
      await broker.nc.flush();
      const info = await consumer.info();
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_pending).toBe(0);
      expect(info.ack_floor.stream_seq).toBe(2);

      // Settled on another connection than the one it came on: the ack subject names the
      // consumer and sequence, not the connection. On the closed one, settling throws.
      await js.publish(subject, "third");
      const other = await connect({ servers: inject("natsUrl") });
      const third = (await (await jetstream(other).consumers.get(stream, "reader")).next({ expires: 5_000 }))!;
      expect(third.string()).toBe("third");
      await other.close();
      expect(() => settleDelivery(other, handleOf(third), "ack")).toThrow();
      expect(() => settleDelivery(undefined, handleOf(third), "ack")).toThrow(/expected a connection/);
      expect((await consumer.info()).num_ack_pending).toBe(1);
      settleDelivery(broker.nc, handleOf(third), "ack");
      await broker.nc.flush();
      expect((await consumer.info()).num_ack_pending).toBe(0);
    } finally {
      await jsm.streams.delete(stream);
    }
  });
});
