// A whole exchange for one test file: its own nats-server (optionally with the generated
// authorization), keys, registry and config, and helpers to play agencies and coordinators.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { SimClock } from "../../shared/clock.ts";
import { type AlertMessage, type Message, type MessageKind, type MessageOf, type Roster, subjects } from "../../shared/contracts/index.ts";
import { issueIdentities, publishExchangeConfig, registryFor, serverAuthorization, type ExchangeIdentities } from "../../shared/exchange/bootstrap.ts";
import { Registry, type RegistryData } from "../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../shared/exchange/settings.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { submit } from "../../shared/messaging/submit.ts";
import { agencyJetStream, connectAs } from "../../shared/nats/connect.ts";
import { type NatsServer, startNatsServer } from "../../shared/nats/embedded-server.ts";
import { type NatsCluster, startNatsCluster } from "../../shared/nats/cluster.ts";
import { ensureLayout } from "../../shared/nats/streams.ts";
import { Coordinator, type CoordinatorOptions } from "../../services/coordinator/coordinator.ts";
import { createLogger } from "../../shared/log.ts";

/** A small roster: two organisations with hubs, a sharing group, a night-shift post. */
export function testRoster(ids = ["AZ", "KZ", "KG", "RU", "TR", "UZ"]): Roster {
  const duty = { profile: "24/7" as const, ackDelay: { medianMinutes: 2, p95Minutes: 5 }, nightFactor: 1, nightHours: { from: 22, to: 7 } };
  const region = (id: string) => (id === "AZ" ? "caucasus" : id === "RU" ? "europe" : id === "TR" ? "middle-east" : "central-asia");
  const orgs = (id: string) => (["AZ", "KZ", "KG", "RU", "UZ"].includes(id) ? ["CIS"] : []).concat(["KZ", "KG", "RU", "UZ"].includes(id) ? ["SCO"] : []);
  return {
    name: "test",
    organisations: [
      { id: "CIS", name: "Commonwealth of Independent States", hub: "RU" },
      { id: "SCO", name: "Shanghai Cooperation Organisation", hub: "UZ" },
    ],
    sharingGroups: [{ id: "caspian", name: "Caspian group", members: ids.filter((i) => ["AZ", "KZ", "RU"].includes(i)) }],
    agencies: ids.map((id) => ({
      id, name: `Service ${id}`, country: id, region: region(id) as never, organisations: orgs(id).filter((o) => ids.includes(o === "CIS" ? "RU" : "UZ")),
      sharingGroups: ["AZ", "KZ", "RU"].includes(id) ? ["caspian"] : [], timezone: "UTC", duty,
    })),
  };
}

export interface TestExchange {
  /** The broker: one server, or with `cluster` a cluster of that many nodes (and `server` absent). */
  server?: NatsServer;
  cluster?: NatsCluster;
  /** The server's URL, or every node's, comma-separated. */
  url: string;
  /** Replicas of every stream and bucket: the cluster's size, else 1. */
  replicas: number;
  ids: ExchangeIdentities;
  registry: Registry;
  clock: SimClock;
  admin: NatsConnection;
  coordinators: Coordinator[];
  startCoordinator(instance?: string, opts?: Partial<CoordinatorOptions>): Promise<Coordinator>;
  connectAgency(id: string): Promise<{ nc: NatsConnection; js: JetStreamClient }>;
  send<K extends MessageKind>(from: string, kind: K, body: MessageOf<K>["body"], extra?: Partial<Message>): Promise<MessageOf<K>>;
  /** The coordinator keys the published registry lists now (each coordinator registers its own at start). */
  trusted(): Promise<Set<string>>;
  /** The published registry now. */
  registryNow(): Promise<RegistryData>;
  stop(): Promise<void>;
}

export async function startTestExchange(
  opts: { roster?: Roster; speed?: number; settings?: Partial<Settings>; auth?: boolean; cluster?: 3 | 5 } = {},
): Promise<TestExchange> {
  const roster = opts.roster ?? testRoster();
  const ids = issueIdentities(roster);
  const registryData = registryFor(roster, ids);
  const config = opts.auth ? { config: serverAuthorization(ids, registryData) } : {};
  const cluster = opts.cluster ? await startNatsCluster({ size: opts.cluster, ...config }) : undefined;
  const server = cluster ? undefined : await startNatsServer(config);
  const url = cluster?.url ?? server!.url;
  const replicas = cluster?.nodes.length ?? 1;
  const seedOf = (user: string) => (opts.auth ? { seed: user === "coordinator" ? ids.coordinator.seed : ids.agencies.get(user)!.seed } : {});
  const admin = await connectAs({ servers: url, user: "coordinator", ...seedOf("coordinator") });
  await ensureLayout(admin, { replicas });
  const clock = SimClock.start(opts.speed ?? 60, Date.parse("2026-09-21T08:00:00Z"));
  await publishExchangeConfig(admin, { registry: registryData, settings: { ...DEFAULT_SETTINGS, ...opts.settings }, clock: clock.snapshot() });
  const agencyConns = new Map<string, { nc: NatsConnection; js: JetStreamClient }>();
  const ex: TestExchange = {
    ...(server ? { server } : {}), ...(cluster ? { cluster } : {}), url, replicas, ids, registry: new Registry(registryData), clock, admin, coordinators: [],
    async startCoordinator(instance, more = {}) {
      const c = new Coordinator({ servers: url, replicas, ...(instance ? { instance } : {}), seed: ids.coordinator.seed, logger: createLogger("coordinator", { instance }), ...more });
      await c.start();
      ex.coordinators.push(c);
      return c;
    },
    async connectAgency(id) {
      let c = agencyConns.get(id);
      if (!c) {
        const nc = await connectAs({ servers: url, user: id, ...seedOf(id) });
        c = { nc, js: agencyJetStream(nc) };
        agencyConns.set(id, c);
      }
      return c;
    },
    async send(from, kind, body, extra = {}) {
      const { js } = await ex.connectAgency(from);
      const m = { ...compose(kind, body, { sender: from, sentAt: clock.iso() }), ...extra } as Message;
      return (await submit(js, ids.agencies.get(from)!.seed, m)).message as MessageOf<typeof kind>;
    },
    async registryNow() {
      return (await (await openStore(admin)).registry.get(CONFIG_KEYS.registry))!.value;
    },
    async trusted() {
      return new Set((await ex.registryNow()).coordinators.map((k) => k.publicKey));
    },
    async stop() {
      await Promise.all(ex.coordinators.map((c) => c.stop().catch(() => undefined)));
      for (const c of agencyConns.values()) await c.nc.drain().catch(() => undefined);
      await admin.drain().catch(() => undefined);
      await server?.stop();
      await cluster?.stop();
    },
  };
  return ex;
}

/** A valid alert body for tests; `over` replaces fields. */
export const testAlertBody = (over: Record<string, unknown> = {}) =>
  ({
    precedence: "FLASH", category: "terrorism", evaluation: { reliability: "B", credibility: 2 },
    title: "Planned attack on a hydro-electric dam", tlp: "AMBER", handling: "H2", distribution: { all: true }, ...over,
  }) as AlertMessage["body"];

/** Submits as `from` (signed with its key unless another seed is given) and waits for the outcome. */
export async function submitAndWait(ex: TestExchange, from: string, m: Message, seed = ex.ids.agencies.get(from)!.seed): Promise<Message> {
  const { nc, js } = await ex.connectAgency(from);
  const outcome = outcomeOf(nc, from, m.id);
  await submit(js, seed, m);
  return outcome;
}

/** Waits for the live outcome of one submission (subscribe before sending). */
export function outcomeOf(nc: NatsConnection, agency: string, messageId: string, timeoutMs = 10_000): Promise<Message> {
  const sub = nc.subscribe(subjects.outcome(agency, messageId), { max: 1, timeout: timeoutMs });
  return (async () => {
    for await (const m of sub) return m.json<Message>();
    throw new Error(`no outcome for ${messageId}`);
  })();
}

export { openStore };
