// Garbage collection in the bench's own process over a burst: the agencies (ATIX's nodes, or the
// floor's) run here, and under load their collections are a large part of what they cost. What a
// collection paused the main thread is reported per delivery, by kind; V8's helper threads' share
// shows only in the process's CPU (cpu.ts). Read from perf_hooks' "gc" entries.
import { constants, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import { round } from "./stats.ts";

export interface GcPerDelivery {
  /** Collections over the burst: scavenges (young generation) and the rest (mark-compact, incremental steps, weak callbacks). */
  scavenges: number;
  others: number;
  /** Main-thread pause per delivery, µs: all collections, and the scavenges alone. */
  pauseMicros: number;
  scavengeMicros: number;
}

/** Starts counting collections; `perDelivery` stops and divides the pauses by the deliveries. */
export function gcMeter() {
  const seen = { scavenges: 0, others: 0, pauseMs: 0, scavengeMs: 0 };
  const count = (entries: PerformanceEntry[]) => {
    for (const e of entries) {
      seen.pauseMs += e.duration;
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        seen.scavenges++;
        seen.scavengeMs += e.duration;
      } else seen.others++;
    }
  };
  const observer = new PerformanceObserver((list) => count(list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  return {
    perDelivery(deliveries: number): GcPerDelivery {
      // Entries made but not yet handed to the callback count too.
      count(observer.takeRecords());
      observer.disconnect();
      const per = (ms: number) => round((ms * 1000) / Math.max(1, deliveries), 1);
      return { scavenges: seen.scavenges, others: seen.others, pauseMicros: per(seen.pauseMs), scavengeMicros: per(seen.scavengeMs) };
    },
  };
}
