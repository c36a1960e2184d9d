// An agency's key files, made on the agency's side (`atix keys new`, `atix keys rotate`): the seed
// `ID.nk` (mode 0600; it never leaves the agency's folder) and `ID.pub` (JSON: the agency id and
// its public key), which is what the agency sends to the exchange's operator. A rotation moves the
// pair it replaces to `previous/ID.<time>.nk|pub`: the node keeps signing with it until the
// exchange has registered the new key, and it verifies what was signed with it.
import { constants } from "node:fs";
import { chmod, mkdir, open, readdir, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { fromPublic } from "@nats-io/nkeys";
import { AGENCY_ID_PATTERN, AgencyPublicKeyFile, parseJson } from "../contracts/index.ts";
import { formatProblem, toProblems } from "../contracts/problems.ts";
import { isVerifyingKey, publicKeyOfSeed } from "../contracts/signing.ts";
import { newIdentity, seedOf } from "./identities.ts";

export const agencySeedFile = (dir: string, agency: string) => join(dir, `${agency}.nk`);
export const agencyPublicFile = (dir: string, agency: string) => join(dir, `${agency}.pub`);
export const previousKeysDir = (dir: string) => join(dir, "previous");

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export function checkAgencyId(agency: string) {
  if (!AGENCY_ID_PATTERN.test(agency))
    throw new Error(`--agency "${agency}": expected an agency id such as AZ, DE-BKA or XA-0417 (the state's ISO 3166-1 alpha-2 code, optionally - and 1 to 8 capitals or digits)`);
}

async function writeNew(file: string, text: string, mode: number) {
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  await chmod(file, mode);
}

export interface MadeKeys {
  seedFile: string;
  publicFile: string;
  publicKey: string;
}

/** A new key pair for `agency` in `dir`. Refuses to replace an existing one (that is a rotation). */
export async function makeAgencyKeys(dir: string, agency: string, now = new Date()): Promise<MadeKeys> {
  checkAgencyId(agency);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const seedFile = agencySeedFile(dir, agency);
  const publicFile = agencyPublicFile(dir, agency);
  for (const f of [seedFile, publicFile])
    if (await stat(f).then(() => true, () => false)) throw new Error(`${f} exists already: ${agency} has a key; \`atix keys rotate --agency ${agency} --out ${dir}\` replaces it`);
  const id = newIdentity(agency);
  await writeNew(seedFile, `${id.seed}\n`, 0o600);
  const pub: AgencyPublicKeyFile = { agency, publicKey: id.publicKey, createdAt: now.toISOString() };
  await writeNew(publicFile, `${JSON.stringify(pub, null, 2)}\n`, 0o644);
  return { seedFile, publicFile, publicKey: id.publicKey };
}

/** A new pair for `agency` in `dir`; the pair it replaces moves to previous/ (kept: the node still needs it). */
export async function rotateAgencyKeys(dir: string, agency: string, now = new Date()): Promise<MadeKeys & { previous: { seedFile: string; publicKey: string } }> {
  checkAgencyId(agency);
  const seedFile = agencySeedFile(dir, agency);
  const text = await readFile(seedFile, "utf8").catch(() => {
    throw new Error(`${seedFile} is missing: there is no key to rotate (\`atix keys new --agency ${agency} --out ${dir}\` makes the first)`);
  });
  const oldKey = publicKeyOfSeed(seedOf(text, seedFile));
  const archive = previousKeysDir(dir);
  await mkdir(archive, { recursive: true, mode: 0o700 });
  const base = join(archive, `${agency}.${stamp(now)}`);
  if (await stat(`${base}.nk`).then(() => true, () => false)) throw new Error(`${base}.nk exists: ${agency}'s key was rotated less than a second ago`);
  await rename(seedFile, `${base}.nk`);
  await rename(agencyPublicFile(dir, agency), `${base}.pub`).catch(() => undefined); // a .pub lost meanwhile is not needed
  const made = await makeAgencyKeys(dir, agency, now);
  return { ...made, previous: { seedFile: `${base}.nk`, publicKey: oldKey } };
}

/**
 * Every seed an agency holds for itself: `keyFile` (its current key) and the pairs rotations moved
 * to previous/ beside it, newest first. The node signs with whichever the registry says is valid.
 */
export async function agencySeeds(keyFile: string, agency: string): Promise<{ current: string; previous: string[] }> {
  const text = await readFile(keyFile, "utf8").catch(() => {
    throw new Error(`--key ${keyFile}: no such file (the agency's seed, made by \`atix keys new --agency ${agency}\`)`);
  });
  const current = seedOf(text, keyFile);
  const dir = previousKeysDir(join(keyFile, ".."));
  const name = new RegExp(`^${agency.replace(/-/g, "\\-")}\\.\\d{8}T\\d{6}Z\\.nk$`);
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => name.test(f)).sort().reverse();
  const previous: string[] = [];
  for (const f of files) previous.push(seedOf(await readFile(join(dir, f), "utf8"), join(dir, f)));
  return { current, previous };
}

export interface PublicKeyOnFile {
  agency: string;
  publicKey: string;
  file: string;
}

/** Checks one `ID.pub`: its contract, its nkey's checksum, and that it names the agency its file is named after. */
export function parsePublicKeyFile(text: string, file: string): PublicKeyOnFile {
  // As strict as a submission (I-JSON): a key named twice would register what one reader sees.
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const [p] = parsed.problems;
    if (p!.path) throw new Error(`${file}: ${p!.path}: ${p!.message}`);
    throw new Error(`${file}: not JSON: expected {"agency", "publicKey", "createdAt"} as \`atix keys new\` writes it`);
  }
  const json = parsed.value;
  const r = AgencyPublicKeyFile.safeParse(json);
  if (!r.success) throw new Error(`${file}: ${toProblems(r.error, json).slice(0, 3).map(formatProblem).join("; ")}`);
  try {
    fromPublic(r.data.publicKey);
  } catch {
    throw new Error(`${file}: publicKey: expected a valid user nkey; ${r.data.publicKey} fails its checksum`);
  }
  if (!isVerifyingKey(r.data.publicKey))
    throw new Error(`${file}: publicKey: expected an Ed25519 key signatures can be checked against; ${r.data.publicKey} is a point of small order or not on the curve`);
  const named = file.split("/").pop()!.replace(/\.pub$/, "");
  if (named !== r.data.agency) throw new Error(`${file}: agency: expected ${named}, as the file is named; it says ${r.data.agency}`);
  return { agency: r.data.agency, publicKey: r.data.publicKey, file };
}

/** Every `ID.pub` in `dir`. A file that does not check is an error naming it: nothing is registered from a folder with one. */
export async function readPublicKeyFiles(dir: string): Promise<Map<string, PublicKeyOnFile>> {
  const names = await readdir(dir).catch(() => {
    throw new Error(`--agency-keys ${dir}: no such folder (it holds one ID.pub per agency, from \`atix keys new\` on each agency's side)`);
  });
  const out = new Map<string, PublicKeyOnFile>();
  for (const name of names.filter((n) => n.endsWith(".pub")).sort()) {
    const file = join(dir, name);
    const k = parsePublicKeyFile(await readFile(file, "utf8"), file);
    out.set(k.agency, k);
  }
  if (!out.size) throw new Error(`--agency-keys ${dir}: no ID.pub in it (each agency sends the ID.pub that \`atix keys new\` made)`);
  return out;
}
