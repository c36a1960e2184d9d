/**
 * A NATS cluster on loopback, started by us: each node its own client, route and monitoring port,
 * its own JetStream store, routes to the others, one cluster name and the same extra config (the
 * exchange's accounts). A node can be killed (SIGKILL, a crash) and restarted on its store.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type NatsProcess, spawnNatsServer, withFreePorts } from "./embedded-server.ts";

export interface ClusterOptions {
  /** Nodes (default 3). */
  size?: number;
  /** Extra nats.conf text for every node (the accounts block). */
  config?: string;
  /** A folder to keep configs and stores in; by default a temp dir removed on stop. */
  dir?: string;
  /** Cluster name (default "atix"). */
  name?: string;
}

export interface ClusterNode {
  name: string;
  url: string;
  port: number;
  clusterPort: number;
  httpPort: number;
  storeDir: string;
  configFile: string;
  /** The running process's pid, undefined while the node is down. */
  pid: number | undefined;
}

export interface NatsCluster {
  name: string;
  nodes: ClusterNode[];
  /** Every node's client URL, comma-separated: what exchange.json and --nats carry (connectAs splits it). */
  url: string;
  dir: string;
  /** SIGKILL node i; its store stays for the restart. */
  kill(i: number): Promise<void>;
  /** Starts node i again on its store and waits until it is healthy in the cluster. */
  restart(i: number): Promise<void>;
  /** Resolves once every running node reports JetStream healthy (a meta leader, streams current). */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A restarted node catches up on every replicated stream first: on a busy 2-core machine that can take a while. */
const HEALTHY_TIMEOUT_MS = 60_000;

function nodeConfig(n: ClusterNode, all: ClusterNode[], clusterName: string, extra: string): string {
  const routes = all.filter((o) => o !== n).map((o) => JSON.stringify(`nats-route://127.0.0.1:${o.clusterPort}`));
  return [
    `server_name: ${JSON.stringify(n.name)}`,
    `listen: "127.0.0.1:${n.port}"`,
    `http: "127.0.0.1:${n.httpPort}"`,
    `jetstream { store_dir: ${JSON.stringify(n.storeDir)} }`,
    `cluster {`,
    `  name: ${JSON.stringify(clusterName)}`,
    `  listen: "127.0.0.1:${n.clusterPort}"`,
    `  routes: [${routes.join(", ")}]`,
    `}`,
    extra,
  ].join("\n") + "\n";
}

/** True when the node's /healthz says ok: JetStream up, a meta leader known, its assets current. */
/** true when /healthz says ok, else what it said (or why it could not be asked). */
async function nodeHealthy(n: ClusterNode): Promise<true | string> {
  try {
    const res = await fetch(`http://127.0.0.1:${n.httpPort}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { status?: string; error?: string };
    return (res.ok && body.status === "ok") || `${res.status} ${body.error ?? body.status ?? ""}`.trim();
  } catch (e) {
    return (e as Error).message;
  }
}

export async function startNatsCluster(opts: ClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`cluster size: expected a whole number of nodes above 0, got ${size}`);
  const keep = opts.dir !== undefined;
  const dir = keep ? path.resolve(opts.dir!) : await mkdtemp(path.join(os.tmpdir(), "atix-cluster-"));
  const clusterName = opts.name ?? "atix";
  const procs: (NatsProcess | undefined)[] = [];
  const removeDir = () => (keep ? Promise.resolve() : rm(dir, { recursive: true, force: true }));
  const stopAll = () => Promise.all(procs.map((p) => p?.stop()));

  const nodes = await withFreePorts(size * 3, async (ports) => {
    const nodes: ClusterNode[] = Array.from({ length: size }, (_, i) => {
      const nodeDir = path.join(dir, `n${i + 1}`);
      return {
        name: `n${i + 1}`, url: `nats://127.0.0.1:${ports[i * 3]}`, port: ports[i * 3]!, clusterPort: ports[i * 3 + 1]!, httpPort: ports[i * 3 + 2]!,
        storeDir: path.join(nodeDir, "store"), configFile: path.join(nodeDir, "nats.conf"), pid: undefined,
      };
    });
    try {
      for (const n of nodes) {
        await mkdir(n.storeDir, { recursive: true });
        await writeFile(n.configFile, nodeConfig(n, nodes, clusterName, opts.config ?? ""));
      }
      // All at once, so the routes find each other without waiting for a retry.
      const started = await Promise.allSettled(nodes.map((n) => spawnNatsServer(n.configFile, n.port)));
      started.forEach((r, i) => { if (r.status === "fulfilled") { procs[i] = r.value; nodes[i]!.pid = r.value.pid; } });
      const failed = started.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      return nodes;
    } catch (e) {
      await stopAll();
      procs.length = 0;
      throw e;
    }
  }).catch(async (e) => {
    await removeDir();
    throw e;
  });

  const cluster: NatsCluster = {
    name: clusterName, nodes, dir,
    url: nodes.map((n) => n.url).join(","),
    async kill(i) {
      const n = nodeAt(nodes, i);
      await procs[i]?.kill();
      procs[i] = undefined;
      n.pid = undefined;
    },
    async restart(i) {
      const n = nodeAt(nodes, i);
      if (procs[i] && !procs[i]!.exited()) throw new Error(`cluster node ${n.name} is running: kill it before restarting it`);
      const p = await spawnNatsServer(n.configFile, n.port);
      procs[i] = p;
      n.pid = p.pid;
      await waitHealthy([n], HEALTHY_TIMEOUT_MS);
    },
    healthy: (timeoutMs = HEALTHY_TIMEOUT_MS) => waitHealthy(nodes.filter((n) => n.pid !== undefined), timeoutMs),
    async stop() {
      await stopAll();
      await removeDir();
    },
  };
  try {
    await cluster.healthy();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

function nodeAt(nodes: ClusterNode[], i: number): ClusterNode {
  const n = nodes[i];
  if (!n) throw new Error(`cluster node: expected an index from 0 to ${nodes.length - 1}, got ${i}`);
  return n;
}

/** Nodes that run but have not reported healthy (healthz) in time. */
export class ClusterNotHealthy extends Error {}

async function waitHealthy(nodes: ClusterNode[], timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(nodes.map(nodeHealthy));
    if (states.every((s) => s === true)) return;
    if (Date.now() > until)
      throw new ClusterNotHealthy(
        `NATS cluster not healthy within ${timeoutMs} ms: ${nodes.flatMap((n, i) => (states[i] === true ? [] : [`${n.name} (${states[i]})`])).join(", ")}`,
      );
    await sleep(200);
  }
}
