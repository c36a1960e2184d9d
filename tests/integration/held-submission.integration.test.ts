// A submission the coordinator holds (services/coordinator/held-submission.ts), against a real
// broker: one held past its consumer's ack wait is told "working" in time and never handed out
// again, and one answered soon is never told "working" at all (each is a message for the broker).
import { randomUUID } from "node:crypto";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { brokerConnection } from "../support/broker-connection.ts";
import { HeldSubmission, workingDue } from "../../services/coordinator/held-submission.ts";

describe("HeldSubmission", () => {
  const broker = brokerConnection();

  it("is due a working at the end of the time allowed, not before", () => {
    expect(workingDue(1_000, 2_999, 2_000)).toBe(false);
    expect(workingDue(1_000, 3_000, 2_000)).toBe(true);
  });

  it("keeps a submission held past its ack wait from being handed out again, and tells one answered soon nothing", async () => {
    const id = randomUUID().replaceAll("-", "");
    const stream = `TEST_HELD_${id}`;
    const jsm = await jetstreamManager(broker.nc);
    await jsm.streams.add({ name: stream, subjects: [`test.held.${id}`] });
    const js = jetstream(broker.nc);
    await js.publish(`test.held.${id}`, "soon");
    await js.publish(`test.held.${id}`, "long");
    const ackWaitMs = 2_000;
    await jsm.consumers.add(stream, { durable_name: "intake", ack_policy: AckPolicy.Explicit, ack_wait: ackWaitMs * 1_000_000, max_deliver: -1 });
    // What the intake answers on each message's ack subject, as the broker gets it.
    const answers: string[][] = [[], []];
    const sub = broker.nc.subscribe(`$JS.ACK.${stream}.>`, { callback: (_, m) => void answers[Number(m.subject.split(".")[6]) - 1]!.push(m.string()) });
    await broker.nc.flush();

    // Given both taken up, told "working" after a quarter of the ack wait, looked at every 100 ms.
    const batch = await (await js.consumers.get(stream, "intake")).fetch({ max_messages: 2, expires: 2_000 });
    const held: HeldSubmission[] = [];
    for await (const jm of batch) held.push(new HeldSubmission(broker.nc, jm));
    expect(held.map((h) => new TextDecoder().decode(h.data))).toEqual(["soon", "long"]);
    const [soon, long] = held as [HeldSubmission, HeldSubmission];
    const afterMs = ackWaitMs / 4;
    const tick = setInterval(() => held.forEach((h) => h.keepAlive(Date.now(), afterMs)), 100);

    // When one is answered at once and the other is held for more than twice the ack wait.
    soon.ack();
    const start = Date.now();
    while (Date.now() - start < 2.25 * ackWaitMs) await new Promise((r) => setTimeout(r, 100));
    const info = await jsm.consumers.info(stream, "intake");
    long.ack();
    clearInterval(tick);
    await broker.nc.flush();

    // Then the long one was never handed out again, and was told working; the other only acked.
    expect(info.num_redelivered).toBe(0);
    expect(info.num_ack_pending).toBe(1);
    expect(answers[0]).toEqual(["+ACK"]);
    expect(answers[1]!.filter((a) => a === "+WPI").length).toBeGreaterThanOrEqual(3);
    expect(answers[1]!.at(-1)).toBe("+ACK");
    sub.unsubscribe();
    await jsm.streams.delete(stream);
  });
});
