// A generated roster for the benchmark: N agencies with unique two-letter ids (AA, AB, …, ZZ),
// all staffed 24/7 with duty officers who acknowledge at once.
import { Roster, REGIONS } from "../../shared/contracts/index.ts";

export const MAX_AGENCIES = 26 * 26;

const TIMEZONES = ["Europe/Berlin", "Asia/Baku", "Asia/Almaty", "Asia/Kolkata", "Asia/Tokyo", "Asia/Singapore", "Asia/Riyadh", "Africa/Nairobi", "America/New_York", "America/Sao_Paulo", "Australia/Sydney"] as const;

export function benchAgencyIds(n: number): string[] {
  if (!Number.isInteger(n) || n < 2 || n > MAX_AGENCIES) throw new Error(`expected 2 to ${MAX_AGENCIES} agencies, got ${n}`);
  const A = "A".charCodeAt(0);
  return Array.from({ length: n }, (_, i) => String.fromCharCode(A + Math.floor(i / 26), A + (i % 26)));
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
