// Peak memory of the processes a run is made of: the coordinator instance(s), the process hosting
// the agencies (the runner itself) and the broker. Linux keeps each process's peak resident set
// (VmHWM in /proc/<pid>/status), but it is gone once the process exits, so a killed or stopped
// coordinator would take its peak with it: the sampler reads every process periodically and keeps
// the highest figure seen per process. Where /proc is missing, the runner's own process falls
// back to Node's rss and the others report null.
import { readFileSync } from "node:fs";

export type ProcessGroup = "coordinator" | "agencies" | "broker";

export interface GroupPeak {
  /** Highest resident set of any one process of the group, in MB (MiB); null when never measured. */
  peakRssMb: number | null;
  /** Distinct processes sampled (a restarted coordinator counts again). */
  processes: number;
}

export type MemoryPeaks = Partial<Record<ProcessGroup, GroupPeak>>;

const KB_PER_MB = 1024;

/** VmHWM (peak) and VmRSS (now) of a live process, in kB; undefined when it is gone or unreadable. */
export function readProcessMemory(pid: number): { hwmKb: number; rssKb: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  const hwmKb = field("VmHWM");
  const rssKb = field("VmRSS");
  // A zombie has no memory lines left: nothing to learn from it.
  if (!Number.isFinite(hwmKb) && !Number.isFinite(rssKb)) return undefined;
  return { hwmKb: Number.isFinite(hwmKb) ? hwmKb : rssKb, rssKb: Number.isFinite(rssKb) ? rssKb : hwmKb };
}

export interface MemorySamplerOptions {
  /** The pids of each group, asked at every sample: coordinators come and go during faults. */
  groups: Partial<Record<ProcessGroup, () => (number | undefined)[]>>;
  /** Sampling period (default 500 ms). */
  intervalMs?: number;
}

export class MemorySampler {
  /** group → pid → highest kB seen. */
  private readonly peaks = new Map<ProcessGroup, Map<number, number>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: MemorySamplerOptions) {
    for (const g of Object.keys(opts.groups) as ProcessGroup[]) this.peaks.set(g, new Map());
  }

  start(): this {
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.opts.intervalMs ?? 500);
    // Sampling must never keep a finished run alive.
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One reading of every process now. */
  sample(): void {
    for (const [group, pidsOf] of Object.entries(this.opts.groups) as [ProcessGroup, () => (number | undefined)[]][]) {
      const seen = this.peaks.get(group)!;
      for (const pid of pidsOf()) {
        if (pid === undefined) continue;
        const kb = this.readKb(pid);
        if (kb !== undefined && kb > (seen.get(pid) ?? 0)) seen.set(pid, kb);
      }
    }
  }

  private readKb(pid: number): number | undefined {
    const m = readProcessMemory(pid);
    if (m) return Math.max(m.hwmKb, m.rssKb);
    // No /proc (not Linux): Node can still tell its own resident set.
    return pid === process.pid ? Math.round(process.memoryUsage().rss / 1024) : undefined;
  }

  /** Peaks so far, after one last reading. */
  result(): MemoryPeaks {
    this.sample();
    const out: MemoryPeaks = {};
    for (const [group, seen] of this.peaks) {
      const kb = Math.max(0, ...seen.values());
      out[group] = { peakRssMb: seen.size ? Math.round((kb / KB_PER_MB) * 10) / 10 : null, processes: seen.size };
    }
    return out;
  }
}
