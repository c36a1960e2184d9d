// Registering keys that agencies made themselves on an exchange already prepared (`atix keys
// register`): each `ID.pub` becomes that agency's key from now on, and the key it replaces stays
// valid until the overlap ends (both sign and log in meanwhile). Applied to the live registry in
// the config bucket (coordinators and nodes follow it at once; a running `atix up` reloads the
// broker's accounts) and to the folder's registry.json and nats-auth.conf.
import { readFile } from "node:fs/promises";
import { keyHolder, registerKey, sharedKeyRefusal } from "../../shared/exchange/agency-keys.ts";
import { serverAuthorization } from "../../shared/exchange/bootstrap.ts";
import type { ExchangeFile } from "../../shared/exchange/exchange-file.ts";
import { COORDINATOR_USER, OBSERVER_USER, readIdentity } from "../../shared/exchange/identities.ts";
import type { PublicKeyOnFile } from "../../shared/exchange/key-files.ts";
import { RegistryData } from "../../shared/exchange/registry.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { writeFileAtomically } from "./prepare.ts";

export interface Registration {
  registry: RegistryData;
  /** One line per agency whose key changed. */
  notes: string[];
  /** The earliest end of a replaced key's validity, when one was replaced. */
  retiringUntil?: string;
}

/**
 * `pubs` registered in `registry` at `nowMs`: pure. An agency whose node the exchange runs itself
 * (it holds its seed) is refused: its first own key is registered with `--external` and
 * `--agency-keys` on `atix up` or `atix init`, which also delete the seed held for it.
 */
export function applyRegistrations(
  registry: RegistryData,
  pubs: ReadonlyMap<string, PublicKeyOnFile>,
  nowMs: number,
  overlapMs: number,
  /** The exchange's own NATS users (coordinator, observer): no agency may register their keys. */
  others: readonly { user: string; publicKey: string }[] = [],
): Registration {
  const notes: string[] = [];
  let retiringUntil: string | undefined;
  const byId = new Map(registry.agencies.map((a) => [a.id, a]));
  // Files of one batch are each other's "others" too: two agencies given one new key would share it.
  const inBatch: { user: string; publicKey: string }[] = [];
  for (const pub of pubs.values()) {
    const entry = byId.get(pub.agency);
    if (!entry) throw new Error(`${pub.file}: ${pub.agency} is not an agency of this exchange (${registry.name})`);
    if (!entry.external)
      throw new Error(
        `${pub.agency}: this exchange runs its node with a key it holds; register the agency's first own key with \`atix up --external ${pub.agency} --agency-keys DIR\` (or \`atix init --roster FILE --agency-keys DIR\`), which deletes the one held here`,
      );
    const holder = keyHolder(registry, pub.publicKey, pub.agency, [...others, ...inBatch]);
    if (holder) throw new Error(sharedKeyRefusal(pub.file, pub.publicKey, holder));
    inBatch.push({ user: `${pub.agency} (${pub.file}, in the same registration)`, publicKey: pub.publicKey });
  }
  const agencies = registry.agencies.map((a) => {
    const pub = pubs.get(a.id);
    if (!pub) return a;
    const r = registerKey(a, pub.publicKey, nowMs, overlapMs);
    if (r.change === "refused") throw new Error(r.reason);
    if (r.change === "none") return a;
    for (const k of r.retiring ?? []) if (!retiringUntil || k.validUntil < retiringUntil) retiringUntil = k.validUntil;
    notes.push(`${a.id}: ${r.publicKey} registered${r.retiring?.length ? `; ${r.retiring.map((k) => `${k.publicKey} valid until ${k.validUntil}`).join(", ")}` : ""}`);
    return { ...a, publicKey: r.publicKey, keys: r.keys };
  });
  return { registry: { ...registry, agencies }, notes, ...(retiringUntil ? { retiringUntil } : {}) };
}

/**
 * Registers `pubs` on the exchange of `exchange` (its folder and, when it is up, its broker).
 * Returns what was registered and whether the live registry took it.
 */
export async function registerOnExchange(
  exchange: ExchangeFile,
  authFile: string,
  pubs: ReadonlyMap<string, PublicKeyOnFile>,
  opts: { overlapMs: number; nowMs?: number },
): Promise<Registration & { live: boolean }> {
  const nowMs = opts.nowMs ?? Date.now();
  const onFile = RegistryData.parse(JSON.parse(await readFile(exchange.registryFile, "utf8")));
  const coordinator = await readIdentity(exchange.credentialsDir, COORDINATOR_USER);
  const observer = await readIdentity(exchange.credentialsDir, OBSERVER_USER);
  // Checked against the folder first: nothing reaches the broker from a folder that refuses it.
  let result = applyRegistrations(onFile, pubs, nowMs, opts.overlapMs, [coordinator, observer]);
  let live = false;
  const nc = await connectAs({ servers: exchange.natsUrl, user: COORDINATOR_USER, seed: coordinator.seed, name: "atix-keys-register" }).catch(() => undefined);
  if (nc) {
    try {
      const store = await openStore(nc);
      // On the live value: coordinator keys registered there since the file was written are kept.
      let applied: Registration | undefined;
      await store.registry.modify(CONFIG_KEYS.registry, (r) => {
        applied = applyRegistrations(r, pubs, nowMs, opts.overlapMs, [coordinator, observer]);
        return applied.notes.length ? applied.registry : undefined;
      });
      if (applied) (result = applied), (live = true);
    } finally {
      await nc.close();
    }
  }
  await writeFileAtomically(exchange.registryFile, `${JSON.stringify(result.registry, null, 2)}\n`);
  await writeFileAtomically(authFile, serverAuthorization({ coordinator, observer }, result.registry, nowMs));
  return { ...result, live };
}
