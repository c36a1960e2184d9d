// One agency's node: its own NATS identity, its two durable consumers (own deliveries and
// broadcasts) each read strictly in order, an automatic receipt for every delivery, and a
// simulated duty officer who acknowledges later.
import type { Consumer, JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { SimClock } from "../../shared/clock.ts";
import { AgencyId, consumers, type Message, type MessageKind, type MessageOf, type RosterAgency, streams } from "../../shared/contracts/index.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import { compose, type Envelope } from "../../shared/messaging/compose.ts";
import { submit } from "../../shared/messaging/submit.ts";
import { agencyJetStream, connectAs } from "../../shared/nats/connect.ts";
import { settleDelivery } from "../../shared/nats/delivery-ack.ts";
import { isStreamOrConsumerNotFound } from "../../shared/nats/errors.ts";
import { ClockFeed } from "./clock-feed.ts";
import { DeliveryLoop } from "./delivery-loop.ts";
import { type AgencyCounters, type AgencyEventListener, EventHub } from "./events.ts";
import { type DeliverySource, DeliveryIntake } from "./delivery-intake.ts";
import { ACK_TASK_PREFIX, OfficerDesk } from "./officer-desk.ts";
import { type AgencyNodeOptions, DEFAULTS, seedNow } from "./options.ts";
import { PresenceKeeper } from "./presence-keeper.ts";
import { SimScheduler } from "./scheduler.ts";
import { YieldingQueue } from "../../shared/yielding-queue.ts";

/** Failures after which an acknowledgement is given up (each may itself have retried for 30 s). */
const MAX_ACK_FAILURES = 60;

export class AgencyNode {
  readonly id: string;
  readonly agency: RosterAgency;
  readonly feed: ClockFeed;
  private readonly events = new EventHub();
  private readonly scheduler: SimScheduler;
  private readonly desk: OfficerDesk;
  private readonly intake: DeliveryIntake;
  private readonly presence: PresenceKeeper;
  private readonly log: Logger;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private loops: DeliveryLoop[] = [];
  private active = false;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: AgencyNodeOptions) {
    this.agency = opts.agency;
    this.id = AgencyId.parse(opts.agency.id);
    if (opts.id && opts.id !== this.id) throw new Error(`expected id ${opts.id} to match the roster entry's id ${this.id}`);
    this.log = (opts.logger ?? createLogger("agency")).child({ agency: this.id });
    this.feed = opts.clockFeed ?? new ClockFeed(opts.clock);
    // An acknowledgement is owed until it is sent: one whose send failed (beyond publishDurably's
    // own retries: a long election, a lost connection) is tried again, for a while. A repeat is
    // harmless, as the exchange counts the first. An answer or a hit is composed anew each time
    // (a new id), so a retry after a publish that was stored unanswered would send a second one.
    this.scheduler = new SimScheduler(this.feed.clock, (key, err, failures) => {
      if (!this.active) return true; // failed while stopping: keep it for when the node is back
      const retry = key.startsWith(ACK_TASK_PREFIX) && failures < MAX_ACK_FAILURES;
      this.log.error({ err, task: key, messageId: key.split(":")[1], failures, retry }, retry ? "scheduled task failed; trying again" : "scheduled task failed; giving up");
      return retry;
    });
    const send = (m: Message) => this.submit(m);
    const outbox = opts.outbox ?? new YieldingQueue();
    this.desk = new OfficerDesk(this.agency, String(opts.rngSeed ?? this.id), this.feed.clock, this.scheduler, send, this.events, this.log, {
      hitProbability: opts.hitProbability ?? DEFAULTS.hitProbability,
      answerProbability: opts.answerProbability ?? DEFAULTS.answerProbability,
      informationProbability: opts.informationProbability ?? DEFAULTS.informationProbability,
      ...(opts.scripted ? { scripted: opts.scripted } : {}),
    }, outbox, (id) => this.intake.standIn(id));
    this.intake = new DeliveryIntake(this.id, this.feed.clock, send, this.desk, this.events, this.log, () => this.active, outbox, opts.keys, opts.receiptHoldMs);
    const offlineUntil = opts.offlineUntil === undefined ? undefined : new Date(opts.offlineUntil).getTime();
    const interval = opts.presenceIntervalMs ?? DEFAULTS.presenceIntervalMs;
    this.presence = new PresenceKeeper(this.agency, () => seedNow(opts.seed), this.feed.clock, this.scheduler, this.log, interval, outbox, offlineUntil);
    // Sim-time timers follow the exchange clock: re-arm whenever it changes speed, pauses or jumps.
    this.feed.onChange(() => {
      this.presence.reschedule();
      this.scheduler.arm();
    });
  }

  get clock(): SimClock {
    return this.feed.clock;
  }
  get connection(): NatsConnection | undefined {
    return this.nc;
  }
  get running(): boolean {
    return this.active;
  }
  /** Ids of the distinct valid messages received, in the order they first arrived. */
  get received(): readonly string[] {
    return this.intake.received;
  }
  get counters(): AgencyCounters {
    return { ...this.events.counters };
  }
  onEvent(fn: AgencyEventListener): () => void {
    return this.events.on(fn);
  }
  /** The officer's pending acknowledgements, earliest first (simulated ISO times). */
  pendingAcknowledgements(): { messageId: string; dueAt: string }[] {
    return this.desk.pending().map((p) => ({ messageId: p.messageId, dueAt: new Date(p.dueAt).toISOString() }));
  }

  /** Scenario fault: the duty officer works `factor` times slower until `untilMs` (simulated). */
  slowDown(factor: number, untilMs: number) {
    this.desk.slowDown(factor, untilMs);
  }

  /** Connects and starts consuming (or waits offline until offlineUntil). Safe to call again after stop(). */
  start(): Promise<void> {
    if (this.active) return Promise.resolve();
    this.starting ??= this.connectAndConsume().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async connectAndConsume(): Promise<void> {
    const started = Date.now();
    const auth = this.opts.authenticate ?? true;
    // The seed is asked at every (re)connect: after a rotation's overlap the broker lets only the new key in.
    const seed = this.opts.seed;
    this.nc = await connectAs({ servers: this.opts.servers, user: this.id, ...(auth ? { seed: () => seedNow(seed) } : {}) });
    this.js = agencyJetStream(this.nc);
    if (!this.opts.clockFeed) this.feed.attach(this.nc);
    this.active = true;
    this.scheduler.start();
    try {
      const online = this.presence.start(this.nc, () => this.consume());
      if (online) await this.consume();
      this.log.info({ wallMs: Date.now() - started, simNow: this.clock.iso(), online }, "agency node started");
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Stops consuming, keeps the officer's pending work for a restart, says "offline", drains (< 2 s). */
  stop(): Promise<void> {
    const nc = this.nc;
    if (!nc) return Promise.resolve();
    this.stopping ??= this.shutdown(nc).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async shutdown(nc: NatsConnection): Promise<void> {
    const started = Date.now();
    this.active = false;
    await Promise.all(this.loops.map((l) => l.stop(800)));
    await this.scheduler.pause(400);
    this.presence.stop();
    await Promise.race([nc.drain().catch(() => undefined), sleep(600)]);
    if (!nc.isClosed()) await nc.close().catch(() => undefined);
    this.nc = this.js = undefined;
    this.loops = [];
    this.log.info({ wallMs: Date.now() - started }, "agency node stopped");
  }

  /** Submits a message of our own (alert, RFI, …): composed as this agency, signed, stored durably. */
  async send<K extends MessageKind>(kind: K, body: MessageOf<K>["body"], env: Omit<Envelope, "sender" | "sentAt"> = {}): Promise<MessageOf<K>> {
    const m = compose(kind, body, { ...env, sender: this.id, sentAt: this.clock.iso() }) as Message;
    this.desk.note(m);
    return (await this.submit(m)) as MessageOf<K>;
  }

  private async submit(m: Message): Promise<Message> {
    if (!this.js) throw new Error(`agency ${this.id} is not connected`);
    // nats.js's js.publish, not the leaner JetStreamPublisher the coordinator uses: a node's
    // receipts and acknowledgements leave when the previous batch's PubAck is in, so a quicker
    // publish means more, smaller submissions, and under a flood the coordinator paid for them
    // (docs/performance.md, sixth round).
    return (await submit(this.js, seedNow(this.opts.seed), m)).message;
  }

  private async consume() {
    if (!this.active) return;
    // Both consumers found before either loop starts: a failure leaves nothing half-running.
    const own = await this.findConsumer(consumers.agency(this.id));
    const broadcasts = await this.findConsumer(consumers.broadcast(this.id));
    // One DeliverySource per loop, not one per delivery.
    const loopOf = (consumer: Consumer, broadcast: boolean, log: Logger) => {
      const from: DeliverySource = { broadcast, settle: (handle, how) => settleDelivery(this.nc, handle, how), rewind: () => loop.rewind() };
      const loop = new DeliveryLoop(consumer, (msg) => this.intake.handle(msg, from), log);
      return loop;
    };
    this.loops = [loopOf(own, false, this.log), loopOf(broadcasts, true, this.log.child({ consumer: "broadcast" }))];
    this.loops.forEach((l) => l.start());
  }

  /** The coordinator creates our consumers; wait a little for them in case we started first. */
  private async findConsumer(name: string): Promise<Consumer> {
    const until = Date.now() + (this.opts.consumerWaitMs ?? DEFAULTS.consumerWaitMs);
    for (;;) {
      try {
        return await this.js!.consumers.get(streams.deliveries.name, name);
      } catch (e) {
        if (!isStreamOrConsumerNotFound(e) || Date.now() > until || !this.active) throw e;
        await sleep(500);
      }
    }
  }
}
