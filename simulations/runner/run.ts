// Plays a scenario on a real exchange: starts the broker, the coordinator (its own process, so
// faults can kill it) and the agencies (in this process, so what they receive is observed
// directly), sends the plan in simulated time, injects faults, drains, and measures.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { stringify } from "yaml";
import { followChainLive } from "../../shared/audit/chain-live.ts";
import { ChainReader } from "../../shared/audit/chain-read.ts";
import { ClockState } from "../../shared/clock.ts";
import type { Roster } from "../../shared/contracts/index.ts";
import { readIdentity } from "../../shared/exchange/identities.ts";
import { ExchangeFigures, type Figures } from "../../shared/exchange/figures.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../shared/exchange/settings.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { deterministicId } from "../../shared/messaging/compose.ts";
import { createLogger } from "../../shared/log.ts";
import { AgencyHost, NO_REACTION, type ScriptedReaction } from "../../services/agency/index.ts";
import { launch, type Launched } from "../../services/launcher/launch.ts";
import { type ClockControls, exchangeClock, type NextInject } from "../../services/dashboard/clock-control.ts";
import type { Unplanned } from "../../services/launcher/supervise.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { Inject } from "../scenario/schema.ts";
import { draftFor, type SentRef } from "./bodies.ts";
import { applyFault, type FaultFacts } from "./faults.ts";
import { MemorySampler } from "./memory.ts";
import { nextInjectControl, type RunTag } from "./next-inject.ts";
import { buildPlan, type Plan } from "./plan.ts";
import { Recorder } from "./recorder.ts";
import { reconcile } from "./reconcile.ts";
import { Timeline } from "./timeline.ts";

export interface RunOptions {
  speed?: number;
  seed?: number;
  nats?: string;
  /** Simulated minutes after the end to wait for acknowledgements (default 60). */
  drainMinutes?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Called once everything is up, before the simulated day starts (the workshop dashboard attaches here). */
  onStarted?: (live: LiveRun) => Promise<void> | void;
  /** Each scripted inject as it is played: its message id, or why it was not sent. */
  onInject?: (played: InjectPlayed) => void;
  /** The facilitator moved the clock to just before the next inject. */
  onJump?: (jump: NextInject & { from: string }) => void;
}

export interface LiveRun {
  launched: Launched;
  admin: NatsConnection;
  host: AgencyHost;
  plan: Plan;
  /** The facilitator's controls: pause/resume, speed, next inject. */
  controls: ClockControls;
  /** The run's first audit record: its figures count from here (an external --nats exchange may hold older ones). */
  fromSeq: number;
}

export interface InjectPlayed {
  inject: number;
  messageId?: string;
  notSent?: string;
}

export interface Progress {
  simNow: number;
  simStart: number;
  simEnd: number;
  sent: number;
  planned: number;
  /** The exchange's figures so far (the audit chain, followed live). */
  figures: Figures | undefined;
  phase: "starting" | "playing" | "draining" | "measuring";
}

export interface RunResult {
  loaded: LoadedScenario;
  /** The seed played (--seed, else the scenario's). */
  seed: number;
  plan: Plan;
  recorder: Recorder;
  roster: Roster;
  admin: NatsConnection;
  launched: Launched;
  host: AgencyHost;
  simStart: number;
  simEnd: number;
  simulatedUntil: number;
  wallStarted: number;
  interrupted: boolean;
  faults: ({ kind: string; at: number; detail: string } & FaultFacts)[];
  offline: Map<string, { from: number; until?: number }[]>;
  settings: Settings;
  /** Peak memory of the coordinator(s), the agencies' process (this one) and the broker. */
  memory: MemorySampler;
  /** The run's first audit record (see LiveRun.fromSeq). */
  fromSeq: number;
  /** Background messages not sent because the facilitator moved on to the next inject. */
  skipped: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the recipients of an inject do besides acknowledging it: only what the scenario names. */
function scriptedReaction(inject: Inject): ScriptedReaction {
  const r = inject.reactions;
  return !r || r === "none" ? NO_REACTION : { answers: r.answers ?? [], hits: r.hits ?? [] };
}

/** The roster with the scenario's duty overrides applied. */
function effectiveRoster(loaded: LoadedScenario): Roster {
  const over = loaded.scenario.behaviour.agencies;
  return { ...loaded.roster, agencies: loaded.roster.agencies.map((a) => (over[a.id]?.duty ? { ...a, duty: { ...a.duty, ...over[a.id]!.duty } } : a)) };
}

export async function playScenario(loaded: LoadedScenario, opts: RunOptions = {}): Promise<RunResult> {
  const { scenario } = loaded;
  const seed = opts.seed ?? scenario.seed;
  const speed = opts.speed ?? scenario.speed;
  const simStart = Date.parse(scenario.start);
  const simEnd = simStart + scenario.duration;
  const roster = effectiveRoster(loaded);
  const plan = buildPlan({ ...scenario, seed }, roster);
  const settings: Settings = {
    ackDeadlineMinutes: { ...DEFAULT_SETTINGS.ackDeadlineMinutes, ...scenario.settings?.ackDeadlineMinutes },
    escalationAfter: { ...DEFAULT_SETTINGS.escalationAfter, ...scenario.settings?.escalationAfter },
    tlpRedMaxAgencies: DEFAULT_SETTINGS.tlpRedMaxAgencies,
    escalationWindowMinutes: scenario.settings?.escalationWindowMinutes ?? DEFAULT_SETTINGS.escalationWindowMinutes,
    quotas: { ...DEFAULT_SETTINGS.quotas, ...scenario.settings?.quotas },
  };
  const progress: Progress = { simNow: simStart, simStart, simEnd, sent: 0, planned: plan.sends.length, figures: undefined, phase: "starting" };
  const report = () => opts.onProgress?.({ ...progress });

  const runNonce = opts.nats ? `:${randomUUID()}` : "";
  const home = await mkdtemp(join(tmpdir(), `atix-run-${scenario.name}-`));
  const rosterFile = join(home, "roster.yaml");
  await writeFile(rosterFile, stringify(roster));
  // `cluster: 3`: a cluster of our own (not with an external --nats) and a second coordinator to carry on when one dies.
  const cluster = opts.nats ? undefined : scenario.cluster;
  // A coordinator that dies on its own is started again by the launcher; the report's fault log
  // records each such death as unplanned (deliberate kills are the scenario's faults).
  const unplanned: Unplanned[] = [];
  const launched = await launch({
    home, roster: rosterFile, speed, simStart, coordinators: scenario.cluster ? 2 : 1, agencies: false, paused: true, settings,
    ...(opts.nats ? { nats: opts.nats } : {}), ...(cluster ? { cluster } : {}),
    onUnplanned: (u) => void unplanned.push(u),
  });
  const memory = new MemorySampler({
    groups: { coordinator: () => launched.coordinators.map((c) => c.proc.pid), agencies: () => [process.pid], broker: () => [launched.server?.pid, ...(launched.cluster?.nodes.map((n) => n.pid) ?? [])] },
  }).start();
  const coordinatorSeed = (await readIdentity(launched.exchange.credentialsDir, "coordinator")).seed;
  const admin = await connectAs({ servers: launched.exchange.natsUrl, user: "coordinator", seed: coordinatorSeed, name: "atix-runner" });
  const store = await openStore(admin);
  const recorder = new Recorder();
  recorder.listen(admin);
  const seeds = new Map<string, string>();
  for (const a of roster.agencies) seeds.set(a.id, (await readIdentity(launched.exchange.credentialsDir, a.id)).seed);
  const host = new AgencyHost({
    servers: launched.exchange.natsUrl,
    registry: launched.registry,
    agencies: roster.agencies.map((agency) => ({ agency, seed: seeds.get(agency.id)! })),
    clock: launched.exchange.clock,
    rngSeed: seed,
    ...(scenario.behaviour.hitProbability !== undefined ? { hitProbability: scenario.behaviour.hitProbability } : {}),
    ...(scenario.behaviour.answerProbability !== undefined ? { answerProbability: scenario.behaviour.answerProbability } : {}),
    // The person watching a run reads the progress and the report; agencies speak up only for trouble.
    logger: createLogger("agency", {}, "warn"),
  });
  host.onEvent(recorder.onAgencyEvent);
  await host.start();

  const faults: RunResult["faults"] = [];
  const offline = new Map<string, { from: number; until?: number }[]>();
  const refs = new Map<string, SentRef>();
  const timeline = new Timeline<RunTag>();
  const clock = host.feed.clock;
  for (const p of plan.sends)
    timeline.add(p.at, async () => {
      const played = (m: { messageId?: string; notSent?: string }) => p.inject !== undefined && opts.onInject?.({ inject: p.inject, ...m });
      const notSent = (reason: string) => {
        recorder.notSent.push({ plan: p, reason });
        played({ notSent: reason });
      };
      const node = host.node(p.from);
      if (!node?.running) return notSent(`${p.from} is offline`);
      const draft = draftFor(p, clock.nowMs(), refs);
      if ("skip" in draft) return notSent(draft.skip);
      // Ids follow from the seed, so the duty officers (seeded by message id) repeat too; on a
      // shared external broker a nonce keeps two runs from replaying each other's ids.
      const id = deterministicId(`${scenario.name}:${seed}:${p.seq}${runNonce}`, clock.nowMs());
      recorder.submitting(id);
      // A scripted inject's recipients react only as the script says (told before it is sent).
      if (p.injectSpec) host.script.add(id, scriptedReaction(p.injectSpec));
      const env = { id, ...(draft.inReplyTo ? { inReplyTo: draft.inReplyTo } : {}), ...(draft.correlationId ? { correlationId: draft.correlationId } : {}) };
      const m = await node.send(draft.kind, draft.body as never, env).catch((e: Error) => void notSent(`submission failed: ${e.message}`));
      if (!m) return;
      recorder.sent.set(m.id, { id: m.id, plan: p, message: m, at: clock.nowMs() - simStart });
      played({ messageId: m.id });
      const b = m.body as { precedence?: "FLASH"; tlp?: "AMBER" };
      if (p.injectSpec?.ref && b.precedence && b.tlp) refs.set(p.injectSpec.ref, { id: m.id, precedence: b.precedence, tlp: b.tlp, from: m.sender });
      progress.sent++;
    }, p.source === "inject" ? "inject" : "traffic");

  // The run's figures, as every other view counts them: from the audit chain, followed live.
  // Read without a consumer (direct gets and the stream's republished copies), as every follower.
  const fromSeq = (await (await ChainReader.of(admin)).end()) + 1;
  const figures = new ExchangeFigures(fromSeq);
  const chainFollower = await followChainLive(admin, { fromSeq }, (_seq, record) => void figures.applyStored(record));
  let skipped = 0;
  const exchange = await exchangeClock(admin, host.feed);
  const controls: ClockControls = {
    change: exchange.change,
    nextInject: nextInjectControl(exchange, timeline, plan, simStart, (jump) => {
      skipped += jump.skipped;
      opts.onJump?.(jump);
    }),
  };

  await opts.onStarted?.({ launched, admin, host, plan, controls, fromSeq });
  // Everything is up: start the simulated day now, for the coordinator and the agencies alike.
  const running = ClockState.parse({ simAnchor: simStart, wallAnchor: Date.now(), speed, paused: false });
  host.feed.adopt(running);
  await store.clock.put(CONFIG_KEYS.clock, running);
  const wallStarted = Date.now();
  progress.phase = "playing";

  const faultCtx = {
    host, launched, offline, recorder, admin,
    seedOf: (a: string) => seeds.get(a)!,
    // A follow-up that fails (a broker node that does not come back) is a finding of the run.
    later: (at: number, kind: string, run: () => Promise<void>) => timeline.add(at, () => run().catch((e: Error) => faultCtx.log(`${kind}-failed`, at, e.message)), "fault"),
    // In time order: a restart is logged once it is done, possibly after later faults began.
    log: (kind: string, at: number, detail: string, facts: FaultFacts = {}) => void (faults.push({ kind, at, detail, ...facts }), faults.sort((a, b) => a.at - b.at)),
  };
  for (const f of scenario.faults)
    timeline.add(f.at, () => applyFault(f, faultCtx, () => clock.iso()).catch((e: Error) => faultCtx.log(`${f.kind}-failed`, f.at, e.message)), "fault");
  // A coordinator that exits on its own (not killed by a fault, not stopped at the end) is a
  // finding too: its log says why, and the report's fault log points to it.
  const noticeCrashes = () => {
    for (const u of unplanned.splice(0))
      faultCtx.log("coordinator-exited", clock.nowMs() - simStart, `unplanned: ${u.line}; see ${join(launched.logDir, `${u.name}.log`)}`, { instance: u.name });
  };

  let interrupted = false;
  const tick = () => {
    noticeCrashes();
    progress.simNow = clock.nowMs();
    progress.figures = figures.at(progress.simNow);
    report();
  };
  const ticker = setInterval(tick, 250);
  try {
    await timeline.play(clock, simStart, simEnd, () => (interrupted ||= opts.signal?.aborted ?? false));
    if (!interrupted) {
      progress.phase = "draining";
      await drain(recorder, roster, clock, simEnd + (opts.drainMinutes ?? 60) * 60_000, () => (interrupted ||= opts.signal?.aborted ?? false));
    }
  } finally {
    clearInterval(ticker);
  }
  progress.phase = "measuring";
  // Freeze the simulated clock while measuring: nothing moves under the report.
  const frozen = { ...host.feed.clock.snapshot() };
  const simulatedUntil = clock.nowMs();
  const paused = ClockState.parse({ ...frozen, simAnchor: simulatedUntil, wallAnchor: Date.now(), paused: true });
  host.feed.adopt(paused);
  await store.clock.put(CONFIG_KEYS.clock, paused).catch(() => undefined);
  // The last progress line shows the figures the report will: the chain read to its end.
  await chainFollower.current(5_000).catch(() => false);
  tick();
  await chainFollower.stop();
  return {
    loaded, seed, plan, recorder, roster, admin, launched, host, simStart, simEnd, simulatedUntil, wallStarted, interrupted, faults, offline, settings, memory, fromSeq, skipped,
    async close() {
      memory.stop();
      recorder.stop();
      await chainFollower.stop();
      await host.stop().catch(() => undefined);
      await admin.drain().catch(() => undefined);
      await launched.stop().catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/**
 * Wall time the drain lasts at least while something is outstanding: a delivery handed to a pull
 * request that died with its broker node (or with an agency's old connection) comes back only
 * after the consumer's ack wait (10 s) and the dead request's expiry (5 s), however fast the
 * simulated clock runs. Until then it is late, not lost.
 */
const DRAIN_MIN_WALL_MS = 20_000;
/**
 * How long (wall) the drain waits past its time for a flood the coordinators are still answering:
 * its submissions queue in the stream and are answered in turn, at the machine's pace, whatever
 * the simulated clock's speed. One still unanswered after that is a finding (flood-answered).
 */
const FLOOD_ANSWER_WALL_MS = 120_000;

/**
 * After the last inject: wait until every delivery arrived and was acknowledged and every flood
 * was answered, or the drain time passed.
 */
async function drain(rec: Recorder, roster: Roster, clock: { nowMs(): number }, until: number, stop: () => boolean) {
  const started = Date.now();
  const flooding = () => rec.floodWindows.some((w) => w.untilWall === undefined);
  while (!stop()) {
    const r = reconcile(roster, rec);
    const unacked = [...rec.sent.keys()].some((id) => {
      const o = rec.outcomes.get(id);
      return o?.outcome === "accepted" && o.recipients.some((a) => !rec.acks.get(id)?.get(a));
    });
    if (r.lost.length === 0 && !unacked && !flooding() && [...rec.sent.keys()].every((id) => rec.outcomes.has(id))) return;
    // Past the drain time only what has not arrived yet and floods not yet answered are waited for, and only that long.
    const waitLost = r.lost.length > 0 && Date.now() < started + DRAIN_MIN_WALL_MS;
    const waitFlood = flooding() && Date.now() < started + FLOOD_ANSWER_WALL_MS;
    if (clock.nowMs() >= until && !waitLost && !waitFlood) return;
    await sleep(200);
  }
}
