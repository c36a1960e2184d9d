// The keys coordinators sign with, and where they are registered. Every instance signs the audit
// records it writes with a key of its own (`keys/instances/<instance>.nk` in the exchange folder,
// or one made for the process when there is no folder); the exchange's own key (ATIX, the
// coordinator identity's nkey) signs acceptances, rejections and escalations. Each public key is
// registered in the registry (`coordinators`), in the config bucket and in registry.json, and never
// removed: records signed with it must verify for good.
import { constants } from "node:fs";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { COORDINATOR_ID, type CoordinatorKeyEntry, INSTANCE_PATTERN } from "../contracts/index.ts";
import { identityFromSeed, type Identity, newIdentity } from "./identities.ts";
import { RegistryData } from "./registry.ts";

export const instanceKeysDir = (keysDir: string) => join(keysDir, "instances");
export const instanceKeyFile = (keysDir: string, instance: string) => join(instanceKeysDir(keysDir), `${instance}.nk`);

export function checkInstanceName(instance: string) {
  if (!INSTANCE_PATTERN.test(instance)) throw new Error(`instance name "${instance}": expected letters, digits, - and _ (at most 64, starting with a letter or digit)`);
}

/** The instance's signing key from the exchange folder, made (mode 0600) when it has none yet. */
export async function instanceKey(keysDir: string, instance: string): Promise<{ identity: Identity; created: boolean }> {
  checkInstanceName(instance);
  const file = instanceKeyFile(keysDir, instance);
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing?.trim()) return { identity: identityFromSeed(instance, existing.trim()), created: false };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const fresh = newIdentity(instance);
  try {
    // Exclusive: two processes starting the same instance agree on one key.
    const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    await fh.writeFile(`${fresh.seed}\n`);
    await fh.close();
    return { identity: fresh, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return { identity: identityFromSeed(instance, (await readFile(file, "utf8")).trim()), created: false };
  }
}

export const keyEntry = (id: string, publicKey: string, registeredAt = new Date().toISOString()): CoordinatorKeyEntry => ({ id, publicKey, registeredAt });
export const exchangeKeyEntry = (publicKey: string) => keyEntry(COORDINATOR_ID, publicKey);

/** `have` plus the entries of `add` whose key it lacks (the earlier registration of a key stands). */
export function mergeKeys(have: readonly CoordinatorKeyEntry[], add: readonly CoordinatorKeyEntry[]): CoordinatorKeyEntry[] {
  const known = new Set(have.map((k) => k.publicKey));
  const out = [...have];
  for (const k of add) if (!known.has(k.publicKey)) (out.push(k), known.add(k.publicKey));
  return out;
}

/** The registry with `add` among its coordinator keys; undefined when it has them all already. */
export function withKeys(registry: RegistryData, add: readonly CoordinatorKeyEntry[]): RegistryData | undefined {
  const merged = mergeKeys(registry.coordinators, add);
  return merged.length === registry.coordinators.length ? undefined : { ...registry, coordinators: merged };
}

/** What a verifier trusts: every coordinator key of a registry. */
export const trustedKeys = (registry: Pick<RegistryData, "coordinators">): ReadonlySet<string> => new Set(registry.coordinators.map((k) => k.publicKey));

/** The instance a key belongs to, as the registry names it. */
export const signerOf = (registry: Pick<RegistryData, "coordinators"> | undefined, publicKey: string) =>
  registry?.coordinators.find((k) => k.publicKey === publicKey)?.id;

/**
 * Adds keys to the folder's registry.json (under a lock: coordinators of one folder may start at
 * once). The file is the registry an auditor finds beside the keys; the config bucket's is the live one.
 */
export async function addKeysToRegistryFile(file: string, add: readonly CoordinatorKeyEntry[]): Promise<void> {
  await withFileLock(`${file}.lock`, async () => {
    const registry = RegistryData.parse(JSON.parse(await readFile(file, "utf8")));
    const next = withKeys(registry, add);
    if (!next) return;
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`);
    await rename(tmp, file);
  });
}

async function withFileLock(lock: string, work: () => Promise<void>) {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // A lock older than the wait was left by a process that died while holding it.
      if (Date.now() > until) await rm(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    await work();
  } finally {
    await rm(lock, { force: true });
  }
}
