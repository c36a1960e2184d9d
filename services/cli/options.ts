// Option parsers: a bad value is a one-line error naming the flag and what was expected.
import { InvalidArgumentError } from "commander";
import { AGENCY_ID_PATTERN } from "../../shared/contracts/index.ts";
import { parseDuration } from "../../simulations/scenario/duration.ts";

export const positiveNumber = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a number above 0, got "${v}"`);
  return n;
};

export const positiveInt = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a whole number above 0, got "${v}"`);
  return n;
};

/** A seed: any whole number, negative too. */
export const wholeNumber = (flag: string) => (v: string) => {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`${flag} expects a whole number, got "${v}"`);
  return Number(v);
};

export const oneOf = <T extends string>(flag: string, values: readonly T[]) => (v: string): T => {
  const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!hit) throw new InvalidArgumentError(`${flag} expects one of ${values.join(", ")}, got "${v}"`);
  return hit;
};

/** JetStream replica counts worth having: an odd count keeps a majority (3 survive one node lost, 5 two). */
export const REPLICA_COUNTS = [1, 3, 5] as const;

export const replicaCount = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!(REPLICA_COUNTS as readonly number[]).includes(n)) throw new InvalidArgumentError(`${flag} expects ${REPLICA_COUNTS.join(", ")} (replicas per stream, at most the cluster's nodes), got "${v}"`);
  return n;
};

/** Agency ids, comma-separated or repeated: `--external TJ,KZ`. */
export const agencyIds = (flag: string) => (v: string, earlier: string[] = []) => {
  const ids = v.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
  const bad = ids.find((id) => !AGENCY_ID_PATTERN.test(id));
  if (bad !== undefined || !ids.length) throw new InvalidArgumentError(`${flag} expects agency ids such as TJ or TJ,DE-BKA, got "${v}"`);
  return [...earlier, ...ids];
};

/** A wall-clock duration: "90s", "10m", "1h", "2h30m", "1d", or 0. */
export const wallDuration = (flag: string) => (v: string) => {
  const ms = v.trim() === "0" ? 0 : parseDuration(v);
  if (ms === undefined) throw new InvalidArgumentError(`${flag} expects a duration such as 30s, 10m, 1h or 1d, got "${v}"`);
  return ms;
};

/** A simulated start time: ISO 8601 with an offset, such as 2026-09-21T06:00:00Z. */
export const isoTime = (flag: string) => (v: string) => {
  const ms = Date.parse(v);
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(v.trim()) || !Number.isFinite(ms))
    throw new InvalidArgumentError(`${flag} expects a date and time with an offset, such as 2026-09-21T06:00:00Z, got "${v}"`);
  return ms;
};
