// Supervision of service processes (services/launcher/supervise.ts): the back-off, the reason read
// from the log, and which exits are restarted (on its own: yes; asked to stop or killed on purpose: no).
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Child } from "../../services/launcher/children.ts";
import { DEFAULT_BACKOFF, lastErrorIn, restartDelay, supervise, type Unplanned } from "../../services/launcher/supervise.ts";

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "atix-supervise-"))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A tiny process standing in for a service: runs `code`, logs to its file. */
function child(name: string, code: string): Child {
  const logFile = join(dir, `${name}.log`);
  const proc = spawn(process.execPath, ["-e", code], { stdio: "ignore" });
  return { name, proc, logFile, exited: new Promise((r) => proc.once("exit", (c) => r(c))) };
}

describe("restartDelay", () => {
  it("doubles while it keeps dying, up to the maximum, and starts over once it ran long enough", () => {
    expect([0, 1, 2, 3].map((n) => restartDelay(1_000, n))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(restartDelay(1_000, 20)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(restartDelay(DEFAULT_BACKOFF.healthyAfterMs, 5)).toBe(500);
  });
});

describe("lastErrorIn", () => {
  it("finds what the process that died wrote last as an error, not what came before it", async () => {
    const log = join(dir, "c.log");
    await writeFile(log, `${JSON.stringify({ level: 50, msg: "an old failure" })}\n`);
    const from = statSync(log).size;
    await appendFile(log, `${JSON.stringify({ level: 30, msg: "accepted" })}\n<--- JS stacktrace --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n`);
    expect(await lastErrorIn(log, from)).toBe("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory");
    await appendFile(log, `${JSON.stringify({ level: 30, msg: "nothing wrong" })}\n`);
    expect(await lastErrorIn(log, statSync(log).size - 40)).toBeUndefined();
    expect(await lastErrorIn(join(dir, "missing.log"))).toBeUndefined();
  });
});

describe("supervise", () => {
  const fast = { firstMs: 10, maxMs: 100, healthyAfterMs: 60_000 };

  it("starts again a process that exits on its own, says why, and counts the restarts", async () => {
    const told: Unplanned[] = [];
    let starts = 0;
    const s = supervise("svc", { spawn: (restarts) => (starts++, child("svc", restarts < 2 ? "process.exit(3)" : "setTimeout(() => {}, 60_000)")), onUnplanned: (u) => void told.push(u), backoff: fast });
    // Until the third start, which runs on (it does not exit).
    await vi.waitFor(() => expect(starts).toBe(3), { timeout: 5_000, interval: 10 });
    expect(s.restarts).toBe(2);
    expect(told.map((u) => [u.restarts, u.delayMs, u.code])).toEqual([[1, 10], [2, 20]].map(([n, d]) => [n, d, 3]));
    expect(told[0]!.line).toMatch(/^svc \(pid \d+\) exited unexpectedly \(code 3\); starting it again in 0\.0 s \(restart 1\)$/);
    await s.stop();
    expect(s.child.proc.signalCode).toBe("SIGTERM");
  });

  it("does not start again what it was asked to stop or to kill, until told to start", async () => {
    const told: Unplanned[] = [];
    const s = supervise("svc2", { spawn: () => child("svc2", "setTimeout(() => {}, 60_000)"), onUnplanned: (u) => void told.push(u), backoff: fast });
    const first = s.child;
    await s.kill();
    await first.exited;
    // Longer than any restart delay: a restart, were one planned, would have come by now.
    await new Promise((r) => setTimeout(r, fast.maxMs));
    expect(first.proc.signalCode).toBe("SIGKILL");
    expect(s.child).toBe(first);
    const again = s.start();
    expect(again).not.toBe(first);
    await s.stop();
    await again.exited;
    await new Promise((r) => setTimeout(r, fast.maxMs));
    expect(s.child).toBe(again);
    expect(told).toEqual([]);
  });
});
