// An agency that was offline receives everything addressed to it, in order, when it returns —
// through the real coordinator and the real agency node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertMessage } from "../../shared/contracts/index.ts";
import { readTrackingView } from "../../shared/exchange/tracking-read.ts";
import { AgencyHost } from "../../services/agency/index.ts";
import { eventually } from "../support/streams-read.ts";
import { startTestExchange, testRoster, type TestExchange } from "../support/exchange.ts";

let ex: TestExchange;
let host: AgencyHost;
beforeAll(async () => {
  ex = await startTestExchange({ speed: 60 });
  await ex.startCoordinator();
  const roster = testRoster();
  host = new AgencyHost({
    servers: ex.url,
    authenticate: false,
    registry: ex.registry.data,
    clock: ex.clock.snapshot(),
    agencies: roster.agencies.map((agency) => ({ agency, seed: ex.ids.agencies.get(agency.id)!.seed })),
  });
  await host.start();
});
afterAll(async () => {
  await host?.stop();
  await ex?.stop();
});

describe("offline agency", () => {
  it("catches up on everything sent while it was offline, in order, and receipts each", async () => {
    await host.stopNode("KG");
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const m = await ex.send("AZ", "alert", {
        precedence: i % 2 ? "ROUTINE" : "PRIORITY", category: "drug-trafficking", evaluation: { reliability: "B", credibility: 2 },
        title: `Courier route update ${i}`, tlp: "AMBER", handling: "H1", distribution: { agencies: ["KG", "KZ"] },
      } as AlertMessage["body"]);
      ids.push(m.id);
    }
    // KZ was online all along and has them already.
    await eventually(() => (ids.every((id) => host.node("KZ")!.received.includes(id)) ? true : undefined), 20_000, "KZ deliveries");
    expect(host.node("KG")!.received.filter((id) => ids.includes(id))).toEqual([]);
    await host.startNode("KG");
    const got = await eventually(() => {
      const r = host.node("KG")!.received.filter((id) => ids.includes(id));
      return r.length === ids.length ? r : undefined;
    }, 20_000, "KG to catch up");
    expect(got).toEqual(ids);
    await eventually(async () => {
      const view = await readTrackingView(ex.admin);
      return ids.every((id) => view.get(id, "KG")?.receiptAt) ? true : undefined;
    }, 20_000, "KG's receipts to be recorded");
  });
});
