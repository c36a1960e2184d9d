// The loop that reads an agency's consumer (services/agency/delivery-loop.ts), against a real
// broker: receipts that fail a moment apart (a broker election) hand their deliveries back, and
// reading goes on from there until every delivery is acked, rather than nak'ing for ever.
import { randomUUID } from "node:crypto";
import { AckPolicy, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { brokerConnection } from "../support/broker-connection.ts";
import { DeliveryLoop } from "../../services/agency/delivery-loop.ts";
import { createLogger } from "../../shared/log.ts";

describe("DeliveryLoop", () => {
  const broker = brokerConnection();

  it("reads on after two receipts fail a moment apart, the second while it waits to read again, until every delivery is acked", async () => {
    const id = randomUUID().replaceAll("-", "");
    const stream = `TEST_LOOP_${id}`;
    const subject = `test.loop.${id}`;
    const jsm = await jetstreamManager(broker.nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const js = jetstream(broker.nc);
    const total = 40;
    for (let i = 1; i <= total; i++) await js.publish(subject, String(i));
    // Deliveries in flight when the loop stops reading come again after the ack wait: short here.
    await jsm.consumers.add(stream, { durable_name: "reader", ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000 });
    const consumer = await js.consumers.get(stream, "reader");

    // Given deliveries whose receipts are stored a moment after they are read, except those of 5
    // and 6, which fail 10 and 200 ms later: the first hands its delivery back and the loop waits
    // to read again; the second fails during that wait.
    const failAfterMs = new Map([[5, 10], [6, 200]]);
    const handled: number[] = [];
    const acked = new Set<number>();
    let allAcked!: () => void;
    const done = new Promise<void>((r) => (allAcked = r));
    const loop: DeliveryLoop = new DeliveryLoop(
      consumer,
      (msg: JsMsg) => {
        handled.push(msg.seq);
        const fail = failAfterMs.get(msg.seq);
        if (fail !== undefined) {
          failAfterMs.delete(msg.seq);
          setTimeout(() => {
            msg.nak();
            loop.rewind();
          }, fail);
        } else
          setTimeout(() => {
            msg.ack();
            acked.add(msg.seq);
            if (acked.size === total) allAcked();
          }, 5);
        return true;
      },
      createLogger("test", {}, "silent"),
    );

    // When the loop reads.
    loop.start();
    try {
      await done;
      // Then every delivery was acked, and the two handed back were read again, each once or so,
      // not nak'd and redelivered by the thousand.
      expect(acked.size).toBe(total);
      expect(handled.filter((s) => s === 5).length).toBeGreaterThanOrEqual(2);
      expect(handled.length).toBeLessThan(3 * total);
      await broker.nc.flush();
      await expect.poll(async () => (await consumer.info()).ack_floor.stream_seq).toBe(total);
    } finally {
      await loop.stop();
      await jsm.streams.delete(stream);
    }
  });
});
