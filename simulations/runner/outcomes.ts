// What the report tells beyond the tallies: hits reported back to originators (scripted or by duty
// officers on generated traffic), and why deliveries were never acknowledged.
import type { StoredAuditRecord } from "../../shared/contracts/index.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { dutyStatus } from "../../services/agency/duty-officer.ts";
import type { Metrics } from "../report/metrics.ts";
import type { RunResult } from "./run.ts";

type Hits = NonNullable<Metrics["hits"]>;
type Unacknowledged = NonNullable<Metrics["unacknowledged"]>;
export type UnackCause = keyof Unacknowledged["byCause"];

/** Hits in the chain about our alerts, grouped by alert, the alert's MSEL number where it has one. */
type HitRecord = Extract<StoredAuditRecord, { event: "hit-reported" }>;

export function hitsReported(r: RunResult, audit: StoredAuditRecord[]): Hits {
  const ours = r.recorder.sent;
  const hits = audit.filter((a): a is HitRecord => a.event === "hit-reported" && a.data.refersTo !== undefined && ours.has(a.data.refersTo));
  const scriptedIds = new Set([...ours.values()].filter((s) => s.plan.source === "inject" && s.plan.kind === "hit").map((s) => s.id));
  const byAlert = new Map<string, Hits["byAlert"][number]>();
  for (const h of hits) {
    const alertId = h.data.refersTo!;
    const alert = ours.get(alertId)!;
    const row = byAlert.get(alertId) ?? {
      alertId, originator: alert.message.sender, reporters: [],
      ...((alert.message.body as { title?: string }).title ? { title: (alert.message.body as { title: string }).title } : {}),
      ...(alert.plan.inject !== undefined ? { inject: alert.plan.inject } : {}),
    };
    row.reporters.push(h.actor);
    byAlert.set(alertId, row);
  }
  return {
    total: hits.length,
    scripted: hits.filter((h) => h.messageId && scriptedIds.has(h.messageId)).length,
    byAlert: [...byAlert.values()].sort((a, b) => b.reporters.length - a.reporters.length || (a.inject ?? 1e9) - (b.inject ?? 1e9)).slice(0, 50),
  };
}

/**
 * Each delivery that arrived but was never acknowledged, by its first matching cause: the alert
 * was withdrawn; the recipient was offline; its deadline had not passed when the run ended; the
 * post is staffed in business hours and was empty (a lower precedence waits for the morning
 * shift); else the officer simply did not acknowledge.
 */
export function unacknowledged(r: RunResult, tracking: TrackingRecord[]): Unacknowledged {
  const roster = new Map(r.roster.agencies.map((a) => [a.id, a]));
  const byCause: Unacknowledged["byCause"] = {};
  let total = 0;
  const offlineAt = (agency: string, t: number) => (r.offline.get(agency) ?? []).some((s) => t >= r.simStart + s.from && t < r.simStart + (s.until ?? Infinity));
  for (const t of tracking) {
    if (t.ackAt || !r.recorder.received(t.messageId, t.recipient)) continue;
    total++;
    const delivered = Date.parse(t.deliveredAt);
    const a = roster.get(t.recipient);
    const unstaffed = a && a.duty.profile === "business-hours" && (dutyStatus(a.duty, a.timezone, delivered) === "unstaffed" || dutyStatus(a.duty, a.timezone, Date.parse(t.deadline)) === "unstaffed");
    const cause: UnackCause =
      t.state === "closed" ? "withdrawn"
      : offlineAt(t.recipient, delivered) ? "offline"
      : Date.parse(t.deadline) > r.simulatedUntil ? "within-deadline-at-end"
      : unstaffed ? "post-unstaffed"
      : "no-acknowledgement";
    const c = (byCause[cause] ??= { deliveries: 0, agencies: [] });
    c.deliveries++;
    if (!c.agencies.includes(t.recipient)) c.agencies.push(t.recipient);
  }
  return { total, byCause };
}
