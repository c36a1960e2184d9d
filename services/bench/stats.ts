// Small helpers every benchmark mode shares: percentiles of wall-clock samples, the machine measured
// on, the figures written as JSON.

import { writeFile } from "node:fs/promises";
import os from "node:os";
import { sortedSample } from "../../shared/stats.ts";

/** Writes a mode's figures as JSON (`--json FILE`). */
export const writeFigures = (file: string, figures: object) => writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);

/** The machine a benchmark ran on, as every mode's figures name it. */
export const machineOf = () => ({ cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` });

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
