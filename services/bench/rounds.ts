// The latency rounds of the fan-outs that acknowledge (the protocol floor and ATIX), measured the
// same way for both: one broadcast at a time, timed until every recipient has it and until every
// recipient's acknowledgement is stored, the next only once all are; a few untimed rounds first.
import type { Tally } from "./counting.ts";
import { latencyOf, type Latency } from "./stats.ts";

/** Untimed rounds first: connections, consumers and processes settle (ATIX's coordinator comes up). */
const WARMUP = 3;

export interface RoundsOptions {
  rounds: number;
  /** Recipients of each broadcast. */
  recipients: number;
  /** Sends broadcast `n` (1-based; 0 and below are warm-up rounds) and resolves once it is stored. */
  send: (n: number) => Promise<unknown>;
  /** Deliveries and stored acknowledgements so far, counted by the agencies' process. */
  delivered: Tally;
  acknowledged: Tally;
  /** Names the fan-out in a timeout's message. */
  name: string;
  timeoutMs: number;
  /** Wraps every wait (to end it early on a failure elsewhere). */
  wrap?: <T>(p: Promise<T>) => Promise<T>;
}

export interface RoundsResult {
  /** Send → every recipient has it. */
  latency: Latency;
  /** Send → every recipient's acknowledgement stored. */
  acknowledgedLatency: Latency;
  /** Deliveries (and acknowledgements) the rounds made, warm-up included: where a later count starts. */
  deliveries: number;
}

export async function timedRounds(o: RoundsOptions): Promise<RoundsResult> {
  const wrap = o.wrap ?? (<T>(p: Promise<T>) => p);
  const toDelivered: number[] = [];
  const toAcked: number[] = [];
  let expected = 0;
  for (let r = -WARMUP; r < o.rounds; r++) {
    expected += o.recipients;
    const t0 = performance.now();
    await wrap(o.send(r + 1));
    await wrap(o.delivered.until(expected, `${o.name} broadcast ${r + 1} delivered to all`, o.timeoutMs));
    const d = performance.now() - t0;
    await wrap(o.acknowledged.until(expected, `${o.name} broadcast ${r + 1} acknowledged by all`, o.timeoutMs));
    if (r < 0) continue;
    toDelivered.push(d);
    toAcked.push(performance.now() - t0);
  }
  return { latency: latencyOf(toDelivered), acknowledgedLatency: latencyOf(toAcked), deliveries: expected };
}
