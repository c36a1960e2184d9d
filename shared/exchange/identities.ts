// The exchange's identities and their keys: one nkey per agency, one for the coordinators,
// one for read-only observers. Seeds live in files readable by their owner only.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import { publicKeyOfSeed } from "../contracts/signing.ts";

export { COORDINATOR_USER } from "../nats/connect.ts";
export const OBSERVER_USER = "observer";

export interface Identity {
  user: string;
  seed: string;
  publicKey: string;
}

export function newIdentity(user: string): Identity {
  const seed = new TextDecoder().decode(createUser().getSeed());
  return { user, seed, publicKey: publicKeyOfSeed(seed) };
}

export const identityFromSeed = (user: string, seed: string): Identity => ({
  user,
  seed,
  publicKey: publicKeyOfSeed(seed),
});

/**
 * The seed a key file holds, checked: a user nkey seed (SU…, its checksum right). Anything else (a
 * public key, a damaged or empty file) is an error naming the file, never silently replaced.
 */
export function seedOf(text: string, file: string): string {
  const seed = text.trim();
  if (/^U[A-Z2-7]{55}$/.test(seed)) throw new Error(`${file} holds a public key (${seed.slice(0, 8)}…), not a seed: a seed file holds the private nkey seed (SU…)`);
  let ok = false;
  try {
    ok = seed.startsWith("SU") && publicKeyOfSeed(seed).startsWith("U");
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`${file} is not a user nkey seed: expected one line SU… (58 characters) as \`atix keys new\` writes it`);
  return seed;
}

export const seedFile = (dir: string, user: string) => join(dir, `${user}.nk`);

export async function writeIdentities(dir: string, ids: Identity[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const id of ids) {
    const file = seedFile(dir, id.user);
    await writeFile(file, `${id.seed}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
}

/** Thrown when an identity has no seed file (as opposed to a file that is not a seed). */
export class NoCredentials extends Error {
  override readonly name = "NoCredentials";
}

export async function readIdentity(dir: string, user: string): Promise<Identity> {
  const file = seedFile(dir, user);
  const text = await readFile(file, "utf8").catch(() => {
    throw new NoCredentials(`no credentials for ${user}: ${file} is missing (is this the exchange's folder?)`);
  });
  return identityFromSeed(user, seedOf(text, file));
}
