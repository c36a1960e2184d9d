// Brings up a whole exchange: the broker (embedded unless one is given), the shared config,
// coordinator instances and the agencies of a roster, each a process of its own.
// `atix up` and the scenario runner both start exchanges through here.
import { mkdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { SimClock } from "../../shared/clock.ts";
import { type ExchangeFile, exchangeFilePath, writeExchangeFile } from "../../shared/exchange/exchange-file.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../shared/exchange/settings.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { type NatsCluster, startNatsCluster } from "../../shared/nats/cluster.ts";
import { type NatsServer, startNatsServer } from "../../shared/nats/embedded-server.ts";
import { ReplicaMismatch } from "../../shared/nats/replicas.ts";
import { appendFile } from "node:fs/promises";
import { createLogger } from "../../shared/log.ts";
import { type AuthKeeper, keepAuthInStep } from "./auth-keeper.ts";
import { type Child, startChild, stopChild } from "./children.ts";
import { claimHome, exchangeFileFor, type PreparedHome, prepareHome, publishExchange } from "./prepare.ts";
import { type Supervisor, supervise, type Unplanned } from "./supervise.ts";

/** The instances `atix up` and `atix run` start (and `atix init` makes keys for) are named so. */
export const coordinatorName = (n: number) => `coordinator-${n}`;

export const DEFAULT_ROSTER = resolve(new URL("../../simulations/rosters/forum-90.yaml", import.meta.url).pathname);

/**
 * The coordinator's live heap is some 30 MB, but V8 lets it grow to ~100 MB before collecting:
 * a limit keeps its peak well under the 300 MB budget at 1000 agencies (measured 184 MB with 128).
 */
export const COORDINATOR_NODE_ARGS = [
  "--max-old-space-size=160",
  // For finding where the time goes (docs/performance.md): a V8 CPU profile per coordinator process.
  ...(process.env.ATIX_COORDINATOR_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.ATIX_COORDINATOR_CPU_PROF}`] : []),
];

export interface LaunchOptions {
  home: string;
  roster?: string;
  speed?: number;
  /** Simulated time at start (epoch ms); default now. */
  simStart?: number;
  nats?: string;
  /** Start a NATS cluster of this many nodes (3 or 5) instead of one server; streams get as many replicas. */
  cluster?: number;
  coordinators?: number;
  /** Start the agencies of the roster in one host process (default true). */
  agencies?: boolean;
  settings?: Settings;
  /** Extra arguments for the agency host (scenario behaviour). */
  agencyArgs?: string[];
  /** Start with the clock paused (a scenario resumes it once everything is up). */
  paused?: boolean;
  /**
   * Told when a coordinator exits without being asked to, as it is started again (the line is
   * also appended to its log).
   */
  onUnplanned?: (u: Unplanned) => void;
  /** A folder of `ID.pub` files: agencies that registered keys they made themselves (their nodes run elsewhere). */
  agencyKeys?: string;
  /** Agencies whose nodes run elsewhere; each needs a public key, registered now or before. */
  external?: string[];
  /**
   * Keep the broker's accounts in step with the registry (`atix up`): a key registered while it
   * runs may log in at once, a retired one is cut off when its overlap ends.
   */
  followKeys?: boolean;
}

export interface Launched {
  exchange: ExchangeFile;
  prepared: PreparedHome;
  /** The registry as published (agencies' and coordinators' public keys). */
  registry: RegistryData;
  server?: NatsServer;
  cluster?: NatsCluster;
  /** The coordinator processes running now (a restarted one replaces its predecessor). */
  readonly coordinators: Child[];
  /** Each coordinator instance's supervisor: restarts and deliberate kills. */
  supervisors: Supervisor[];
  agencies?: Child;
  logDir: string;
  /**
   * Starts a coordinator instance: again after a deliberate kill (killCoordinator) when `name`
   * is one, else a new one.
   */
  startCoordinator(name?: string): Child;
  /** SIGKILLs an instance on purpose (a fault): it is not restarted until startCoordinator(name). */
  killCoordinator(name: string): Promise<Child | undefined>;
  stop(): Promise<void>;
}

export async function launch(opts: LaunchOptions): Promise<Launched> {
  const home = resolve(opts.home);
  const releaseHome = await claimHome(home);
  // Keys (kept across restarts), nats-auth.conf and registry.json, as `atix init` writes them;
  // each coordinator instance started here signs with a key of its own, registered up front.
  const instances = Array.from({ length: opts.coordinators ?? 1 }, (_, i) => coordinatorName(i + 1));
  const prepared = await prepareHome(home, resolve(opts.roster ?? DEFAULT_ROSTER), {
    instances,
    ...(opts.agencyKeys ? { agencyKeys: resolve(opts.agencyKeys) } : {}),
    ...(opts.external ? { external: opts.external } : {}),
  }).catch(async (e) => {
    await releaseHome();
    throw e;
  });
  const { ids, registry } = prepared;
  // Servers include nats-auth.conf rather than a copy of it: rewritten and reloaded, it takes effect (auth-keeper.ts).
  const including = (configFile: string) => `include ${JSON.stringify(relative(dirname(configFile), prepared.authFile))}\n`;
  const logDir = join(home, "logs");
  await mkdir(logDir, { recursive: true });

  if (opts.nats && opts.cluster) throw new Error("cluster: a cluster of our own and an external server (--nats) exclude each other");
  const clusterDir = join(home, "nats-cluster");
  const cluster = opts.cluster && !opts.nats ? await startNatsCluster({ size: opts.cluster, dir: clusterDir, config: including(join(clusterDir, "n1", "nats.conf")) }) : undefined;
  const serverDir = join(home, "nats");
  const server = opts.nats || cluster ? undefined : await startNatsServer({ dir: serverDir, config: including(join(serverDir, "nats.conf")) });
  const natsUrl = opts.nats ?? cluster?.url ?? server!.url;
  // Every stream and bucket on each node of our cluster: any one node may die.
  const replicas = cluster ? Math.min(cluster.nodes.length, 5) : 1;
  const clock = SimClock.start(opts.speed ?? 1, opts.simStart ?? Date.now());
  if (opts.paused) clock.pause();
  try {
    const nc = await connectAs({ servers: natsUrl, user: "coordinator", seed: ids.coordinator.seed });
    try {
      await publishExchange(nc, { registry, settings: opts.settings ?? DEFAULT_SETTINGS, clock: clock.snapshot(), replicas });
    } finally {
      await nc.drain();
    }
  } catch (e) {
    // Nothing is left running by a start that failed; a folder's cluster keeps its size.
    await Promise.all([server?.stop(), cluster?.stop()]);
    await releaseHome();
    if (e instanceof ReplicaMismatch && cluster)
      throw new Error(`${e.message}: this folder's cluster was set up with another size; use that --cluster, or remove ${join(home, "nats-cluster")}`);
    throw e;
  }
  const exchange: ExchangeFile = exchangeFileFor(prepared, {
    natsUrl,
    ...(server ? { embeddedServer: { pid: server.pid, port: server.port, storeDir: server.storeDir, configFile: server.configFile } } : {}),
    ...(cluster ? { cluster: clusterEntry(cluster, replicas) } : {}),
    pid: process.pid,
    clock: clock.snapshot(),
  });
  await writeExchangeFile(exchangeFilePath(home), exchange);

  const supervisors: Supervisor[] = [];
  let n = 0;
  // Each instance is supervised: one that dies on its own is started again (supervise.ts), under
  // the same name, so with the same signing key (keys/instances/<name>.nk).
  const startCoordinator = (name = coordinatorName(++n)) => {
    const existing = supervisors.find((s) => s.name === name);
    if (existing) return existing.start();
    const args = ["coordinator", "--instance", name, ...(replicas > 1 ? ["--replicas", String(replicas)] : [])];
    const s = supervise(name, {
      spawn: (restarts) => startChild(name, args, { home, logDir, nodeArgs: COORDINATOR_NODE_ARGS, env: { ATIX_RESTARTS: String(restarts) } }),
      onUnplanned: (u) => {
        void appendFile(join(logDir, `${name}.log`), `${JSON.stringify({ level: 50, time: Date.now(), name: "supervisor", instance: name, msg: u.line })}\n`).catch(() => undefined);
        opts.onUnplanned?.(u);
      },
    });
    supervisors.push(s);
    return s.child;
  };
  for (let i = 0; i < (opts.coordinators ?? 1); i++) startCoordinator();
  const hosted = registry.agencies.length - prepared.external.length;
  const agencies = opts.agencies === false || !hosted ? undefined : startChild("agencies", ["agency", "--all", ...(opts.agencyArgs ?? [])], { home, logDir });
  let keeper: AuthKeeper | undefined;
  if (opts.followKeys) {
    const nc = await connectAs({ servers: natsUrl, user: "coordinator", seed: ids.coordinator.seed, name: "atix-up-accounts" });
    const pids = () => (cluster ? cluster.nodes.flatMap((n) => (n.pid ? [n.pid] : [])) : server ? [server.pid] : []);
    keeper = await keepAuthInStep({ nc, ids, authFile: prepared.authFile, written: prepared.auth, servers: pids, log: createLogger("accounts") });
    const stopKeeper = keeper.stop.bind(keeper);
    keeper.stop = () => (stopKeeper(), void nc.close().catch(() => undefined));
  }

  return {
    exchange,
    prepared,
    registry,
    ...(server ? { server } : {}),
    ...(cluster ? { cluster } : {}),
    get coordinators() {
      return supervisors.map((s) => s.child);
    },
    supervisors,
    ...(agencies ? { agencies } : {}),
    logDir,
    startCoordinator,
    async killCoordinator(name) {
      const s = supervisors.find((x) => x.name === name);
      if (!s) return undefined;
      await s.kill();
      return s.child;
    },
    async stop() {
      keeper?.stop();
      await Promise.all([...(agencies ? [stopChild(agencies)] : []), ...supervisors.map((s) => s.stop())]);
      await server?.stop();
      await cluster?.stop();
      await releaseHome();
    },
  };
}

const clusterEntry = (c: NatsCluster, replicas: number): NonNullable<ExchangeFile["cluster"]> => ({
  name: c.name,
  replicas,
  nodes: c.nodes.map((n) => ({ name: n.name, url: n.url, ...(n.pid ? { pid: n.pid } : {}), clusterPort: n.clusterPort, storeDir: n.storeDir, configFile: n.configFile })),
});
