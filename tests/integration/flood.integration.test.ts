// One member floods the exchange with its own credential (issue 13), on a real nats-server with the
// generated accounts and the coordinator in a process of its own: KZ sends a few hundred valid FLASH
// alerts to all at once, then a few hundred malformed submissions, while AZ keeps sending FLASH
// alerts; the coordinator is killed with SIGKILL in the middle of the flood and started again.
// AZ's alerts are all accepted and delivered; each of KZ's submissions ends accepted or refused
// (the valid ones: accepted or rate-limited) exactly once, in the audit chain and in its outcomes;
// what was accepted is delivered exactly once; the coordinator's heap stays bounded; the broker
// itself refuses what exceeds an agency's limits, and the observer's.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection, nkeyAuthenticator } from "@nats-io/transport-node";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { AGENCY_JS_API, type AuditRecordOf, consumers, MAX_MESSAGE_BYTES, type Message, sign, type StoredAuditRecord, streams, subjects } from "../../shared/contracts/index.ts";
import { writeExchangeFile } from "../../shared/exchange/exchange-file.ts";
import { writeIdentities } from "../../shared/exchange/identities.ts";
import { Heartbeat } from "../../shared/exchange/observe.ts";
import { AGENCY_LIMITS, OBSERVER_LIMITS } from "../../shared/exchange/server-config.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { type Child, startChild, stopChild } from "../../services/launcher/children.ts";
import { COORDINATOR_NODE_ARGS } from "../../services/launcher/launch.ts";
import { auditRecords, broadcasts, eventually, readAll } from "../support/streams-read.ts";
import { startTestExchange, testAlertBody, type TestExchange } from "../support/exchange.ts";

/** A few hundred each, as the issue asks for CI; the quota lets 40 be in flight at once. */
const VALID = 300;
const MALFORMED = 300;
const PROBES = 20;
const QUOTAS = { maxInFlight: 40, perMinute: 6_000, burst: 1_000, copiedMiBPerHour: 512 };

let ex: TestExchange;
let home: string;
let coordinator: Child;
const beats: Heartbeat[] = [];
let audit: StoredAuditRecord[];
const stored = new Map<string, Message[]>();
const flood: { id?: string; header?: string; seq: number; valid: boolean }[] = [];
const probes: { id: string }[] = [];
/** KZ's submissions not yet answered when the coordinator was killed. */
let unansweredAtKill = 0;

const runCoordinator = () => startChild("c1", ["coordinator", "--instance", "c1"], { home, logDir: home, nodeArgs: COORDINATOR_NODE_ARGS });
const flash = (from: string, title: string) => sign(compose("alert", testAlertBody({ title }), { sender: from, sentAt: ex.clock.iso() }), ex.ids.agencies.get(from)!.seed);

/** Malformed submissions of several sorts, each with a readable id or none (then half published under an id). */
function malformed(i: number): { data: string; id?: string; header?: string } {
  const m = flash("KZ", `Malformed ${i}`);
  switch (i % 4) {
    case 0:
      return { data: `{ not json ${i}`, ...(i % 8 === 0 ? { header: v7() } : {}) };
    case 1:
      return { data: JSON.stringify({ ...m, signature: undefined }), id: m.id }; // unsigned
    case 2:
      return { data: JSON.stringify({ ...m, body: { ...m.body, title: "tampered" } }), id: m.id }; // bad signature
    default:
      return { data: JSON.stringify({ ...m, body: { ...m.body, precedence: "URGENT" } }), id: m.id }; // invalid
  }
}

const queueDrained = async (agency: string) => {
  const ci = await (await jetstreamManager(ex.admin)).consumers.info(streams.submissions.name, consumers.submissionsOf(agency));
  return ci.num_pending === 0 && ci.num_ack_pending === 0 ? true : undefined;
};

beforeAll(async () => {
  ex = await startTestExchange({ auth: true, speed: 60, settings: { quotas: QUOTAS } });
  home = await mkdtemp(join(tmpdir(), "atix-flood-"));
  // The coordinator runs as `atix coordinator` does, from an exchange folder, so it can be killed.
  await writeIdentities(join(home, "keys"), [ex.ids.coordinator]);
  // The folder's registry, where the instance adds its signing key (keys/instances/c1.nk, kept across the restart).
  await writeFile(join(home, "registry.json"), JSON.stringify(await ex.registryNow()));
  await writeExchangeFile(join(home, "exchange.json"), {
    version: 1, natsUrl: ex.url, credentialsDir: join(home, "keys"), registryFile: join(home, "registry.json"), roster: "test",
    coordinatorPublicKey: ex.ids.coordinator.publicKey, startedAt: new Date().toISOString(), clock: ex.clock.snapshot(),
  });
  ex.admin.subscribe(subjects.coordinatorHeartbeatAll, { callback: (_e, m) => void beats.push(Heartbeat.parse(m.json())) });
  coordinator = runCoordinator();
  await eventually(() => (beats.length ? true : undefined), 30_000, "the coordinator's first heartbeat");

  const kz = await ex.connectAgency("KZ");
  const az = await ex.connectAgency("AZ");
  // AZ keeps sending FLASH alerts throughout, each waiting for its stored acceptance.
  const probing = (async () => {
    for (let i = 0; i < PROBES; i++) {
      const m = flash("AZ", `Probe ${i}`);
      await az.js.publish(subjects.submit("AZ", "alert"), JSON.stringify(m), { msgID: m.id });
      probes.push({ id: m.id });
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  // KZ's valid flood, all at once.
  const valid = Array.from({ length: VALID }, (_, i) => flash("KZ", `Flood ${i}`));
  await Promise.all(valid.map(async (m) => flood.push({ id: m.id, valid: true, seq: (await kz.js.publish(subjects.submit("KZ", "alert"), JSON.stringify(m), { msgID: m.id })).seq })));
  // Killed in the middle of it, and started again.
  await eventually(async () => ((await auditRecords(ex.admin)).filter((r) => r.actor === "KZ").length > VALID / 4 ? true : undefined), 60_000, "the flood to be under way");
  const ci = await (await jetstreamManager(ex.admin)).consumers.info(streams.submissions.name, consumers.submissionsOf("KZ"));
  unansweredAtKill = ci.num_pending + ci.num_ack_pending;
  coordinator.proc.kill("SIGKILL");
  await coordinator.exited;
  coordinator = runCoordinator();
  await eventually(() => queueDrained("KZ"), 120_000, "KZ's valid flood to be answered");
  // Then the malformed flood.
  await Promise.all(
    Array.from({ length: MALFORMED }, async (_, i) => {
      const g = malformed(i);
      const ack = await kz.js.publish(subjects.submit("KZ", "alert"), g.data, { msgID: g.id ?? g.header ?? `malformed-${i}` });
      flood.push({ ...(g.id ? { id: g.id } : {}), ...(g.header ? { header: g.header } : {}), seq: ack.seq, valid: false });
    }),
  );
  await probing;
  await eventually(async () => ((await queueDrained("KZ")) && (await queueDrained("AZ")) ? true : undefined), 120_000, "every submission answered");
  audit = await auditRecords(ex.admin);
  for (const agency of ["KZ", "AZ"])
    for (const s of await readAll(ex.admin, streams.deliveries.name, subjects.deliverOf(agency))) {
      const m = JSON.parse(new TextDecoder().decode(s.data)) as Message;
      const about = m.kind === "acceptance" || m.kind === "rejection" ? m.body.messageId : undefined;
      if (about) stored.set(about, [...(stored.get(about) ?? []), m]);
    }
}, 300_000);

afterAll(async () => {
  if (coordinator) await stopChild(coordinator);
  await ex?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Subscribes (in its own inbox) past `limit` and waits for the server to say it refused. */
async function subscribeBeyond(nc: NatsConnection, user: string, limit: number) {
  const errors: string[] = [];
  void (async () => {
    for await (const st of nc.status()) if (st.type === "error") errors.push(String((st as { error?: Error }).error?.message));
  })();
  for (let i = 0; i < limit + 10; i++) nc.subscribe(`${subjects.inboxPrefix(user)}.s${i}`);
  await nc.flush();
  await eventually(() => (errors.some((e) => /maximum subscriptions/i.test(e)) ? true : undefined), 5_000, "the subscription limit");
}

const codes = (m: Message) => (m.kind === "rejection" ? m.body.reasons.map((r) => r.code) : []);

describe("a member's flood", () => {
  it("leaves another member's FLASH alerts accepted and delivered, each once", async () => {
    const all = await broadcasts(ex.admin);
    for (const p of probes) {
      expect(stored.get(p.id)?.map((m) => m.kind), `AZ's probe ${p.id}`).toEqual(["acceptance"]);
      expect(all.filter((b) => b.id === p.id)).toHaveLength(1);
    }
    expect(probes).toHaveLength(PROBES);
  });

  it("answers each valid flood alert exactly once: accepted or rate-limited, across a SIGKILL in the middle of it", () => {
    expect(unansweredAtKill, "the coordinator was killed with part of the flood unanswered").toBeGreaterThan(VALID / 4);
    const valid = flood.filter((f) => f.valid);
    expect(valid).toHaveLength(VALID);
    for (const f of valid) {
      const outcomes = stored.get(f.id!) ?? [];
      expect(outcomes.map((m) => `${m.kind} ${codes(m).join(",")}`.trim()), `outcomes of ${f.id}`).toSatisfy(
        (o: string[]) => o.length === 1 && (o[0] === "acceptance" || o[0] === "rejection rate-limited"),
      );
      // The chain too: one decision per submission, none lost or doubled by the restart.
      expect(audit.filter((r) => r.messageId === f.id && (r.event === "submitted" || r.event === "rejected")), `audit of ${f.id}`).toHaveLength(1);
    }
    const rateLimited = valid.filter((f) => stored.get(f.id!)![0]!.kind === "rejection").length;
    expect(rateLimited, "the quota refused some").toBeGreaterThan(0);
    expect(rateLimited, "the quota let some through").toBeLessThan(VALID);
  });

  it("delivers each accepted flood alert exactly once, and nothing refused", async () => {
    const all = await broadcasts(ex.admin);
    for (const f of flood.filter((x) => x.valid)) {
      const accepted = stored.get(f.id!)![0]!.kind === "acceptance";
      expect(all.filter((b) => b.id === f.id), `broadcasts of ${f.id}`).toHaveLength(accepted ? 1 : 0);
      expect(audit.filter((r) => r.event === "delivered" && r.messageId === f.id)).toHaveLength(accepted ? 1 : 0);
    }
  });

  it("refuses each malformed submission exactly once, with a reason: its own fault, or over the quota", () => {
    const bad = flood.filter((f) => !f.valid);
    expect(bad).toHaveLength(MALFORMED);
    const bySeq = new Map<number, AuditRecordOf<"rejected">[]>();
    for (const r of audit) if (r.event === "rejected") bySeq.set(r.data.streamSeq, [...(bySeq.get(r.data.streamSeq) ?? []), r]);
    const reasons = new Set<string>();
    for (const f of bad) {
      const records = bySeq.get(f.seq) ?? [];
      expect(records, `rejections of stream message ${f.seq}`).toHaveLength(1);
      for (const r of records[0]!.data.reasons) reasons.add(r.code);
      // One without a readable id is named by the id it was published under, over quota or not: its sender can match the answer.
      if (f.header) {
        expect(records[0]!.messageId, `rejection of stream message ${f.seq}`).toBe(f.header);
        expect(stored.get(f.header)?.map((m) => m.kind), `outcome of ${f.header}`).toEqual(["rejection"]);
      }
    }
    // Checked in its share, not waved through or dropped: each sort shows, and the quota.
    for (const code of ["malformed", "unsigned", "bad-signature", "invalid", "rate-limited"]) expect(reasons, code).toContain(code);
  });

  it("keeps the coordinator's memory bounded, through the flood and after its restart", () => {
    const heaps = beats.map((b) => b.heapUsedMb!).filter((x) => x !== undefined);
    const rss = beats.map((b) => b.rssMb!).filter((x) => x !== undefined);
    expect(heaps.length).toBeGreaterThan(3);
    expect(Math.max(...heaps), `heap used over ${heaps.length} heartbeats`).toBeLessThan(120);
    expect(Math.max(...rss)).toBeLessThan(250);
    console.info(`flood: coordinator heap ${Math.min(...heaps)}-${Math.max(...heaps)} MB, rss up to ${Math.max(...rss)} MB`);
  });

  it("keeps an audit chain that verifies, signatures included, with no event twice", async () => {
    const v = new ChainVerifier(await ex.trusted());
    audit.forEach((r) => v.push(r));
    expect(v.result().ok).toBe(true);
    // Restarted under its name, the instance signed with the same key (keys/instances/c1.nk).
    expect(new Set(audit.map((r) => r.signature?.key)).size).toBe(1);
    expect(new Set(audit.map((r) => r.eventId)).size).toBe(audit.length);
  });

  it("lets the broker refuse what exceeds an agency's limits before it is stored", async () => {
    const { js } = await ex.connectAgency("KZ");
    const before = (await (await jetstreamManager(ex.admin)).streams.info(streams.submissions.name)).state.messages;
    // Beyond what the submissions stream stores, but within the account's payload: the stream refuses it.
    await expect(js.publish(subjects.submit("KZ", "alert"), `{"x":"${"y".repeat(MAX_MESSAGE_BYTES + 9_000)}"}`)).rejects.toThrow(/maximum|exceeds/i);
    // Beyond the account's payload: refused before it leaves (the server told the client its limit).
    await expect(js.publish(subjects.submit("KZ", "alert"), new Uint8Array(MAX_MESSAGE_BYTES + 64 * 1024))).rejects.toThrow(/max_payload/);
    expect((await (await jetstreamManager(ex.admin)).streams.info(streams.submissions.name)).state.messages).toBe(before);
  });

  it("lets the broker refuse an agency more subscriptions or connections than its account allows", async () => {
    const nc = await connectAs({ servers: ex.url, user: "TR", seed: ex.ids.agencies.get("TR")!.seed });
    await subscribeBeyond(nc, "TR", AGENCY_LIMITS.max_subscriptions);
    await nc.close();
    const conns = [];
    try {
      for (let i = 0; i < AGENCY_LIMITS.max_connections; i++) conns.push(await connectAs({ servers: ex.url, user: "TR", seed: ex.ids.agencies.get("TR")!.seed }));
      // One more is refused by the server (a plain client: connectAs would keep trying).
      const seed = new TextEncoder().encode(ex.ids.agencies.get("TR")!.seed);
      await expect(connect({ servers: ex.url, authenticator: nkeyAuthenticator(seed), inboxPrefix: subjects.inboxPrefix("TR"), maxReconnectAttempts: 0, timeout: 3_000 })).rejects.toThrow();
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it("lets the broker refuse the observer more subscriptions than its account allows, and any publish larger than a read request", async () => {
    const nc = await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed });
    try {
      // What it receives is not bounded by its payload: an audit record, a message record of any size.
      expect(nc.info?.max_payload).toBe(OBSERVER_LIMITS.max_payload);
      expect(() => nc.publish(`${AGENCY_JS_API}.STREAM.INFO.${streams.audit.name}`, new Uint8Array(OBSERVER_LIMITS.max_payload + 1))).toThrow(/max_payload/);
      await subscribeBeyond(nc, "observer", OBSERVER_LIMITS.max_subscriptions);
    } finally {
      await nc.close();
    }
  });
});
