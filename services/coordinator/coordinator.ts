// A coordinator instance: wires intake, escalation, the audit writer and the shared state.
// Any number may run at once; kill one at any moment and the others (or its restart) carry on.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AuditWriter } from "../../shared/audit/writer.ts";
import { ChainReader } from "../../shared/audit/chain-read.ts";
import { subjects } from "../../shared/contracts/index.ts";
import { ClockState, SimClock } from "../../shared/clock.ts";
import { Registry } from "../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../shared/exchange/settings.ts";
import { CONFIG_KEYS, openStore, type Store } from "../../shared/exchange/store.ts";
import { registerCoordinatorKeys } from "../../shared/exchange/bootstrap.ts";
import { checkInstanceName, keyEntry } from "../../shared/exchange/coordinator-keys.ts";
import { identityFromSeed, newIdentity } from "../../shared/exchange/identities.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { durablePublisher } from "../../shared/nats/jetstream-publisher.ts";
import { followKv } from "../../shared/nats/kv-follow.ts";
import { retryTransient } from "../../shared/nats/retry.ts";
import { ensureAgencyConsumer, ensureLayout, retireLegacyIntake, retireUnregisteredBroadcastConsumers } from "../../shared/nats/streams.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import type { Context } from "./context.ts";
import { ownSigner } from "./outcome.ts";
import { Escalator } from "./escalator.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { startIntake, type SubmissionIntake } from "./intake.ts";
import { startTrackingFeed, type TrackingFeed } from "./tracking-feed.ts";
import { CheckpointWriter, restoreView, type Restored } from "./checkpointing.ts";

/** How long (simulated) a settled delivery stays in memory: ROUTINE's default deadline. */
const SETTLED_KEPT_MS = 6 * 3_600_000;
/**
 * At most this many settled deliveries stay in memory (at a slow clock, six simulated hours of a
 * busy exchange would be millions), oldest settled first: they only spare a lookup when something
 * about one comes again.
 */
const SETTLED_KEPT_MAX = 20_000;
const PRUNE_EVERY_MS = 10_000;

/** An instance started without a name: unique on this machine for this run. */
export const defaultInstanceName = () => `c-${process.pid}-${randomBytes(2).toString("hex")}`;

export interface CoordinatorOptions {
  servers: string | string[];
  /** The coordinator identity's nkey seed: authenticates, and signs acceptances, rejections and escalations (as ATIX). */
  seed?: string;
  /**
   * The instance's own signing key (SU…) for the audit records it writes, registered in the
   * registry at start. Without one, a key is made for this process (and registered the same way).
   */
  signingSeed?: string;
  instance?: string;
  logger?: Logger;
  replicas?: number;
  /** How long to wait for `atix up` (or a test) to publish the registry. */
  registryWaitMs?: number;
  /** How often a supervisor (atix up, atix run) has started this instance again after it died. */
  restarts?: number;
  /** Records between checkpoints of the tracking view (default CHECKPOINT_EVERY_RECORDS). */
  checkpointEvery?: number;
}

/** What a coordinator did with checkpoints: how its view began, and those it wrote. */
export interface Checkpoints {
  readonly restored: Restored | undefined;
  readonly written: number;
  /** Resolves once this instance has written a checkpoint at chain record `minSeq` or later. */
  whenWritten(minSeq: number): Promise<void>;
}

const MB = 1024 * 1024;
/** Resident memory and V8 heap in use, MB: reported in every heartbeat (a second apart). */
const processMemory = () => {
  const m = process.memoryUsage();
  return { rssMb: Math.round(m.rss / MB), heapUsedMb: Math.round(m.heapUsed / MB), externalMb: Math.round(m.external / MB) };
};

export class Coordinator {
  readonly instance: string;
  private nc!: NatsConnection;
  private ctx!: Context;
  private intake!: SubmissionIntake;
  private escalator!: Escalator;
  private stopHeartbeat: (() => void) | undefined;
  private trackingFeed: TrackingFeed | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private watchers: { stop(): void }[] = [];
  private log: Logger;
  private registry!: Registry;
  private settings: Settings = DEFAULT_SETTINGS;
  private checkpointWriter: CheckpointWriter | undefined;
  private restored: Restored | undefined;

  private readonly signingSeed: string;

  constructor(private readonly opts: CoordinatorOptions) {
    this.instance = opts.instance ?? defaultInstanceName();
    checkInstanceName(this.instance);
    this.log = opts.logger ?? createLogger("coordinator", { instance: this.instance });
    this.signingSeed = opts.signingSeed ?? newIdentity(this.instance).seed;
  }

  /** The public key this instance signs its audit records with. */
  get signingKey(): string {
    return identityFromSeed(this.instance, this.signingSeed).publicKey;
  }

  async start(): Promise<this> {
    this.nc = await connectAs({ servers: this.opts.servers, user: "coordinator", ...(this.opts.seed ? { seed: this.opts.seed } : {}), name: `atix-coordinator-${this.instance}` });
    await ensureLayout(this.nc, { replicas: this.opts.replicas ?? 1 });
    const store = await openStore(this.nc, this.log);
    const clock = new SimClock((await store.clock.get(CONFIG_KEYS.clock))?.value ?? SimClock.start(1).snapshot());
    this.settings = (await store.settings.get(CONFIG_KEYS.settings))?.value ?? DEFAULT_SETTINGS;
    this.registry = new Registry(await this.waitForRegistry(store));
    // Before anything is signed with it: a record signed with an unregistered key does not verify.
    const registered = await registerCoordinatorKeys(store, [keyEntry(this.instance, this.signingKey)]);
    if (registered) this.registry = new Registry(registered);
    await this.watchConfig(store, clock);
    // The view starts from the newest checkpoint that holds up, else from nothing (the whole chain is read).
    const chain = await ChainReader.of(this.nc);
    const start = await restoreView(this.nc, chain, this.registry.data, this.log);
    this.restored = start.restored;
    this.ctx = {
      instance: this.instance,
      nc: this.nc,
      js: jetstream(this.nc),
      publisher: durablePublisher(this.nc),
      store,
      clock,
      audit: new AuditWriter(this.nc, this.log, this.signingSeed),
      log: this.log,
      registry: () => this.registry,
      settings: () => this.settings,
      signOwn: ownSigner(this.opts.seed ?? this.signingSeed),
      tracking: start.view,
    };
    await this.ensureConsumers();
    await this.retireDeparted();
    // Settled deliveries older than the longest deadline are forgotten: anything more about one is a repeat.
    const prune = () => {
      const now = clock.nowMs();
      const dropped = this.ctx.tracking.prune(now - SETTLED_KEPT_MS, SETTLED_KEPT_MAX);
      if (dropped) this.log.debug({ dropped, kept: this.ctx.tracking.size }, "settled deliveries forgotten");
    };
    // Receipts and escalations are judged against every delivery recorded so far (a long chain is
    // read within the same bounds: settled deliveries are forgotten as it goes).
    const from = start.checkpoint && { streamSeq: start.checkpoint.manifest.position.streamSeq, record: start.checkpoint.record };
    const feed = await startTrackingFeed(this.nc, this.ctx.tracking, this.log, { prune, ...(from ? { from } : {}), onApplied: (seq) => this.checkpointWriter?.applied(seq) });
    this.trackingFeed = feed;
    this.checkpointWriter = new CheckpointWriter({
      nc: this.nc, view: this.ctx.tracking, position: () => feed.position(), instance: this.instance, seed: this.signingSeed, log: this.log,
      fromStreamSeq: from?.streamSeq ?? 0, ...(this.opts.checkpointEvery ? { every: this.opts.checkpointEvery } : {}),
    });
    await feed.ready;
    if (this.restored.from === "checkpoint") this.restored.tailRecords = (feed.position()?.streamSeq ?? 0) - this.restored.streamSeq;
    this.checkpointWriter.caughtUp();
    this.escalator = new Escalator(this.ctx, () => this.trackingFeed!.current());
    this.escalator.start();
    this.pruner = setInterval(prune, PRUNE_EVERY_MS);
    this.intake = await startIntake(this.ctx);
    const startedAt = new Date().toISOString();
    this.stopHeartbeat = startHeartbeat(this.ctx, () => ({
      instance: this.instance,
      pid: process.pid,
      startedAt,
      processed: this.intake.processed,
      escalated: this.escalator.escalated,
      openDeliveries: this.escalator.openCount,
      auditWritten: this.ctx.audit.written,
      invalidStored: store.checks.invalid,
      ...(store.checks.last ? { lastInvalid: store.checks.last } : {}),
      rateLimited: this.intake.rateLimited,
      queued: this.intake.queued,
      inFlight: this.intake.inFlight,
      ...processMemory(),
      restarts: this.opts.restarts ?? 0,
    }), () => this.trackingFeed?.head());
    this.log.info({ agencies: this.registry.ids.length, speed: clock.speed }, "coordinator started");
    return this;
  }

  /** The published registry; one that fails its contract (and has no good revision) counts as none. */
  private async waitForRegistry(store: Store) {
    const until = Date.now() + (this.opts.registryWaitMs ?? 30_000);
    for (;;) {
      const r = await store.registry.get(CONFIG_KEYS.registry);
      if (r) return r.value;
      if (Date.now() > until) {
        const bad = store.checks.last?.key === CONFIG_KEYS.registry ? ` (the one there fails its contract: ${store.checks.last.problem})` : "";
        throw new Error(`no valid registry published in the exchange's config bucket${bad} (start the exchange with \`atix up\`, or publish it with \`atix init --publish\`)`);
      }
      await sleep(200);
    }
  }

  /** Registry, settings and clock changes apply live. */
  private async watchConfig(store: Store, clock: SimClock) {
    const f = followKv(store.config, { key: ">" }, async (e) => {
      try {
        if (e.key === CONFIG_KEYS.clock) {
          const c = store.clock.decode(e);
          if (c) {
            clock.adopt(ClockState.parse(c));
            // Agencies follow the broadcast; a pause or a new speed must reach them at once.
            this.nc.publish(subjects.clock, JSON.stringify(clock.snapshot()));
          }
        } else if (e.key === CONFIG_KEYS.settings) {
          this.settings = store.settings.decode(e) ?? this.settings;
        } else if (e.key === CONFIG_KEYS.registry) {
          const r = store.registry.decode(e);
          if (r) await this.adopt(new Registry(r));
        }
      } catch (err) {
        this.log.error({ err, key: e.key }, "could not apply a config change");
      }
    }, this.log);
    this.watchers.push(f);
    await f.ready;
  }

  /**
   * A new agency's consumers exist before a broadcast can count it as a recipient (delivery-copies.ts
   * decides by the registry in use), and a departed one's broadcast consumer goes.
   */
  private async adopt(next: Registry) {
    if (!this.ctx) return void (this.registry = next);
    // The same agencies (a coordinator key added, say): their consumers exist already.
    if (sameAgencies(this.registry, next)) return void (this.registry = next);
    try {
      // Through a leader election; until it holds, the registry in use stays.
      await retryTransient(() => this.ensureConsumers(next));
    } catch (err) {
      this.log.error({ err, agencies: next.ids.length }, "new registry not in use: its agencies' consumers could not be created (it is taken up when it is published again)");
      return;
    }
    this.registry = next;
    this.intake?.follow(next.ids);
    await this.retireDeparted();
  }

  /** Every agency's submission queue and delivery consumers; then the single intake of earlier versions goes. */
  private async ensureConsumers(registry = this.registry) {
    const jsm = await this.ctx.js.jetstreamManager();
    for (const id of registry.ids) await ensureAgencyConsumer(jsm, id);
    if (await retireLegacyIntake(jsm)) this.log.info("submissions now go through a queue per agency; the single consumer of earlier versions was removed");
  }

  /**
   * Any broadcast consumer of an agency not in the registry goes, also those left while no
   * coordinator ran. A failure is logged and tried again at the next start or registry change;
   * meanwhile agencies drop broadcasts that do not name them (the recipients header).
   */
  private async retireDeparted() {
    try {
      const gone = await retireUnregisteredBroadcastConsumers(await this.ctx.js.jetstreamManager(), this.registry.byId);
      if (gone.length) this.log.info({ agencies: gone }, "broadcast consumers of agencies not in the registry removed");
    } catch (err) {
      this.log.error({ err }, "could not remove the broadcast consumers of departed agencies; trying again at the next registry change");
    }
  }

  get context(): Context {
    return this.ctx;
  }

  get checkpoints(): Checkpoints {
    const writer = this.checkpointWriter;
    const restored = this.restored;
    return {
      restored,
      written: writer?.written ?? 0,
      whenWritten: (minSeq) => (writer ? writer.whenWritten(minSeq) : Promise.reject(new Error("the coordinator has not started"))),
    };
  }

  async stop() {
    this.stopHeartbeat?.();
    await this.intake?.stop();
    clearInterval(this.pruner);
    await this.escalator?.stop();
    await this.checkpointWriter?.stop();
    await this.trackingFeed?.stop();
    this.watchers.forEach((w) => w.stop());
    await this.nc?.drain().catch(() => undefined);
    this.log.info("coordinator stopped");
  }
}

const sameAgencies = (a: Registry, b: Registry) => a.ids.length === b.ids.length && a.ids.every((id) => b.byId.has(id));
