// The exchange on a 3-node NATS cluster (the generated accounts, streams and buckets with three
// replicas), two coordinators and six agency nodes: mid-traffic the node a coordinator is on is
// killed with SIGKILL and restarted, then the node an agency is on. Every delivery reaches its
// duty officer exactly once, nothing escalates twice, and the audit chain verifies.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { perDelivery } from "../../shared/audit/deliveries.ts";
import { streams } from "../../shared/contracts/index.ts";
import { createLogger } from "../../shared/log.ts";
import { AgencyHost } from "../../services/agency/index.ts";
import { Recorder } from "../../simulations/runner/recorder.ts";
import { startTestExchange, testAlertBody, type TestExchange } from "../support/exchange.ts";
import { auditRecords, eventually } from "../support/streams-read.ts";

let ex: TestExchange;
let host: AgencyHost;
const rec = new Recorder();

beforeAll(async () => {
  ex = await startTestExchange({ auth: true, cluster: 3, speed: 60 });
  await ex.startCoordinator("c1");
  await ex.startCoordinator("c2");
  host = new AgencyHost({
    servers: ex.url,
    agencies: ex.registry.ids.map((id) => ({ agency: ex.registry.get(id)!, seed: ex.ids.agencies.get(id)!.seed })),
    registry: ex.registry.data,
    clock: ex.clock.snapshot(),
    rngSeed: 6,
    hitProbability: 0,
    logger: createLogger("agency", {}, "warn"),
  });
  host.onEvent(rec.onAgencyEvent);
  await host.start();
}, 90_000);

afterAll(async () => {
  await host?.stop();
  await ex?.stop();
}, 60_000);

/** The cluster node a connection is on now. */
const nodeOf = (nc: NatsConnection) => {
  const port = Number(nc.getServer().split(":").pop());
  const i = ex.cluster!.nodes.findIndex((n) => n.port === port);
  expect(i, `node of ${nc.getServer()}`).toBeGreaterThanOrEqual(0);
  return i;
};

/** SIGKILL a node, bring it back after a while (in the background, as a crash and a restart). */
function crash(i: number, downMs: number): Promise<void> {
  return ex.cluster!.kill(i).then(() => new Promise((r) => setTimeout(r, downMs))).then(() => ex.cluster!.restart(i));
}

describe("a 3-node NATS cluster", () => {
  it("runs the exchange's accounts with JetStream: every stream and bucket has three replicas", async () => {
    const jsm = await jetstreamManager(ex.admin);
    for (const name of [streams.submissions.name, streams.deliveries.name, streams.audit.name, "KV_ATIX_ESCALATION_CLAIMS"]) {
      const info = await jsm.streams.info(name);
      expect(info.config.num_replicas, name).toBe(3);
      expect(info.cluster?.replicas?.length, `${name} followers`).toBe(2);
    }
  });

  it("loses and doubles nothing when the nodes a coordinator and an agency are on are killed mid-traffic", async () => {
    const senders = ex.registry.ids;
    const sent: { id: string; from: string }[] = [];
    const crashes: Promise<void>[] = [];
    for (let i = 0; i < 36; i++) {
      if (i === 8) crashes.push(crash(nodeOf(ex.coordinators[0]!.context.nc), 2_000));
      if (i === 24) crashes.push(crash(nodeOf(host.node("KZ")!.connection!), 2_000));
      const from = senders[i % senders.length]!;
      const m = await ex.send(from, "alert", testAlertBody({ precedence: "ROUTINE", tlp: "GREEN", title: `Bulletin ${i} during broker failures` }));
      sent.push({ id: m.id, from });
      await new Promise((r) => setTimeout(r, 150));
    }
    await Promise.all(crashes);

    // Every other agency receives each alert and its duty officer acknowledges it.
    await eventually(
      () => sent.every(({ id, from }) => senders.every((a) => a === from || (rec.received(id, a) && rec.acks.get(id)?.get(a)))) || undefined,
      120_000,
      "every alert delivered and acknowledged",
    );
    for (const { id, from } of sent)
      for (const a of senders.filter((x) => x !== from)) {
        expect(rec.deliveries.get(id)?.get(a)?.size, `copies of ${id} at ${a}`).toBe(1);
        expect(rec.acks.get(id)?.get(a), `acknowledgements of ${id} by ${a}`).toBe(1);
      }

    const audit = await auditRecords(ex.admin);
    const v = new ChainVerifier(await ex.trusted());
    audit.forEach((r) => v.push(r));
    expect(v.result()).toMatchObject({ ok: true });
    const eventIds = audit.map((r) => r.eventId);
    expect(new Set(eventIds).size, "every audit event recorded once").toBe(eventIds.length);
    expect(audit.filter((r) => r.event === "submitted")).toHaveLength(sent.length);
    // One "delivered" record per message, one event per delivery when expanded.
    expect(audit.filter((r) => r.event === "delivered")).toHaveLength(sent.length);
    expect(audit.flatMap(perDelivery).filter((r) => r.event === "delivered")).toHaveLength(sent.length * (senders.length - 1));
  }, 180_000);
});
