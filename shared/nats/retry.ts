// What fails only for a moment in a cluster — a node down, a leader election, a client failing
// over — and a back-off loop for it. Everything else (a refused expectation, a closed connection,
// a permission) is an answer, never retried here.
import { setTimeout as sleep } from "node:timers/promises";

const TRANSIENT =
  /timeout|no responders|jetstream not enabled|temporarily unavailable|stream not found|stream is offline|no suitable peers|insufficient resources|leader|disconnect|reconnect/i;

/** True for a failure that a retry a moment later may not meet (the error or any of its causes). */
export function isTransient(e: unknown): boolean {
  let x = e as { message?: unknown; name?: unknown; status?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; x && depth < 5; depth++, x = x.cause as typeof x) {
    if (x.status === 503 || x.name === "TimeoutError" || x.name === "NoResponders" || x.name === "JetStreamNotEnabled") return true;
    if (TRANSIENT.test(String(x.message ?? ""))) return true;
  }
  return false;
}

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
  const until = Date.now() + (opts.forMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransient(e) || Date.now() >= until) throw e;
      opts.onRetry?.(e, attempt);
      await sleep(backoffMs(attempt));
    }
  }
}
