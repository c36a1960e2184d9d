// Agency ids with a service suffix (DE-BKA) on a real nats-server with the generated accounts:
// the config loads (AGENCY_DE-BKA), the suffixed agency has its keys, subjects and consumer, the
// coordinator routes, tracks and audits for it, and its sibling DE — whose id is a prefix of
// it — can neither submit as it nor read its consumer.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { consumers, streams, subjects } from "../../shared/contracts/index.ts";
import { readIdentity, writeIdentities } from "../../shared/exchange/identities.ts";
import { startTestExchange, testAlertBody, testRoster, type TestExchange } from "../support/exchange.ts";
import { deliveriesTo, eventually } from "../support/streams-read.ts";
import { auditDeliveryEvents, trackingOf } from "../support/tracking.ts";

let ex: TestExchange;
beforeAll(async () => {
  ex = await startTestExchange({ roster: testRoster(["DE", "DE-BKA", "KZ-BGS", "RU"]), auth: true, speed: 60 });
  await ex.startCoordinator("c1");
});
afterAll(() => ex?.stop());

it("routes, tracks and audits deliveries to and from suffixed agencies", async () => {
  const alert = await ex.send("KZ-BGS", "alert", testAlertBody({ distribution: { agencies: ["DE-BKA", "DE"] } }) as never);
  const got = await eventually(async () => ((await deliveriesTo(ex.admin, "DE-BKA")).some((m) => m.id === alert.id) ? true : undefined), 10_000, "delivery to DE-BKA");
  expect(got).toBe(true);
  expect(await trackingOf(ex.admin, alert.id, "DE-BKA")).toMatchObject({ recipient: "DE-BKA", originator: "KZ-BGS" });
  const audit = await auditDeliveryEvents(ex.admin);
  expect(audit.filter((r) => r.messageId === alert.id).map((r) => [r.event, r.actor, r.agency ?? null])).toEqual(
    expect.arrayContaining([["submitted", "KZ-BGS", null], ["delivered", "ATIX", "DE-BKA"], ["delivered", "ATIX", "DE"]]),
  );

  // The suffixed agency reads its own durable consumer through its account's imports.
  const bka = await ex.connectAgency("DE-BKA");
  const info = await (await bka.js.consumers.get(streams.deliveries.name, consumers.agency("DE-BKA"))).info();
  expect(info.config.filter_subject).toBe(subjects.deliverOf("DE-BKA"));
});

it("keeps DE and DE-BKA apart: DE cannot submit as DE-BKA or read its consumer", async () => {
  const de = await ex.connectAgency("DE");
  await expect(de.js.publish(subjects.submit("DE-BKA", "alert"), "{}", { msgID: "posing-as-bka" })).rejects.toThrow(/permission/i);
  await expect(de.js.consumers.get(streams.deliveries.name, consumers.agency("DE-BKA"))).rejects.toThrow(/permission/i);
  // Its own subjects still work: the refusal is about the other id, not the shape of the ids.
  await expect((await de.js.consumers.get(streams.deliveries.name, consumers.agency("DE"))).info()).resolves.toBeTruthy();
});

it("writes and reads back a suffixed agency's key file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "atix-keys-"));
  try {
    const id = ex.ids.agencies.get("DE-BKA")!;
    await writeIdentities(dir, [id]);
    expect(await readIdentity(dir, "DE-BKA")).toEqual(id);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
