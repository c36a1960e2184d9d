// The Exercise Evaluation Guide: each inject's expected outcome judged against what happened,
// and the scenario's expectations, each with a pass and the figures behind it.
import type { StoredAuditRecord } from "../../shared/contracts/index.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { translator } from "../../shared/i18n/translator.ts";
import type { Metrics } from "../report/metrics.ts";
import { audienceOf } from "../../shared/audience.ts";
import type { Inject } from "../scenario/schema.ts";
import type { PlannedSend } from "./plan.ts";
import type { RunResult } from "./run.ts";

/** Shares rounded down, as every view of the figures shows them (metrics.json keeps English details). */
const en = translator("en");
const pct = (x: number) => en.pct(x);
const mins = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;

export function evaluateInjects(r: RunResult, tracking: TrackingRecord[], audit: StoredAuditRecord[]): Metrics["injects"] {
  const bySeq = new Map([...r.recorder.sent.values()].map((s) => [s.plan.seq, s]));
  const notSent = new Map(r.recorder.notSent.map((n) => [n.plan.seq, n.reason]));
  const answers = (rfiId: string) => audit.filter((a) => a.event === "answered" && a.data.refersTo === rfiId).length;
  const injects = r.plan.sends.filter((p) => p.source === "inject");
  const byRef = new Map(injects.filter((p) => p.injectSpec!.ref).map((p) => [p.injectSpec!.ref!, p]));
  return injects
    .map((p) => {
      const spec = p.injectSpec!;
      const sent = bySeq.get(p.seq);
      const ref = "alert" in spec ? spec.alert : "about" in spec ? spec.about : undefined;
      const referred = ref ? byRef.get(ref) : undefined;
      const base = {
        inject: p.inject!, at: new Date(r.simStart + p.at).toISOString(), from: p.from, kind: p.kind,
        title: spec.title ?? generatedTitle(spec, referred),
        titled: spec.title !== undefined,
        ...(spec.thread ? { thread: spec.thread } : {}),
        ...("precedence" in spec && spec.precedence ? { precedence: spec.precedence } : referred && "precedence" in referred.injectSpec! && referred.injectSpec!.precedence ? { precedence: referred.injectSpec!.precedence } : {}),
        ...("to" in spec ? { audience: typeof spec.to === "string" ? audienceOf(spec.to) : spec.to } : {}),
        ...(referred?.inject !== undefined ? { refersTo: referred.inject } : {}),
        ...(spec.kind === "hit" ? { matched: spec.matched } : {}),
        ...(spec.expect ? { expectation: { by: spec.expect.acknowledgedBy, ...(spec.expect.within !== undefined ? { withinMinutes: spec.expect.within / 60_000 } : {}), atLeast: spec.expect.atLeast, ...(spec.expect.answers !== undefined ? { answers: spec.expect.answers } : {}) } } : {}),
        expectedAuthored: spec.expect?.description !== undefined,
      };
      const expect = spec.expect;
      if (!sent)
        return { ...base, outcome: "not-sent" as const, recipients: 0, acknowledged: 0, acknowledgedInTime: 0, expected: expect?.description ?? "-", status: expect ? ("not-met" as const) : ("no-expectation" as const), detail: notSent.get(p.seq) ?? "not sent", reasons: [notSent.get(p.seq) ?? "not sent"] };
      const outcome = r.recorder.outcomes.get(sent.id);
      const mine = tracking.filter((t) => t.messageId === sent.id);
      const within = (t: TrackingRecord) =>
        !!t.ackAt && (expect?.within !== undefined ? Date.parse(t.ackAt) - Date.parse(t.deliveredAt) <= expect.within : !!t.withinDeadline);
      const row = {
        ...base, messageId: sent.id, outcome: outcome?.outcome ?? ("rejected" as const), recipients: outcome?.recipients.length ?? 0,
        acknowledged: mine.filter((t) => t.ackAt).length, acknowledgedInTime: mine.filter(within).length,
      };
      const reasons = outcome?.outcome === "rejected" ? { reasons: outcome.reasons } : outcome ? {} : { reasons: ["no outcome"] };
      if (!expect) return { ...row, ...reasons, expected: "-", status: "no-expectation" as const, detail: outcome?.outcome === "rejected" ? `rejected: ${outcome.reasons.join("; ")}` : "" };
      const targets = expect.acknowledgedBy === "all" ? outcome?.recipients ?? [] : expect.acknowledgedBy;
      const met = targets.filter((a) => mine.some((t) => t.recipient === a && within(t)));
      const late = targets.filter((a) => !met.includes(a) && mine.some((t) => t.recipient === a && t.ackAt));
      const share = targets.length ? met.length / targets.length : outcome?.outcome === "accepted" ? 1 : 0;
      const gotAnswers = expect.answers !== undefined ? answers(sent.id) : undefined;
      const answersOk = gotAnswers === undefined || gotAnswers >= expect.answers!;
      const status = outcome?.outcome !== "accepted" ? "not-met" : share >= expect.atLeast && answersOk ? "met" : share > 0 || late.length ? "partially-met" : "not-met";
      const deadline = expect.within !== undefined ? mins(expect.within) : "the precedence deadline";
      const expected = expect.description ?? `${expect.acknowledgedBy === "all" ? "every recipient" : expect.acknowledgedBy.join(", ")} acknowledges within ${deadline}${expect.atLeast < 1 ? ` (at least ${pct(expect.atLeast)})` : ""}${expect.answers !== undefined ? `; at least ${expect.answers} answers` : ""}`;
      const detail = outcome?.outcome !== "accepted"
        ? `rejected: ${outcome?.reasons.join("; ") ?? "no outcome"}`
        : `${met.length}/${targets.length} in time${late.length ? `; late: ${late.join(", ")}` : ""}${targets.length - met.length - late.length > 0 ? `; no acknowledgement: ${targets.filter((a) => !met.includes(a) && !late.includes(a)).join(", ")}` : ""}${gotAnswers !== undefined ? `; ${gotAnswers} answers` : ""}`;
      const missing = targets.filter((a) => !met.includes(a) && !late.includes(a));
      return { ...row, ...reasons, expected, status, detail, observed: { inTime: met, late, missing, ...(gotAnswers !== undefined ? { answers: gotAnswers } : {}) } };
    });
}

/** A title for an inject the scenario did not title: what it is and what it refers to. */
function generatedTitle(spec: Inject, referred: PlannedSend | undefined): string {
  const about = referred ? `#${referred.inject}${referred.injectSpec!.title ? ` "${referred.injectSpec!.title}"` : ""}` : "";
  switch (spec.kind) {
    case "hit":
      return `Hit: ${spec.matched}`;
    case "alert-retraction":
      return `Withdrawal of ${about || "an alert"}`;
    case "alert-update":
      return `Update of ${about || "an alert"}`;
    case "rfi":
      return `RFI: ${spec.question.length > 120 ? `${spec.question.slice(0, 117)}…` : spec.question}`;
    default:
      return spec.kind;
  }
}

type Base = Omit<Metrics, "expectations" | "pass">;

export function evaluateExpectations(r: RunResult, m: Base, rejectionsRecorded: number): Metrics["expectations"] {
  return r.loaded.scenario.expectations.map((e) => ({ ...judge(e), authored: e.description !== undefined }));
  function judge(e: (typeof r.loaded.scenario.expectations)[number]): Omit<Metrics["expectations"][number], "authored"> {
    const d = (text: string) => e.description ?? text;
    switch (e.kind) {
      case "acknowledged-within-deadline": {
        const l = m.ackLatency[e.precedence];
        const pass = l.withinDeadline === null || l.withinDeadline >= e.atLeast;
        return { kind: e.kind, precedence: e.precedence, target: e.atLeast, measured: l.withinDeadline, description: d(`${e.precedence} acknowledged within its deadline by at least ${pct(e.atLeast)} of recipients`), pass, detail: l.withinDeadline === null ? `no ${e.precedence} deliveries` : `${pct(l.withinDeadline)} of ${l.count} within ${l.deadlineMinutes} min` };
      }
      case "nothing-lost":
        return { kind: e.kind, description: d("nothing lost"), pass: m.deliveries.lost === 0 && m.deliveries.expected > 0, detail: `${m.deliveries.delivered} of ${m.deliveries.expected} expected deliveries received; ${m.deliveries.lost} lost` };
      case "no-duplicates":
        return {
          kind: e.kind, description: d("nothing delivered twice to a duty officer, no escalation taken twice"),
          pass: m.deliveries.duplicated === 0 && m.escalations.duplicated === 0,
          detail: `${m.deliveries.duplicated} deliveries duplicated; ${m.escalations.duplicated} escalations taken twice`,
        };
      case "red-confined": {
        const v = m.reconciliation.redConfinementViolations;
        return { kind: e.kind, description: d("no TLP:RED delivery outside its named recipients"), pass: v.length === 0, detail: v.length ? v.map((x) => `${x.agency} got ${x.messageId}`).join("; ") : "none outside the named recipients" };
      }
      case "audit-verified":
        return { kind: e.kind, description: d("the audit chain verifies"), pass: m.audit.verified, detail: m.audit.verified ? `${m.audit.records} records verified` : m.audit.problem ?? "broken" };
      case "injects-met": {
        const judged = m.injects.filter((i) => i.status !== "no-expectation");
        const met = judged.filter((i) => i.status === "met").length;
        const share = judged.length ? met / judged.length : 1;
        return { kind: e.kind, target: e.atLeast, measured: judged.length ? share : null, description: d(`at least ${pct(e.atLeast)} of injects meet their expected outcome`), pass: share >= e.atLeast, detail: `${met} of ${judged.length} met` };
      }
      case "rejections-recorded":
        return { kind: e.kind, target: e.atLeast, measured: rejectionsRecorded, description: d(`at least ${e.atLeast} malformed submissions rejected and recorded`), pass: rejectionsRecorded >= e.atLeast, detail: `${rejectionsRecorded} recorded` };
      case "escalations-at-most":
        return {
          kind: e.kind, target: e.count, measured: m.escalations.total, description: d(`at most ${e.count} escalations, none taken twice`),
          pass: m.escalations.total <= e.count && m.escalations.duplicated === 0,
          detail: `${m.escalations.total} escalations; ${m.escalations.duplicated} taken twice`,
        };
      case "flood-answered": {
        const f = m.flood?.submissions;
        if (!f) return { kind: e.kind, description: d("every flood submission answered"), pass: false, detail: "the run had no flood" };
        const sent = f.valid + f.malformed;
        return {
          kind: e.kind, description: d("every flood submission stored and answered: accepted, or rejected with a reason"),
          pass: f.unanswered === 0 && f.refusedByBroker === 0,
          detail: `${sent} sent: ${f.accepted} accepted, ${f.rateLimited} rate-limited, ${f.rejectedOtherwise} rejected otherwise, ${f.refusedByBroker} refused by the broker, ${f.unanswered} unanswered`,
        };
      }
      case "others-accepted-within": {
        const a = m.flood?.othersAcceptance.flood;
        const pass = !!a && a.count > 0 && a.answered === a.count && a.p99Ms !== null && a.p99Ms <= e.p99Seconds * 1000;
        const detail = !a ? "the run had no flood" : `${a.answered} of ${a.count} answered during the flood; p50 ${a.p50Ms ?? "-"} ms, p99 ${a.p99Ms ?? "-"} ms (quiet: p50 ${m.flood!.othersAcceptance.quiet.p50Ms ?? "-"} ms, p99 ${m.flood!.othersAcceptance.quiet.p99Ms ?? "-"} ms)`;
        return {
          kind: e.kind, target: e.p99Seconds, measured: a?.p99Ms === null || a?.p99Ms === undefined ? null : a.p99Ms / 1000,
          description: d(`the other agencies' submissions accepted within ${e.p99Seconds} s (p99, wall) while a flood was on`), pass, detail,
        };
      }
      case "escalations-coalesced": {
        const late = m.escalations.lateDeliveries ?? 0;
        const ratio = late ? m.escalations.total / late : 0;
        return {
          kind: e.kind, target: e.atMostPerLateDelivery, measured: late ? ratio : null,
          description: d(`at most ${e.atMostPerLateDelivery} escalation messages per late delivery, none taken twice`),
          pass: ratio <= e.atMostPerLateDelivery && m.escalations.duplicated === 0,
          detail: `${m.escalations.total} escalation messages covering ${m.escalations.deliveries ?? "?"} delivery steps, for ${late} late deliveries (${Math.round(ratio * 1000) / 1000} per late delivery)`,
        };
      }
      case "coordinator-memory-below": {
        const c = m.processes.coordinator;
        // Not measured is not passed: the objective is a measurement.
        const pass = c.peakRssMb !== null && c.peakRssMb < e.mb;
        const detail = c.peakRssMb === null ? "not measured (needs Linux /proc)" : `peak ${c.peakRssMb} MB${c.processes > 1 ? ` (highest of ${c.processes} coordinator processes)` : ""}`;
        return { kind: e.kind, target: e.mb, measured: c.peakRssMb, description: d(`every coordinator stays below ${e.mb} MB of memory`), pass, detail };
      }
    }
  }
}
