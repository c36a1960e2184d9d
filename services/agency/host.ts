// Many agency nodes in one process (a simulation runs ~90 to 1000). Each node keeps its own NATS
// connection and credentials; they share one logger, one clock subscription and one view of the
// registry's public keys, which follows the registry as it changes (a key registered or rotated
// is believed from the revision that lists it). Any node can be taken offline and brought back:
// its durable consumer then replays what it missed, in order.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { REGISTRY_SUBJECT } from "../../shared/contracts/index.ts";
import { ExchangeReader } from "../../shared/exchange/config-read.ts";
import { RegistryData } from "../../shared/exchange/registry.ts";
import type { ClockState } from "../../shared/clock.ts";
import type { RosterAgency } from "../../shared/contracts/index.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import { YieldingQueue } from "../../shared/yielding-queue.ts";
import { ClockFeed } from "./clock-feed.ts";
import { type AgencyCounters, type AgencyEventListener, emptyCounters } from "./events.ts";
import { AgencyNode } from "./node.ts";
import { InjectScript } from "./script.ts";
import type { AgencyNodeOptions, SeedSource } from "./options.ts";
import { type RegistryKeys, type SenderKeys, senderKeysOf } from "./verify-delivery.ts";
import { followLive } from "../../shared/nats/live.ts";

export interface HostedAgency {
  agency: RosterAgency;
  /** The agency's nkey seed (SU…), or what gives the one to use now (key-ring.ts). */
  seed: SeedSource;
  /** Per-agency overrides (offlineUntil, probabilities, …). */
  options?: Partial<Omit<AgencyNodeOptions, "agency" | "seed" | "servers" | "clockFeed" | "logger" | "keys">>;
}

export interface AgencyHostOptions {
  servers: string | string[];
  agencies: HostedAgency[];
  /** The registry's public keys (agencies and coordinators): what every delivery is verified against. */
  registry: RegistryKeys;
  clock?: ClockState;
  /** Nodes connecting at once (default 20): spares the server a thundering herd. */
  concurrency?: number;
  authenticate?: boolean;
  /** Base PRNG seed; each node gets `${rngSeed}:${id}`. */
  rngSeed?: string | number;
  hitProbability?: number;
  answerProbability?: number;
  informationProbability?: number;
  presenceIntervalMs?: number;
  logger?: Logger;
}

export class AgencyHost {
  readonly feed: ClockFeed;
  /** The scenario's injects, marked by the runner before it sends each: they react only as scripted. */
  readonly script = new InjectScript();
  /** The registry's public keys every hosted node verifies against, kept current. */
  readonly keys: SenderKeys;
  private readonly byId = new Map<string, AgencyNode>();
  private readonly listeners = new Set<AgencyEventListener>();
  private readonly log: Logger;
  private clockVia: { id: string; subs: Subscription[] } | undefined;
  /** Registry revisions heard live: a direct get answered after one of them may be older, and is dropped. */
  private heardLive = 0;

  constructor(private readonly opts: AgencyHostOptions) {
    this.feed = new ClockFeed(opts.clock);
    const logger = opts.logger ?? createLogger("agency");
    this.log = logger;
    this.keys = senderKeysOf(opts.registry);
    const common = {
      servers: opts.servers,
      keys: this.keys,
      clockFeed: this.feed,
      outbox: new YieldingQueue(),
      logger,
      scripted: (id: string) => this.script.get(id),
      ...defined({
        authenticate: opts.authenticate,
        hitProbability: opts.hitProbability,
        answerProbability: opts.answerProbability,
        informationProbability: opts.informationProbability,
        presenceIntervalMs: opts.presenceIntervalMs,
      }),
    };
    for (const { agency, seed, options } of opts.agencies) {
      if (this.byId.has(agency.id)) throw new Error(`expected each agency once; ${agency.id} appears twice`);
      const rng = opts.rngSeed === undefined ? {} : { rngSeed: `${opts.rngSeed}:${agency.id}` };
      const node = new AgencyNode({ ...common, ...rng, ...options, agency, seed });
      node.onEvent((e) => this.listeners.forEach((fn) => fn(e)));
      this.byId.set(agency.id, node);
    }
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }
  node(id: string): AgencyNode | undefined {
    return this.byId.get(id);
  }
  nodes(): AgencyNode[] {
    return [...this.byId.values()];
  }
  /** Events of every node. */
  onEvent(fn: AgencyEventListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** Counters summed over all nodes. */
  counters(): AgencyCounters {
    const sum = emptyCounters();
    for (const n of this.byId.values()) for (const [k, v] of Object.entries(n.counters)) sum[k as keyof AgencyCounters] += v;
    return sum;
  }

  /** Starts every node, `concurrency` at a time; fails (after trying all) naming those that did not start. */
  async start(): Promise<void> {
    const failed: string[] = [];
    await inPool(this.nodes(), this.opts.concurrency ?? 20, async (n) => {
      await n.start().catch((e: Error) => failed.push(`${n.id} (${e.message})`));
      await this.followExchange();
    });
    if (failed.length) throw new Error(`${failed.length} of ${this.byId.size} agency nodes did not start: ${failed.join(", ")}`);
  }

  async stop(): Promise<void> {
    this.clockVia = undefined;
    await inPool(this.nodes(), 100, (n) => n.stop());
  }

  /** Takes one agency offline (its deliveries keep being stored for it). */
  async stopNode(id: string): Promise<void> {
    const n = this.must(id);
    await n.stop();
    if (this.clockVia?.id === id) this.clockVia = undefined;
    await this.followExchange();
  }

  /** Brings it back: it catches up on what was stored while it was offline, in order. */
  async startNode(id: string): Promise<void> {
    await this.must(id).start();
    await this.followExchange();
  }

  private must(id: string): AgencyNode {
    const n = this.byId.get(id);
    if (!n) throw new Error(`expected an agency of this host; ${id} is not one`);
    return n;
  }

  /**
   * One clock subscription and one registry subscription for all nodes, through any running node's
   * connection (flushed, so they are live); the registry is read once then, and after a reconnect
   * (a revision published while the connection was down is not sent again).
   */
  private async followExchange() {
    const via = this.clockVia && this.byId.get(this.clockVia.id);
    if (via?.running && !this.clockVia!.subs.some((s) => s.isClosed())) return;
    const next = this.nodes().find((n) => n.running && n.connection);
    const nc = next?.connection;
    this.clockVia = next && nc ? { id: next.id, subs: [this.feed.attach(nc), this.followRegistry(nc)] } : undefined;
    if (!nc) return;
    await nc.flush().catch(() => undefined);
    await this.readRegistry(nc);
    void (async () => {
      for await (const s of nc.status()) if (s.type === "reconnect") await this.readRegistry(nc);
    })().catch(() => undefined);
  }

  private followRegistry(nc: NatsConnection): Subscription {
    return followLive(nc, REGISTRY_SUBJECT, (msg) => {
      let value: unknown;
      try {
        value = msg.json();
      } catch {
        value = undefined;
      }
      this.heardLive++;
      this.adoptRegistry(value);
    });
  }

  /** The registry's last revision, by a direct get (every agency may read it). */
  private async readRegistry(nc: NatsConnection) {
    const heard = this.heardLive;
    try {
      const r = await (await ExchangeReader.of(nc)).registry();
      if (r && this.heardLive === heard) this.adoptRegistry(r);
    } catch (err) {
      this.log.warn({ err }, "could not read the registry; verifying against the keys known so far");
    }
  }

  /** A registry revision: keys registered or rotated since apply from now on. One that fails its contract changes nothing. */
  private adoptRegistry(value: unknown) {
    const r = RegistryData.safeParse(value);
    if (!r.success) return void this.log.warn("a registry revision that fails its contract: keys unchanged");
    this.keys.adopt(r.data);
  }
}

async function inPool<T>(items: T[], limit: number, fn: (t: T) => Promise<unknown>) {
  let i = 0;
  const worker = async () => {
    while (i < items.length) await fn(items[i++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
