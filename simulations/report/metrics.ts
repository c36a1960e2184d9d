// metrics.json: what a run measured. Facilitators read it through report.html and report.md;
// CI and other tools read it directly, so its shape is a contract.
import { z } from "zod";
import { PRECEDENCES } from "../../shared/contracts/index.ts";
import { Figures } from "../../shared/exchange/figures.ts";

const Latency = z.object({
  count: z.number().int(),
  deadlineMinutes: z.number(),
  /** Simulated minutes from delivery to acknowledgement; null when nothing was acknowledged. */
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  /** Share of deliveries acknowledged within the deadline (0..1); null when there were none. */
  withinDeadline: z.number().nullable(),
});

const ProcessPeak = z.object({ peakRssMb: z.number().nullable(), processes: z.number().int() });

const Audience = z.object({
  all: z.boolean().optional(), regions: z.array(z.string()).optional(), organisations: z.array(z.string()).optional(),
  sharingGroups: z.array(z.string()).optional(), agencies: z.array(z.string()).optional(),
});

/** Submit → outcome in wall ms, as the sending agency saw it. */
const Acceptance = z.object({
  count: z.number().int(),
  /** Of those, how many had their outcome heard. */
  answered: z.number().int(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});

export const Metrics = z.object({
  scenario: z.object({
    name: z.string(), title: z.string(), file: z.string(), seed: z.number(), speed: z.number(), start: z.string(), durationMinutes: z.number(),
    description: z.string().optional(),
    /** The MSEL's story threads. */
    threads: z.array(z.object({ id: z.string(), title: z.string(), summary: z.string().optional() })).optional(),
    /** The roster's name. */
    roster: z.string().optional(),
  }),
  run: z.object({ startedAt: z.string(), finishedAt: z.string(), wallSeconds: z.number(), interrupted: z.boolean(), simulatedUntil: z.string() }),
  agencies: z.number().int(),
  alerts: z.object({
    submitted: z.number().int(), accepted: z.number().int(), rejected: z.number().int(),
    byKind: z.record(z.string(), z.object({ submitted: z.number(), accepted: z.number(), rejected: z.number() })),
  }),
  /** The scenario's own messages reconciled against what the agency nodes received (acknowledged: figures.acknowledged). */
  deliveries: z.object({
    expected: z.number().int(), delivered: z.number().int(), acknowledged: z.number().int(), lost: z.number().int(), duplicated: z.number().int(),
  }),
  /**
   * The exchange's figures for the run, counted from the audit chain exactly as the dashboard,
   * the progress line and `atix status` count them (shared/exchange/figures.ts: labels and meaning).
   */
  figures: Figures,
  ackLatency: z.object(Object.fromEntries(PRECEDENCES.map((p) => [p, Latency])) as Record<(typeof PRECEDENCES)[number], typeof Latency>),
  escalations: z.object({
    total: z.number().int(), reminder: z.number().int(), "backup-contact": z.number().int(), originator: z.number().int(),
    /** Steps taken twice for one delivery (audit), or an escalation delivered twice (agency); must be 0. */
    duplicated: z.number().int().default(0),
    /** total, reminder, backup-contact and originator count escalation messages; one may list many deliveries. These are the delivery steps they covered. */
    deliveries: z.number().int().optional(),
    /** Deliveries acknowledged after their deadline, or not at all with it passed: what escalations chase. */
    lateDeliveries: z.number().int().optional(),
  }),
  /** Rejections recorded in the audit chain, by reason code. */
  rejections: z.object({ byReason: z.record(z.string(), z.number().int()) }).optional(),
  /** Present when the run had a `flood` fault. */
  flood: z
    .object({
      agencies: z.array(z.string()),
      /** Every flood submission's fate: stored and answered (accepted, rate-limited, rejected otherwise), refused at publish, or unanswered (must be 0). */
      submissions: z.object({
        valid: z.number().int(), malformed: z.number().int(),
        accepted: z.number().int(), rateLimited: z.number().int(), rejectedOtherwise: z.number().int(), refusedByBroker: z.number().int(), unanswered: z.number().int(),
      }),
      /** Wall seconds from each flood's first submission until the coordinators had answered all of it, summed. */
      wallSeconds: z.number(),
      /** The other agencies' submit → acceptance before any flood, while one was on, and after. */
      othersAcceptance: z.object({ quiet: Acceptance, flood: Acceptance, after: Acceptance }),
    })
    .optional(),
  audit: z.object({ records: z.number().int(), verified: z.boolean(), head: z.string().optional(), problem: z.string().optional() }),
  expectations: z.array(
    z.object({
      kind: z.string(), description: z.string(), pass: z.boolean(), detail: z.string(),
      /** The description was the scenario's own (else a default worded from the kind). */
      authored: z.boolean().optional(),
      /** For acknowledged-within-deadline: the precedence it judges. */
      precedence: z.enum(PRECEDENCES).optional(),
      /** The objective's figure: a share (0..1), a count, megabytes, seconds or a ratio, by kind. */
      target: z.number().optional(),
      /** What was measured against the target, in the same unit; null when nothing could be. */
      measured: z.number().nullable().optional(),
    }),
  ),
  /** The MSEL as played, with each inject's expected outcome judged (the evaluation guide). */
  injects: z.array(
    z.object({
      inject: z.number().int(), at: z.string(), from: z.string(), kind: z.string(), title: z.string(),
      messageId: z.string().optional(), outcome: z.enum(["accepted", "rejected", "not-sent"]),
      recipients: z.number().int(), acknowledged: z.number().int(), acknowledgedInTime: z.number().int(),
      expected: z.string(), status: z.enum(["met", "partially-met", "not-met", "no-expectation"]), detail: z.string(),
      thread: z.string().optional(),
      /** False when the scenario gave the inject no title (`title` is then a generated one). */
      titled: z.boolean().optional(),
      /** False when the expected outcome was worded from the expectation's fields. */
      expectedAuthored: z.boolean().optional(),
      precedence: z.enum(PRECEDENCES).optional(),
      /** Alerts and RFIs: whom it was addressed to. */
      audience: Audience.optional(),
      /** Updates, retractions, hits and RFIs about an alert: the MSEL number of that alert. */
      refersTo: z.number().int().optional(),
      /** Hits: what matched. */
      matched: z.string().optional(),
      /** The expectation, as judged: who had to acknowledge, within how long, how many, how many answers. */
      expectation: z.object({ by: z.union([z.literal("all"), z.array(z.string())]), withinMinutes: z.number().optional(), atLeast: z.number(), answers: z.number().int().optional() }).optional(),
      /** Of those who had to acknowledge: in time, late, and not at all; and answers received. */
      observed: z.object({ inTime: z.array(z.string()), late: z.array(z.string()), missing: z.array(z.string()), answers: z.number().int().optional() }).optional(),
      /** Why it was not sent, or the rejection's reasons. */
      reasons: z.array(z.string()).optional(),
    }),
  ),
  /** Per agency, for the responsiveness view. */
  agencyStats: z.array(
    z.object({
      id: z.string(), name: z.string(), region: z.string(), profile: z.string(),
      received: z.number().int(), acknowledged: z.number().int(), withinDeadline: z.number().int(),
      p50Minutes: z.number().nullable(), escalated: z.number().int(), missedFlash: z.number().int(), offlineMinutes: z.number(),
      lost: z.number().int().meta({ description: "Deliveries to this agency lost, all of them (reconciliation.lost lists the first 200 only)." }),
    }),
  ),
  /** Per simulated hour of the scenario. */
  timeline: z.array(z.object({ hour: z.number().int(), submitted: z.number().int(), delivered: z.number().int(), acknowledged: z.number().int(), escalations: z.number().int(), rejected: z.number().int() })),
  faults: z.array(
    z.object({
      kind: z.string(), at: z.string(), detail: z.string(),
      /** The agency concerned (offline, slow, sender of a burst), the instance or node, and sizes. */
      agency: z.string().optional(), minutes: z.number().optional(), count: z.number().optional(), factor: z.number().optional(), instance: z.string().optional(),
      /** A flood's submissions: valid FLASH alerts or malformed ones. */
      of: z.enum(["valid", "malformed"]).optional(),
    }),
  ),
  /** Wall milliseconds from submission to each recipient's node: the system's own delivery time (not the officers'). */
  deliveryLatency: z.object({ count: z.number().int(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable(), p99Ms: z.number().nullable(), maxMs: z.number().nullable() }).optional(),
  /** Hits reported back to originators: scripted by the MSEL or by duty officers on generated traffic. */
  hits: z
    .object({
      total: z.number().int(), scripted: z.number().int(),
      byAlert: z.array(z.object({ alertId: z.string(), title: z.string().optional(), originator: z.string(), inject: z.number().int().optional(), reporters: z.array(z.string()) })),
    })
    .optional(),
  /** Deliveries never acknowledged, by cause. */
  unacknowledged: z
    .object({
      total: z.number().int(),
      byCause: z.partialRecord(z.enum(["withdrawn", "offline", "within-deadline-at-end", "post-unstaffed", "no-acknowledgement"]), z.object({ deliveries: z.number().int(), agencies: z.array(z.string()) })),
    })
    .optional(),
  reconciliation: z.object({
    method: z.string(),
    lost: z.array(z.object({ messageId: z.string(), agency: z.string() })),
    duplicated: z.array(z.object({ messageId: z.string(), agency: z.string(), times: z.number() })),
    redConfinementViolations: z.array(z.object({ messageId: z.string(), agency: z.string() })),
    duplicatedEscalations: z
      .array(z.object({ messageId: z.string(), recipient: z.string().optional(), step: z.string().optional(), agency: z.string().optional(), times: z.number().int(), seenBy: z.enum(["audit", "agency"]) }))
      .default([]),
  }),
  traffic: z.object({
    digest: z.string(), planned: z.number().int(), scripted: z.number().int(), generated: z.number().int(),
    /** Generated messages not sent because the facilitator moved on to the next inject. */
    skipped: z.number().int().default(0),
  }),
  /**
   * Peak resident memory per process group, sampled during the run: the coordinator instance(s)
   * (the highest of any one), the process hosting the agencies (the runner) and the broker
   * (absent with --nats). peakRssMb is null where it could not be measured (no /proc).
   */
  processes: z.object({ coordinator: ProcessPeak, agencies: ProcessPeak, broker: ProcessPeak.optional() }),
  pass: z.boolean(),
});
export type Metrics = z.infer<typeof Metrics>;
