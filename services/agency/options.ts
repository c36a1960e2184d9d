// What an AgencyNode is configured with.
import type { ClockState } from "../../shared/clock.ts";
import { PRESENCE_INTERVAL_MS, type RosterAgency } from "../../shared/contracts/index.ts";
import type { Logger } from "../../shared/log.ts";
import type { YieldingQueue } from "../../shared/yielding-queue.ts";
import type { ClockFeed } from "./clock-feed.ts";
import type { ScriptedReaction } from "./script.ts";
import type { SenderKeys } from "./verify-delivery.ts";

/** A seed, or what gives the seed to use now. */
export type SeedSource = string | (() => string);
export const seedNow = (s: SeedSource): string => (typeof s === "string" ? s : s());

export interface AgencyNodeOptions {
  /** The agency's roster entry: its time zone and duty profile drive the officer. */
  agency: RosterAgency;
  /** Must equal agency.id when given. */
  id?: string;
  /**
   * The agency's nkey seed (SU…): signs every message and, unless authenticate is false, logs in.
   * A function gives the one to use at each moment (a rotated key: key-ring.ts switches when the
   * registry lists the new one).
   */
  seed: SeedSource;
  servers: string | string[];
  /** The registry's public keys: every delivery is verified against them before the node acts on it. */
  keys: SenderKeys;
  /** false: connect without nkey auth (test servers without authorization); messages are still signed. */
  authenticate?: boolean;
  /** Initial exchange clock; broadcasts on atix.clock replace it. Default: real time until one arrives. */
  clock?: ClockState;
  /**
   * Where receipts and acknowledgements start (signing is most of a node's work): nodes hosted in
   * one process share one, so their batches go out in slices with deliveries read in between.
   */
  outbox?: YieldingQueue;
  /** A clock shared by many nodes (AgencyHost); the node then does not subscribe to atix.clock itself. */
  clockFeed?: ClockFeed;
  /** Seed of the officer's PRNG (default: the agency id): the same seed gives the same run. */
  rngSeed?: string | number;
  /** Chance that an alert produces a hit (default 0.03). */
  hitProbability?: number;
  /** Chance that an RFI is answered at all (default 1: "nothing held" is an answer too). */
  answerProbability?: number;
  /** Chance that an answer says information is held (default 0.4). */
  informationProbability?: number;
  /**
   * The script's word on a delivery: a scripted inject gets only the hits and answers it names,
   * never generated ones. Set by whoever plays the script (AgencyHost.script), never from a message.
   */
  scripted?: (messageId: string) => ScriptedReaction | undefined;
  /** The node stays offline (presence "offline", not consuming) until this simulated time. */
  offlineUntil?: number | string | Date;
  /** Wall ms between presence repeats (default PRESENCE_INTERVAL_MS, 2 s; `atix status` listens 2.5 s). */
  presenceIntervalMs?: number;
  /** How long start() waits for the coordinator to create the agency's consumer (default 15 s). */
  consumerWaitMs?: number;
  /**
   * The longest a receipt waits for an acknowledgement due at once, which stands in for it
   * (ms; default 1 s, HOLD_FOR_ACKNOWLEDGEMENT_MS).
   */
  receiptHoldMs?: number;
  logger?: Logger;
}

export const DEFAULTS = {
  hitProbability: 0.03,
  answerProbability: 1,
  informationProbability: 0.4,
  presenceIntervalMs: PRESENCE_INTERVAL_MS,
  consumerWaitMs: 15_000,
} as const;

/**
 * How many message ids a node remembers (its dedupe set, `received`, its officer's): a 24/7 node
 * must not grow for ever. A redelivery of something older is only receipted (and acknowledged) again.
 */
export const RECENT_IDS = 100_000;
