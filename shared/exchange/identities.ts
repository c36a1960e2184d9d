// The exchange's identities and their keys: one nkey per agency, one for the coordinators,
// one for read-only observers. Seeds live in files readable by their owner only.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createUser, fromSeed } from "@nats-io/nkeys";

export { COORDINATOR_USER } from "../nats/connect.ts";
export const OBSERVER_USER = "observer";

export interface Identity {
  user: string;
  seed: string;
  publicKey: string;
}

export function newIdentity(user: string): Identity {
  const kp = createUser();
  return { user, seed: new TextDecoder().decode(kp.getSeed()), publicKey: kp.getPublicKey() };
}

export const identityFromSeed = (user: string, seed: string): Identity => ({
  user,
  seed,
  publicKey: fromSeed(new TextEncoder().encode(seed)).getPublicKey(),
});

export const seedFile = (dir: string, user: string) => join(dir, `${user}.nk`);

export async function writeIdentities(dir: string, ids: Identity[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const id of ids) {
    const file = seedFile(dir, id.user);
    await writeFile(file, `${id.seed}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
}

export async function readIdentity(dir: string, user: string): Promise<Identity> {
  const file = seedFile(dir, user);
  const seed = (await readFile(file, "utf8").catch(() => {
    throw new Error(`no credentials for ${user}: ${file} is missing (is this the exchange's folder?)`);
  })).trim();
  return identityFromSeed(user, seed);
}
