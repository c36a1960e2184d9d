// Small statistics helpers for the benchmark: percentiles of wall-clock samples.

import { sortedSample } from "../../shared/stats.ts";

export interface Latency {
  p50Ms: number;
  p99Ms: number;
  rounds: number;
}

export const latencyOf = (samplesMs: number[]): Latency => {
  const s = sortedSample(samplesMs);
  return { p50Ms: round(s.percentile(50) ?? Number.NaN), p99Ms: round(s.percentile(99) ?? Number.NaN), rounds: s.count };
};

export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A promise resolved by hand (`resolve`), rejected after `timeoutMs` naming what was awaited. */
export function waiter(what: string, timeoutMs: number) {
  let resolveFn!: () => void;
  let rejectFn!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  const timer = setTimeout(() => rejectFn(new Error(`benchmark timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  timer.unref();
  const settled = promise.finally(() => clearTimeout(timer));
  // A waiter replaced before anyone awaited it must not bring the run down when its time is up.
  settled.catch(() => undefined);
  return { promise: settled, resolve: resolveFn };
}
