// Structured logs: one JSON event per line (pino); pretty when a person watches a terminal.
import { pino, type Logger } from "pino";

export type { Logger };

/** `defaultLevel` applies unless ATIX_LOG_LEVEL says otherwise. */
export function createLogger(name: string, bindings: Record<string, unknown> = {}, defaultLevel = "info"): Logger {
  const level = process.env.ATIX_LOG_LEVEL || defaultLevel;
  const pretty = process.env.ATIX_LOG_PRETTY === "1" || (process.env.ATIX_LOG_PRETTY !== "0" && process.stderr.isTTY);
  const transport = pretty ? { target: "pino-pretty", options: { destination: 2, ignore: "pid,hostname" } } : undefined;
  return pino({ name, level, base: { ...bindings }, ...(transport ? { transport } : {}) }, transport ? undefined : pino.destination(2));
}

/**
 * At most `max` lines of one kind per `windowMs`; the rest are counted and the count goes with the
 * next line logged. A flood of one kind of event (thousands of rejections) must not flood the log
 * or the terminal a facilitator watches.
 */
export class LogBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;
  private skipped = 0;

  constructor(
    private readonly max = 10,
    private readonly windowMs = 10_000,
  ) {}

  /** Whether to log this one, and how many were not logged since the last that was. */
  take(nowMs = Date.now()): { log: boolean; skipped: number } {
    if (nowMs - this.windowStart >= this.windowMs) {
      this.windowStart = nowMs;
      this.used = 0;
    }
    if (this.used >= this.max) {
      this.skipped++;
      return { log: false, skipped: this.skipped };
    }
    this.used++;
    const skipped = this.skipped;
    this.skipped = 0;
    return { log: true, skipped };
  }
}
