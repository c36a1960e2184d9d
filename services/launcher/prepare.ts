// Preparing an exchange, shared by `atix up` (launch.ts) and `atix init`: its folder (keys for
// every identity it runs, the public keys agencies registered, registry.json, nats-auth.conf,
// exchange.json) and its broker (streams, buckets, every agency's consumer, the shared config in KV).
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClockState } from "../../shared/clock.ts";
import type { CoordinatorKeyEntry, Roster } from "../../shared/contracts/registry.ts";
import { instanceKey, instanceKeysDir, keyEntry, mergeKeys } from "../../shared/exchange/coordinator-keys.ts";
import { streams } from "../../shared/contracts/subjects.ts";
import {
  type AgencyKeys, type ExchangeIdentities, issueIdentities, publishExchangeConfig, registryFor, serverAuthorization,
} from "../../shared/exchange/bootstrap.ts";
import { DEFAULT_OVERLAP_MS, keyHolder, keysOf, registerKey, sharedKeyRefusal } from "../../shared/exchange/agency-keys.ts";
import { type PublicKeyOnFile, readPublicKeyFiles } from "../../shared/exchange/key-files.ts";
import { type ExchangeFile, exchangeFilePath, readExchangeFile } from "../../shared/exchange/exchange-file.ts";
import { COORDINATOR_USER, type Identity, NoCredentials, OBSERVER_USER, readIdentity, seedFile, writeIdentities } from "../../shared/exchange/identities.ts";
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
  /** Agencies whose nodes run elsewhere: the exchange holds only their public keys. */
  external: string[];
  /** What registering agencies' own keys did, one line each (printed by `atix up` and `atix init`). */
  notes: string[];
}

export interface PrepareOptions {
  /** The coordinator instances to make signing keys for (`atix up`'s, or `atix init --coordinators`). */
  instances?: string[];
  /** A folder of `ID.pub` files: those agencies register keys they made themselves. */
  agencyKeys?: string;
  /** Agencies whose nodes run elsewhere (`--external`); each needs a public key, registered now or before. */
  external?: string[];
  /** How long an agency's previous key stays valid beside a new one it registers (wall ms). */
  overlapMs?: number;
  /** Wall time of the registration (default now). */
  nowMs?: number;
}

/** The identity whose seed is in the folder; undefined when there is none (a file that is not a seed is an error). */
const heldIdentity = (dir: string, user: string) => readIdentity(dir, user).catch((e: Error) => {
  if (e instanceof NoCredentials) return undefined;
  throw e;
});

async function existingIdentities(dir: string, users: string[]): Promise<Map<string, Identity>> {
  const found = new Map<string, Identity>();
  for (const u of users) {
    const id = await heldIdentity(dir, u);
    if (id) found.set(u, id);
  }
  return found;
}

/**
 * The coordinator keys the folder's registry lists: those registry.json already had (never
 * dropped: records signed with them must still verify), every instance key in keys/instances/,
 * and a key for each of `instances` (made if missing).
 */
async function coordinatorKeys(earlier: RegistryData | undefined, keysDir: string, instances: string[]): Promise<CoordinatorKeyEntry[]> {
  const files = await readdir(instanceKeysDir(keysDir)).catch(() => [] as string[]);
  const names = [...new Set([...instances, ...files.filter((f) => f.endsWith(".nk")).map((f) => f.slice(0, -3))])];
  const keys: CoordinatorKeyEntry[] = [];
  for (const name of names) keys.push(keyEntry(name, (await instanceKey(keysDir, name)).identity.publicKey));
  return mergeKeys(earlier?.coordinators ?? [], keys);
}

/**
 * Which agencies the exchange runs itself and the keys of those it does not: an agency registers
 * its own public key (`ID.pub` in `agencyKeys`), and from then on the exchange holds no seed of it
 * (a seed made here earlier is deleted, its key retired at once: the operator held it). A key
 * registered before is kept; a new one replaces it after the overlap.
 */
async function agencyKeyPlan(roster: Roster, keysDir: string, earlier: RegistryData | undefined, opts: PrepareOptions) {
  const pubs = opts.agencyKeys ? await readPublicKeyFiles(opts.agencyKeys) : new Map<string, PublicKeyOnFile>();
  const ids = new Set(roster.agencies.map((a) => a.id));
  const strangers = [...pubs.keys()].filter((id) => !ids.has(id));
  if (strangers.length) throw new Error(`--agency-keys: ${strangers.join(", ")} ${strangers.length === 1 ? "is" : "are"} not in the roster ${roster.name}`);
  const unknownExternal = (opts.external ?? []).filter((id) => !ids.has(id));
  if (unknownExternal.length) throw new Error(`--external: not agencies of the roster ${roster.name}: ${unknownExternal.join(", ")}`);
  const external = new Set([...(opts.external ?? []), ...roster.agencies.filter((a) => a.external).map((a) => a.id)]);
  const nowMs = opts.nowMs ?? Date.now();
  const registered = new Map<string, AgencyKeys>();
  const deleteSeeds: string[] = [];
  const notes: string[] = [];
  for (const a of roster.agencies) {
    const pub = pubs.get(a.id);
    const held = await heldIdentity(keysDir, a.id);
    const before = earlier?.agencies.find((e) => e.id === a.id);
    if (pub) {
      const base = before?.external ? before : held ? { id: a.id, publicKey: held.publicKey } : undefined;
      if (held) deleteSeeds.push(a.id);
      if (!base) {
        registered.set(a.id, { publicKey: pub.publicKey });
        notes.push(`${a.id}: registered its own key ${pub.publicKey}`);
        continue;
      }
      if (before?.external && pub.publicKey !== before.publicKey && keysOf(before).some((k) => k.publicKey === pub.publicKey)) {
        // A .pub left from before a rotation: the key registered since stands.
        registered.set(a.id, { publicKey: before.publicKey, ...(before.keys ? { keys: before.keys } : {}) });
        notes.push(`${a.id}: ${pub.file} holds a key ${a.id} has replaced since; its current key ${before.publicKey} stands`);
        continue;
      }
      // A key the operator made was the operator's: it stops at once. An agency's own gets the overlap.
      const overlapMs = before?.external ? (opts.overlapMs ?? DEFAULT_OVERLAP_MS) : 0;
      const r = registerKey({ id: a.id, publicKey: base.publicKey, ...(before?.external && before.keys ? { keys: before.keys } : {}) }, pub.publicKey, nowMs, overlapMs);
      if (r.change === "refused") throw new Error(`--agency-keys: ${r.reason}`);
      if (r.change === "none") {
        registered.set(a.id, { publicKey: base.publicKey, ...(before?.keys ? { keys: before.keys } : {}) });
        continue;
      }
      registered.set(a.id, { publicKey: r.publicKey, keys: r.keys });
      const ends = (r.retiring ?? []).map((k) => `${k.publicKey.slice(0, 8)}… valid until ${k.validUntil}`).join(", ");
      notes.push(`${a.id}: registered its new key ${pub.publicKey}${ends ? `; its previous key ${ends}` : ""}`);
    } else if (before?.external) {
      // Registered by the agency before: it stays so (a seed that turned up here meanwhile is not its key).
      registered.set(a.id, { publicKey: before.publicKey, ...(before.keys ? { keys: before.keys } : {}) });
      if (held) deleteSeeds.push(a.id);
    } else if (external.has(a.id)) {
      throw new Error(
        `${a.id} is external: the exchange needs its public key; on the agency's side \`atix keys new --agency ${a.id} --out DIR\`, then pass the folder holding ${a.id}.pub with --agency-keys`,
      );
    }
  }
  return { registered, deleteSeeds, notes };
}

/**
 * Writes keys, nats-auth.conf and registry.json for a roster into `home` (an absolute path). The
 * agencies that registered their own public keys are external: the folder holds no seed of theirs.
 */
export async function prepareHome(home: string, rosterFile: string, opts: PrepareOptions = {}): Promise<PreparedHome> {
  const roster = await loadRoster(rosterFile);
  await mkdir(home, { recursive: true });
  const keysDir = join(home, "keys");
  const registryFile = join(home, "registry.json");
  const earlier = await readFile(registryFile, "utf8").then((t) => RegistryData.safeParse(JSON.parse(t)).data, () => undefined);
  const plan = await agencyKeyPlan(roster, keysDir, earlier, opts);
  const hosted = (id: string) => !plan.registered.has(id);
  // Keys survive restarts of the exchange: an agency keeps its identity.
  const users = [COORDINATOR_USER, OBSERVER_USER, ...roster.agencies.map((a) => a.id).filter(hosted)];
  const ids = issueIdentities(roster, await existingIdentities(keysDir, users), hosted);
  const external = roster.agencies.filter((a) => !hosted(a.id)).map((a) => a.id);
  const marked = { ...roster, agencies: roster.agencies.map((a) => (hosted(a.id) ? withoutExternal(a) : { ...a, external: true })) };
  const registry = registryFor(marked, ids, await coordinatorKeys(earlier, keysDir, opts.instances ?? []), plan.registered);
  // Refused before any seed is written or deleted: an agency's own key is no other identity's.
  for (const id of external) {
    const { publicKey } = plan.registered.get(id)!;
    const holder = keyHolder(registry, publicKey, id, [ids.coordinator, ids.observer]);
    if (holder) throw new Error(`--agency-keys: ${sharedKeyRefusal(`${id}.pub`, publicKey, holder)}`);
  }
  await writeIdentities(keysDir, [ids.coordinator, ids.observer, ...ids.agencies.values()]);
  for (const id of plan.deleteSeeds) {
    await rm(seedFile(keysDir, id), { force: true });
    plan.notes.push(`${id}: the seed this folder held for it is deleted (${id} holds its own key now)`);
  }
  const auth = serverAuthorization(ids, registry, opts.nowMs);
  const authFile = join(home, "nats-auth.conf");
  await writeFileAtomically(authFile, auth);
  await writeFileAtomically(registryFile, `${JSON.stringify(registry, null, 2)}\n`);
  return { home, keysDir, rosterFile, roster, ids, registry, registryFile, auth, authFile, external, notes: plan.notes };
}

const withoutExternal = <A extends { external?: boolean }>({ external: _e, ...a }: A) => a;

/** Written beside and renamed over: a server reloading its config never reads half a file. */
export async function writeFileAtomically(file: string, text: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
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

/** Whether process `pid` runs (possibly as another user). */
export const processAlive = (pid: number) => {
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
  if (running?.pid !== undefined && running.pid !== process.pid && processAlive(running.pid))
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
      if (holder && processAlive(holder))
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
  /** With keepRunning: put `clock` anyway (a speed or start time asked for). */
  setClock?: boolean;
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
  await publishExchangeConfig(nc, { registry: opts.registry, settings: opts.settings, clock: opts.clock }, { keepRunning: opts.keepRunning ?? false, setClock: opts.setClock ?? false });
  return (await retryTransient(() => jsm.streams.info(streams.submissions.name))).config.num_replicas;
}
