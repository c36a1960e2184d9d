// Small statistics helpers for the benchmark: percentiles of wall-clock samples.

/** The q-quantile (0..1) of the samples, nearest rank; NaN for no samples. */
export function percentile(samples: number[], q: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Latency {
  p50Ms: number;
  p99Ms: number;
  rounds: number;
}

export const latencyOf = (samplesMs: number[]): Latency => ({
  p50Ms: round(percentile(samplesMs, 0.5)),
  p99Ms: round(percentile(samplesMs, 0.99)),
  rounds: samplesMs.length,
});

export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Resolves when `done()` holds, checking on every `poke()`; rejects after `timeoutMs`. */
export function waiter(what: string, timeoutMs: number) {
  let resolveFn!: () => void;
  let rejectFn!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  const timer = setTimeout(() => rejectFn(new Error(`benchmark timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  return {
    promise: promise.finally(() => clearTimeout(timer)),
    resolve: resolveFn,
  };
}
