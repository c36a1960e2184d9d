// Option parsers: a bad value is a one-line error naming the flag and what was expected.
import { InvalidArgumentError } from "commander";

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
