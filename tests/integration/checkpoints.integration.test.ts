// Checkpoints of the tracking view against a real nats-server with the generated permissions: a
// coordinator writes them as the chain grows; a restarted one starts from the newest and reads
// only the chain after it, with the same view as one that reads the whole chain; `atix status`
// (as the observer) counts the same figures from it; and a checkpoint that does not hold up
// (forged, or not matching the chain) is refused with the reason, and the whole chain is read.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgencyHost } from "../../services/agency/index.ts";
import { exchangeStatus } from "../../shared/exchange/exchange-status.ts";
import type { Coordinator } from "../../services/coordinator/coordinator.ts";
import { ChainReader, readChain } from "../../shared/audit/chain-read.ts";
import { signRecordHash } from "../../shared/audit/chain.ts";
import { canonicalize, streams, subjects } from "../../shared/contracts/index.ts";
import { CheckpointManifest } from "../../shared/exchange/checkpoint-contract.ts";
import { verifyNewestCheckpoint } from "../../shared/exchange/checkpoint-check.ts";
import { readCheckpoint, writeCheckpoint } from "../../shared/exchange/checkpoints.ts";
import { ExchangeFigures } from "../../shared/exchange/figures.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { readTrackingView } from "../../shared/exchange/tracking-read.ts";
import type { TrackingView } from "../../shared/exchange/tracking-view.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { createHash } from "node:crypto";
import { registerCoordinatorKeys } from "../../shared/exchange/bootstrap.ts";
import { keyEntry } from "../../shared/exchange/coordinator-keys.ts";
import { openStore, startTestExchange, testAlertBody, testRoster, type TestExchange } from "../support/exchange.ts";
import { eventually } from "../support/streams-read.ts";

let ex: TestExchange;
let host: AgencyHost;
let observer: NatsConnection;

const chainEnd = async () => (await ChainReader.of(ex.admin)).end();
/** Where each delivery stands, comparable across views. */
const standing = (v: TrackingView) =>
  [...v.all()].map((t) => `${t.messageId} ${t.recipient} ${t.state} ${t.ackId ?? "-"} ${t.receiptId ?? "-"}`).sort();

async function sendAlerts(n: number, from = "AZ") {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await ex.send(from, "alert", testAlertBody({ title: `Checkpoint alert ${i}`, distribution: { agencies: ["AZ", "KZ", "KG"].filter((a) => a !== from) } }))).id);
  return ids;
}

/** Every delivery of `ids` acknowledged, as the chain tells it. */
const allAcknowledged = (ids: string[]) =>
  eventually(async () => {
    const v = await readTrackingView(ex.admin);
    return ids.every((id) => v.ofMessage(id).length === 2 && v.ofMessage(id).every((t) => t.state === "acknowledged")) ? true : undefined;
  }, 30_000, "every delivery acknowledged");

beforeAll(async () => {
  ex = await startTestExchange({ auth: true, speed: 60 });
  const roster = testRoster();
  host = new AgencyHost({
    servers: ex.url,
    registry: ex.registry.data,
    clock: ex.clock.snapshot(),
    agencies: roster.agencies.map((agency) => ({ agency, seed: ex.ids.agencies.get(agency.id)!.seed })),
  });
  observer = await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed });
});
afterAll(async () => {
  await host?.stop();
  await observer?.drain().catch(() => undefined);
  await ex?.stop();
});

describe("checkpoints", () => {
  let first: Coordinator;

  it("are written as the chain grows, and a restart reads only the chain after the newest", async () => {
    first = await ex.startCoordinator("c1", { checkpointEvery: 10 });
    expect(first.checkpoints.restored).toEqual({ from: "chain" });
    await host.start();
    const acked = await sendAlerts(6);
    await allAcknowledged(acked);
    // Some left open: KG's node is down for these.
    await host.stopNode("KG");
    await sendAlerts(3);
    const end = await chainEnd();
    await first.checkpoints.whenWritten(end - 10);
    expect(first.checkpoints.written).toBeGreaterThan(0);

    const read = await readCheckpoint(ex.admin, await ChainReader.of(ex.admin), await ex.registryNow());
    expect(read.found === "refused" ? read.reason : read.found).toBe("usable");
    await first.stop();
    ex.coordinators.splice(ex.coordinators.indexOf(first), 1);

    const second = await ex.startCoordinator("c2", { checkpointEvery: 10 });
    const restored = second.checkpoints.restored;
    expect(restored).toMatchObject({ from: "checkpoint" });
    if (restored?.from !== "checkpoint") throw new Error("not restored");
    expect(restored.seq).toBeGreaterThanOrEqual(end - 10);
    expect(restored.tailRecords).toBeLessThan(end); // not the whole chain
    // The same deliveries, in the same state, as the whole chain tells.
    expect(standing(second.context.tracking)).toEqual(standing(await readTrackingView(ex.admin)));
    // And it takes submissions, and judges acknowledgements of deliveries it only knows from the checkpoint.
    await host.startNode("KG");
    const more = await sendAlerts(2, "KZ");
    await eventually(async () => {
      const v = await readTrackingView(ex.admin);
      return [...v.all()].every((t) => t.state === "acknowledged") && more.every((id) => v.ofMessage(id).length === 2) ? true : undefined;
    }, 60_000, "everything acknowledged after the restart")
  }, 120_000);

  it("give `atix status` (as the observer) the same figures as the whole chain", async () => {
    await ex.coordinators[0]!.checkpoints.whenWritten((await chainEnd()) - 10);
    await sendAlerts(1); // a record or more after the checkpoint
    const end = await chainEnd();
    await eventually(async () => ((await readTrackingView(ex.admin)).size > 0 ? true : undefined), 5_000, "view");
    const status = await exchangeStatus(observer, ex.url, 50);
    expect(status.audit.counted.checkpoint).not.toBeNull();
    expect(status.audit.counted.recordsAfter).toBeLessThan(end);
    const whole = new ExchangeFigures();
    for await (const { record } of readChain(ex.admin)) whole.applyStored(record);
    const simNow = Date.parse(status.simNow);
    const { throughSeq: _a, ...fromCheckpoint } = status.figures;
    const { throughSeq: _b, ...fromChain } = whole.at(simNow);
    expect(fromCheckpoint).toEqual(fromChain);
    expect(fromChain.deliveries).toBeGreaterThan(0);
  });

  it("are refused when forged or not matching the chain, and the whole chain is read instead", async () => {
    const js = jetstream(ex.admin);
    const jsm = await jetstreamManager(ex.admin);
    const newest = await jsm.direct.getMessage(streams.checkpoints.name, { last_by_subj: subjects.checkpointManifest });
    const good = CheckpointManifest.parse(newest!.json());
    const resign = (m: Omit<CheckpointManifest, "signature">, seed: string): CheckpointManifest => ({
      ...m,
      signature: signRecordHash(createHash("sha256").update(canonicalize(m)).digest("hex"), seed),
    });
    const { signature: _s, ...unsigned } = good;
    // A coordinator key of the registry, signing a checkpoint of another chain (a bug, or a key misused).
    const insider = newIdentity("insider");
    await registerCoordinatorKeys(await openStore(ex.admin), [keyEntry("insider", insider.publicKey)]);
    const cases: [string, CheckpointManifest, RegExp][] = [
      ["signed with a key the registry does not list", resign(unsigned, newIdentity("intruder").seed), /not a coordinator key of the registry/],
      ["changed after signing", { ...good, open: good.open + 1 }, /signature does not match/],
      ["signed with another instance's key than it names", resign(unsigned, insider.seed), /says it was written by .* but is signed with the key of insider/],
      ["naming a record the chain does not hold there", resign({ ...unsigned, instance: "insider", position: { ...good.position, hash: "f".repeat(64) } }, insider.seed), /does not match the audit chain/],
      ["naming a record past the chain's end", resign({ ...unsigned, instance: "insider", position: { ...good.position, streamSeq: 1_000_000 } }, insider.seed), /holds no record at stream sequence 1000000/],
      ["whose data was replaced", resign({ ...unsigned, instance: "insider", sha256: "0".repeat(64) }, insider.seed), /does not match its manifest's digest/],
    ];
    for (const [what, manifest, reason] of cases) {
      await js.publish(subjects.checkpointManifest, JSON.stringify(manifest));
      const c = await ex.startCoordinator(`forged-${cases.findIndex((x) => x[0] === what)}`);
      expect(c.checkpoints.restored, what).toMatchObject({ from: "chain", refused: expect.stringMatching(reason) });
      expect(standing(c.context.tracking), what).toEqual(standing(await readTrackingView(ex.admin)));
      const status = await exchangeStatus(observer, ex.url, 50);
      expect(status.audit.counted, what).toMatchObject({ checkpoint: null, refused: expect.stringMatching(reason) });
      await c.stop();
      ex.coordinators.splice(ex.coordinators.indexOf(c), 1);
    }
  });

  it("signed by a registered key but not what the chain says: refused when inconsistent, else found by `atix audit verify`", { timeout: 90_000 }, async () => {
    // A good checkpoint again after the forged ones above.
    const honest = ex.coordinators[0]!;
    const written = honest.checkpoints.written;
    await sendAlerts(4);
    await eventually(() => (honest.checkpoints.written > written ? true : undefined), 30_000, "a new checkpoint");
    const chain = await ChainReader.of(ex.admin);
    const read = await readCheckpoint(ex.admin, chain, await ex.registryNow());
    if (read.found !== "usable") throw new Error(`no usable checkpoint: ${read.found}`);
    const { manifest, snapshot } = read.checkpoint;
    const insider = newIdentity("insider2");
    await registerCoordinatorKeys(await openStore(ex.admin), [keyEntry("insider2", insider.publicKey)]);
    const keys = await ex.registryNow();
    const forge = (s: typeof snapshot) => writeCheckpoint(ex.admin, { position: manifest.position, snapshot: s, instance: "insider2", seed: insider.seed });
    const restart = async (name: string) => {
      const c = await ex.startCoordinator(name);
      const restored = c.checkpoints.restored;
      const view = standing(c.context.tracking);
      await c.stop();
      ex.coordinators.splice(ex.coordinators.indexOf(c), 1);
      return { restored, view };
    };
    // A ghost open delivery, its counters not raised to match: refused, the whole chain is read.
    const ghost = { messageId: "019a0000-0000-7000-8000-00000000beef", kind: "alert", originator: "AZ", precedence: "FLASH" as const, deliveredAt: manifest.position.at, deadline: "2027-09-21T08:00:00.000Z", to: [{ recipient: "KZ", state: "delivered" as const }] };
    await forge({ ...snapshot, deliveries: [...snapshot.deliveries, ghost] });
    expect((await restart("ghost-1")).restored).toMatchObject({ from: "chain", refused: expect.stringMatching(/do not match the 1 open deliveries|where its manifest says/) });
    // With its counters raised to match, it is used (signed like the chain's records), and the audit finds it.
    const counts = structuredClone(snapshot.counts);
    counts.byPrecedence.FLASH.deliveries++;
    await forge({ ...snapshot, deliveries: [...snapshot.deliveries, ghost], counts });
    expect((await restart("ghost-2")).restored).toMatchObject({ from: "checkpoint" });
    expect(await verifyNewestCheckpoint(observer, keys)).toMatchObject({ checkpoint: "differs", difference: expect.stringMatching(/beef to KZ that the chain does not record/) });
    // Records after its position it claims to have applied ahead, which another key signed: applied all the same.
    await sendAlerts(1);
    await eventually(async () => ((await chain.end()) > manifest.position.streamSeq + 1 ? true : undefined), 10_000, "records after the checkpoint");
    const after: string[] = [];
    for await (const { record } of chain.read({ fromSeq: manifest.position.streamSeq + 1 })) after.push((record as { eventId: string }).eventId);
    expect(after.length).toBeGreaterThan(0);
    await forge({ ...snapshot, ahead: after });
    const r = await restart("ahead");
    expect(r.restored).toMatchObject({ from: "checkpoint" });
    expect(r.view).toEqual(standing(await readTrackingView(ex.admin)));
    // An honest checkpoint agrees.
    await writeCheckpoint(ex.admin, { position: manifest.position, snapshot, instance: "insider2", seed: insider.seed });
    expect(await verifyNewestCheckpoint(observer, keys)).toMatchObject({ checkpoint: "agrees" });
  });
});
