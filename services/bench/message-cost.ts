// What accepting one message costs the coordinator and the broker, apart from its deliveries'
// receipts and acknowledgements (`atix bench --message-cost`). For each recipient count, an
// exchange of that many agencies plus the sender, with only the sender's node running: it submits
// a burst of FLASH broadcasts, and the coordinator checks each, looks its id up, stores its record,
// its one delivery copy, two audit records, its signed acceptance and its seen record. Nobody reads
// the copies, so nothing else happens; the CPU each process used over the burst, divided by the
// messages, is that fixed cost, and the difference between two recipient counts is what each
// further recipient adds (the recipients named in the records, the view's deliveries). The fan-out
// bench pays it once per broadcast: at 89 recipients, a share of every delivery's CPU.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AgencyHost } from "../agency/index.ts";
import { OPEN_DELIVERIES_PER_AGENCY } from "../coordinator/intake.ts";
import { BENCH_CLOCK_SPEED, benchSettings, flashBroadcast } from "./atix.ts";
import { submissionsSettled, Tally } from "./counting.ts";
import { cpuMeter, cpuTickSeconds, processCpu } from "./cpu.ts";
import { BENCH_SENDER, connectBenchReader, startBenchAgencies, startBenchExchange } from "./exchange.ts";
import { machineOf, round } from "./stats.ts";

/** Broadcasts sent and answered before the measured burst: the coordinator's code warmed up. */
export const MESSAGE_COST_WARM_UP = 100;
const TIMEOUT_MS = 120_000;

export interface MessageCostRow {
  recipients: number;
  /** Broadcasts in the measured burst, every one accepted (a rejection fails the run). */
  messages: number;
  seconds: number;
  acceptedPerSecond: number;
  /** CPU µs per accepted message, by process; absent where /proc cannot be read. */
  cpuMicrosPerMessage?: { coordinator: number; broker: number };
}

export interface MessageCostResult {
  machine: { cpus: number; node: string; platform: string };
  burst: number;
  warmUp: number;
  rows: MessageCostRow[];
  /** How finely a CPU figure per message is known: /proc's clock tick over the burst (µs per message, either way). */
  resolutionMicros: number;
  /** What each further recipient adds, from the fewest recipients measured to the most (two counts or more), and how finely it is known. */
  perRecipient?: { coordinator: number; broker: number; resolutionMicros: number };
}

/** Broadcasts of one agency the coordinator starts while its open deliveries are below its bound (intake.ts): the last may pass it. */
const mostMessages = (recipients: number) => Math.ceil(OPEN_DELIVERIES_PER_AGENCY / recipients);

/** A measurement refused before anything starts: the flag to change and what was expected. */
export class MessageCostRefused extends Error {}

/**
 * Why a burst of `burst` broadcasts to `recipients` cannot be measured, or undefined when it can.
 * Nobody acknowledges them, so they stay open, and the coordinator starts none of an agency's
 * alerts while its open deliveries are at OPEN_DELIVERIES_PER_AGENCY (by design): the burst would
 * never be answered. `burstGiven`: the user chose the burst (else the flag to change is the count).
 */
export function messageCostProblem(recipients: number, burst: number, burstGiven = true): string | undefined {
  const most = mostMessages(recipients) - MESSAGE_COST_WARM_UP;
  if (burst <= most) return undefined;
  const why = `the coordinator starts no more of an agency's alerts once ${OPEN_DELIVERIES_PER_AGENCY.toLocaleString("en-US")} of its deliveries are unacknowledged, and nobody acknowledges these (${MESSAGE_COST_WARM_UP} broadcasts warm up first)`;
  // The most recipients a burst of this size allows.
  const mostRecipients = Math.ceil(OPEN_DELIVERIES_PER_AGENCY / (MESSAGE_COST_WARM_UP + burst - 1)) - 1;
  if (burstGiven && most >= 1) return `--burst: with ${recipients} recipients, expected at most ${most}, got ${burst}: ${why}`;
  const burstWas = burstGiven ? `a burst of ${burst}` : `the default burst of ${burst}`;
  const smaller = most >= 1 ? `, or a --burst of at most ${most}` : "";
  return `--message-cost: with ${burstWas}, expected at most ${mostRecipients} recipients, got ${recipients}${smaller}: ${why}`;
}

/**
 * The cost each further recipient adds: the slope from the row with the fewest recipients to the
 * one with the most, known to within twice a figure's resolution over the recipients between them.
 */
export function perRecipient(rows: MessageCostRow[], resolutionMicros: number): MessageCostResult["perRecipient"] {
  const measured = rows.filter((r) => r.cpuMicrosPerMessage);
  if (measured.length < 2) return undefined;
  const fewest = measured.reduce((a, b) => (b.recipients < a.recipients ? b : a));
  const most = measured.reduce((a, b) => (b.recipients > a.recipients ? b : a));
  const span = most.recipients - fewest.recipients;
  if (span <= 0) return undefined;
  const slope = (k: "coordinator" | "broker") => round((most.cpuMicrosPerMessage![k] - fewest.cpuMicrosPerMessage![k]) / span, 2);
  return { coordinator: slope("coordinator"), broker: slope("broker"), resolutionMicros: round((2 * resolutionMicros) / span, 2) };
}

/** One recipient count: its own exchange, the sender's node alone, a warm-up, then the measured burst. */
async function measure(recipients: number, burst: number, onStep?: (s: string) => void): Promise<MessageCostRow> {
  const bench = await startBenchExchange(recipients + 1, { speed: BENCH_CLOCK_SPEED, coordinators: 1, agencies: false, settings: benchSettings(burst, MESSAGE_COST_WARM_UP) }, onStep);
  const { launched, roster } = bench;
  let host: AgencyHost | undefined;
  let nc: NatsConnection | undefined;
  try {
    const sender = roster.agencies.find((a) => a.id === BENCH_SENDER)!;
    host = await startBenchAgencies(launched, [sender]);
    const node = host.node(sender.id)!;
    nc = await connectBenchReader(launched);
    const jsm = await jetstreamManager(nc);
    // The sender's outcomes, counted as they arrive, each phase from zero: every broadcast must be accepted.
    let outcomes = new Tally();
    let rejected = 0;
    host.onEvent((e) => {
      if (e.type !== "outcome") return;
      if (e.kind !== "acceptance") rejected++;
      outcomes.add();
    });
    const answered = async (n: number, what: string) => {
      await outcomes.until(n, what, TIMEOUT_MS);
      if (rejected) throw new Error(`${rejected} of the broadcasts to ${recipients} recipients were rejected (the coordinator's log says why); expected every one accepted`);
      // The seen record is written after the acceptance; the coordinator acks the submission then.
      await submissionsSettled(jsm, what, TIMEOUT_MS);
      outcomes = new Tally();
    };

    onStep?.(`message cost: ${MESSAGE_COST_WARM_UP} FLASH broadcasts to ${recipients} recipients to warm up`);
    await Promise.all(Array.from({ length: MESSAGE_COST_WARM_UP }, (_, i) => flashBroadcast(node, `Warm-up ${i + 1}`)));
    await answered(MESSAGE_COST_WARM_UP, "the warm-up broadcasts answered");

    onStep?.(`message cost: a burst of ${burst} FLASH broadcasts to ${recipients} recipients, nobody reading them`);
    const cpu = cpuMeter({ coordinator: processCpu(launched.coordinators[0]?.proc.pid), broker: processCpu(launched.server?.pid) });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: burst }, (_, i) => flashBroadcast(node, `Message cost ${i + 1}`)));
    await answered(burst, "the burst's broadcasts answered");
    const seconds = (performance.now() - t0) / 1000;
    const used = cpu.perDelivery(burst);
    return {
      recipients,
      messages: burst,
      seconds: round(seconds),
      acceptedPerSecond: Math.round(burst / seconds),
      ...(used ? { cpuMicrosPerMessage: { coordinator: used.coordinator!, broker: used.broker! } } : {}),
    };
  } finally {
    await host?.stop().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await bench.stop();
  }
}

/** Measures each recipient count in turn; refuses (MessageCostRefused) before starting anything when a count cannot be measured. */
export async function runMessageCost(opts: { recipients: number[]; burst: number; burstGiven?: boolean; onStep?: (s: string) => void }): Promise<MessageCostResult> {
  for (const n of opts.recipients) {
    const problem = messageCostProblem(n, opts.burst, opts.burstGiven);
    if (problem) throw new MessageCostRefused(problem);
  }
  const rows: MessageCostRow[] = [];
  for (const n of opts.recipients) rows.push(await measure(n, opts.burst, opts.onStep));
  const resolutionMicros = round((cpuTickSeconds() * 1e6) / opts.burst, 1);
  const slope = perRecipient(rows, resolutionMicros);
  return {
    machine: machineOf(),
    burst: opts.burst,
    warmUp: MESSAGE_COST_WARM_UP,
    rows,
    resolutionMicros,
    ...(slope ? { perRecipient: slope } : {}),
  };
}
