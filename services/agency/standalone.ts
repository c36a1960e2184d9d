// ATIX's reference node run by an agency on its own machine, from the two files it holds: its seed
// (made by `atix keys new` on its side, never sent anywhere) and the connection file from the
// exchange's operator (`atix onboard`). No exchange folder is needed: the registry (its own entry,
// whose time zone and duty profile drive the simulated officer, and everyone's public keys) and
// the clock are read live from the exchange.
import { setTimeout as sleep } from "node:timers/promises";
import { ClockState } from "../../shared/clock.ts";
import { subjects } from "../../shared/contracts/index.ts";
import { keyOf } from "../../shared/exchange/agency-keys.ts";
import { ExchangeReader } from "../../shared/exchange/config-read.ts";
import { readConnectionFile } from "../../shared/exchange/connection-file.ts";
import { agencySeeds } from "../../shared/exchange/key-files.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { AgencyHost } from "./host.ts";
import { KeyRing } from "./key-ring.ts";
import { senderKeysOf } from "./verify-delivery.ts";
import { followLive } from "../../shared/nats/live.ts";

export interface StandaloneOptions {
  agency: string;
  /** The agency's seed file (ID.nk); earlier keys of a rotation are read from previous/ beside it. */
  keyFile: string;
  connectionFile: string;
  /** Servers to use instead of the connection file's. */
  servers?: string;
  rngSeed?: string;
  hitProbability?: number;
  logger?: Logger;
}

/** How long to wait for the exchange's clock at start (it is broadcast every second). */
const CLOCK_WAIT_MS = 3_000;

export async function startStandaloneNode(opts: StandaloneOptions): Promise<AgencyHost> {
  const log = opts.logger ?? createLogger("agency");
  const conn = await readConnectionFile(opts.connectionFile);
  if (conn.agency !== opts.agency) throw new Error(`--connection ${opts.connectionFile} is ${conn.agency}'s, not ${opts.agency}'s`);
  const seeds = await agencySeeds(opts.keyFile, opts.agency);
  const servers = opts.servers ?? conn.servers;
  // Until the live registry is read, the connection file's keys decide which seed logs in.
  const early = new KeyRing(opts.agency, seeds.current, seeds.previous, senderKeysOf(conn.publicKeys));
  const own = conn.publicKeys.agencies.find((a) => a.id === opts.agency);
  if (!own || !early.publicKeys.some((k) => keyOf(own, k)))
    throw new Error(
      `--key ${opts.keyFile}: its key ${early.publicKeys[0]} is not one the exchange registered for ${opts.agency} (${conn.publicKey}); send ${opts.agency}.pub to the exchange's operator`,
    );
  const { registry, clock } = await readExchange(servers, opts.agency, () => early.seed(), conn.clock);
  const entry = registry.agencies.find((a) => a.id === opts.agency);
  if (!entry) throw new Error(`${opts.agency} is not in the exchange's registry any more`);
  const { publicKey: _p, keys: _k, ...agency } = entry;
  let ring: KeyRing | undefined;
  const host = new AgencyHost({
    servers,
    agencies: [{ agency, seed: () => ring!.seed() }],
    registry,
    clock,
    logger: log,
    ...(opts.rngSeed ? { rngSeed: opts.rngSeed } : {}),
    ...(opts.hitProbability !== undefined ? { hitProbability: opts.hitProbability } : {}),
  });
  // The host keeps its keys current with the registry; the ring chooses the seed from them.
  ring = new KeyRing(opts.agency, seeds.current, seeds.previous, host.keys, log, () => agencySeeds(opts.keyFile, opts.agency));
  await host.start();
  return host;
}

/** The registry and the clock, read once with a connection of their own. */
async function readExchange(servers: string | string[], agency: string, seed: () => string, fallback: ClockState): Promise<{ registry: RegistryData; clock: ClockState }> {
  const nc = await connectAs({ servers, user: agency, seed, name: `atix-${agency}-start` }).catch((e: Error) => {
    throw new Error(`cannot connect to ${servers} as ${agency}: ${e.message}`);
  });
  try {
    let clock: ClockState | undefined;
    const sub = followLive(nc, subjects.clock, (m) => {
      try {
        clock ??= ClockState.parse(m.json());
      } catch {
        // not a clock: wait for the next
      }
    });
    const registry = await (await ExchangeReader.of(nc)).registry();
    if (!registry) throw new Error("the exchange has no readable registry (is it set up?)");
    for (let waited = 0; !clock && waited < CLOCK_WAIT_MS; waited += 100) await sleep(100);
    sub.unsubscribe();
    return { registry, clock: clock ?? fallback };
  } finally {
    await nc.close();
  }
}
