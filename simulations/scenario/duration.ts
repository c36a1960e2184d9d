// Simulated durations and offsets as people write them: "90s", "10m", "2h30m", "1d", or "HH:MM".
import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (clock) return (Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3] ?? 0)) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== t.replace(/\s+/g, "")) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** A simulated duration: "45s", "10m", "2h30m", "1d", "HH:MM[:SS]", or a number of seconds. */
export const Duration = z
  .union([z.string(), z.number().nonnegative()])
  .transform((v, ctx) => {
    const ms = typeof v === "number" ? v * 1000 : parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `expected a duration such as 90s, 10m, 2h30m, 1d or 06:30; got "${v}"` });
      return z.NEVER;
    }
    return ms;
  });
