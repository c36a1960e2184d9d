// ATIX end to end on a real exchange: the coordinator as a child process (through launch), the
// agencies in this process (an AgencyHost, as the scenario runner does) with duty officers who
// acknowledge at once (a generated roster with a tiny ackDelay and a fast simulated clock).
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { PRECEDENCES, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { readChain } from "../../shared/audit/chain-read.ts";
import { perDelivery } from "../../shared/audit/deliveries.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../shared/exchange/settings.ts";
import { type AgencyHost, type AgencyNode, verification } from "../agency/index.ts";
import { lastSubmissionSeq, nextAuditSeq, submissionsSettled, Tally } from "./counting.ts";
import { gcMeter, type GcPerDelivery } from "./gc-meter.ts";
import { cpuMeter, type CpuPerDelivery, ownCpu, processCpu } from "./cpu.ts";
import { BENCH_SENDER, connectBenchReader, startBenchAgencies, startBenchExchange } from "./exchange.ts";
import { timedRounds } from "./rounds.ts";
import { type Latency, round } from "./stats.ts";

/** Simulated time per wall time: a 0.001-minute duty delay becomes a few microseconds. */
export const BENCH_CLOCK_SPEED = 1000;
const TIMEOUT_MS = 60_000;

export interface AtixResult {
  recipients: number;
  latency: Latency;
  /** Submit → acknowledged by every recipient's duty officer (acknowledgement stored), per broadcast (spaced). */
  acknowledgedLatency: Latency;
  sustained: {
    messages: number; deliveries: number; seconds: number; deliveriesPerSecond: number; cpuMicrosPerDelivery?: CpuPerDelivery;
    /** Garbage collection in the agencies' process (the bench's own) over the burst. */
    gc: GcPerDelivery;
    /** The agencies' signature checks over the burst: Ed25519 verifications made (the rest were remembered) and their cost per delivery. */
    verification: { checks: number; verified: number; microsPerDelivery: number };
    /** Submissions stored during the burst (the broadcasts, then receipts and acknowledgements): each is signed, verified, stored and recorded. */
    submissions: number;
  };
}

// Deadlines far beyond the run: no reminder or escalation traffic while measuring. Quotas above
// what the bench sends: its sender puts a whole burst in flight at once, by design.
export function benchSettings(burst: number, rounds: number): Settings {
  const most = Math.max(DEFAULT_SETTINGS.quotas.maxInFlight, 2 * (burst + rounds));
  return {
    ...DEFAULT_SETTINGS,
    ackDeadlineMinutes: Object.fromEntries(PRECEDENCES.map((p) => [p, 10_000_000])) as Settings["ackDeadlineMinutes"],
    quotas: { ...DEFAULT_SETTINGS.quotas, maxInFlight: most, burst: most, perMinute: Math.max(DEFAULT_SETTINGS.quotas.perMinute, 60 * most) },
  };
}

/** What every burst sends: a FLASH alert to every agency. */
export const flashBroadcast = (sender: AgencyNode, title: string) =>
  sender.send("alert", {
    precedence: "FLASH", category: "terrorism", tlp: "AMBER", handling: "H0", evaluation: { reliability: "C", credibility: 3 },
    title, distribution: { all: true },
  });

/** Acknowledgements of `ids` recorded in the audit records from `fromSeq` on, each delivery once (read after the clock stops). */
async function recordedAcknowledgements(nc: NatsConnection, fromSeq: number, ids: Set<string>): Promise<number> {
  const seen = new Set<string>();
  for await (const { record } of readChain(nc, { fromSeq })) {
    if ((record as { event?: unknown } | null)?.event !== "acknowledged") continue;
    const r = StoredAuditRecord.safeParse(record);
    // One record may acknowledge many deliveries (a batched acknowledgement).
    if (r.success) for (const a of perDelivery(r.data)) if (a.messageId && ids.has(a.messageId)) seen.add(`${a.messageId} ${a.actor}`);
  }
  return seen.size;
}

export async function atixFanOut(n: number, rounds: number, burst: number, onStep?: (s: string) => void): Promise<AtixResult> {
  const bench = await startBenchExchange(n, { speed: BENCH_CLOCK_SPEED, coordinators: 1, agencies: false, settings: benchSettings(burst, rounds) }, onStep);
  const { launched, roster } = bench;
  let host: AgencyHost | undefined;
  let nc: NatsConnection | undefined;
  try {
    host = await startBenchAgencies(launched, roster.agencies);
    const sender = host.node(BENCH_SENDER)!;
    const recipients = n - 1;
    nc = await connectBenchReader(launched);
    const jsm = await jetstreamManager(nc);

    // The recipients' first deliveries and their officers' acknowledgements (stored), counted as
    // they happen: a counter each, nothing kept per message.
    const delivered = new Tally();
    const acked = new Tally();
    host.onEvent((e) => {
      if (e.agency === BENCH_SENDER) return;
      if (e.type === "delivered") {
        if (!e.redelivered) delivered.add();
      } else if (e.type === "acknowledged") acked.add();
    });
    const flash = (title: string) => flashBroadcast(sender, title);

    // Latency: one FLASH broadcast at a time, the next only once every officer has acknowledged
    // (the untimed first ones wait for the coordinator process to come up and warm up).
    onStep?.(`ATIX: ${rounds} FLASH broadcasts to ${recipients} agencies`);
    const measured = await timedRounds({
      rounds, recipients, send: (i) => flash(`Benchmark broadcast ${i}`), delivered, acknowledged: acked, name: "ATIX", timeoutMs: TIMEOUT_MS,
    });

    // Sustained: `burst` FLASH broadcasts at once, zero think time, until the exchange has recorded
    // every acknowledgement in its audit chain (an officer's ack stored but not yet processed by
    // the coordinator does not count: a backlog is not throughput). How: counting.ts.
    onStep?.(`ATIX: sustained burst of ${burst} FLASH broadcasts`);
    await submissionsSettled(jsm, "ATIX's rounds recorded", TIMEOUT_MS);
    const auditFrom = await nextAuditSeq(jsm);
    const submittedBefore = await lastSubmissionSeq(jsm);
    const cpu = cpuMeter({
      broker: processCpu(launched.server?.pid),
      coordinator: processCpu(launched.coordinators[0]?.proc.pid),
      agencies: ownCpu,
    });
    const verifiedBefore = { ...verification };
    const gc = gcMeter();
    const deliveries = recipients * burst;
    const t0 = performance.now();
    const messages = await Promise.all(Array.from({ length: burst }, (_, i) => flash(`Benchmark burst ${i + 1}`)));
    await acked.until(measured.deliveries + deliveries, "ATIX sustained burst acknowledged (stored)", TIMEOUT_MS * 3);
    await submissionsSettled(jsm, "ATIX sustained burst recorded (audit chain)", TIMEOUT_MS * 3);
    const seconds = (performance.now() - t0) / 1000;
    const submissions = (await lastSubmissionSeq(jsm)) - submittedBefore;
    const perDelivery = cpu.perDelivery(deliveries);
    const gcPerDelivery = gc.perDelivery(deliveries);
    const verified = {
      checks: verification.checks - verifiedBefore.checks,
      verified: verification.verified - verifiedBefore.verified,
      microsPerDelivery: round((verification.micros - verifiedBefore.micros) / deliveries),
    };
    // Outside the measured window: the chain must hold an acknowledgement of every delivery of the burst.
    const recorded = await recordedAcknowledgements(nc, auditFrom, new Set(messages.map((m) => m.id)));
    if (recorded !== deliveries) throw new Error(`ATIX: the audit chain records ${recorded} acknowledgements of the burst's deliveries, expected ${deliveries}`);
    return {
      recipients,
      latency: measured.latency,
      acknowledgedLatency: measured.acknowledgedLatency,
      sustained: {
        messages: burst, deliveries, seconds: round(seconds), deliveriesPerSecond: Math.round(deliveries / seconds),
        ...(perDelivery ? { cpuMicrosPerDelivery: perDelivery } : {}),
        gc: gcPerDelivery,
        verification: verified,
        submissions,
      },
    };
  } finally {
    await host?.stop().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await bench.stop();
  }
}
