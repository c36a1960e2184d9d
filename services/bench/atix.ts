// ATIX end to end on a real exchange: the coordinator as a child process (through launch), the
// agencies in this process (an AgencyHost, as the scenario runner does) with duty officers who
// acknowledge at once (a generated roster with a tiny ackDelay and a fast simulated clock).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { PRECEDENCES } from "../../shared/contracts/index.ts";
import { followChainLive } from "../../shared/audit/chain-live.ts";
import { perDelivery } from "../../shared/audit/deliveries.ts";
import { StoredAuditRecord } from "../../shared/contracts/index.ts";
import { OBSERVER_USER, readIdentity } from "../../shared/exchange/identities.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../shared/exchange/settings.ts";
import { createLogger } from "../../shared/log.ts";
import { AgencyHost, verification } from "../agency/index.ts";
import { launch } from "../launcher/launch.ts";
import { benchRoster } from "./roster.ts";
import { cpuMeter, type CpuPerDelivery, ownCpu, processCpu } from "./cpu.ts";
import { latencyOf, type Latency, round, waiter } from "./stats.ts";

/** Simulated time per wall time: a 0.001-minute duty delay becomes a few microseconds. */
export const BENCH_CLOCK_SPEED = 1000;
const TIMEOUT_MS = 60_000;
const SENDER = "AA";
const WARMUP = 3;

export interface AtixResult {
  recipients: number;
  latency: Latency;
  /** Submit → acknowledged by every recipient's duty officer (acknowledgement stored), per broadcast (spaced). */
  acknowledgedLatency: Latency;
  sustained: {
    messages: number; deliveries: number; seconds: number; deliveriesPerSecond: number; cpuMicrosPerDelivery?: CpuPerDelivery;
    /** The agencies' signature checks over the burst: Ed25519 verifications made (the rest were remembered) and their cost per delivery. */
    verification: { checks: number; verified: number; microsPerDelivery: number };
  };
}

// Deadlines far beyond the run: no reminder or escalation traffic while measuring.
const SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  ackDeadlineMinutes: Object.fromEntries(PRECEDENCES.map((p) => [p, 10_000_000])) as Settings["ackDeadlineMinutes"],
};

/** Counts acknowledgement events in the audit chain, read live as the exchange's (read-only) observer. */
async function recordedAcknowledgements(servers: string, observerSeed: string) {
  const nc = await connectAs({ servers, user: OBSERVER_USER, seed: observerSeed });
  /** Per message, the agencies whose acknowledgement is recorded (from when following began). */
  const acked = new Map<string, Set<string>>();
  let counted = 0;
  let watch: { ids: Set<string>; target: number; done: () => void } | undefined;
  const follower = await followChainLive(nc, { fromNow: true }, (_, record) => {
    // Only acknowledgements are read as records (the rest is not this count's business).
    if ((record as { event?: unknown } | null)?.event !== "acknowledged") return;
    const r = StoredAuditRecord.safeParse(record);
    if (!r.success) return;
    // One record may acknowledge many deliveries (a batched acknowledgement).
    for (const a of perDelivery(r.data)) {
      if (!a.messageId) continue;
      let by = acked.get(a.messageId);
      if (!by) acked.set(a.messageId, (by = new Set()));
      if (by.has(a.actor)) continue;
      by.add(a.actor);
      if (watch?.ids.has(a.messageId)) counted++;
    }
    if (watch && counted >= watch.target) watch.done();
  });
  return {
    async until(ids: Set<string>, target: number, timeoutMs: number) {
      const w = waiter("ATIX sustained burst acknowledged (audit chain)", timeoutMs);
      counted = [...ids].reduce((n, id) => n + (acked.get(id)?.size ?? 0), 0);
      watch = { ids, target, done: w.resolve };
      if (counted >= target) w.resolve();
      try {
        await w.promise;
      } finally {
        await follower.stop();
        await nc.close().catch(() => undefined);
      }
    },
  };
}

export async function atixFanOut(n: number, rounds: number, burst: number, onStep?: (s: string) => void): Promise<AtixResult> {
  const roster = benchRoster(n);
  const home = await mkdtemp(join(tmpdir(), "atix-bench-"));
  const rosterFile = join(home, "roster.yaml");
  await writeFile(rosterFile, stringify(roster));
  onStep?.(`starting an exchange of ${n} agencies`);
  const launched = await launch({ home, roster: rosterFile, speed: BENCH_CLOCK_SPEED, coordinators: 1, agencies: false, settings: SETTINGS });
  let host: AgencyHost | undefined;
  try {
    const agencies = [];
    for (const agency of roster.agencies) agencies.push({ agency, seed: (await readIdentity(launched.exchange.credentialsDir, agency.id)).seed });
    host = new AgencyHost({
      servers: launched.exchange.natsUrl,
      agencies,
      registry: launched.registry,
      clock: launched.exchange.clock,
      rngSeed: "bench",
      hitProbability: 0,
      answerProbability: 0,
      informationProbability: 0,
      logger: createLogger("agency", {}, "warn"),
    });
    await host.start();
    const sender = host.node(SENDER)!;
    const recipients = n - 1;

    // Per message: which recipients have it delivered / acknowledged.
    const delivered = new Map<string, Set<string>>();
    const acked = new Map<string, Set<string>>();
    let watch: { ids: Set<string>; type: "delivered" | "acknowledged"; target: number; count: number; done: () => void } | undefined;
    host.onEvent((e) => {
      if (!e.messageId || e.agency === SENDER || (e.type !== "delivered" && e.type !== "acknowledged")) return;
      const map = e.type === "delivered" ? delivered : acked;
      let set = map.get(e.messageId);
      if (!set) map.set(e.messageId, (set = new Set()));
      if (set.has(e.agency)) return;
      set.add(e.agency);
      if (watch && watch.type === e.type && watch.ids.has(e.messageId) && ++watch.count >= watch.target) watch.done();
    });
    const expect = (ids: Set<string>, type: "delivered" | "acknowledged", target: number, what: string) => {
      const w = waiter(what, TIMEOUT_MS * (type === "acknowledged" && ids.size > 1 ? 3 : 1));
      const count = [...ids].reduce((s, id) => s + ((type === "delivered" ? delivered : acked).get(id)?.size ?? 0), 0);
      watch = { ids, type, target, count, done: w.resolve };
      if (count >= target) w.resolve();
      return w.promise;
    };
    const flash = (title: string) =>
      sender.send("alert", {
        precedence: "FLASH", category: "terrorism", tlp: "AMBER", handling: "H0", evaluation: { reliability: "C", credibility: 3 },
        title, distribution: { all: true },
      });

    // Latency: one FLASH broadcast at a time, the next only once every officer has acknowledged.
    onStep?.(`ATIX: ${rounds} FLASH broadcasts to ${recipients} agencies`);
    const toDelivered: number[] = [];
    const toAcked: number[] = [];
    // The first broadcasts (untimed) wait for the coordinator process to come up and warm up.
    for (let r = -WARMUP; r < rounds; r++) {
      const t0 = performance.now();
      const ids = new Set<string>();
      const sent = flash(`Benchmark broadcast ${r + 1}`);
      const m = await sent;
      ids.add(m.id);
      await expect(ids, "delivered", recipients, `ATIX broadcast ${r + 1} delivered to all`);
      const d = performance.now() - t0;
      await expect(ids, "acknowledged", recipients, `ATIX broadcast ${r + 1} acknowledged by all`);
      if (r < 0) continue;
      toDelivered.push(d);
      toAcked.push(performance.now() - t0);
    }

    // Sustained: `burst` FLASH broadcasts at once, zero think time, until the exchange has recorded
    // every acknowledgement in its audit chain (an officer's ack stored but not yet processed by
    // the coordinator does not count: a backlog is not throughput).
    onStep?.(`ATIX: sustained burst of ${burst} FLASH broadcasts`);
    const recorded = await recordedAcknowledgements(launched.exchange.natsUrl, (await readIdentity(launched.exchange.credentialsDir, OBSERVER_USER)).seed);
    // The agencies share this process with the bench's own counting (events, the audit observer).
    const cpu = cpuMeter({
      broker: processCpu(launched.server?.pid),
      coordinator: processCpu(launched.coordinators[0]?.proc.pid),
      agencies: ownCpu,
    });
    const verifiedBefore = { ...verification };
    const t0 = performance.now();
    const messages = await Promise.all(Array.from({ length: burst }, (_, i) => flash(`Benchmark burst ${i + 1}`)));
    await recorded.until(new Set(messages.map((m) => m.id)), recipients * burst, TIMEOUT_MS * 3);
    const seconds = (performance.now() - t0) / 1000;
    const perDelivery = cpu.perDelivery(recipients * burst);
    const verified = {
      checks: verification.checks - verifiedBefore.checks,
      verified: verification.verified - verifiedBefore.verified,
      microsPerDelivery: round((verification.micros - verifiedBefore.micros) / (recipients * burst)),
    };
    return {
      recipients,
      latency: latencyOf(toDelivered),
      acknowledgedLatency: latencyOf(toAcked),
      sustained: {
        messages: burst, deliveries: recipients * burst, seconds: round(seconds), deliveriesPerSecond: Math.round((recipients * burst) / seconds),
        ...(perDelivery ? { cpuMicrosPerDelivery: perDelivery } : {}),
        verification: verified,
      },
    };
  } finally {
    await host?.stop().catch(() => undefined);
    await launched.stop().catch(() => undefined);
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
}
