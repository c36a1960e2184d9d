// The exchange a bench measures on: the generated roster of N agencies in a temporary folder,
// brought up by `launch` as `atix up` does (its own nats-server on a free loopback port, a
// temporary store), and everything removed again afterwards. The fan-out bench (atix.ts), the
// message cost (message-cost.ts) and the history bench (history-run.ts) all start theirs here, so
// all measure the same deployment; the first two host agency nodes on it the same way.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Roster, RosterAgency } from "../../shared/contracts/index.ts";
import { COORDINATOR_USER } from "../../shared/exchange/identities.ts";
import { createLogger } from "../../shared/log.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { AgencyHost } from "../agency/index.ts";
import { launch, type Launched, type LaunchOptions } from "../launcher/launch.ts";
import { writeBenchRoster } from "./roster.ts";

/** The agency whose node sends every burst. */
export const BENCH_SENDER = "AA";

export interface BenchExchange {
  home: string;
  roster: Roster;
  launched: Launched;
  /** Stops what launch started (server, coordinators) and removes the folder. Never throws. */
  stop(): Promise<void>;
}

export async function startBenchExchange(n: number, opts: Omit<LaunchOptions, "home" | "roster">, onStep?: (s: string) => void): Promise<BenchExchange> {
  const home = await mkdtemp(join(tmpdir(), "atix-bench-"));
  const removeHome = () => rm(home, { recursive: true, force: true }).catch(() => undefined);
  try {
    const { file, roster } = await writeBenchRoster(home, n);
    onStep?.(`starting an exchange of ${n} agencies`);
    const launched = await launch({ ...opts, home, roster: file });
    return {
      home,
      roster,
      launched,
      async stop() {
        await launched.stop().catch(() => undefined);
        await removeHome();
      },
    };
  } catch (e) {
    await removeHome();
    throw e;
  }
}

/**
 * Nodes of `agencies`, in this process, started: duty officers who acknowledge at once, and
 * nothing else (no hits, answers or further information). Their keys are the ones launch issued.
 */
export async function startBenchAgencies(launched: Launched, agencies: RosterAgency[]): Promise<AgencyHost> {
  const { ids } = launched.prepared;
  const host = new AgencyHost({
    servers: launched.exchange.natsUrl,
    agencies: agencies.map((agency) => ({ agency, seed: ids.agencies.get(agency.id)!.seed })),
    registry: launched.registry,
    clock: launched.exchange.clock,
    rngSeed: "bench",
    hitProbability: 0,
    answerProbability: 0,
    informationProbability: 0,
    logger: createLogger("agency", {}, "warn"),
  });
  await host.start();
  return host;
}

/** The bench's own reading of the exchange (streams' state, the audit chain, the store), as the coordinator's identity. */
export const connectBenchReader = (launched: Launched, name = "atix-bench"): Promise<NatsConnection> =>
  connectAs({ servers: launched.exchange.natsUrl, user: COORDINATOR_USER, seed: launched.prepared.ids.coordinator.seed, name });
