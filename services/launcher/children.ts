// Service processes started by the launcher: each is the same `atix` CLI a person could run,
// with its log in the exchange folder, stoppable gently (SIGTERM) or killed (SIGKILL).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ATIX_BIN = fileURLToPath(new URL("../../bin/atix.js", import.meta.url));

export interface Child {
  name: string;
  proc: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

export interface ChildOptions {
  home: string;
  logDir: string;
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the script (e.g. a heap limit). */
  nodeArgs?: string[];
}

export function startChild(name: string, args: string[], opts: ChildOptions): Child {
  const logFile = join(opts.logDir, `${name}.log`);
  // The child writes its log to the file itself: piped through this process, every line of a busy
  // coordinator cost the launcher a read and a write (in `atix bench`, the agencies' process).
  const log = openSync(logFile, "a");
  let proc: ChildProcess;
  try {
    proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ATIX_BIN, ...args], {
      env: { ...process.env, ATIX_HOME: opts.home, ATIX_LOG_PRETTY: "0", ATIX_PARENT_PID: String(process.pid), ...opts.env },
      stdio: ["ignore", log, log],
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { name, proc, logFile, exited };
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(c: Child, graceMs = 5_000): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill("SIGTERM");
  const t = setTimeout(() => c.proc.kill("SIGKILL"), graceMs);
  await c.exited;
  clearTimeout(t);
}
