// Brings up a whole exchange: the broker (embedded unless one is given), the shared config,
// coordinator instances and the agencies of a roster, each a process of its own.
// `atix up` and the scenario runner both start exchanges through here.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { SimClock } from "../../shared/clock.ts";
import { issueIdentities, publishExchangeConfig, registryFor, serverAuthorization } from "../../shared/exchange/bootstrap.ts";
import { type ExchangeFile, exchangeFilePath, readExchangeFile, writeExchangeFile } from "../../shared/exchange/exchange-file.ts";
import { type Identity, readIdentity, writeIdentities } from "../../shared/exchange/identities.ts";
import { loadRoster } from "../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../shared/exchange/settings.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { type NatsServer, startNatsServer } from "../../shared/nats/embedded-server.ts";
import { ensureAgencyConsumer, ensureLayout } from "../../shared/nats/streams.ts";
import { type Child, startChild, stopChild } from "./children.ts";

export const DEFAULT_ROSTER = resolve(new URL("../../simulations/rosters/forum-90.yaml", import.meta.url).pathname);

export interface LaunchOptions {
  home: string;
  roster?: string;
  speed?: number;
  /** Simulated time at start (epoch ms); default now. */
  simStart?: number;
  nats?: string;
  coordinators?: number;
  /** Start the agencies of the roster in one host process (default true). */
  agencies?: boolean;
  settings?: Settings;
  /** Extra arguments for the agency host (scenario behaviour). */
  agencyArgs?: string[];
  /** Start with the clock paused (a scenario resumes it once everything is up). */
  paused?: boolean;
}

export interface Launched {
  exchange: ExchangeFile;
  server?: NatsServer;
  coordinators: Child[];
  agencies?: Child;
  logDir: string;
  startCoordinator(name?: string): Child;
  stop(): Promise<void>;
}

async function existingIdentities(dir: string, users: string[]): Promise<Map<string, Identity>> {
  const found = new Map<string, Identity>();
  for (const u of users) {
    const id = await readIdentity(dir, u).catch(() => undefined);
    if (id) found.set(u, id);
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Two exchanges in one folder would share one JetStream store: refuse the second. */
async function refuseIfRunning(home: string) {
  const running = await readExchangeFile(exchangeFilePath(home)).catch(() => undefined);
  if (running && running.pid !== process.pid && alive(running.pid))
    throw new Error(
      `an exchange is already running in ${home} (pid ${running.pid}, ${running.natsUrl}); stop it first (Ctrl-C where it runs), or use another folder or ATIX_HOME`,
    );
}

export async function launch(opts: LaunchOptions): Promise<Launched> {
  const home = resolve(opts.home);
  await refuseIfRunning(home);
  const rosterFile = resolve(opts.roster ?? DEFAULT_ROSTER);
  const roster = await loadRoster(rosterFile);
  const keysDir = join(home, "keys");
  const logDir = join(home, "logs");
  await mkdir(logDir, { recursive: true });
  // Keys survive restarts of the exchange: an agency keeps its identity.
  const ids = issueIdentities(roster, await existingIdentities(keysDir, ["coordinator", "observer", ...roster.agencies.map((a) => a.id)]));
  await writeIdentities(keysDir, [ids.coordinator, ids.observer, ...ids.agencies.values()]);
  const auth = serverAuthorization(ids);
  await writeFile(join(home, "nats-auth.conf"), auth);

  const server = opts.nats ? undefined : await startNatsServer({ dir: join(home, "nats"), config: auth });
  const natsUrl = opts.nats ?? server!.url;
  const nc = await connectAs({ servers: natsUrl, user: "coordinator", seed: ids.coordinator.seed });
  const clock = SimClock.start(opts.speed ?? 1, opts.simStart ?? Date.now());
  if (opts.paused) clock.pause();
  const registry = registryFor(roster, ids);
  try {
    const jsm = await ensureLayout(nc);
    // The agencies' consumers exist before any service starts: no agency waits for a coordinator.
    for (const a of roster.agencies) await ensureAgencyConsumer(jsm, a.id);
    await publishExchangeConfig(nc, { registry, settings: opts.settings ?? DEFAULT_SETTINGS, clock: clock.snapshot() });
  } finally {
    await nc.drain();
  }
  const registryFile = join(home, "registry.json");
  await writeFile(registryFile, `${JSON.stringify(registry, null, 2)}\n`);
  const exchange: ExchangeFile = {
    version: 1,
    natsUrl,
    credentialsDir: keysDir,
    registryFile,
    roster: rosterFile,
    coordinatorPublicKey: ids.coordinator.publicKey,
    ...(server ? { embeddedServer: { pid: server.pid, port: server.port, storeDir: server.storeDir, configFile: server.configFile } } : {}),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    clock: clock.snapshot(),
  };
  await writeExchangeFile(exchangeFilePath(home), exchange);

  const coordinators: Child[] = [];
  let n = 0;
  const startCoordinator = (name = `coordinator-${++n}`) => {
    const c = startChild(name, ["coordinator", "--instance", name], { home, logDir });
    coordinators.push(c);
    return c;
  };
  for (let i = 0; i < (opts.coordinators ?? 1); i++) startCoordinator();
  const agencies = opts.agencies === false ? undefined : startChild("agencies", ["agency", "--all", ...(opts.agencyArgs ?? [])], { home, logDir });

  return {
    exchange,
    ...(server ? { server } : {}),
    coordinators,
    ...(agencies ? { agencies } : {}),
    logDir,
    startCoordinator,
    async stop() {
      await Promise.all([...(agencies ? [stopChild(agencies)] : []), ...coordinators.map((c) => stopChild(c))]);
      await server?.stop();
    },
  };
}
