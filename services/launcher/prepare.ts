// Preparing an exchange, shared by `atix up` (launch.ts) and `atix init`: its folder (keys for
// every identity, registry.json, nats-auth.conf, exchange.json) and its broker (streams, buckets,
// every agency's consumer, the shared config in KV).
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClockState } from "../../shared/clock.ts";
import type { CoordinatorKeyEntry, Roster } from "../../shared/contracts/registry.ts";
import { instanceKey, instanceKeysDir, keyEntry, mergeKeys } from "../../shared/exchange/coordinator-keys.ts";
import { streams } from "../../shared/contracts/subjects.ts";
import {
  type ExchangeIdentities, issueIdentities, publishExchangeConfig, registryFor, serverAuthorization,
} from "../../shared/exchange/bootstrap.ts";
import { type ExchangeFile, exchangeFilePath, readExchangeFile } from "../../shared/exchange/exchange-file.ts";
import { COORDINATOR_USER, type Identity, OBSERVER_USER, readIdentity, writeIdentities } from "../../shared/exchange/identities.ts";
import { loadRoster, RegistryData } from "../../shared/exchange/registry.ts";
import type { Settings } from "../../shared/exchange/settings.ts";
import { checkReplicas } from "../../shared/nats/replicas.ts";
import { retryTransient } from "../../shared/nats/retry.ts";
import { ensureAgencyConsumer, ensureLayout } from "../../shared/nats/streams.ts";

export interface PreparedHome {
  home: string;
  keysDir: string;
  rosterFile: string;
  roster: Roster;
  ids: ExchangeIdentities;
  registry: RegistryData;
  registryFile: string;
  /** The accounts block (nats-auth.conf's text), for a server config to include or embed. */
  auth: string;
  authFile: string;
}

async function existingIdentities(dir: string, users: string[]): Promise<Map<string, Identity>> {
  const found = new Map<string, Identity>();
  for (const u of users) {
    const id = await readIdentity(dir, u).catch(() => undefined);
    if (id) found.set(u, id);
  }
  return found;
}

/**
 * The coordinator keys the folder's registry lists: those registry.json already had (never
 * dropped: records signed with them must still verify), every instance key in keys/instances/,
 * and a key for each of `instances` (made if missing).
 */
async function coordinatorKeys(home: string, keysDir: string, instances: string[]): Promise<CoordinatorKeyEntry[]> {
  const earlier = await readFile(join(home, "registry.json"), "utf8").then((t) => RegistryData.safeParse(JSON.parse(t)).data?.coordinators ?? [], () => []);
  const files = await readdir(instanceKeysDir(keysDir)).catch(() => [] as string[]);
  const names = [...new Set([...instances, ...files.filter((f) => f.endsWith(".nk")).map((f) => f.slice(0, -3))])];
  const keys: CoordinatorKeyEntry[] = [];
  for (const name of names) keys.push(keyEntry(name, (await instanceKey(keysDir, name)).identity.publicKey));
  return mergeKeys(earlier, keys);
}

/**
 * Writes keys, nats-auth.conf and registry.json for a roster into `home` (an absolute path).
 * `instances`: the coordinator instances to make signing keys for (`atix up`'s, or `atix init --coordinators`).
 */
export async function prepareHome(home: string, rosterFile: string, opts: { instances?: string[] } = {}): Promise<PreparedHome> {
  const roster = await loadRoster(rosterFile);
  await mkdir(home, { recursive: true });
  const keysDir = join(home, "keys");
  // Keys survive restarts of the exchange: an agency keeps its identity.
  const ids = issueIdentities(roster, await existingIdentities(keysDir, [COORDINATOR_USER, OBSERVER_USER, ...roster.agencies.map((a) => a.id)]));
  await writeIdentities(keysDir, [ids.coordinator, ids.observer, ...ids.agencies.values()]);
  const auth = serverAuthorization(ids);
  const authFile = join(home, "nats-auth.conf");
  await writeFile(authFile, auth);
  const registry = registryFor(roster, ids, await coordinatorKeys(home, keysDir, opts.instances ?? []));
  const registryFile = join(home, "registry.json");
  await writeFile(registryFile, `${JSON.stringify(registry, null, 2)}\n`);
  return { home, keysDir, rosterFile, roster, ids, registry, registryFile, auth, authFile };
}

/** What exchange.json says beyond the prepared folder: where the broker is, the clock, who runs it. */
export type ExchangeRuntime = Omit<ExchangeFile, "version" | "credentialsDir" | "registryFile" | "roster" | "coordinatorPublicKey" | "startedAt">;

export const exchangeFileFor = (p: PreparedHome, { natsUrl, ...run }: ExchangeRuntime): ExchangeFile => ({
  version: 1,
  natsUrl,
  credentialsDir: p.keysDir,
  registryFile: p.registryFile,
  roster: p.rosterFile,
  coordinatorPublicKey: p.ids.coordinator.publicKey,
  startedAt: new Date().toISOString(),
  ...run,
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Two exchanges in one folder would share one JetStream store, and re-preparing the folder of a
 * running one would rewrite its exchange.json under it: refuse both. A file without a pid (from
 * `atix init`) names a broker run elsewhere, not a process here.
 */
export async function refuseIfRunning(home: string) {
  const running = await readExchangeFile(exchangeFilePath(home)).catch(() => undefined);
  if (running?.pid !== undefined && running.pid !== process.pid && alive(running.pid))
    throw new Error(
      `an exchange is already running in ${home} (pid ${running.pid}, ${running.natsUrl}); stop it first (Ctrl-C where it runs), or use another folder or ATIX_HOME`,
    );
}

/**
 * Holds the folder for this process from before its broker starts: exchange.json names the
 * running exchange only once it is up (a cluster can take a minute), so two `atix up` started
 * together would both pass refuseIfRunning. A lock left by a process that died is taken over.
 * Returns the release.
 */
export async function claimHome(home: string): Promise<() => Promise<void>> {
  await refuseIfRunning(home);
  await mkdir(home, { recursive: true });
  const lock = join(home, "exchange.lock");
  const release = () => rm(lock, { force: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx" });
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(await readFile(lock, "utf8").catch(() => ""));
      if (holder === process.pid) return release;
      if (holder && alive(holder))
        throw new Error(`an exchange is starting or running in ${home} (pid ${holder}); stop it first (Ctrl-C where it runs), or use another folder or ATIX_HOME`);
      await release(); // its process is gone
    }
  }
  throw new Error(`could not take ${lock}: another process keeps taking it`);
}

export interface PublishOptions {
  registry: RegistryData;
  settings: Settings;
  clock: ClockState;
  /** Replicas of every stream and bucket (default 1); existing ones must already have this many. */
  replicas?: number;
  /** Keep the settings and clock an exchange already has (a repeated `init --publish`). */
  keepRunning?: boolean;
}

/**
 * On the broker, as the coordinator: the streams and buckets, every agency's consumer (so no
 * agency waits for a coordinator), and the registry, settings and clock the services read.
 * Idempotent. A replica count asked for must match the existing streams' (refused naming the
 * stream); none asked for keeps what exists (1 for a new exchange). Returns the count in effect.
 */
export async function publishExchange(nc: NatsConnection, opts: PublishOptions): Promise<number> {
  if (opts.replicas !== undefined) {
    const wanted = opts.replicas;
    const jsm = await retryTransient(() => jetstreamManager(nc));
    await retryTransient(() => checkReplicas(jsm, wanted));
  }
  const jsm = await ensureLayout(nc, { replicas: opts.replicas ?? 1 });
  for (const a of opts.registry.agencies) await ensureAgencyConsumer(jsm, a.id);
  await publishExchangeConfig(nc, { registry: opts.registry, settings: opts.settings, clock: opts.clock }, { keepRunning: opts.keepRunning ?? false });
  return (await retryTransient(() => jsm.streams.info(streams.submissions.name))).config.num_replicas;
}
