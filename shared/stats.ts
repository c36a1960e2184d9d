// Nearest-rank percentiles, used by the report, `atix send --wait` and the benchmark alike.

/** A sample sorted once: any percentile (0..100) and the maximum, null when there are none. */
export function sortedSample(xs: readonly number[]) {
  const s = Float64Array.from(xs).sort();
  return {
    count: s.length,
    percentile: (p: number): number | null => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : null),
    // Not Math.max(...xs): that overflows the call stack beyond some 120,000 values.
    max: (): number | null => (s.length ? s[s.length - 1]! : null),
  };
}

export const percentile = (xs: readonly number[], p: number): number | null => sortedSample(xs).percentile(p);
