// A small seeded PRNG, so a simulation run with the same seeds repeats exactly.
// mulberry32 is tiny, fast and good enough for delays and coin flips (not for cryptography).

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

/** 32-bit FNV-1a: turns a string seed (agency id, message id, …) into a number seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/**
 * A generator from any number of seed parts. Deriving one per message (agency seed + message id
 * + purpose) keeps each decision repeatable whatever order deliveries happen to interleave in.
 */
export function createRng(...parts: (string | number)[]): Rng {
  return mulberry32(hashString(parts.join("\u0000")));
}

export const uniform = (rng: Rng, min: number, max: number) => min + (max - min) * rng.next();
export const chance = (rng: Rng, p: number) => rng.next() < p;
export const pick = <T>(rng: Rng, xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rng.next() * xs.length)] : undefined);

/** Standard normal by Box–Muller (1 - u keeps the logarithm finite). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
