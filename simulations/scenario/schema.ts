// The scenario file: a Master Scenario Events List (numbered injects with expected outcomes),
// background traffic, agency behaviour, faults, and the expectations that decide pass or fail.
import { z } from "zod";
import {
  AgencyId, AlertContent, Distribution, HANDLING_CODES, PRECEDENCES, RosterAgency, ShortText, THREAT_CATEGORIES, TLPS,
} from "../../shared/contracts/index.ts";
import { LANGS } from "../../shared/i18n/lang.ts";
import { Quotas } from "../../shared/exchange/settings.ts";
import { Duration } from "./duration.ts";

/** `--to` syntax ("all", "org:CIS,agency:GE") or a distribution object. */
export const Audience = z.union([z.string().min(1), Distribution]);

const Evaluation = z.string().regex(/^[A-F][1-6]$/, "expected reliability A-F and credibility 1-6, such as B2");
const Ref = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "expected a name of lowercase letters, digits and dashes");
const ThreadId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, "expected a short thread id of letters, digits and dashes, such as A");

/**
 * A story thread of the MSEL: the injects that tell one line of the exercise's story. Its title is
 * what the room sees beside the thread's injects (the dashboard's chips and ticker) and the
 * heading of its part of the report's narrative, which tells its summary.
 */
export const Thread = z
  .object({
    id: ThreadId,
    title: ShortText(60).meta({ description: "What the room sees beside the thread's injects; a few words." }),
    summary: ShortText(2000).optional().meta({ description: "The thread's story, for the report's scenario narrative." }),
  })
  .strict();
export type Thread = z.infer<typeof Thread>;

/**
 * What the recipients' nodes do with an inject besides acknowledging it. Without it (or with
 * "none") a scripted inject gets no generated hits or answers: the script is the story. Named
 * recipients answer an RFI (once their officer has acknowledged it) or report a hit on an alert.
 */
export const Reactions = z.union([
  z.literal("none"),
  z
    .object({
      answers: z.union([z.literal("all"), z.array(AgencyId).min(1)]).optional().meta({ description: "Recipients that answer this RFI (\"all\": every recipient)." }),
      hits: z.array(AgencyId).min(1).optional().meta({ description: "Recipients that report a hit on this alert." }),
    })
    .strict(),
]);
export type Reactions = z.infer<typeof Reactions>;

const Expect = z
  .object({
    description: ShortText(500).optional(),
    /** Who should acknowledge: "all" recipients, or named agencies. */
    acknowledgedBy: z.union([z.literal("all"), z.array(AgencyId).min(1)]).default("all"),
    /** Within this simulated time of the inject; default: the precedence deadline. */
    within: Duration.optional(),
    /** Share of those agencies that must meet it (default 1). */
    atLeast: z.number().min(0).max(1).default(1),
    /** For RFIs: answers expected from at least this many agencies. */
    answers: z.number().int().min(0).optional(),
  })
  .strict();

const injectCommon = {
  inject: z.number().int().positive().optional().meta({ description: "MSEL number; numbered in order when omitted." }),
  at: Duration.meta({ description: "Simulated time after the scenario start." }),
  from: AgencyId,
  ref: Ref.optional().meta({ description: "Name later injects use to refer to this one." }),
  title: ShortText(200).optional(),
  expect: Expect.optional(),
  thread: ThreadId.optional().meta({ description: "The story thread (an id of `threads`) this inject belongs to." }),
  highlight: z.boolean().optional().meta({ description: "The dashboard's banner moment; FLASH injects have one unless false." }),
  reactions: Reactions.optional(),
};

const AlertInject = z
  .object({
    ...injectCommon,
    kind: z.literal("alert"),
    to: Audience,
    precedence: z.enum(PRECEDENCES),
    category: z.enum(THREAT_CATEGORIES),
    tlp: z.enum(TLPS),
    handling: z.enum(HANDLING_CODES).default("H0"),
    handlingNote: ShortText(500).optional(),
    evaluation: Evaluation.default("B2"),
    // The message's own content rules (lengths, limits), from the contract.
    title: AlertContent.title,
    summary: AlertContent.summary,
    entities: AlertContent.entities,
    indicators: AlertContent.indicators,
    validFor: Duration.optional(),
  })
  .strict()
  // Checked at load time, as the contract will check the alert: not first mid-run.
  .refine((i) => i.handling !== "H3" || i.handlingNote, { path: ["handlingNote"], message: "expected a handlingNote stating the H3 restriction" });

const UpdateInject = z
  .object({
    ...injectCommon,
    kind: z.literal("alert-update"),
    alert: Ref,
    reason: ShortText(1000),
    precedence: z.enum(PRECEDENCES).optional(),
    summary: AlertContent.summary,
    evaluation: Evaluation.optional(),
    indicators: AlertContent.indicators,
    entities: AlertContent.entities,
  })
  .strict();

const RetractionInject = z
  .object({ ...injectCommon, kind: z.literal("alert-retraction"), alert: Ref, reason: ShortText(1000), instruction: z.enum(["disregard", "destroy", "supersede"]).optional() })
  .strict();

const RfiInject = z
  .object({
    ...injectCommon,
    kind: z.literal("rfi"),
    to: Audience,
    precedence: z.enum(PRECEDENCES),
    category: z.enum(THREAT_CATEGORIES),
    tlp: z.enum(TLPS),
    handling: z.enum(HANDLING_CODES).default("H0"),
    question: ShortText(4000),
    respondWithin: Duration,
    entities: AlertContent.entities,
    indicators: AlertContent.indicators,
    about: Ref.optional(),
  })
  .strict();

const HitInject = z
  .object({ ...injectCommon, kind: z.literal("hit"), alert: Ref, matched: ShortText(500), details: ShortText(4000) })
  .strict();

export const Inject = z.discriminatedUnion("kind", [AlertInject, UpdateInject, RetractionInject, RfiInject, HitInject]);
export type Inject = z.infer<typeof Inject>;

export const TrafficStream = z
  .object({
    name: Ref.optional(),
    kind: z.enum(["alert", "rfi"]).default("alert"),
    /** Messages per simulated hour, on average (a Poisson process). */
    perHour: z.number().positive(),
    category: z.union([z.enum(THREAT_CATEGORIES), z.array(z.enum(THREAT_CATEGORIES)).min(1)]),
    precedence: z.union([z.enum(PRECEDENCES), z.partialRecord(z.enum(PRECEDENCES), z.number().positive())]).default("ROUTINE"),
    tlp: z.union([z.enum(TLPS), z.partialRecord(z.enum(TLPS), z.number().positive())]).default("GREEN"),
    /** Audience: as `to`, or the sender's "own-region" / "own-organisations". */
    to: z.union([Audience, z.enum(["own-region", "own-organisations"])]).default("own-region"),
    /** Sender weights by agency id; "*" weighs every agency not listed (without "*" they send none of this stream). */
    senders: z.record(z.string(), z.number().nonnegative()).default({ "*": 1 }),
    indicators: z.number().int().min(0).max(200).default(0).meta({ description: "Indicators generated per message." }),
    from: Duration.optional(),
    until: Duration.optional(),
  })
  .strict();
export type TrafficStream = z.infer<typeof TrafficStream>;

const DutyOverride = RosterAgency.shape.duty.partial();

export const Behaviour = z
  .object({
    hitProbability: z.number().min(0).max(1).optional(),
    answerProbability: z.number().min(0).max(1).optional(),
    /** Per-agency duty overrides: night shifts, unstaffed posts, slower officers. */
    agencies: z.record(AgencyId, z.object({ duty: DutyOverride.optional() }).strict()).default({}),
  })
  .strict();

export const Fault = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("agency-offline"), at: Duration, agency: AgencyId, for: Duration }).strict(),
  z
    .object({
      kind: z.literal("coordinator-kill"),
      at: Duration,
      /** Which instance (1 = coordinator-1); default the first one running. */
      instance: z.number().int().min(1).optional(),
      /** Start an instance again after this long; with `restart: false` the others carry on alone. */
      restartAfter: Duration.default(60_000),
      restart: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      kind: z.literal("broker-kill"),
      at: Duration,
      /** The cluster node to kill with SIGKILL (1 = n1); its JetStream store stays for the restart. */
      node: z.number().int().min(1),
      /** Start the node again after this long; without it the node stays down. */
      restartAfter: Duration.optional(),
    })
    .strict(),
  z.object({ kind: z.literal("slow-agency"), at: Duration, agency: AgencyId, factor: z.number().min(1), for: Duration }).strict(),
  z.object({ kind: z.literal("malformed-burst"), at: Duration, from: AgencyId, count: z.number().int().positive().max(10_000) }).strict(),
  z
    .object({
      kind: z.literal("flood"),
      at: Duration,
      /** The agency that floods, with its own identity. */
      agency: AgencyId,
      count: z.number().int().positive().max(20_000),
      /** Valid, signed FLASH alerts to everyone, or malformed submissions of every sort. */
      of: z.enum(["valid", "malformed"]),
    })
    .strict(),
]);
export type Fault = z.infer<typeof Fault>;

export const Expectation = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("acknowledged-within-deadline"), precedence: z.enum(PRECEDENCES), atLeast: z.number().min(0).max(1), description: ShortText(500).optional() }).strict(),
  z.object({ kind: z.literal("nothing-lost"), description: ShortText(500).optional() }).strict(),
  z.object({ kind: z.literal("no-duplicates"), description: ShortText(500).optional() }).strict(),
  z.object({ kind: z.literal("red-confined"), description: ShortText(500).optional() }).strict(),
  z.object({ kind: z.literal("audit-verified"), description: ShortText(500).optional() }).strict(),
  z.object({ kind: z.literal("injects-met"), atLeast: z.number().min(0).max(1).default(1), description: ShortText(500).optional() }).strict(),
  z.object({ kind: z.literal("rejections-recorded"), atLeast: z.number().int().min(0), description: ShortText(500).optional() }).strict(),
  z.object({ kind: z.literal("escalations-at-most"), count: z.number().int().min(0), description: ShortText(500).optional() }).strict(),
  z
    .object({
      kind: z.literal("flood-answered"),
      description: ShortText(500).optional(),
    })
    .strict()
    .meta({ description: "Every submission of the run's floods was stored and answered: accepted, or rejected with a reason." }),
  z
    .object({
      kind: z.literal("others-accepted-within"),
      /** Wall seconds: the p99 of the other agencies' submit → acceptance while a flood was on. */
      p99Seconds: z.number().positive(),
      description: ShortText(500).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("escalations-coalesced"),
      /** Escalation messages per late delivery, at most. */
      atMostPerLateDelivery: z.number().positive(),
      description: ShortText(500).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("coordinator-memory-below"),
      mb: z.number().positive("expected megabytes above 0").meta({ description: "Peak resident memory of every coordinator instance stays below this (MiB)." }),
      description: ShortText(500).optional(),
    })
    .strict(),
]);
export type Expectation = z.infer<typeof Expectation>;

/**
 * The scenario's own words in another language, for reports in that language: title,
 * description, threads, inject titles and expected outcomes (by MSEL number), objectives (by
 * position in `expectations`). Whatever is missing is shown as written.
 */
export const ScenarioTranslation = z
  .object({
    title: ShortText(200).optional(),
    description: ShortText(4000).optional(),
    threads: z.record(z.string(), z.object({ title: ShortText(60).optional(), summary: ShortText(2000).optional() }).strict()).optional(),
    injects: z.record(z.string().regex(/^\d+$/, "expected an inject number"), z.object({ title: ShortText(200).optional(), expected: ShortText(1000).optional() }).strict()).optional(),
    expectations: z.array(ShortText(500).nullable()).optional(),
  })
  .strict();
export type ScenarioTranslation = z.infer<typeof ScenarioTranslation>;

export const Scenario = z
  .object({
    name: Ref,
    title: ShortText(200),
    description: ShortText(4000).optional(),
    threads: z.array(Thread).default([]),
    /** The language of the report, progress line and summary unless --lang says otherwise. */
    lang: z.enum(LANGS).optional(),
    /** Show agencies by neutral regional labels in the report, progress and dashboard (as --anonymise). */
    anonymise: z.boolean().default(false),
    translations: z.partialRecord(z.enum(LANGS), ScenarioTranslation).default({}),
    /** A roster file, relative to the scenario file. */
    roster: z.string().optional(),
    /** Or the agencies inline (organisations and sharing groups as in a roster). */
    agencies: z.array(RosterAgency).optional(),
    organisations: z.array(z.object({ id: z.string(), name: z.string(), hub: AgencyId }).strict()).optional(),
    sharingGroups: z.array(z.object({ id: z.string(), name: z.string(), members: z.array(AgencyId) }).strict()).optional(),
    start: z.iso.datetime({ offset: true }).default("2026-09-21T00:00:00Z").meta({ description: "Simulated start time." }),
    duration: Duration,
    speed: z.number().positive().default(1000),
    seed: z.number().int().default(1),
    settings: z
      .object({
        ackDeadlineMinutes: z.partialRecord(z.enum(PRECEDENCES), z.number().positive()).optional(),
        escalationAfter: z.object({ reminder: z.number(), "backup-contact": z.number(), originator: z.number() }).partial().optional(),
        escalationWindowMinutes: z.number().min(0).optional(),
        quotas: Quotas.partial().optional(),
      })
      .strict()
      .optional(),
    /** Run on a NATS cluster of this many nodes (streams replicated on each) with two coordinator instances. */
    cluster: z.union([z.literal(3), z.literal(5)], { error: "expected 3 or 5 (cluster nodes)" }).optional(),
    behaviour: Behaviour.default({ agencies: {} }),
    timeline: z.array(Inject).default([]),
    traffic: z.array(TrafficStream).default([]),
    faults: z.array(Fault).default([]),
    expectations: z.array(Expectation).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.roster && !s.agencies) ctx.addIssue({ code: "custom", path: ["roster"], message: "expected a roster file or inline agencies" });
    const refs = new Set<string>();
    const threads = new Set<string>();
    s.threads.forEach((t, i) => {
      if (threads.has(t.id)) ctx.addIssue({ code: "custom", path: ["threads", i, "id"], message: `expected each thread once; ${t.id} appears twice` });
      threads.add(t.id);
    });
    s.timeline.forEach((inj, i) => {
      if (inj.thread !== undefined && !threads.has(inj.thread))
        ctx.addIssue({ code: "custom", path: ["timeline", i, "thread"], message: `expected the id of a thread in \`threads\`${threads.size ? ` (${[...threads].join(", ")})` : ""}; "${inj.thread}" is not one` });
      const r = inj.reactions;
      if (r && r !== "none") {
        if (r.answers && inj.kind !== "rfi") ctx.addIssue({ code: "custom", path: ["timeline", i, "reactions", "answers"], message: "expected answers on an RFI inject only" });
        if (r.hits && inj.kind !== "alert") ctx.addIssue({ code: "custom", path: ["timeline", i, "reactions", "hits"], message: "expected hits on an alert inject only" });
      }
      // Scripted injects get no generated answers: the answers expected must be declared.
      const answers = inj.expect?.answers ?? 0;
      const declared = r && r !== "none" ? r.answers ?? [] : [];
      if (declared !== "all" && answers > declared.length)
        ctx.addIssue({ code: "custom", path: ["timeline", i, "reactions", "answers"], message: `expected at least ${answers} recipients named to answer (expect.answers is ${answers}; only declared answers are given to a scripted RFI)` });
      if (inj.at > s.duration) ctx.addIssue({ code: "custom", path: ["timeline", i, "at"], message: "expected a time within the scenario's duration" });
      const wants = "alert" in inj ? inj.alert : undefined;
      if (wants && !refs.has(wants)) ctx.addIssue({ code: "custom", path: ["timeline", i, "alert"], message: `expected the ref of an earlier alert inject; "${wants}" is not one` });
      if (inj.ref) refs.add(inj.ref);
    });
    const coordinators = s.cluster ? 2 : 1;
    s.faults.forEach((f, i) => {
      if (f.kind === "broker-kill" && !s.cluster) ctx.addIssue({ code: "custom", path: ["faults", i, "kind"], message: "expected `cluster: 3` (or 5) for a broker-kill: the single server cannot be killed without stopping the exchange" });
      if (f.kind === "broker-kill" && s.cluster && f.node > s.cluster) ctx.addIssue({ code: "custom", path: ["faults", i, "node"], message: `expected a node from 1 to ${s.cluster}` });
      if (f.kind === "coordinator-kill" && f.instance !== undefined && f.instance > coordinators)
        ctx.addIssue({ code: "custom", path: ["faults", i, "instance"], message: `expected an instance from 1 to ${coordinators} (${s.cluster ? "a cluster runs two" : "one runs without a cluster"})` });

      if (f.kind === "coordinator-kill" && !f.restart && coordinators < 2)
        ctx.addIssue({ code: "custom", path: ["faults", i, "restart"], message: "expected restart: true, or `cluster: 3` for a second coordinator to carry on" });
    });
  });
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
