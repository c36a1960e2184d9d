// Nothing lost, nothing doubled: a coordinator SIGKILLed mid-burst and restarted, two instances
// sharing the work, and escalation steps that fire exactly once across instances and restarts,
// coalesced (one message per step and agency told), a claim left by a dead instance finished as frozen.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import type { AlertMessage, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { submit } from "../../shared/messaging/submit.ts";
import { startChild, stopChild, type Child } from "../../services/launcher/children.ts";
import { escalationClaimKey } from "../../shared/exchange/records.ts";
import { escalationItems, type EscalationMessage } from "../../shared/contracts/index.ts";
import { auditRecords, deliveriesTo, eventually } from "../support/streams-read.ts";
import { openStore, startTestExchange, type TestExchange } from "../support/exchange.ts";

const exchanges: TestExchange[] = [];
afterAll(async () => {
  for (const ex of exchanges) await ex.stop();
});

const body = (i: number) =>
  ({
    precedence: "ROUTINE", category: "organised-crime", evaluation: { reliability: "C", credibility: 3 },
    title: `Routine bulletin ${i}`, tlp: "GREEN", handling: "H0", distribution: { all: true },
  }) as AlertMessage["body"];

async function burst(ex: TestExchange, n: number) {
  const senders = ex.registry.ids;
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const from = senders[i % senders.length]!;
      const { js } = await ex.connectAgency(from);
      const m = compose("alert", body(i), { sender: from, sentAt: ex.clock.iso() });
      ids.push(m.id);
      await submit(js, ex.ids.agencies.get(from)!.seed, m);
    }),
  );
  return ids;
}

/** Every alert reached every recipient exactly once; every event is in the chain exactly once. */
async function expectExactlyOnce(ex: TestExchange, ids: string[]) {
  const audit: StoredAuditRecord[] = await eventually(async () => {
    const a = await auditRecords(ex.admin);
    return a.filter((r) => r.event === "submitted").length === ids.length ? a : undefined;
  }, 60_000, `${ids.length} submitted records`);
  const v = new ChainVerifier(await ex.trusted());
  audit.forEach((r) => v.push(r));
  expect(v.result().ok).toBe(true);
  const eventIds = audit.map((r) => r.eventId);
  expect(new Set(eventIds).size).toBe(eventIds.length);
  const wanted = new Set(ids);
  for (const agency of ex.registry.ids) {
    const got = (await deliveriesTo(ex.admin, agency)).filter((d) => wanted.has(d.id));
    const sent = ids.filter((id) => audit.some((r) => r.event === "submitted" && r.messageId === id && r.actor === agency)).length;
    expect(got.length, `alerts delivered to ${agency}`).toBe(ids.length - sent);
    expect(new Set(got.map((d) => d.id)).size).toBe(got.length);
    const acceptances = (await deliveriesTo(ex.admin, agency)).filter((d) => d.kind === "acceptance" && wanted.has(d.inReplyTo!));
    expect(acceptances.length, `acceptances for ${agency}`).toBe(sent);
  }
}

describe("coordinator failover", () => {
  it("a coordinator SIGKILLed mid-burst and restarted loses and doubles nothing", async () => {
    const ex = await startTestExchange({ speed: 1 });
    exchanges.push(ex);
    const home = await mkdtemp(join(tmpdir(), "atix-failover-"));
    const run = (name: string): Child => startChild(name, ["coordinator", "--nats", ex.url, "--instance", name], { home, logDir: home });
    let child = run("k1");
    const ids = await burst(ex, 300);
    await eventually(async () => ((await auditRecords(ex.admin)).length > 150 ? true : undefined), 30_000, "the burst to be under way");
    child.proc.kill("SIGKILL");
    await child.exited;
    child = run("k2");
    await expectExactlyOnce(ex, ids);
    await stopChild(child);
    await rm(home, { recursive: true, force: true });
  }, 90_000);

  it("two instances at once share the work and double nothing", async () => {
    const ex = await startTestExchange({ speed: 1 });
    exchanges.push(ex);
    await Promise.all([ex.startCoordinator("a"), ex.startCoordinator("b")]);
    const ids = await burst(ex, 300);
    await expectExactlyOnce(ex, ids);
    const [a, b] = ex.coordinators.map((c) => (c.context.audit.written));
    expect(a! + b!).toBeGreaterThan(0);
  });

  it("escalation steps fire once each, across two instances and a restart", async () => {
    const ex = await startTestExchange({ speed: 60, settings: { ackDeadlineMinutes: { FLASH: 1, IMMEDIATE: 2, PRIORITY: 3, ROUTINE: 4 } } });
    exchanges.push(ex);
    await Promise.all([ex.startCoordinator("e1"), ex.startCoordinator("e2")]);
    const alert = await ex.send("AZ", "alert", { ...body(0), precedence: "FLASH", distribution: { agencies: ["KG"] } });
    // Deadline 1 simulated minute = 1 s wall; steps at 1 s, 1.5 s and 2 s.
    const escalated = await eventually(async () => {
      const e = (await auditRecords(ex.admin)).filter((r) => r.event === "escalated" && r.messageId === alert.id);
      return e.length >= 3 ? e : undefined;
    }, 20_000, "three escalation steps");
    await ex.coordinators[0]!.stop();
    ex.coordinators.shift();
    await ex.startCoordinator("e3");
    await new Promise((r) => setTimeout(r, 2_000));
    const after = (await auditRecords(ex.admin)).filter((r) => r.event === "escalated" && r.messageId === alert.id);
    expect(after).toHaveLength(3);
    expect(escalated.map((r) => [r.event === "escalated" && r.data.step, r.agency])).toEqual([
      ["reminder", "KG"],
      ["backup-contact", "RU"],
      ["originator", "AZ"],
    ]);
    expect((await deliveriesTo(ex.admin, "KG")).filter((d) => d.kind === "escalation")).toHaveLength(1);
    expect((await deliveriesTo(ex.admin, "RU")).filter((d) => d.kind === "escalation")).toHaveLength(1);
    expect((await deliveriesTo(ex.admin, "AZ")).filter((d) => d.kind === "escalation")).toHaveLength(1);
  });

  it("coalesces a desk's missed deadlines into one message per step and agency told, and finishes a dead instance's claim as it froze it", async () => {
    const ex = await startTestExchange({ speed: 60, settings: { ackDeadlineMinutes: { FLASH: 1, IMMEDIATE: 2, PRIORITY: 3, ROUTINE: 4 }, escalationWindowMinutes: 0 } });
    exchanges.push(ex);
    await ex.startCoordinator("m1");
    const alerts = [];
    for (let i = 0; i < 10; i++) alerts.push(await ex.send("AZ", "alert", { ...body(i), precedence: "FLASH", distribution: { agencies: ["KG"] } }));
    await eventually(async () => ((await auditRecords(ex.admin)).filter((r) => r.event === "delivered").length === 10 ? true : undefined), 10_000, "10 deliveries");
    await ex.coordinators.shift()!.stop();
    // An instance that died having claimed KG's first reminder for four of them (its claim froze those).
    const store = await openStore(ex.admin);
    const frozen = alerts.slice(0, 4).map((a) => ({ messageId: a.id, kind: "alert", recipient: "KG", precedence: "FLASH" as const, deadline: a.sentAt }));
    await store.claims.create(escalationClaimKey("reminder", "KG", 1), { state: "claimed", instance: "dead", claimedAtWall: Date.now() - 60_000, at: ex.clock.iso(), items: frozen });
    // Every deadline and every step is due by the time two instances start.
    await new Promise((r) => setTimeout(r, 2_500));
    await Promise.all([ex.startCoordinator("m2"), ex.startCoordinator("m3")]);
    const escalated = await eventually(async () => {
      const e = (await auditRecords(ex.admin)).filter((r) => r.event === "escalated");
      const covered = e.reduce((n, r) => n + 1 + ((r.data.more as unknown[] | undefined)?.length ?? 0), 0);
      return covered >= 30 ? e : undefined;
    }, 30_000, "every step of the 10 deliveries");
    await ex.coordinators.shift()!.stop();
    await ex.startCoordinator("m4");
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await auditRecords(ex.admin)).filter((r) => r.event === "escalated")).toHaveLength(escalated.length);
    const told = async (agency: string) => (await deliveriesTo(ex.admin, agency)).filter((d): d is EscalationMessage => d.kind === "escalation");
    // KG: the frozen claim finished with exactly its four, then one message for the other six.
    const kg = await told("KG");
    expect(kg.map((m) => escalationItems(m.body).length)).toEqual([4, 6]);
    expect(kg[0]!.body.messageId).toBe(frozen[0]!.messageId);
    expect(escalationItems(kg[0]!.body).map((i) => i.messageId).sort()).toEqual(frozen.map((f) => f.messageId).sort());
    // Its hub and the originator: told of all ten in as few messages (the four went on a step ahead).
    for (const agency of ["RU", "AZ"]) expect((await told(agency)).map((m) => escalationItems(m.body).length).sort(), agency).toEqual([4, 6]);
    // Each delivery's each step once.
    const steps = [...kg, ...(await told("RU")), ...(await told("AZ"))].flatMap((m) => escalationItems(m.body).map((i) => `${i.messageId}:${m.body.step}`));
    expect(new Set(steps).size).toBe(30);
    expect(steps).toHaveLength(30);
  });
});
