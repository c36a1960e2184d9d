/**
 * Starts a private nats-server child process: one per test run now, and for `atix up` later.
 * Each instance gets its own loopback port, temp dir (config + JetStream store) and lifetime.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, rmSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface NatsServerOptions {
  /** Extra nats.conf text, appended after the generated `listen` and `jetstream` blocks. */
  config?: string;
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** A folder to keep config and store in across runs; by default a temp dir removed on stop. */
  dir?: string;
  /** A fixed client port; by default a free one. */
  port?: number;
}

export interface NatsServer {
  url: string;
  port: number;
  pid: number;
  configFile: string;
  /** Temp dir holding nats.conf and the JetStream store; removed by stop(). */
  storeDir: string;
  /** SIGTERM, SIGKILL after 5 s, then remove storeDir. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const KILL_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 5;

// Servers not yet stopped. Killed synchronously if the parent exits without stop()
// (crash, process.exit) so no orphaned server keeps a port or a temp dir.
const live = new Map<ChildProcess, string>();
process.on("exit", () => {
  for (const [child, dir] of live) {
    child.kill("SIGKILL");
    if (dir) try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

function isExecutableFile(file: string): boolean {
  try { accessSync(file, constants.X_OK); return statSync(file).isFile(); } catch { return false; }
}

/** NATS_SERVER_BIN, else `nats-server` on PATH, else /usr/sbin/nats-server (Debian's location, often not on PATH). */
export function findNatsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  const onPath = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)
    .map((dir) => path.join(dir, "nats-server")).find(isExecutableFile);
  if (onPath) return onPath;
  if (isExecutableFile("/usr/sbin/nats-server")) return "/usr/sbin/nats-server";
  throw new Error("nats-server not found: set NATS_SERVER_BIN, put it on PATH, or `apt-get install nats-server`");
}

// Ask the OS for a free port. Racy (someone may take it before nats-server binds), hence withFreePorts.
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// True once something on the port greets with a NATS INFO line (not just any listener that grabbed the port).
function speaksNats(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1_000, () => done(false));
    sock.once("data", (b: Buffer) => done(b.toString().startsWith("INFO ")));
    sock.once("error", () => done(false));
    sock.once("close", () => done(false));
  });
}

/** A nats-server child process started by spawnNatsServer, ready to accept connections. */
export interface NatsProcess {
  pid: number;
  /** Resolves once the process has exited. */
  closed: Promise<void>;
  exited(): boolean;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL at once (a crash, as a fault); resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Spawns nats-server on a written config and waits until `port` greets with INFO. Throws with
 * the stderr tail when it exits or does not answer; `inUse` is then true for a port clash.
 */
export async function spawnNatsServer(confFile: string, port: number, removeOnExit = ""): Promise<NatsProcess> {
  const bin = findNatsServerBinary();
  const child = spawn(bin, ["-c", confFile], { stdio: ["ignore", "ignore", "pipe"] });
  live.set(child, removeOnExit);
  // Always drain stderr (a full pipe would block the server); keep a tail for error messages.
  const st = { stderr: "", exited: false, spawnError: undefined as Error | undefined };
  child.stderr?.on("data", (b: Buffer) => { st.stderr = (st.stderr + b.toString()).slice(-8000); });
  child.once("error", (err) => { st.spawnError = err; });
  const closed = new Promise<void>((resolve) =>
    child.once("close", () => { st.exited = true; live.delete(child); resolve(); }));

  // The client port only opens once startup (incl. JetStream) is done, so an INFO greeting means ready.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let up = false;
  while (!st.exited && !up && Date.now() < deadline) {
    up = await speaksNats(port);
    if (!up) await sleep(50);
  }
  if (up && !st.exited) {
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= (async () => {
      if (st.exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      await closed;
      clearTimeout(timer);
    })());
    const kill = async () => {
      if (!st.exited) child.kill("SIGKILL");
      await closed;
    };
    return { pid: child.pid!, closed, exited: () => st.exited, stop, kill };
  }
  const timedOut = !st.exited;
  if (timedOut) { child.kill("SIGKILL"); await closed; }
  const why = st.spawnError ? `could not be spawned (${st.spawnError.message})`
    : timedOut ? `did not accept connections within ${READY_TIMEOUT_MS} ms`
    : `exited during startup (code ${child.exitCode}, signal ${child.signalCode})`;
  throw Object.assign(new Error(`nats-server ${bin} on 127.0.0.1:${port} ${why}; stderr tail:\n${st.stderr.slice(-2000) || "(empty)"}`), {
    // The client port clashed: another try with another port may do. Not the profiler's port.
    inUse: !timedOut && /address already in use/i.test(st.stderr) && !/error starting profiler/i.test(st.stderr),
  });
}

/** Runs `attempt` with fresh free ports until none of them clashes (PORT_ATTEMPTS times at most). */
export async function withFreePorts<T>(count: number, attempt: (ports: number[]) => Promise<T>, fixed?: number[]): Promise<T> {
  for (let i = 1; ; i++) {
    const ports = fixed ?? (await freePorts(count));
    try {
      return await attempt(ports);
    } catch (e) {
      if (!(e as { inUse?: boolean }).inUse || fixed || i >= PORT_ATTEMPTS) throw e;
    }
  }
}

/** Distinct free ports, as the OS offers them now. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * For finding where the broker's time goes (docs/performance.md): ATIX_BROKER_PROF_PORT puts Go's
 * profiler on that loopback port, on every broker this process starts (one at a time, then).
 */
function profilerConfig(): string {
  const v = process.env.ATIX_BROKER_PROF_PORT;
  if (!v) return "";
  const port = Number(v);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`ATIX_BROKER_PROF_PORT: expected a TCP port from 1 to 65535, got ${JSON.stringify(v)}`);
  return `prof_port: ${port}`;
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const keep = opts.dir !== undefined;
  const storeDir = keep ? path.resolve(opts.dir!) : await mkdtemp(path.join(os.tmpdir(), "atix-nats-"));
  if (keep) await mkdir(storeDir, { recursive: true });
  const confFile = path.join(storeDir, "nats.conf");
  const removeDir = () => (keep ? Promise.resolve() : rm(storeDir, { recursive: true, force: true }));
  try {
    return await withFreePorts(1, async ([port]) => {
      await writeFile(confFile, [
        `listen: "127.0.0.1:${port}"`,
        opts.jetstream === false ? "" : `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
        opts.config ?? "",
        profilerConfig(),
      ].join("\n") + "\n");
      const proc = await spawnNatsServer(confFile, port!, keep ? "" : storeDir);
      const stop = async () => { await proc.stop(); await removeDir(); };
      return { url: `nats://127.0.0.1:${port}`, port: port!, pid: proc.pid, configFile: confFile, storeDir, stop };
    }, opts.port === undefined ? undefined : [opts.port]);
  } catch (err) {
    await removeDir();
    throw err;
  }
}
