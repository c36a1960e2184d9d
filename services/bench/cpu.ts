// Where the CPU of a sustained burst went: each process's CPU time over the burst, per delivery.
// Ratios say how far ATIX is from a baseline; this says which process the difference is in.
// Other processes are read from /proc (Linux); where that cannot be read, no figures are given.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { round } from "./stats.ts";

/** CPU seconds a process has used so far, or undefined where it cannot be read. */
export type CpuClock = () => number | undefined;

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // what Linux uses on every common architecture
    }
  }
  return ticksPerSecond;
}

/** How finely /proc counts a process's CPU time, in seconds (a clock tick). */
export const cpuTickSeconds = () => 1 / clockTicks();

/** User plus system CPU time of process `pid` (all its threads), from /proc/PID/stat. */
export function processCpu(pid: number | undefined): CpuClock {
  return () => {
    if (pid === undefined) return undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(f[11]) + Number(f[12])) / clockTicks();
    } catch {
      return undefined;
    }
  };
}

/** This process's CPU time, all threads. */
export const ownCpu: CpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** CPU microseconds per delivery, by process, and their total. */
export type CpuPerDelivery = Record<string, number>;

/** Starts measuring the named processes; `perDelivery` then divides what each used by the deliveries. */
export function cpuMeter(clocks: Record<string, CpuClock>) {
  const start = Object.fromEntries(Object.entries(clocks).map(([name, clock]) => [name, clock()]));
  return {
    perDelivery(deliveries: number): CpuPerDelivery | undefined {
      const out: CpuPerDelivery = {};
      let total = 0;
      for (const [name, clock] of Object.entries(clocks)) {
        const from = start[name];
        const to = clock();
        if (from === undefined || to === undefined) return undefined;
        out[name] = round(((to - from) * 1e6) / deliveries, 1);
        total += out[name];
      }
      return { ...out, total: round(total, 1) };
    },
  };
}
