// Faults a scenario injects into a live exchange: an agency goes offline and returns, a
// coordinator instance is killed (and restarted, or the other carries on), a broker node of the
// cluster is killed and restarted, an agency's officer slows down, a burst of garbage, a flood.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { randomBytes } from "node:crypto";
import { consumers, MAX_MESSAGE_BYTES, sign, streams, subjects } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { ClusterNotHealthy } from "../../shared/nats/cluster.ts";
import { agencyJetStream } from "../../shared/nats/connect.ts";
import type { AgencyHost } from "../../services/agency/index.ts";
import type { Launched } from "../../services/launcher/launch.ts";
import type { Fault } from "../scenario/schema.ts";
import type { FloodSubmission, FloodWindow, Recorder } from "./recorder.ts";

/** What a report needs to word a fault in any language: who, how long, how many. */
export interface FaultFacts {
  agency?: string;
  minutes?: number;
  count?: number;
  factor?: number;
  instance?: string;
  of?: "valid" | "malformed";
}

export interface FaultContext {
  host: AgencyHost;
  launched: Launched;
  seedOf: (agency: string) => string;
  /**
   * Schedules a follow-up (agency back online, coordinator restart) at a simulated offset. `kind`
   * is what it logs: a follow-up that throws is logged as `<kind>-failed` with the reason.
   */
  later: (atOffset: number, kind: string, run: () => Promise<void>) => void;
  log: (kind: string, atOffset: number, detail: string, facts?: FaultFacts) => void;
  offline: Map<string, { from: number; until?: number }[]>;
  /** Floods are recorded here (what was sent, when it was answered). */
  recorder: Recorder;
  /** The runner's own connection to the exchange (as the coordinator): reads the agencies' queues. */
  admin: NatsConnection;
}

/** Malformed submissions of every sort a careless or hostile node produces. */
function garbage(from: string, seed: string, i: number, nowIso: string): { kind: string; data: string } {
  const alert = compose("alert", {
    precedence: "ROUTINE", category: "cyber", evaluation: { reliability: "F", credibility: 6 }, title: `Garbage ${i}`, tlp: "GREEN", handling: "H0", distribution: { all: true },
  }, { sender: from, sentAt: nowIso });
  const variants = [
    () => ({ kind: "alert", data: "{ this is not json" }),
    () => ({ kind: "alert", data: JSON.stringify(sign(alert, seed)).slice(0, 40) }),
    () => ({ kind: "alert", data: JSON.stringify({ ...alert, body: { ...alert.body, precedence: "URGENT" } }) }),
    () => ({ kind: "alert", data: JSON.stringify(alert) }), // unsigned
    () => ({ kind: "alert", data: JSON.stringify({ ...sign(alert, seed), body: { ...alert.body, title: "tampered" } }) }),
    () => ({ kind: "alert", data: JSON.stringify(sign({ ...alert, body: { ...alert.body, tlp: "RED" } }, seed)) }),
    () => ({ kind: "alert", data: JSON.stringify(sign({ ...alert, sender: from === "RU" ? "KZ" : "RU" }, seed)) }),
    () => ({ kind: "presence", data: JSON.stringify(sign(alert, seed)) }), // kind differs from the subject
    // Too large, yet within what the stream stores (beyond, the broker refuses the publish itself).
    () => ({ kind: "alert", data: `{"x":"${randomBytes(MAX_MESSAGE_BYTES / 2 + 500).toString("hex")}"}` }),
  ];
  return variants[i % variants.length]!();
}

export async function applyFault(f: Fault, ctx: FaultContext, nowIso: () => string): Promise<void> {
  const { host, launched } = ctx;
  switch (f.kind) {
    case "agency-offline": {
      await host.stopNode(f.agency);
      const spans = ctx.offline.get(f.agency) ?? [];
      spans.push({ from: f.at });
      ctx.offline.set(f.agency, spans);
      ctx.log(f.kind, f.at, `${f.agency} offline for ${f.for / 60_000} min`, { agency: f.agency, minutes: f.for / 60_000 });
      ctx.later(f.at + f.for, "agency-online", async () => {
        await host.startNode(f.agency);
        spans[spans.length - 1]!.until = f.at + f.for;
        ctx.log("agency-online", f.at + f.for, `${f.agency} back online, catching up`, { agency: f.agency });
      });
      return;
    }
    case "coordinator-kill": {
      const running = (c: Launched["coordinators"][number]) => c.proc.exitCode === null && c.proc.signalCode === null;
      const wanted = f.instance !== undefined ? `coordinator-${f.instance}` : undefined;
      const victim = launched.coordinators.find((c) => running(c) && (!wanted || c.name === wanted));
      if (!victim) return ctx.log(f.kind, f.at, `no running ${wanted ?? "coordinator"} to kill`);
      // Deliberate: its supervisor does not start it again (below, or never with restart: false).
      await launched.killCoordinator(victim.name);
      const others = launched.coordinators.filter(running).map((c) => c.name);
      ctx.log(f.kind, f.at, `${victim.name} (pid ${victim.proc.pid}) killed with SIGKILL${others.length ? `; ${others.join(", ")} carries on` : ""}${f.restart ? "" : "; not restarted"}`, { instance: victim.name });
      if (f.restart)
        ctx.later(f.at + f.restartAfter, "coordinator-restart", async () => {
          const c = launched.startCoordinator(victim.name);
          ctx.log("coordinator-restart", f.at + f.restartAfter, `${c.name} started again (pid ${c.proc.pid})`, { instance: c.name });
        });
      return;
    }
    case "broker-kill": {
      const cluster = launched.cluster;
      const node = cluster?.nodes[f.node - 1];
      if (!cluster) return ctx.log(`${f.kind}-skipped`, f.at, `no cluster node ${f.node} to kill: the run has no cluster of its own (cluster: N)`);
      if (!node) return ctx.log(`${f.kind}-skipped`, f.at, `no cluster node ${f.node} to kill: the cluster has ${cluster.nodes.length} nodes`);
      const pid = node.pid;
      await cluster.kill(f.node - 1);
      ctx.log(f.kind, f.at, `NATS node ${node.name} (pid ${pid}) killed with SIGKILL; its clients fail over to the others`, { instance: node.name });
      if (f.restartAfter !== undefined) {
        const back = f.at + f.restartAfter;
        ctx.later(back, "broker-restart", async () => {
          const t0 = Date.now();
          // Running but not reported healthy in time is a restart all the same: nats-server 2.9's
          // healthz can hold back a node whose replicas are slow to catch up (or never report one
          // current), and the node serves its clients meanwhile. The log says which it was.
          const health = await cluster.restart(f.node - 1).then(
            () => `healthy in the cluster after ${((Date.now() - t0) / 1000).toFixed(1)} s wall`,
            (e: Error) => {
              if (!(e instanceof ClusterNotHealthy)) throw e;
              return `running, but not reported healthy in the cluster: ${e.message}`;
            },
          );
          ctx.log("broker-restart", back, `NATS node ${node.name} started again on its store (pid ${node.pid}), ${health}`, { instance: node.name });
        });
      }
      return;
    }
    case "slow-agency": {
      const node = host.node(f.agency);
      const until = Date.parse(nowIso()) + f.for;
      node?.slowDown(f.factor, until);
      ctx.log(f.kind, f.at, `${f.agency}'s duty officer ${f.factor}x slower for ${f.for / 60_000} min`, { agency: f.agency, factor: f.factor, minutes: f.for / 60_000 });
      return;
    }
    case "flood":
      return flood(f, ctx, nowIso);
    case "malformed-burst": {
      const node = host.node(f.from);
      const nc = node?.connection;
      if (!nc) return ctx.log(f.kind, f.at, `${f.from} is offline: no burst`);
      const js = agencyJetStream(nc);
      const seed = ctx.seedOf(f.from);
      const stored = await Promise.all(
        Array.from({ length: f.count }, (_, i) => {
          const g = garbage(f.from, seed, i, nowIso());
          return js.publish(subjects.submit(f.from, g.kind as "alert"), g.data, { msgID: `garbage-${f.at}-${i}` }).then(() => 1, () => 0);
        }),
      );
      const sent = stored.reduce<number>((a, b) => a + b, 0);
      ctx.log(f.kind, f.at, `${sent} malformed submissions from ${f.from}${sent < f.count ? ` (${f.count - sent} of ${f.count} not stored by the broker)` : ""}`, { agency: f.from, count: sent });
      return;
    }
  }
}

/** A FLASH alert to everyone, as a flooding agency would send it: valid and signed. */
function floodAlert(from: string, seed: string, i: number, count: number, nowIso: string) {
  return sign(
    compose("alert", {
      precedence: "FLASH", category: "terrorism", evaluation: { reliability: "C", credibility: 3 }, tlp: "AMBER", handling: "H0",
      title: `EXERCISE flood ${i + 1} of ${count} from ${from}`, distribution: { all: true },
    }, { sender: from, sentAt: nowIso }),
    seed,
  );
}

/**
 * One agency sends `count` submissions (valid FLASH alerts to all, or malformed ones) as fast as
 * the broker takes them, with its own identity; the run records each, and watches the agency's
 * queue until the coordinators have answered all of it (the flood's window in the report).
 */
async function flood(f: Extract<Fault, { kind: "flood" }>, ctx: FaultContext, nowIso: () => string) {
  const nc = ctx.host.node(f.agency)?.connection;
  if (!nc) return ctx.log(f.kind, f.at, `${f.agency} is offline: no flood`);
  const js = agencyJetStream(nc);
  const seed = ctx.seedOf(f.agency);
  const window: FloodWindow = { agency: f.agency, fromWall: performance.now() };
  ctx.recorder.floodWindows.push(window);
  const sent: FloodSubmission[] = Array.from({ length: f.count }, (_, i) => {
    if (f.of === "valid") {
      const message = floodAlert(f.agency, seed, i, f.count, nowIso());
      return { agency: f.agency, of: f.of, message, id: message.id };
    }
    return { agency: f.agency, of: f.of };
  });
  const started = Date.now();
  await Promise.all(
    sent.map(async (x, i) => {
      ctx.recorder.flood.push(x);
      const g = x.message ? { kind: "alert", data: JSON.stringify(x.message) } : garbage(f.agency, seed, i, nowIso());
      try {
        const ack = await js.publish(subjects.submit(f.agency, g.kind as "alert"), g.data, { msgID: x.id ?? `flood-${f.agency}-${f.at}-${i}`, timeout: 60_000 });
        x.streamSeq = ack.seq;
      } catch (e) {
        x.refused = (e as Error).message;
      }
    }),
  );
  const refused = sent.filter((x) => x.refused).length;
  ctx.log(f.kind, f.at, `${f.count - refused} ${f.of} submissions from ${f.agency} stored in ${Date.now() - started} ms${refused ? ` (${refused} refused by the broker: ${sent.find((x) => x.refused)!.refused})` : ""}`,
    { agency: f.agency, count: f.count - refused, of: f.of });
  void untilAnswered(ctx.admin, f.agency).then((at) => (window.untilWall = at));
}

/** Wall ms (performance.now) when the agency's submission queue is empty and nothing of it is unanswered (gives up after 10 minutes). */
async function untilAnswered(admin: NatsConnection, agency: string): Promise<number | undefined> {
  const jsm = await jetstreamManager(admin);
  for (const until = Date.now() + 600_000; Date.now() < until && !admin.isClosed(); ) {
    const ci = await jsm.consumers.info(streams.submissions.name, consumers.submissionsOf(agency)).catch(() => undefined);
    if (ci && ci.num_pending === 0 && ci.num_ack_pending === 0) return performance.now();
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}
