// Follows one message's deliveries until every recipient acknowledged or its deadline passed,
// and sums them up: who got it, who acknowledged, what escalated, how fast.
import type { SimClock } from "../../shared/clock.ts";
import type { Message } from "../../shared/contracts/index.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import type { ExchangeReader } from "../../shared/exchange/config-read.ts";
import type { TrackingFollower } from "../../shared/exchange/tracking-read.ts";
import { sortedSample } from "../../shared/stats.ts";

export interface WaitInput {
  /** The exchange's config, read as the observer. */
  config: ExchangeReader;
  /** The audit chain followed from before the message was sent: its deliveries' one record. */
  tracking: TrackingFollower;
  clock: SimClock;
  message: Message;
  recipients: string[];
  deadline: string;
  /** Sim ms after the deadline when the last escalation step is due: waiting ends there. */
  escalationSpanMs: number;
  timeoutMs: number;
}

const stats = (xs: number[]) => {
  const s = sortedSample(xs);
  return { p50: s.percentile(50), p95: s.percentile(95), max: s.max() };
};
const round = (v: number | null, div: number) => (v === null ? null : Math.round((v / div) * 100) / 100);

export async function waitForAcknowledgements(w: WaitInput) {
  const started = Date.now();
  let records: TrackingRecord[] = [];
  for (;;) {
    if (w.tracking.failure) throw w.tracking.failure;
    records = w.tracking.view.ofMessage(w.message.id).filter((t) => w.recipients.includes(t.recipient));
    const clockState = await w.config.clock();
    if (clockState) w.clock.adopt(clockState);
    const allAcked = records.length === w.recipients.length && records.every((t) => t.ackAt);
    // Escalation may still bring acknowledgements (an on-call officer, a backup contact):
    // waiting ends once its last step is due, plus a moment for the records to land.
    const over = Date.parse(w.deadline) + w.escalationSpanMs + 2_000 * w.clock.speed;
    if (allAcked || w.clock.nowMs() > over || Date.now() - started > w.timeoutMs) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const speed = w.clock.speed;
  const ackSim = records.flatMap((t) => (t.ackLatencyMs !== undefined ? [t.ackLatencyMs] : []));
  const receiptSim = records.flatMap((t) => (t.receiptAt ? [Date.parse(t.receiptAt) - Date.parse(t.deliveredAt)] : []));
  const ackStats = stats(ackSim);
  const receiptStats = stats(receiptSim);
  return {
    id: w.message.id,
    kind: w.message.kind,
    from: w.message.sender,
    precedence: records[0]?.precedence,
    deadline: w.deadline,
    recipients: w.recipients,
    // Receipted: the recipient's node said it has the message. The key keeps the name `send --wait
    // --json` has always printed (scripts read it); within ATIX "delivered" is what the coordinator did.
    delivered: records.filter((t) => t.receiptAt).map((t) => t.recipient),
    acknowledged: records.filter((t) => t.ackAt).map((t) => t.recipient),
    notAcknowledged: w.recipients.filter((r) => !records.find((t) => t.recipient === r && t.ackAt)),
    acknowledgedWithinDeadline: records.filter((t) => t.withinDeadline).length,
    escalations: records.flatMap((t) =>
      Object.entries(t.escalations).filter(([, s]) => s === "done").map(([step]) => ({ recipient: t.recipient, step })),
    ),
    latency: {
      speed,
      acknowledgementSimMinutes: { p50: round(ackStats.p50, 60_000), p95: round(ackStats.p95, 60_000), max: round(ackStats.max, 60_000) },
      acknowledgementWallSeconds: { p50: round(ackStats.p50, 1000 * speed), p95: round(ackStats.p95, 1000 * speed), max: round(ackStats.max, 1000 * speed) },
      receiptWallMs: { p50: round(receiptStats.p50, speed), p95: round(receiptStats.p95, speed), max: round(receiptStats.max, speed) },
    },
    waitedWallSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
