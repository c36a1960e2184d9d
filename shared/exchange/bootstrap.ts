// Everything an exchange needs before its services start: keys for every identity, the
// registry with public keys, the server's authorization, and the shared config in KV.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClockState } from "../clock.ts";
import type { CoordinatorKeyEntry, Roster } from "../contracts/registry.ts";
import { exchangeKeyEntry, mergeKeys } from "./coordinator-keys.ts";
import { COORDINATOR_USER, type Identity, newIdentity, OBSERVER_USER } from "./identities.ts";
import type { RegistryData } from "./registry.ts";
import { authorizationConfig } from "./server-config.ts";
import type { Settings } from "./settings.ts";
import { CONFIG_KEYS, openStore, type Store } from "./store.ts";

export interface ExchangeIdentities {
  coordinator: Identity;
  observer: Identity;
  agencies: Map<string, Identity>;
}

export function issueIdentities(roster: Roster, existing: Map<string, Identity> = new Map()): ExchangeIdentities {
  const get = (user: string) => existing.get(user) ?? newIdentity(user);
  return {
    coordinator: get(COORDINATOR_USER),
    observer: get(OBSERVER_USER),
    agencies: new Map(roster.agencies.map((a) => [a.id, get(a.id)])),
  };
}

/** The registry of a roster: agencies with their public keys, and the coordinators' keys (the exchange's first). */
export function registryFor(roster: Roster, ids: ExchangeIdentities, instanceKeys: CoordinatorKeyEntry[] = []): RegistryData {
  return {
    name: roster.name,
    agencies: roster.agencies.map((a) => ({ ...a, publicKey: ids.agencies.get(a.id)!.publicKey })),
    organisations: roster.organisations,
    sharingGroups: roster.sharingGroups,
    coordinators: mergeKeys([exchangeKeyEntry(ids.coordinator.publicKey)], instanceKeys),
  };
}

export const serverAuthorization = (ids: ExchangeIdentities) =>
  authorizationConfig({ coordinator: ids.coordinator, observer: ids.observer, agencies: [...ids.agencies.values()] });

/**
 * Publishes the registry, settings and clock that coordinators and observers read. The registry
 * always, keeping every coordinator key the published one had (records signed with them must still
 * verify); the settings and clock too, unless `keepRunning` and the exchange already has them
 * (re-running setup must not reset a running exchange's speed or deadlines).
 */
export async function publishExchangeConfig(
  nc: NatsConnection,
  cfg: { registry: RegistryData; settings: Settings; clock: ClockState },
  opts: { keepRunning?: boolean } = {},
) {
  const store = await openStore(nc);
  await publishRegistry(store, cfg.registry);
  if (opts.keepRunning) {
    await store.settings.create(CONFIG_KEYS.settings, cfg.settings);
    await store.clock.create(CONFIG_KEYS.clock, cfg.clock);
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
