// From a finished run to metrics.json: the reconciliation, latency per precedence, escalations,
// the audit chain, the MSEL evaluation, per-agency responsiveness and the hourly timeline.
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { readChain } from "../../shared/audit/chain-read.ts";
import { type Expand, perDelivery } from "../../shared/audit/deliveries.ts";
import { type AuditRecordOf, PRECEDENCES, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { trustedKeys } from "../../shared/exchange/coordinator-keys.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import { ExchangeFigures } from "../../shared/exchange/figures.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import type { Metrics } from "../report/metrics.ts";
import { evaluateExpectations, evaluateInjects } from "./evaluate.ts";
import { escalationFigures, floodMetrics, rejectionsByReason } from "./flood-metrics.ts";
import { duplicateEscalations, reconcile } from "./reconcile.ts";
import type { RunResult } from "./run.ts";
import { hitsReported, unacknowledged } from "./outcomes.ts";
import { minutes, percentile, round, sortedSample } from "./stats.ts";

export async function collectMetrics(r: RunResult): Promise<{ metrics: Metrics; auditJsonl: string; registry: RegistryData | undefined }> {
  const { recorder: rec, loaded, roster } = r;
  const store = await openStore(r.admin);
  const ours = new Set(rec.sent.keys());
  // A flood's valid alerts are the run's too: delivered, acknowledged and escalated like the rest.
  const floodIds = rec.flood.flatMap((x) => (x.id ? [x.id] : []));
  // Outcomes are live (core NATS) and can be missed in a broker failover: the coordinator's own
  // record of each id's first outcome fills the gap.
  for (const id of [...ours, ...floodIds])
    if (!rec.outcomes.has(id)) {
      const seen = (await store.seen.get(id))?.value;
      if (!seen) continue;
      const reasons = (JSON.parse(seen.outcomeJson) as { body: { reasons?: { code: string; path: string }[] } }).body.reasons ?? [];
      rec.setOutcome(id, { outcome: seen.outcome, recipients: seen.recipients, reasons: reasons.map((x) => `${x.code} ${x.path}`) });
    }
  const audit: StoredAuditRecord[] = [];
  const registry = (await store.registry.get(CONFIG_KEYS.registry))?.value;
  const verifier = new ChainVerifier(trustedKeys(registry ?? { coordinators: [] }));
  // The chain is the one record of where each delivery got, and the run's figures are counted
  // from it as the dashboard and `atix status` count them: every record from the run's first.
  const counted = new ExchangeFigures(r.fromSeq);
  let auditJsonl = "";
  for await (const { record } of readChain(r.admin)) {
    const parsed = StoredAuditRecord.safeParse(record);
    if (parsed.success) {
      audit.push(parsed.data);
      counted.apply(parsed.data);
    }
    verifier.push(record);
    auditJsonl += `${JSON.stringify(record)}\n`;
  }
  const figures = counted.at(r.simulatedUntil);
  const ofRun = audit.filter((a) => a.seq >= r.fromSeq);
  const tracking = [...counted.deliveries.all()];
  // The run's messages, a flood's valid alerts included: delivered, acknowledged and escalated like the rest.
  const ofRunIds = new Set([...ours, ...floodIds, ...tracking.map((t) => t.messageId)]);
  const chain = verifier.result();
  const recon = reconcile(roster, rec);

  const byKind: Metrics["alerts"]["byKind"] = {};
  let accepted = 0;
  let rejected = 0;
  for (const [id, s] of rec.sent) {
    const k = (byKind[s.message.kind] ??= { submitted: 0, accepted: 0, rejected: 0 });
    k.submitted++;
    const o = rec.outcomes.get(id)?.outcome;
    if (o === "accepted") (k.accepted++, accepted++);
    if (o === "rejected") (k.rejected++, rejected++);
  }
  const garbage = ofRun.filter((a) => a.event === "rejected" && !(a.messageId && ours.has(a.messageId))).length;

  const ackLatency = Object.fromEntries(
    PRECEDENCES.map((p) => {
      const ts = tracking.filter((t) => t.precedence === p && t.state !== "closed");
      const lat = sortedSample(ts.flatMap((t) => (t.ackLatencyMs !== undefined ? [t.ackLatencyMs] : [])));
      const inTime = figures.byPrecedence[p].inTime;
      return [p, {
        count: ts.length, deadlineMinutes: r.settings.ackDeadlineMinutes[p],
        p50: minutes(lat.percentile(50)), p95: minutes(lat.percentile(95)), p99: minutes(lat.percentile(99)), max: minutes(lat.max()),
        // The one figure (shared/exchange/figures.ts): acknowledged in time of those decided.
        withinDeadline: inTime === null ? null : round(inTime, 4),
      }];
    }),
  ) as Metrics["ackLatency"];

  // Escalation messages (one record each, however many overdue deliveries it lists) about the run's messages.
  const { escalated, covered, lateDeliveries } = escalationFigures(ofRun, tracking, ofRunIds, r.simulatedUntil);
  const step = (s: string) => escalated.filter((a) => a.data.step === s).length;
  const twice = duplicateEscalations(escalated, rec);
  const metricsBase = {
    scenario: {
      name: loaded.scenario.name, title: loaded.scenario.title, file: loaded.file, seed: r.seed, speed: r.launched.exchange.clock.speed,
      start: loaded.scenario.start, durationMinutes: loaded.scenario.duration / 60_000,
      ...(loaded.scenario.description ? { description: loaded.scenario.description } : {}),
      threads: loaded.scenario.threads, roster: roster.name,
    },
    run: {
      startedAt: new Date(r.wallStarted).toISOString(), finishedAt: new Date().toISOString(), wallSeconds: round((Date.now() - r.wallStarted) / 1000, 1)!,
      interrupted: r.interrupted, simulatedUntil: new Date(r.simulatedUntil).toISOString(),
    },
    agencies: roster.agencies.length,
    alerts: { submitted: rec.sent.size + garbage, accepted, rejected: rejected + garbage, byKind: { ...byKind, ...(garbage ? { malformed: { submitted: garbage, accepted: 0, rejected: garbage } } : {}) } },
    deliveries: { expected: recon.expected, delivered: recon.delivered, acknowledged: figures.acknowledged, lost: recon.lost.length, duplicated: recon.duplicated.length },
    figures,
    ackLatency,
    escalations: {
      total: figures.escalations, reminder: step("reminder"), "backup-contact": step("backup-contact"), originator: step("originator"), duplicated: twice.length,
      deliveries: covered.length, lateDeliveries,
    },
    rejections: { byReason: rejectionsByReason(ofRun) },
    ...(rec.floodWindows.length ? { flood: floodMetrics(rec, ofRun, performance.now()) } : {}),
    audit: { records: audit.length, verified: chain.ok, ...(chain.ok ? { head: chain.head.hash } : { problem: chain.reason }) },
    injects: evaluateInjects(r, tracking, audit),
    agencyStats: agencyStats(r, tracking, covered, recon.lost),
    timeline: hourly(r, ofRun),
    faults: r.faults.map(({ at, ...f }) => ({ ...f, at: new Date(r.simStart + at).toISOString() })),
    deliveryLatency: deliveryLatency(rec.deliveryWallMs),
    hits: hitsReported(r, ofRun),
    unacknowledged: unacknowledged(r, tracking),
    reconciliation: {
      method: "every accepted message × every recipient in scope by the roster and the message's own distribution (worked out independently of the coordinator), against what the agency nodes actually received",
      lost: recon.lost.slice(0, 200), duplicated: recon.duplicated.slice(0, 200), redConfinementViolations: recon.redConfinementViolations,
      duplicatedEscalations: twice.slice(0, 200),
    },
    processes: processPeaks(r),
    traffic: {
      digest: r.plan.digest, planned: r.plan.sends.length,
      scripted: r.plan.sends.filter((s) => s.source === "inject").length, generated: r.plan.sends.filter((s) => s.source === "traffic").length,
      skipped: r.skipped,
    },
  };
  const expectations = evaluateExpectations(r, metricsBase, garbage);
  const metrics: Metrics = { ...metricsBase, expectations, pass: !r.interrupted && expectations.every((e) => e.pass) };
  return { metrics, auditJsonl, registry };
}

/** `escalated`: one event per overdue delivery an escalation covered (records expanded). */
function agencyStats(r: RunResult, tracking: TrackingRecord[], escalated: Expand<AuditRecordOf<"escalated">>[], lost: { agency: string }[]): Metrics["agencyStats"] {
  // Grouped once: a 1000-agency run has some 20,000 tracking records and as many escalations.
  const lostTo = new Map<string, number>();
  for (const l of lost) lostTo.set(l.agency, (lostTo.get(l.agency) ?? 0) + 1);
  const tracked = groupBy(tracking.filter((t) => t.state !== "closed"), (t) => t.recipient);
  const escalatedAbout = groupBy(escalated, (e) => e.data.recipient);
  return r.roster.agencies.map((a) => {
    const mine = tracked.get(a.id) ?? [];
    const lat = mine.flatMap((t) => (t.ackLatencyMs !== undefined ? [t.ackLatencyMs] : []));
    const offline = (r.offline.get(a.id) ?? []).reduce((sum, s) => sum + ((s.until ?? r.simulatedUntil - r.simStart) - s.from), 0);
    return {
      id: a.id, name: a.name, region: a.region, profile: a.duty.profile,
      // Deliveries that needed a duty officer, as the agency node itself saw them arrive.
      received: mine.filter((t) => r.recorder.received(t.messageId, a.id)).length,
      acknowledged: mine.filter((t) => t.ackAt).length,
      withinDeadline: mine.filter((t) => t.withinDeadline).length,
      p50Minutes: minutes(percentile(lat, 50)),
      escalated: escalatedAbout.get(a.id)?.length ?? 0,
      missedFlash: mine.filter((t) => t.precedence === "FLASH" && !t.withinDeadline).length,
      offlineMinutes: round(offline / 60_000, 1)!,
      lost: lostTo.get(a.id) ?? 0,
    };
  });
}

function deliveryLatency(wallMs: number[]): Metrics["deliveryLatency"] {
  const s = sortedSample(wallMs);
  return { count: wallMs.length, p50Ms: round(s.percentile(50), 1), p95Ms: round(s.percentile(95), 1), p99Ms: round(s.percentile(99), 1), maxMs: round(s.max(), 1) };
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/** Events per simulated hour of the run; deliveries and acknowledgements counted one per delivery. */
export function hourly(r: Pick<RunResult, "simStart" | "simEnd">, audit: StoredAuditRecord[]): Metrics["timeline"] {
  const hours = Math.max(1, Math.ceil((r.simEnd - r.simStart) / 3_600_000));
  const rows = Array.from({ length: hours }, (_, hour) => ({ hour, submitted: 0, delivered: 0, acknowledged: 0, escalations: 0, rejected: 0 }));
  const key: Record<string, keyof (typeof rows)[number] | undefined> = {
    submitted: "submitted", updated: "submitted", retracted: "submitted", answered: "submitted", "hit-reported": "submitted",
    delivered: "delivered", acknowledged: "acknowledged", escalated: "escalations", rejected: "rejected",
  };
  // Per delivery: one record may stand for a message's deliveries, or for many acknowledgements.
  for (const a of audit.flatMap(perDelivery)) {
    const k = key[a.event];
    const h = Math.floor((Date.parse(a.at) - r.simStart) / 3_600_000);
    if (k && k !== "hour" && h >= 0 && h < hours) rows[h]![k]++;
  }
  return rows;
}

function processPeaks(r: RunResult): Metrics["processes"] {
  const p = r.memory.result();
  const none = { peakRssMb: null, processes: 0 };
  return { coordinator: p.coordinator ?? none, agencies: p.agencies ?? none, ...(p.broker?.processes ? { broker: p.broker } : {}) };
}
