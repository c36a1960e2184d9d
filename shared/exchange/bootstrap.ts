// Everything an exchange needs before its services start: keys for the identities it runs, the
// registry with public keys (also those agencies registered themselves), the server's
// authorization, and the shared config in KV.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClockState } from "../clock.ts";
import type { AgencyRegistryEntry, CoordinatorKeyEntry, Roster } from "../contracts/registry.ts";
import { authKeys } from "./agency-keys.ts";
import { exchangeKeyEntry, mergeKeys } from "./coordinator-keys.ts";
import { COORDINATOR_USER, type Identity, newIdentity, OBSERVER_USER } from "./identities.ts";
import type { RegistryData } from "./registry.ts";
import { authorizationConfig } from "./server-config.ts";
import type { Settings } from "./settings.ts";
import { CONFIG_KEYS, openStore, type Store } from "./store.ts";

export interface ExchangeIdentities {
  coordinator: Identity;
  observer: Identity;
  /** The agencies whose keys the exchange holds, because it runs their nodes (not the external ones). */
  agencies: Map<string, Identity>;
}

/** Keys for the exchange's own identities and for every agency it runs (`hosted`); existing ones are kept. */
export function issueIdentities(roster: Roster, existing: Map<string, Identity> = new Map(), hosted: (agency: string) => boolean = () => true): ExchangeIdentities {
  const get = (user: string) => existing.get(user) ?? newIdentity(user);
  return {
    coordinator: get(COORDINATOR_USER),
    observer: get(OBSERVER_USER),
    agencies: new Map(roster.agencies.filter((a) => hosted(a.id)).map((a) => [a.id, get(a.id)])),
  };
}

/** An agency's keys as the registry lists them. */
export type AgencyKeys = Pick<AgencyRegistryEntry, "publicKey" | "keys">;

/**
 * The registry of a roster: agencies with their public keys (`registered`: those the agencies
 * registered themselves, with their history; the others, the keys of the seeds the exchange
 * holds), and the coordinators' keys (the exchange's first).
 */
export function registryFor(roster: Roster, ids: ExchangeIdentities, instanceKeys: CoordinatorKeyEntry[] = [], registered: ReadonlyMap<string, AgencyKeys> = new Map()): RegistryData {
  const keysOf = (id: string): AgencyKeys => {
    const own = registered.get(id);
    if (own) return own.keys ? { publicKey: own.publicKey, keys: own.keys } : { publicKey: own.publicKey };
    const held = ids.agencies.get(id);
    if (!held) throw new Error(`${id}: no key: neither a seed held by the exchange nor a public key it registered`);
    return { publicKey: held.publicKey };
  };
  return {
    name: roster.name,
    agencies: roster.agencies.map((a) => ({ ...a, ...keysOf(a.id) })),
    organisations: roster.organisations,
    sharingGroups: roster.sharingGroups,
    coordinators: mergeKeys([exchangeKeyEntry(ids.coordinator.publicKey)], instanceKeys),
  };
}

/** The broker's accounts for a registry at wall time `nowMs`: each agency logs in with the keys valid then. */
export const serverAuthorization = (ids: Pick<ExchangeIdentities, "coordinator" | "observer">, registry: Pick<RegistryData, "agencies">, nowMs = Date.now()) =>
  authorizationConfig({
    coordinator: ids.coordinator.publicKey,
    observer: ids.observer.publicKey,
    agencies: registry.agencies.map((a) => ({ id: a.id, publicKeys: authKeys(a, nowMs) })),
  });

/**
 * Publishes the registry, settings and clock that coordinators and observers read. The registry
 * always, keeping every coordinator key the published one had (records signed with them must still
 * verify); the settings and clock too, unless `keepRunning` and the exchange already has them
 * (re-running setup must not reset a running exchange's speed or deadlines) — the clock is put
 * anyway with `setClock` (a speed or start time asked for).
 */
export async function publishExchangeConfig(
  nc: NatsConnection,
  cfg: { registry: RegistryData; settings: Settings; clock: ClockState },
  opts: { keepRunning?: boolean; setClock?: boolean } = {},
) {
  const store = await openStore(nc);
  await publishRegistry(store, cfg.registry);
  if (opts.keepRunning) {
    await store.settings.create(CONFIG_KEYS.settings, cfg.settings);
    // A clock asked for (a speed, a start time) replaces the running one; otherwise it stands.
    if (opts.setClock) await store.clock.put(CONFIG_KEYS.clock, cfg.clock);
    else await store.clock.create(CONFIG_KEYS.clock, cfg.clock);
    return;
  }
  await store.settings.put(CONFIG_KEYS.settings, cfg.settings);
  await store.clock.put(CONFIG_KEYS.clock, cfg.clock);
}

/** Puts `registry` in the config bucket with the coordinator keys already registered there kept. */
export async function publishRegistry(store: Store, registry: RegistryData) {
  for (let i = 0; i < 20; i++) {
    const cur = await store.registry.get(CONFIG_KEYS.registry);
    const next = cur ? { ...registry, coordinators: mergeKeys(cur.value.coordinators, registry.coordinators) } : registry;
    if (cur ? await store.registry.update(CONFIG_KEYS.registry, next, cur.revision) : await store.registry.create(CONFIG_KEYS.registry, next)) return next;
  }
  throw new Error("could not publish the registry: it kept changing meanwhile");
}

/** Adds coordinator keys to the published registry (a coordinator instance registering its own). */
export async function registerCoordinatorKeys(store: Store, add: CoordinatorKeyEntry[]) {
  return store.registry.modify(CONFIG_KEYS.registry, (r) => {
    const merged = mergeKeys(r.coordinators, add);
    return merged.length === r.coordinators.length ? undefined : { ...r, coordinators: merged };
  });
}
