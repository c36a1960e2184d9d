// Realistic metrics.json contents for report tests: a failed 24-hour forum-90 day and a passed smoke-6 run.
// Agencies come from the shipped rosters; their figures are made up deterministically.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { Roster } from "../../shared/contracts/index.ts";
import type { Metrics } from "../../simulations/report/metrics.ts";

const roster = (name: string) => Roster.parse(parse(readFileSync(new URL(`../../simulations/rosters/${name}.yaml`, import.meta.url), "utf8")));

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = "2026-09-21T00:00:00+04:00";
const at = (hhmm: string, day = 0) => {
  const [h, m] = hhmm.split(":").map(Number);
  return new Date(Date.parse(START) + (day * 1440 + h! * 60 + m!) * 60_000).toISOString();
};

type AgencyStat = Metrics["agencyStats"][number];
interface Special { missedFlash?: number; offlineMinutes?: number; share?: number; escalated?: number; lost?: number }

function agencyStats(agencies: Roster["agencies"], special: Record<string, Special>, seed: number, scale: number): AgencyStat[] {
  const r = rng(seed);
  return agencies.map((a) => {
    const s = special[a.id] ?? {};
    const received = Math.round((40 + r() * 120) * scale) + 1;
    const base = a.duty.profile === "24/7" ? 0.975 + r() * 0.025 : a.duty.profile === "reduced-night" ? 0.9 + r() * 0.09 : 0.78 + r() * 0.12;
    const share = s.share ?? base;
    const withinDeadline = Math.min(received, Math.round(received * share));
    const acknowledged = Math.min(received, withinDeadline + Math.round((received - withinDeadline) * 0.8));
    const p50 = a.duty.ackDelay.medianMinutes * (a.duty.profile === "24/7" ? 1.1 : 1.6) * (0.9 + r() * 0.3);
    return {
      id: a.id, name: a.name, region: a.region, profile: a.duty.profile, received, acknowledged, withinDeadline,
      p50Minutes: Number(p50.toFixed(1)), escalated: s.escalated ?? Math.round((received - withinDeadline) * 0.4), missedFlash: s.missedFlash ?? 0, offlineMinutes: s.offlineMinutes ?? 0, lost: s.lost ?? 0,
    };
  });
}

function timeline(hours: number, scale: number, seed: number): Metrics["timeline"] {
  const r = rng(seed);
  return Array.from({ length: hours }, (_, hour) => {
    const day = hour >= 7 && hour < 21 ? 1 : 0.45;
    const submitted = Math.round((8 + r() * 6) * day * scale) + (hour === 0 ? 2 : 0);
    const delivered = Math.round(submitted * (14 + r() * 4));
    const acknowledged = Math.round(delivered * (day === 1 ? 0.97 : 0.9));
    const escalations = Math.round((day === 1 ? 1 + r() * 2 : 3 + r() * 5) * scale) + (hour === 3 || hour === 4 ? Math.round(6 * scale) : 0);
    const rejected = hour === 14 ? Math.round(50 * scale) + 1 : r() < 0.2 ? 1 : 0;
    return { hour, submitted, delivered, acknowledged, escalations, rejected };
  });
}

/** The exchange's figures of a run (shared/exchange/figures.ts), from its headline numbers; FLASH as the latency table says. */
function figures(f: { accepted: number; listed: number; rejected: number; escalations: number; deliveries: number; acknowledged: number; flash: number; flashInTime: number }): Metrics["figures"] {
  const flashWithin = Math.floor(f.flash * f.flashInTime);
  const withinDeadline = Math.round(f.acknowledged * 0.97);
  const none = { deliveries: 0, acknowledged: 0, withinDeadline: 0, awaiting: 0, overdue: 0, withdrawn: 0, inTime: null };
  const routine = { deliveries: f.deliveries - f.flash, acknowledged: f.acknowledged - f.flash, withinDeadline: withinDeadline - flashWithin, awaiting: f.deliveries - f.acknowledged, overdue: f.deliveries - f.acknowledged, withdrawn: 0 };
  return {
    messagesAccepted: f.accepted, alertsAndRfis: f.listed, rejected: f.rejected, escalations: f.escalations,
    deliveries: f.deliveries, acknowledged: f.acknowledged, withinDeadline, late: f.acknowledged - withinDeadline,
    awaiting: f.deliveries - f.acknowledged, overdue: f.deliveries - f.acknowledged, withdrawn: 0,
    byPrecedence: {
      FLASH: { deliveries: f.flash, acknowledged: f.flash, withinDeadline: flashWithin, awaiting: 0, overdue: 0, withdrawn: 0, inTime: flashWithin / f.flash },
      IMMEDIATE: none,
      PRIORITY: none,
      ROUTINE: { ...routine, inTime: routine.withinDeadline / (routine.acknowledged + routine.overdue) },
    },
    throughSeq: 1,
  };
}

type N = number | null;
const latency = (count: number, deadlineMinutes: number, p50: N, p95: N, p99: N, max: N, withinDeadline: N) =>
  ({ count, deadlineMinutes, p50, p95, p99, max, withinDeadline });

/** A 90-agency day that failed: FLASH below target, two deliveries lost, injects in every state, four faults. */
export function metrics90(): Metrics {
  const agencies = roster("forum-90").agencies;
  const stats = agencyStats(agencies, {
    KG: { missedFlash: 3, share: 0.81, escalated: 14 },
    TJ: { missedFlash: 2, offlineMinutes: 120, share: 0.74, escalated: 11, lost: 1 },
    TM: { missedFlash: 2, share: 0.62, escalated: 17 },
    ML: { missedFlash: 1, share: 0.84 },
    FR: { missedFlash: 1, share: 0.96 },
    NG: { offlineMinutes: 45, share: 0.91, lost: 1 },
    PY: { share: 0.55, escalated: 19 },
  }, 7, 1);
  const delivered = stats.reduce((s, a) => s + a.received, 0);
  const acknowledged = stats.reduce((s, a) => s + a.acknowledged, 0);
  const flash = 612, immediate = 1870, priority = 3240;
  return {
    scenario: { name: "forum-day", title: "Forum day: a FLASH threat to critical infrastructure across the Caspian", file: "simulations/scenarios/forum-day.yaml", seed: 42, speed: 1440, start: START, durationMinutes: 1440 },
    run: { startedAt: "2026-03-02T09:14:05.120Z", finishedAt: "2026-03-02T09:15:08.532Z", wallSeconds: 63.4, interrupted: false, simulatedUntil: at("00:00", 1) },
    agencies: agencies.length,
    alerts: {
      submitted: 287, accepted: 233, rejected: 54,
      byKind: { alert: { submitted: 241, accepted: 188, rejected: 53 }, "alert-update": { submitted: 12, accepted: 12, rejected: 0 }, "alert-retraction": { submitted: 4, accepted: 4, rejected: 0 }, rfi: { submitted: 22, accepted: 21, rejected: 1 }, hit: { submitted: 8, accepted: 8, rejected: 0 } },
    },
    deliveries: { expected: delivered + 2, delivered, acknowledged, lost: 2, duplicated: 0 },
    figures: figures({ accepted: 274, listed: 209, rejected: 54, escalations: 96, deliveries: delivered + 41, acknowledged: acknowledged + 38, flash, flashInTime: 0.937 }),
    ackLatency: {
      FLASH: latency(flash, 10, 3.1, 11.8, 19.5, 42, 0.937),
      IMMEDIATE: latency(immediate, 30, 4.2, 17.4, 36.2, 71, 0.982),
      PRIORITY: latency(priority, 180, 6.3, 41, 132, 240, 0.995),
      ROUTINE: latency(delivered - flash - immediate - priority, 360, 7.5, 52, 210, 401, 0.998),
    },
    escalations: { total: 96, reminder: 71, "backup-contact": 19, originator: 6, duplicated: 0 },
    audit: { records: 18_412, verified: true, head: "sha256:9f2c4e1b7a0d5c3e8f6a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e" },
    expectations: [
      { kind: "acknowledged-within-deadline", description: "FLASH alerts acknowledged within 10 minutes by at least 95% of recipients", pass: false, detail: "93.7% of 612 deliveries" },
      { kind: "acknowledged-within-deadline", description: "IMMEDIATE alerts acknowledged within 30 minutes by at least 95% of recipients", pass: true, detail: "98.2% of 1,870 deliveries" },
      { kind: "nothing-lost", description: "Every delivery reaches its recipient, also across the coordinator restart", pass: false, detail: "2 deliveries lost (TJ, NG)" },
      { kind: "no-duplicates", description: "No agency receives a message twice", pass: true, detail: "0 duplicates" },
      { kind: "red-confined", description: "TLP:RED stays with named recipients", pass: true, detail: "3 RED messages, 0 violations" },
      { kind: "audit-verified", description: "The audit chain verifies end to end", pass: true, detail: "18,412 records" },
      { kind: "injects-met", description: "At least 80% of injects meet their expected outcome", pass: false, detail: "5 of 8 met (62.5%)" },
      { kind: "rejections-recorded", description: "The malformed burst is rejected with reasons", pass: true, detail: "54 rejections recorded (at least 50)" },
    ],
    injects: [
      { inject: 1, at: at("00:20"), from: "AZ", kind: "alert", title: "FLASH: credible threat to a pumping station of the Baku–Tbilisi–Ceyhan pipeline", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a01", outcome: "accepted", recipients: 89, acknowledged: 89, acknowledgedInTime: 85, expected: "All recipients acknowledge within 10 min", status: "partially-met", detail: "85 of 89 acknowledged in time; KG, TJ, TM, ML late" },
      { inject: 2, at: at("01:10"), from: "KZ", kind: "rfi", title: "RFI: travel history of two suspects who crossed at Khorgos", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a02", outcome: "accepted", recipients: 9, acknowledged: 9, acknowledgedInTime: 9, expected: "Central Asia border group acknowledges within 30 min; at least 3 answers", status: "met", detail: "9 of 9 in time; 5 answers" },
      { inject: 3, at: at("02:30"), from: "AZ", kind: "alert-update", title: "Update: suspects' vehicle identified near Sangachal terminal", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a03", outcome: "accepted", recipients: 89, acknowledged: 88, acknowledgedInTime: 88, expected: "Recipients of the alert acknowledge the update within 30 min", status: "met", detail: "88 of 89 in time (TJ offline, caught up)" },
      { inject: 4, at: at("03:40"), from: "IN", kind: "alert", title: "IMMEDIATE: precursor chemicals shipment bound for Central Asia", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a04", outcome: "accepted", recipients: 5, acknowledged: 3, acknowledgedInTime: 2, expected: "All Central Asian services acknowledge within 30 min", status: "not-met", detail: "2 of 5 in time; TJ offline, TM unstaffed at night" },
      { inject: 5, at: at("06:05"), from: "US", kind: "hit", title: "Hit: wallet from the alert matched a sanctions investigation", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a05", outcome: "accepted", recipients: 1, acknowledged: 1, acknowledgedInTime: 1, expected: "", status: "no-expectation", detail: "delivered to the originator AZ" },
      { inject: 6, at: at("11:00"), from: "RU", kind: "alert-retraction", title: "Retraction: duplicate watch-list entry", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a06", outcome: "accepted", recipients: 9, acknowledged: 9, acknowledgedInTime: 9, expected: "CIS members acknowledge the retraction within 3 h", status: "met", detail: "9 of 9 in time" },
      { inject: 7, at: at("14:05"), from: "AZ", kind: "alert", title: "Malformed alert: TLP:RED addressed to a whole region", outcome: "rejected", recipients: 0, acknowledged: 0, acknowledgedInTime: 0, expected: "The exchange rejects it with the reason; nobody receives it", status: "met", detail: "rejected: RED goes to named agencies only" },
      { inject: 8, at: at("22:30"), from: "FR", kind: "alert", title: "FLASH (TLP:RED): imminent attack on a stadium, to named partners", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a08", outcome: "accepted", recipients: 6, acknowledged: 6, acknowledgedInTime: 6, expected: "The six named agencies acknowledge within 10 min", status: "met", detail: "6 of 6 in time" },
      { inject: 9, at: at("23:50"), from: "SA", kind: "rfi", title: "RFI: financing network behind the stadium plot", outcome: "not-sent", recipients: 0, acknowledged: 0, acknowledgedInTime: 0, expected: "GCC members answer within 8 h", status: "not-met", detail: "not sent before the scenario ended" },
    ],
    agencyStats: stats,
    timeline: timeline(24, 1, 11),
    faults: [
      { kind: "agency-offline", at: at("03:00"), detail: "TJ offline for 2 h" },
      { kind: "coordinator-kill", at: at("09:30"), detail: "coordinator-1 killed (SIGKILL), restarted after 1 min" },
      { kind: "malformed-burst", at: at("14:00"), detail: "50 malformed submissions from AZ" },
      { kind: "agency-offline", at: at("18:15"), detail: "NG offline for 45 min" },
    ],
    deliveryLatency: { count: 9_627, p50Ms: 6.2, p95Ms: 21.4, p99Ms: 48.9, maxMs: 130.5 },
    hits: { total: 4, scripted: 1, byAlert: [{ alertId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a01", title: "FLASH: credible threat to a pumping station", originator: "AZ", inject: 1, reporters: ["GE", "TR", "GE"] }, { alertId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1a99", originator: "US", reporters: ["GB"] }] },
    unacknowledged: { total: 111, byCause: { "post-unstaffed": { deliveries: 80, agencies: ["PY", "TM"] }, "within-deadline-at-end": { deliveries: 29, agencies: ["BR", "MX"] }, withdrawn: { deliveries: 2, agencies: ["KG"] } } },
    reconciliation: {
      method: "audit chain against agency receipts",
      lost: [
        { messageId: "01928f3a-9d44-7c01-8e21-5a6b7c8d9e01", agency: "TJ" },
        { messageId: "01928f3a-b012-7d55-9f02-1a2b3c4d5e02", agency: "NG" },
      ],
      duplicated: [],
      redConfinementViolations: [],
      duplicatedEscalations: [],
    },
    traffic: { digest: "sha256:4be1c0a7d93f2e815b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345", planned: 287, scripted: 9, generated: 278, skipped: 0 },
    processes: { coordinator: { peakRssMb: 148.2, processes: 2 }, agencies: { peakRssMb: 312.6, processes: 1 }, broker: { peakRssMb: 96.4, processes: 1 } },
    pass: false,
  };
}

/** A six-agency smoke run that passed. */
export function metrics6(): Metrics {
  const agencies = roster("smoke-6").agencies;
  const stats = agencyStats(agencies, { KG: { missedFlash: 1, share: 0.93, escalated: 2 } }, 3, 0.3);
  const delivered = stats.reduce((s, a) => s + a.received, 0);
  const acknowledged = stats.reduce((s, a) => s + a.acknowledged, 0);
  return {
    scenario: { name: "smoke", title: "Smoke run: six agencies, one FLASH", file: "simulations/scenarios/smoke.yaml", seed: 1, speed: 1000, start: "2026-09-21T00:00:00Z", durationMinutes: 360 },
    run: { startedAt: "2026-03-02T10:00:00.000Z", finishedAt: "2026-03-02T10:00:22.000Z", wallSeconds: 21.6, interrupted: false, simulatedUntil: "2026-09-21T06:00:00Z" },
    agencies: agencies.length,
    alerts: { submitted: 24, accepted: 24, rejected: 0, byKind: { alert: { submitted: 22, accepted: 22, rejected: 0 }, rfi: { submitted: 2, accepted: 2, rejected: 0 } } },
    deliveries: { expected: delivered, delivered, acknowledged, lost: 0, duplicated: 0 },
    figures: figures({ accepted: 27, listed: 24, rejected: 0, escalations: 2, deliveries: delivered + 3, acknowledged: acknowledged + 3, flash: 5, flashInTime: 0.8 }),
    ackLatency: {
      FLASH: latency(5, 10, 2.4, 8.1, 9.6, 12, 0.8),
      IMMEDIATE: latency(0, 30, null, null, null, null, null),
      PRIORITY: latency(20, 180, 5, 31, 44, 47, 1),
      ROUTINE: latency(delivered - 25, 360, 6, 40, 60, 75, 1),
    },
    escalations: { total: 2, reminder: 2, "backup-contact": 0, originator: 0, duplicated: 0 },
    audit: { records: 212, verified: true, head: "sha256:0a1b2c3d" },
    expectations: [
      { kind: "nothing-lost", description: "Every delivery reaches its recipient", pass: true, detail: "0 lost" },
      { kind: "audit-verified", description: "The audit chain verifies", pass: true, detail: "212 records" },
    ],
    injects: [
      { inject: 1, at: "1h", from: "AZ", kind: "alert", title: "FLASH: suspicious drone over the Sangachal terminal", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1b01", outcome: "accepted", recipients: 5, acknowledged: 5, acknowledgedInTime: 4, expected: "All acknowledge within 10 min", status: "partially-met", detail: "4 of 5 in time; KG late" },
      { inject: 2, at: "2h30m", from: "KZ", kind: "rfi", title: "RFI: drone registration", messageId: "01928f3a-7c10-7b2e-9a41-0c2f6d8e1b02", outcome: "accepted", recipients: 3, acknowledged: 3, acknowledgedInTime: 3, expected: "Caspian group acknowledges within 30 min", status: "met", detail: "3 of 3 in time" },
    ],
    agencyStats: stats,
    timeline: timeline(6, 0.3, 5),
    faults: [],
    reconciliation: { method: "audit chain against agency receipts", lost: [], duplicated: [], redConfinementViolations: [], duplicatedEscalations: [] },
    traffic: { digest: "sha256:77aa", planned: 24, scripted: 2, generated: 22, skipped: 0 },
    processes: { coordinator: { peakRssMb: 121.7, processes: 1 }, agencies: { peakRssMb: 164.3, processes: 1 } },
    pass: true,
  };
}
