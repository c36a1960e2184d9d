// The exchange under load, for both reports: what became of a flood, how long the other agencies
// waited for their acceptances while it was on (against a quiet stretch), rejections by reason,
// and the deliveries that were late against the escalation messages that chased them.
import type { Metrics } from "./metrics.ts";
import { int, plural } from "./format.ts";

/** One line each: label and value (plain text; each report escapes and lays them out). */
export interface LoadFacts {
  /** Present with a flood. */
  flood?: [string, string][];
  escalations: string;
  /** Rejections by reason, most first. */
  rejections: [string, number][];
}

const ms = (v: number | null) => (v === null ? "—" : v < 1000 ? `${int(v)} ms` : `${(v / 1000).toFixed(1)} s`);
const acceptance = (a: NonNullable<Metrics["flood"]>["othersAcceptance"]["quiet"]) =>
  a.count ? `p50 ${ms(a.p50Ms)}, p99 ${ms(a.p99Ms)}, max ${ms(a.maxMs)} (${int(a.answered)} of ${int(a.count)} answered)` : "none sent";

export function loadFacts(m: Metrics): LoadFacts {
  const x = m.escalations;
  const late = x.lateDeliveries;
  const escalations =
    late === undefined
      ? `${plural(x.total, "escalation")}.`
      : `${plural(late, "late delivery", "late deliveries")} (acknowledged after the deadline, or not at all): ${plural(x.total, "escalation message")} chased them, covering ${plural(x.deliveries ?? x.total, "delivery step")} (one message lists every overdue delivery of one step for the agency it tells).`;
  const rejections = Object.entries(m.rejections?.byReason ?? {}).sort((a, b) => b[1] - a[1]);
  const f = m.flood;
  if (!f) return { escalations, rejections };
  const s = f.submissions;
  return {
    escalations,
    rejections,
    flood: [
      ["Flooding", f.agencies.join(", ")],
      ["Sent", `${int(s.valid)} valid FLASH alerts to all, ${int(s.malformed)} malformed`],
      ["Answered", `${int(s.accepted)} accepted, ${int(s.rateLimited)} rate-limited, ${int(s.rejectedOtherwise)} rejected otherwise; ${int(s.refusedByBroker)} refused by the broker, ${int(s.unanswered)} unanswered`],
      ["Until all answered", `${f.wallSeconds} s (wall)`],
      ["Others, before the flood", acceptance(f.othersAcceptance.quiet)],
      ["Others, during the flood", acceptance(f.othersAcceptance.flood)],
      ["Others, after it", acceptance(f.othersAcceptance.after)],
      ["Coordinator peak memory", m.processes.coordinator.peakRssMb === null ? "not measured" : `${m.processes.coordinator.peakRssMb} MB`],
    ],
  };
}
