// A back-off loop for what fails only for a moment in a cluster — a node down, a leader election,
// a client failing over (errors.ts, isTransient). Everything else (a refused expectation, a closed
// connection, a permission) is an answer, never retried here.
import { setTimeout as sleep } from "node:timers/promises";
import { isStreamNotFound, isTransient } from "./errors.ts";

/**
 * "stream not found" is also what a broker without the exchange's layout says: it is retried only
 * for a few seconds (an election is over by then), so a missing exchange is told at once.
 */
const BRIEF_MS = 5_000;

/** Exponential back-off with jitter, capped at 1 s (an election is over within seconds): 50 ms, 100 ms, ... */
export const backoffMs = (attempt: number) => Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);

export interface RetryOptions {
  /** Total time to keep retrying, in wall ms (default 30 s: longer than a leader election). */
  forMs?: number;
  /** Called before each retry (for a log line). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Runs `fn` until it succeeds or fails with something not transient, or time is up. */
export async function retryTransient<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const started = Date.now();
  const until = started + (opts.forMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const brief = isStreamNotFound(e) && Date.now() - started >= BRIEF_MS;
      if (!isTransient(e) || Date.now() >= until || brief) throw e;
      opts.onRetry?.(e, attempt);
      await sleep(backoffMs(attempt));
    }
  }
}
