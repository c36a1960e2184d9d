// Each instance says it is alive once a second, re-broadcasts the exchange clock for agencies
// (which may not read the config bucket) and publishes the audit chain's signed head as it has
// read it, so every member can keep copies of it (docs/audit.md).
import type { AuditHead } from "../../shared/contracts/index.ts";
import { subjects } from "../../shared/contracts/index.ts";
import type { InvalidValue } from "../../shared/exchange/store.ts";
import type { Context } from "./context.ts";

export interface InstanceInfo {
  instance: string;
  pid: number;
  startedAt: string;
  processed: number;
  escalated: number;
  openDeliveries: number;
  auditWritten: number;
  /** Stored values this instance found failing their contract (each counted once). */
  invalidStored: number;
  lastInvalid?: InvalidValue;
  /** Submissions this instance refused as over their agency's quota. */
  rateLimited: number;
  /** Submissions pulled and waiting for their turn; being decided or written. */
  queued: number;
  inFlight: number;
  rssMb: number;
  heapUsedMb: number;
  /** Outside the V8 heap (buffers): not bounded by its limit. */
  externalMb: number;
  /** Times a supervisor started this instance again after it died. */
  restarts: number;
}

export function startHeartbeat(ctx: Context, info: () => InstanceInfo, head: () => AuditHead | undefined, everyMs = 1_000): () => void {
  const beat = () => {
    if (ctx.nc.isClosed() || ctx.nc.isDraining()) return;
    ctx.nc.publish(subjects.coordinatorHeartbeat(ctx.instance), JSON.stringify({ ...info(), at: new Date().toISOString() }));
    ctx.nc.publish(subjects.clock, JSON.stringify(ctx.clock.snapshot()));
    const h = head();
    if (h) ctx.nc.publish(subjects.auditHead, JSON.stringify(h));
  };
  beat();
  const t = setInterval(beat, everyMs);
  return () => clearInterval(t);
}
