// Keeps a service process running: one that exits without being asked to is started again, after
// a back-off that grows while it keeps dying (0.5 s, 1 s, 2 s … 30 s, back to 0.5 s once it ran a
// minute), with a line saying why it stopped (its exit and the last error in its log) and that it
// was started again. A stop asked for (stop(), or a deliberate kill) is not restarted.
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import type { Child } from "./children.ts";
import { stopChild } from "./children.ts";

export interface Backoff {
  firstMs: number;
  maxMs: number;
  /** A process that ran this long is healthy again: the next restart waits firstMs. */
  healthyAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 500, maxMs: 30_000, healthyAfterMs: 60_000 };

/** The wait before starting again a process that ran `ranMs`, after `consecutive` restarts since it last ran long enough (pure). */
export function restartDelay(ranMs: number, consecutive: number, b: Backoff = DEFAULT_BACKOFF): number {
  const n = ranMs >= b.healthyAfterMs ? 0 : consecutive;
  return Math.min(b.maxMs, b.firstMs * 2 ** n);
}

export interface Unplanned {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last error its log shows (such as "JavaScript heap out of memory"), if any. */
  reason?: string;
  /** Restarts so far, this one included. */
  restarts: number;
  delayMs: number;
  /** The line logged. */
  line: string;
}

export interface Supervisor {
  readonly name: string;
  /** The process running now (or the last one, while a restart waits). */
  readonly child: Child;
  readonly restarts: number;
  /** Stops it for good (SIGTERM, then SIGKILL): no restart. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL as asked (a fault): no restart until start() is called. */
  kill(): Promise<void>;
  /** Starts it again after a deliberate kill (a fault's restart). */
  start(): Child;
}

export interface SuperviseOptions {
  /** Starts the process; `restarts` is how often it was started again after dying. */
  spawn: (restarts: number) => Child;
  /** Told of every unplanned exit and restart (atix up prints it; atix run records it). */
  onUnplanned?: (u: Unplanned) => void;
  backoff?: Backoff;
}

/** Bytes in a file now (0 when there is none). */
const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * The last line of a log that reads as an error, among what was written after `from` (bytes: what
 * the process that died wrote), from its last few KB.
 */
export async function lastErrorIn(logFile: string, from = 0): Promise<string | undefined> {
  let text = "";
  try {
    const f = await open(logFile, "r");
    try {
      const { size } = await f.stat();
      const len = Math.max(0, Math.min(size - from, 16 * 1024));
      const buf = Buffer.alloc(len);
      await f.read(buf, 0, len, size - len);
      text = buf.toString("utf8");
    } finally {
      await f.close();
    }
  } catch {
    return undefined;
  }
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  // The last error it wrote; a process killed from outside (SIGKILL) may have written none.
  const line = [...lines].reverse().find((l) => /FATAL ERROR|out of memory|Error:|"level":(50|60)/.test(l));
  if (!line) return undefined;
  // A JSON log line: its message (and error) say it best.
  try {
    const j = JSON.parse(line) as { msg?: string; err?: { message?: string } };
    return [j.msg, j.err?.message].filter(Boolean).join(": ").slice(0, 300) || line.slice(0, 300);
  } catch {
    return line.slice(0, 300);
  }
}

export function supervise(name: string, opts: SuperviseOptions): Supervisor {
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  let restarts = 0;
  /** Restarts since it last ran long enough to count as healthy. */
  let consecutive = 0;
  let wanted = true;
  let timer: NodeJS.Timeout | undefined;
  let child: Child;

  const run = (): Child => {
    const c = opts.spawn(restarts);
    const logFrom = sizeOf(c.logFile);
    const startedAt = Date.now();
    child = c;
    void c.exited.then(async (code) => {
      if (!wanted || child !== c) return;
      const ranMs = Date.now() - startedAt;
      const delayMs = restartDelay(ranMs, consecutive, backoff);
      consecutive = ranMs >= backoff.healthyAfterMs ? 1 : consecutive + 1;
      restarts++;
      const reason = await lastErrorIn(c.logFile, logFrom);
      const how = c.proc.signalCode ? `signal ${c.proc.signalCode}` : `code ${code}`;
      const line = `${name} (pid ${c.proc.pid}) exited unexpectedly (${how}${reason ? `; its log ends with: ${reason}` : ""}); starting it again in ${(delayMs / 1000).toFixed(1)} s (restart ${restarts})`;
      opts.onUnplanned?.({ name, code, signal: c.proc.signalCode, ...(reason ? { reason } : {}), restarts, delayMs, line });
      timer = setTimeout(() => {
        timer = undefined;
        if (wanted && child === c) run();
      }, delayMs);
    });
    return c;
  };
  run();

  return {
    name,
    get child() {
      return child;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      wanted = false;
      clearTimeout(timer);
      await stopChild(child);
    },
    async kill() {
      wanted = false;
      clearTimeout(timer);
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
      await child.exited;
    },
    start() {
      clearTimeout(timer);
      wanted = true;
      consecutive = 0;
      return run();
    },
  };
}
