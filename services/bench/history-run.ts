// `atix bench --history`: does a long audit chain slow the exchange down? For each chain length,
// on an exchange of its own (exchange.ts), a made-up past is appended (history.ts,
// history-chain.ts), then measured: how long a first coordinator takes to start on it (it reads the
// whole chain: the baseline), how long a coordinator restarted after a further tail takes until it
// accepts a real signed submission, and how long `atix status` takes. Issue 19: the restart and the
// status must not grow with the chain (1,000,000 records within 1.5x of 100,000). The exchange's
// clock stands still at the history's last moment, so no deadline passes while measuring: the
// deliveries left open are not escalated, and nothing runs but what is measured.
import type { NatsConnection } from "@nats-io/transport-node";
import { readChain } from "../../shared/audit/chain-read.ts";
import { registerCoordinatorKeys } from "../../shared/exchange/bootstrap.ts";
import { attach } from "../../shared/exchange/attach.ts";
import { keyEntry } from "../../shared/exchange/coordinator-keys.ts";
import { exchangeFilePath } from "../../shared/exchange/exchange-file.ts";
import { ExchangeFigures } from "../../shared/exchange/figures.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { Registry } from "../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS } from "../../shared/exchange/settings.ts";
import { CONFIG_KEYS, openStore, type Store } from "../../shared/exchange/store.ts";
import { createLogger } from "../../shared/log.ts";
import { CHECKPOINT_EVERY_RECORDS, type Restored } from "../coordinator/checkpointing.ts";
import { Coordinator } from "../coordinator/coordinator.ts";
import { exchangeStatus, type ExchangeStatus } from "../../shared/exchange/exchange-status.ts";
import { type BenchExchange, connectBenchReader, startBenchExchange } from "./exchange.ts";
import { appendHistory } from "./history-chain.ts";
import { HistoryGenerator } from "./history.ts";
import { submitAndAwait, withTimeout } from "./history-probe.ts";
import { machineOf, round } from "./stats.ts";

/** The history's first moment (simulated): fixed, so a size's records are the same in every run. */
export const HISTORY_START = Date.parse("2026-01-01T00:00:00Z");
/** The coordinator instance whose key signs the history (registered like any instance's). */
const HISTORY_SIGNER = "bench-history";
const STATUS_LISTEN_MS = 100;
/** How long a coordinator may take to start, to write its checkpoint, to accept the probe. */
const WAIT_MS = 30 * 60_000;

export interface HistoryBenchOptions {
  /** Chain lengths, each measured on an exchange of its own. */
  sizes: number[];
  agencies: number;
  /** Records appended after the first coordinator's checkpoint, before the restart. */
  tail: number;
  onStep?: (step: string) => void;
}

export interface HistorySizeResult {
  records: number;
  build: { seconds: number; recordsPerSecond: number; events: Record<string, number>; openDeliveries: number; simulatedDays: number };
  firstStartMs: number;
  /**
   * What the coordinators' checkpoints did: the first one's (written once it had read the chain,
   * none on a chain shorter than a checkpoint's interval), and what the restarted one began from.
   */
  checkpoint: { writtenSeq?: number; writtenMs?: number; restored?: Restored };
  tail: { records: number; seconds: number };
  restartMs: number;
  takesSubmissionsMs: number;
  /** `atix status` as it runs (exchangeStatus), and the same figures counted by reading the whole chain. */
  status: { ms: number; auditRecords: number; deliveries: number; awaiting: number; counted: ExchangeStatus["audit"]["counted"] };
  statusFullRead: { ms: number; records: number; deliveries: number; awaiting: number };
}

export interface HistoryBenchResult {
  machine: { cpus: number; node: string; platform: string };
  agencies: number;
  tail: number;
  sizes: HistorySizeResult[];
  /** The largest size over the smallest (absent with one size). Issue 19's targets: restart, submissions and status ≤ 1.5x. */
  ratios?: { of: [number, number]; firstStart: number; restart: number; takesSubmissions: number; status: number; statusFullRead: number };
  seconds: number;
}

export const HISTORY_TARGET_RATIO = 1.5;

const ms = (t0: number) => round(performance.now() - t0, 1);
const logger = (instance: string) => createLogger("coordinator", { instance }, "warn");

/** The exchange's clock, standing still at `simMs` (the history's last moment). */
const stopClockAt = (store: Store, simMs: number) => store.clock.put(CONFIG_KEYS.clock, { simAnchor: simMs, wallAnchor: Date.now(), speed: 1, paused: true });

async function measureSize(n: number, opts: HistoryBenchOptions): Promise<HistorySizeResult> {
  const step = (s: string) => opts.onStep?.(`${n.toLocaleString("en-US")} records: ${s}`);
  const bench: BenchExchange = await startBenchExchange(opts.agencies, { coordinators: 0, agencies: false, settings: DEFAULT_SETTINGS, paused: true, simStart: HISTORY_START }, step);
  const { launched } = bench;
  const url = launched.exchange.natsUrl;
  const running = new Set<Coordinator>();
  const conns: NatsConnection[] = [];
  const coordinator = (instance: string) => {
    const c = new Coordinator({ servers: url, seed: launched.prepared.ids.coordinator.seed, instance, logger: logger(instance) });
    running.add(c);
    return c;
  };
  try {
    const nc = await connectBenchReader(launched, "atix-bench-history");
    conns.push(nc);
    const store = await openStore(nc);
    const signer = newIdentity(HISTORY_SIGNER);
    await registerCoordinatorKeys(store, [keyEntry(HISTORY_SIGNER, signer.publicKey)]);
    const history = new HistoryGenerator({ registry: new Registry(launched.registry), settings: DEFAULT_SETTINGS, startMs: HISTORY_START });
    const next = () => history.next();

    step("building the history");
    const built = await appendHistory(nc, signer.seed, next, n, (l) => step(`history: ${l}`));
    const build = {
      seconds: round(built.ms / 1000, 1), recordsPerSecond: Math.round(n / (built.ms / 1000)), events: { ...history.made },
      openDeliveries: history.openDeliveries, simulatedDays: round((history.simNowMs - HISTORY_START) / 86_400_000, 2),
    };
    await stopClockAt(store, history.simNowMs);

    step("a first coordinator starts on it (reads the whole chain)");
    const first = coordinator("history-1");
    let t0 = performance.now();
    await withTimeout(first.start(), WAIT_MS, "the first coordinator's start");
    const firstStartMs = ms(t0);
    const checkpoint: HistorySizeResult["checkpoint"] = {};
    if (n >= CHECKPOINT_EVERY_RECORDS) {
      step(`waiting for its checkpoint of record ${built.head.seq}`);
      t0 = performance.now();
      await withTimeout(first.checkpoints.whenWritten(built.head.seq), WAIT_MS, `a checkpoint of record ${built.head.seq}`);
      checkpoint.writtenMs = ms(t0);
      checkpoint.writtenSeq = first.checkpoints.written;
    } else step(`no checkpoint: the chain is shorter than the ${CHECKPOINT_EVERY_RECORDS.toLocaleString("en-US")} records between checkpoints`);

    step(`a tail of ${opts.tail.toLocaleString("en-US")} records, then the coordinator stops`);
    const tail = await appendHistory(nc, signer.seed, next, opts.tail);
    await stopClockAt(store, history.simNowMs);
    await first.stop();
    running.delete(first);

    step("a coordinator restarts and is sent a submission");
    const [sender, recipient] = bench.roster.agencies.map((a) => a.id);
    const agency = await attach({ as: sender!, exchangeFile: exchangeFilePath(bench.home), name: "atix-bench-probe" });
    conns.push(agency.nc);
    const second = coordinator("history-2");
    const probe = await submitAndAwait(agency.nc, launched.exchange.credentialsDir, sender!, recipient!, history.simNowMs, () => second.start(), WAIT_MS);
    const restored = second.checkpoints.restored;
    if (restored) checkpoint.restored = restored;

    step("atix status");
    const observer = await attach({ as: "observer", exchangeFile: exchangeFilePath(bench.home), name: "atix-bench-status" });
    conns.push(observer.nc);
    return {
      records: n,
      build,
      firstStartMs,
      checkpoint,
      tail: { records: opts.tail, seconds: round(tail.ms / 1000, 1) },
      restartMs: probe.startedMs,
      takesSubmissionsMs: probe.acceptedMs,
      ...(await timeStatus(observer.nc, observer.url, history.simNowMs)),
    };
  } finally {
    for (const c of running) await c.stop().catch(() => undefined);
    for (const c of conns) await c.close().catch(() => undefined);
    await bench.stop();
  }
}

/** `atix status` as it runs now, then the same figures counted as it counted them before checkpoints: every record of the chain read and applied. */
async function timeStatus(nc: NatsConnection, url: string, simNowMs: number): Promise<Pick<HistorySizeResult, "status" | "statusFullRead">> {
  let t0 = performance.now();
  const s = await exchangeStatus(nc, url, STATUS_LISTEN_MS);
  const status = { ms: ms(t0), auditRecords: s.audit.records, deliveries: s.figures.deliveries, awaiting: s.figures.awaiting, counted: s.audit.counted };
  t0 = performance.now();
  const figures = new ExchangeFigures();
  let records = 0;
  for await (const { record } of readChain(nc)) {
    figures.applyStored(record);
    records++;
  }
  const full = figures.at(simNowMs);
  return { status, statusFullRead: { ms: ms(t0), records, deliveries: full.deliveries, awaiting: full.awaiting } };
}

const ratio = (a: number, b: number) => round(a / b, 2);

export async function runHistoryBench(opts: HistoryBenchOptions): Promise<HistoryBenchResult> {
  const started = performance.now();
  const sizes: HistorySizeResult[] = [];
  for (const n of opts.sizes) sizes.push(await measureSize(n, opts));
  const byLength = [...sizes].sort((a, b) => a.records - b.records);
  const small = byLength[0]!;
  const large = byLength[byLength.length - 1]!;
  return {
    machine: machineOf(),
    agencies: opts.agencies,
    tail: opts.tail,
    sizes,
    ...(large.records !== small.records
      ? {
          ratios: {
            of: [large.records, small.records] as [number, number],
            firstStart: ratio(large.firstStartMs, small.firstStartMs),
            restart: ratio(large.restartMs, small.restartMs),
            takesSubmissions: ratio(large.takesSubmissionsMs, small.takesSubmissionsMs),
            status: ratio(large.status.ms, small.status.ms),
            statusFullRead: ratio(large.statusFullRead.ms, small.statusFullRead.ms),
          },
        }
      : {}),
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
