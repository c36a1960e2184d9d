// Keeps the exchange told about this post's duty status: at start, whenever the status changes
// (a scheduled sim-time task at the next shift boundary), every few wall seconds, and "offline"
// on stop. Also holds the node back while it is scheduled to be offline (offlineUntil).
import type { NatsConnection } from "@nats-io/transport-node";
import type { SimClock } from "../../shared/clock.ts";
import type { RosterAgency } from "../../shared/contracts/index.ts";
import type { Logger } from "../../shared/log.ts";
import { dutyStatus, nextDutyChange, officerOnWatch } from "./duty-officer.ts";
import { type PresenceInfo, type PresenceStatus, publishPresence } from "./presence.ts";
import type { SimScheduler } from "./scheduler.ts";
import type { YieldingQueue } from "../../shared/yielding-queue.ts";

export class PresenceKeeper {
  private nc: NatsConnection | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last: PresenceStatus | undefined;

  constructor(
    private readonly agency: RosterAgency,
    /** The seed to sign with now (a rotated key changes it). */
    private readonly seed: () => string,
    private readonly clock: SimClock,
    private readonly scheduler: SimScheduler,
    private readonly log: Logger,
    private readonly intervalMs: number,
    /** Where the periodic repeats start: hosted nodes' repeats fall due together (node.ts outbox). */
    private readonly outbox: YieldingQueue,
    private readonly offlineUntil?: number,
  ) {}

  status(): PresenceStatus {
    const now = this.clock.nowMs();
    if (this.offlineUntil !== undefined && now < this.offlineUntil) return "offline";
    return dutyStatus(this.agency.duty, this.agency.timezone, now);
  }

  /** Starts announcing; returns false if the node must stay offline (goOnline runs when it may). */
  start(nc: NatsConnection, goOnline: () => Promise<void>): boolean {
    this.nc = nc;
    this.publish();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.outbox.push(() => this.publish()), this.intervalMs);
    this.timer.unref?.();
    this.reschedule();
    if (this.status() !== "offline") return true;
    this.scheduler.at("presence:online", this.offlineUntil!, async () => {
      this.publish();
      await goOnline();
    });
    return false;
  }

  /** (Re)schedules the announcement at the next shift boundary; call when the clock changes. */
  reschedule() {
    const next = nextDutyChange(this.agency.duty, this.agency.timezone, this.clock.nowMs());
    if (next === undefined) return;
    this.scheduler.at("presence:change", next, () => {
      this.publish();
      this.reschedule();
    });
  }

  stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    this.publish("offline");
    this.nc = undefined;
    this.last = undefined;
  }

  private publish(force?: PresenceStatus) {
    if (!this.nc) return;
    const now = this.clock.nowMs();
    const status = force ?? this.status();
    const { duty, timezone, id } = this.agency;
    const info: PresenceInfo =
      status === "offline"
        ? { status, ...(force || this.offlineUntil === undefined ? {} : { until: this.offlineUntil }) }
        : { status, officer: officerOnWatch(id, timezone, now), ...optional("until", nextDutyChange(duty, timezone, now)) };
    const m = publishPresence(this.nc, id, new Date(now).toISOString(), info, this.seed());
    if (status !== this.last) this.log.info({ messageId: m.id, status, until: m.body.until }, "duty status announced");
    this.last = status;
  }
}

const optional = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
