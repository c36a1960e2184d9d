// Everything an exchange needs before its services start: keys for every identity, the
// registry with public keys, the server's authorization, and the shared config in KV.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClockState } from "../clock.ts";
import type { Roster } from "../contracts/registry.ts";
import { COORDINATOR_USER, type Identity, newIdentity, OBSERVER_USER } from "./identities.ts";
import type { RegistryData } from "./registry.ts";
import { authorizationConfig } from "./server-config.ts";
import type { Settings } from "./settings.ts";
import { CONFIG_KEYS, openStore } from "./store.ts";

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

export function registryFor(roster: Roster, ids: ExchangeIdentities): RegistryData {
  return {
    name: roster.name,
    agencies: roster.agencies.map((a) => ({ ...a, publicKey: ids.agencies.get(a.id)!.publicKey })),
    organisations: roster.organisations,
    sharingGroups: roster.sharingGroups,
  };
}

export const serverAuthorization = (ids: ExchangeIdentities) =>
  authorizationConfig({ coordinator: ids.coordinator, observer: ids.observer, agencies: [...ids.agencies.values()] });

/** Publishes the registry, settings and clock that coordinators and observers read. */
/**
 * The registry always; the settings and clock too, unless `keepRunning` and the exchange already
 * has them (re-running setup must not reset a running exchange's speed or deadlines).
 */
export async function publishExchangeConfig(
  nc: NatsConnection,
  cfg: { registry: RegistryData; settings: Settings; clock: ClockState },
  opts: { keepRunning?: boolean } = {},
) {
  const store = await openStore(nc);
  await store.registry.put(CONFIG_KEYS.registry, cfg.registry);
  if (opts.keepRunning) {
    await store.settings.create(CONFIG_KEYS.settings, cfg.settings);
    await store.clock.create(CONFIG_KEYS.clock, cfg.clock);
    return;
  }
  await store.settings.put(CONFIG_KEYS.settings, cfg.settings);
  await store.clock.put(CONFIG_KEYS.clock, cfg.clock);
}
