// A generated roster for the benchmark: N agencies, all staffed 24/7 with duty officers who
// acknowledge at once. Ids are the 676 two-letter codes AA … ZZ, then the same codes with a
// numbered service suffix (AA-2 … ZZ-2, AA-3 …), so any N has valid, distinct agency ids.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { MAX_EXCHANGE_AGENCIES, Roster, REGIONS } from "../../shared/contracts/index.ts";

export const MAX_AGENCIES = MAX_EXCHANGE_AGENCIES;

const PAIRS = 26 * 26;
const TIMEZONES = ["Europe/Berlin", "Asia/Baku", "Asia/Almaty", "Asia/Kolkata", "Asia/Tokyo", "Asia/Singapore", "Asia/Riyadh", "Africa/Nairobi", "America/New_York", "America/Sao_Paulo", "Australia/Sydney"] as const;

export function benchAgencyIds(n: number): string[] {
  if (!Number.isInteger(n) || n < 2 || n > MAX_AGENCIES) throw new Error(`expected 2 to ${MAX_AGENCIES} agencies, got ${n}`);
  const A = "A".charCodeAt(0);
  return Array.from({ length: n }, (_, i) => {
    const pair = String.fromCharCode(A + Math.floor((i % PAIRS) / 26), A + (i % 26));
    const round = Math.floor(i / PAIRS);
    return round === 0 ? pair : `${pair}-${round + 1}`;
  });
}

export function benchRoster(n: number): Roster {
  return Roster.parse({
    name: `bench-${n}`,
    description: `Generated benchmark roster of ${n} agencies, staffed 24/7, acknowledging at once.`,
    agencies: benchAgencyIds(n).map((id, i) => ({
      id,
      name: `Benchmark service ${id}`,
      country: `Benchmark state ${id}`,
      region: REGIONS[i % REGIONS.length],
      timezone: TIMEZONES[i % TIMEZONES.length],
      // A few simulated milliseconds; at the benchmark's clock speed that is immediate.
      duty: { profile: "24/7", ackDelay: { medianMinutes: 0.001, p95Minutes: 0.002 } },
    })),
  });
}

/** Writes benchRoster(n) as roster.yaml in `dir` (for `launch`, as `atix up` reads a roster); returns the file. */
export async function writeBenchRoster(dir: string, n: number): Promise<{ file: string; roster: Roster }> {
  const roster = benchRoster(n);
  const file = join(dir, "roster.yaml");
  await writeFile(file, stringify(roster));
  return { file, roster };
}
