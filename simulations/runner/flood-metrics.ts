// What a run says about the exchange under load: every flood submission's fate, how long the
// other agencies waited for their acceptances while a flood was on (against a quiet stretch),
// rejections by reason, and late deliveries against the escalation messages that chased them.
import { perDelivery } from "../../shared/audit/deliveries.ts";
import type { AuditRecordOf, StoredAuditRecord } from "../../shared/contracts/index.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import type { Metrics } from "../report/metrics.ts";
import type { Recorder } from "./recorder.ts";
import { round } from "./stats.ts";

type Acceptance = NonNullable<Metrics["flood"]>["othersAcceptance"]["quiet"];

/** p50/p99 of submit → outcome (wall ms) for the messages given, and how many had none. */
function acceptanceOf(ids: string[], rec: Recorder): Acceptance {
  const ms = ids.flatMap((id) => {
    const from = rec.submittedWall.get(id);
    const to = rec.answeredWall.get(id);
    return from !== undefined && to !== undefined ? [to - from] : [];
  });
  ms.sort((a, b) => a - b);
  const at = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]! : null);
  return { count: ids.length, answered: ms.length, p50Ms: at(50), p99Ms: at(99), maxMs: ms.length ? ms[ms.length - 1]! : null };
}

/** Rejections recorded in the chain, by reason code (a rejection with several reasons counts under each). */
export function rejectionsByReason(audit: StoredAuditRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of audit) {
    if (a.event !== "rejected") continue;
    for (const code of new Set(a.data.reasons.map((r) => r.code))) out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}

/**
 * Escalation messages (one record each, however many deliveries it lists) about the run's
 * messages, the delivery steps they covered, and the deliveries that were late: acknowledged
 * after their deadline, or not acknowledged by the end with the deadline passed.
 */
export function escalationFigures(audit: StoredAuditRecord[], tracking: TrackingRecord[], counted: Set<string>, untilMs: number) {
  const escalated = audit.filter((a): a is AuditRecordOf<"escalated"> => a.event === "escalated" && perDelivery(a).some((e) => e.messageId && counted.has(e.messageId)));
  const covered = escalated.flatMap((a) => perDelivery(a)).filter((e) => e.messageId && counted.has(e.messageId));
  const late = tracking.filter((t) => t.state !== "closed" && (t.withinDeadline === false || (!t.ackAt && Date.parse(t.deadline) < untilMs))).length;
  return { escalated, covered, lateDeliveries: late };
}

/** The flood section of metrics.json; undefined when the run had no flood. */
export function floodMetrics(rec: Recorder, audit: StoredAuditRecord[], endWall: number): Metrics["flood"] {
  if (!rec.floodWindows.length) return undefined;
  // A rejection names the submission's stream sequence: what answers a flood submission without a readable id.
  const rejectedSeqs = new Map<string, string[]>();
  for (const a of audit) if (a.event === "rejected") rejectedSeqs.set(`${a.data.submitter}:${a.data.streamSeq}`, a.data.reasons.map((r) => r.code));
  const fate = { accepted: 0, rateLimited: 0, rejectedOtherwise: 0, refusedByBroker: 0, unanswered: 0 };
  const of = { valid: 0, malformed: 0 };
  for (const x of rec.flood) {
    of[x.of]++;
    const o = x.id ? rec.outcomes.get(x.id) : undefined;
    const codes = o?.outcome === "rejected" ? o.reasons.map((r) => r.split(" ")[0]!) : x.streamSeq !== undefined ? rejectedSeqs.get(`${x.agency}:${x.streamSeq}`) : undefined;
    if (x.refused) fate.refusedByBroker++;
    else if (o?.outcome === "accepted") fate.accepted++;
    else if (codes) codes.includes("rate-limited") ? fate.rateLimited++ : fate.rejectedOtherwise++;
    else fate.unanswered++;
  }
  const windows = rec.floodWindows.map((w) => ({ from: w.fromWall, until: w.untilWall ?? endWall }));
  const flooders = new Set(rec.floodWindows.map((w) => w.agency));
  const phase = (wall: number) => (wall < windows[0]!.from ? "quiet" : windows.some((w) => wall >= w.from && wall <= w.until) ? "flood" : wall > Math.max(...windows.map((w) => w.until)) ? "after" : "between");
  const byPhase: Record<"quiet" | "flood" | "after", string[]> = { quiet: [], flood: [], after: [] };
  for (const [id, s] of rec.sent) {
    const wall = rec.submittedWall.get(id);
    if (wall === undefined || flooders.has(s.message.sender)) continue;
    const p = phase(wall);
    if (p !== "between") byPhase[p].push(id);
  }
  return {
    agencies: [...flooders],
    submissions: { valid: of.valid, malformed: of.malformed, ...fate },
    wallSeconds: round(windows.reduce((s, w) => s + (w.until - w.from), 0) / 1000, 1)!,
    othersAcceptance: { quiet: acceptanceOf(byPhase.quiet, rec), flood: acceptanceOf(byPhase.flood, rec), after: acceptanceOf(byPhase.after, rec) },
  };
}
