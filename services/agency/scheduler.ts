// Timers in simulated time. Tasks are keyed and kept in simulated ms; one wall timer is armed
// for the earliest, and re-armed whenever the clock changes speed, pauses or resumes, so a
// due time is always honoured in simulated time. Pausing the scheduler keeps the tasks (an
// agency node that goes offline resumes its officer's pending work when it comes back).
import type { SimClock } from "../../shared/clock.ts";

export type Task = () => Promise<void> | void;

/** How a task that ends later says how it ended: one call, to either. */
export interface TaskEnd {
  done(): void;
  failed(err: unknown): void;
}
/**
 * A task that tells its end to `end` instead of returning a promise: acknowledgements are
 * scheduled by the thousand under load, and a promise chain per run outlives the young generation.
 * An object, not a closure: it is the pending work itself (one object per task, not three).
 */
export interface ReportingTask {
  report(end: TaskEnd): void;
}

/**
 * A scheduled task; while it runs as a ReportingTask, it is the TaskEnd it was given (no object per
 * run). A kept task runs again on the same one, so a run must not tell its end after it failed.
 */
class ScheduledTask implements TaskEnd {
  /** Times it has failed so far (kept tasks run again). */
  failures = 0;
  /** A ReportingTask's run that has not told its end yet. */
  running = false;

  constructor(
    private readonly scheduler: SimScheduler,
    readonly key: string,
    public dueAt: number,
    readonly run: Task | undefined,
    readonly report: ReportingTask | undefined,
  ) {}

  done() {
    if (this.ended()) this.scheduler.ended();
  }
  failed(err: unknown) {
    if (!this.ended()) return;
    this.scheduler.ended();
    this.scheduler.failed(this, err);
  }
  /** True the first time a run ends (a second call is ignored). */
  private ended(): boolean {
    if (!this.running) return false;
    this.running = false;
    return true;
  }
}

/** Longest single wall wait; longer waits are re-checked (setTimeout's limit is ~24.8 days). */
const MAX_WAIT_MS = 60_000;
/**
 * A kept task that failed while running waits this long in wall time before it runs again: what
 * fails is a publish, and a broker leader election lasts seconds (at 1000x, simulated hours).
 */
export const RETRY_WALL_MS = 1_000;

export class SimScheduler {
  private readonly tasks = new Map<string, ScheduledTask>();
  private timer: NodeJS.Timeout | undefined;
  /** The simulated time the wall timer is armed for. */
  private armedFor: number | undefined;
  private active = false;
  private readonly running = new Set<Promise<void>>();
  /** ReportingTasks running, and who waits for there to be none (pause). */
  private reporting = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly clock: SimClock,
    /**
     * Called when a task fails (`failures` times so far); return true to keep it: it runs again
     * RETRY_WALL_MS later, or when a paused scheduler starts again.
     */
    private readonly onError: (key: string, err: unknown, failures: number) => boolean = () => false,
  ) {}

  /** Schedules (or replaces) the task under `key` at simulated time `dueAt` (ms). */
  at(key: string, dueAt: number, run: Task) {
    this.schedule(new ScheduledTask(this, key, dueAt, run, undefined));
  }
  /** As at(), for a task that tells its end to the TaskEnd it is given. */
  atReporting(key: string, dueAt: number, report: ReportingTask) {
    this.schedule(new ScheduledTask(this, key, dueAt, undefined, report));
  }
  private schedule(e: ScheduledTask) {
    const { key, dueAt } = e;
    this.tasks.set(key, e);
    // The wall timer fires first anyway (and re-arms for the rest): no re-arming per task added.
    if (this.timer && this.armedFor !== undefined && dueAt >= this.armedFor) return;
    this.arm();
  }
  /** Moves an existing task; false if there is none under `key`. */
  move(key: string, dueAt: number): boolean {
    const e = this.tasks.get(key);
    if (!e) return false;
    e.dueAt = dueAt;
    this.arm();
    return true;
  }
  dueAt(key: string): number | undefined {
    return this.tasks.get(key)?.dueAt;
  }
  cancel(key: string) {
    this.tasks.delete(key);
    this.arm();
  }
  entries(): { key: string; dueAt: number }[] {
    return [...this.tasks.values()].map(({ key, dueAt }) => ({ key, dueAt })).sort((a, b) => a.dueAt - b.dueAt);
  }
  get size() {
    return this.tasks.size;
  }

  start() {
    this.active = true;
    this.arm();
  }
  /** Stops firing (tasks stay) and waits up to `waitMs` for tasks already running. */
  async pause(waitMs = 1_000) {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    let timeout: NodeJS.Timeout | undefined;
    const running: Promise<unknown>[] = [...this.running];
    if (this.reporting) running.push(new Promise<void>((r) => this.idleWaiters.push(r)));
    await Promise.race([Promise.allSettled(running), new Promise((r) => (timeout = setTimeout(r, waitMs)))]);
    clearTimeout(timeout);
  }
  clear() {
    this.tasks.clear();
    this.arm();
  }

  /** Re-arms the wall timer for the earliest task; call after every clock change. */
  arm() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
    if (!this.active || this.tasks.size === 0) return;
    let first = Number.POSITIVE_INFINITY;
    for (const e of this.tasks.values()) first = Math.min(first, e.dueAt);
    const wait = this.clock.wallDelayUntil(first);
    if (!Number.isFinite(wait)) return; // paused clock: re-armed when it resumes
    const ms = Math.min(Math.ceil(wait), MAX_WAIT_MS);
    this.timer = setTimeout(() => this.fire(), ms);
    // A shortened wait (MAX_WAIT_MS) fires before `first`: tasks added meanwhile re-arm as they come.
    this.armedFor = ms < Math.ceil(wait) ? undefined : first;
    this.timer.unref?.();
  }

  private fire() {
    this.timer = undefined;
    this.armedFor = undefined;
    const now = this.clock.nowMs();
    const due: ScheduledTask[] = [];
    for (const e of this.tasks.values()) if (e.dueAt <= now) due.push(e);
    if (due.length > 1) due.sort((a, b) => a.dueAt - b.dueAt);
    for (const e of due) {
      // Replaced by a task run before it in this round: the new one stays, for its own time.
      if (this.tasks.get(e.key) !== e) continue;
      this.tasks.delete(e.key);
      if (e.report) {
        this.reportingRun(e, e.report);
        continue;
      }
      // Run as it is (one promise per asynchronous task, not three).
      let r: Promise<void> | void;
      try {
        r = e.run!();
      } catch (err) {
        this.failed(e, err);
        continue;
      }
      if (!r) continue;
      const p: Promise<void> = r.then(
        () => void this.running.delete(p),
        (err: unknown) => {
          this.running.delete(p);
          this.failed(e, err);
        },
      );
      this.running.add(p);
    }
    this.arm();
  }

  private reportingRun(e: ScheduledTask, report: ReportingTask) {
    e.running = true;
    this.reporting++;
    try {
      report.report(e);
    } catch (err) {
      e.failed(err);
    }
  }

  /** A ReportingTask's run has ended. For ScheduledTask only: it keeps the count pause() waits on. */
  ended() {
    if (--this.reporting > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** A run failed (told by ScheduledTask, or found here): kept for another run if its owner says so. */
  failed(e: ScheduledTask, err: unknown) {
    e.failures++;
    // Kept unless dropped, or replaced meanwhile (the task scheduled itself again).
    if (!this.onError(e.key, err, e.failures) || this.tasks.has(e.key)) return;
    if (this.active) e.dueAt = Math.max(e.dueAt, this.clock.nowMs() + RETRY_WALL_MS * this.clock.speed);
    this.tasks.set(e.key, e);
    this.arm();
  }
}
