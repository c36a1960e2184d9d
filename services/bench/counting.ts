// How the bench counts a sustained burst as recorded without following the audit chain in the
// measured processes. An acknowledgement counts once the exchange has recorded it; both the
// coordinator and the protocol floor's recorder ack a submission only once its audit record is
// stored. So: the agencies' process keeps a plain counter of acknowledgements stored in the
// submissions stream (no parsing), and once it has them all, the bench reads the state of the
// submissions stream's consumers (one JetStream request now and then) until nothing there is
// pending or unacknowledged. After the clock has stopped, the audit records written during the
// burst are read back and counted, so a miscount fails the run instead of flattering it.
import { type JetStreamManager } from "@nats-io/jetstream";
import { setTimeout as sleep } from "node:timers/promises";
import { streams } from "../../shared/contracts/subjects.ts";
import { waiter } from "./stats.ts";

/** What the output and the JSON say about how a delivery is counted. */
export const COUNTING =
  "a delivery counts once its acknowledgement's audit record is stored: the agencies' process counts acknowledgements stored " +
  "(a counter, no parsing), then the bench polls the submissions stream's consumers until none holds a submission pending or " +
  "unacknowledged (the coordinator, and the floor's recorder, ack a submission only once its audit record is stored); " +
  "after the clock stops, the burst's audit records are read back and must cover every delivery";

/** A running count with one waiter for a target (cumulative: the bench adds each phase's expected count to the last target). */
export class Tally {
  count = 0;
  private watch: { target: number; resolve: () => void } | undefined;

  add(k = 1) {
    this.count += k;
    if (this.watch && this.count >= this.watch.target) {
      this.watch.resolve();
      this.watch = undefined;
    }
  }

  /** Resolves once the count reaches `target`; rejects after `timeoutMs` naming `what`. */
  until(target: number, what: string, timeoutMs: number): Promise<void> {
    const w = waiter(`${what} (${this.count} of ${target})`, timeoutMs);
    if (this.count >= target) w.resolve();
    else this.watch = { target, resolve: w.resolve };
    return w.promise;
  }
}

/** Submissions not yet processed to the end, over every consumer of the submissions stream (whatever the layout names them). */
async function openSubmissions(jsm: JetStreamManager): Promise<number> {
  let open = 0;
  for await (const c of jsm.consumers.list(streams.submissions.name)) open += c.num_pending + c.num_ack_pending;
  return open;
}

/**
 * Resolves once no consumer of the submissions stream holds a submission pending or unacknowledged.
 * Polls more often as the backlog shrinks (2 ms with a handful left, 20 ms with hundreds), so the
 * end is seen within a few milliseconds at the cost of a few dozen requests a second.
 */
export async function submissionsSettled(jsm: JetStreamManager, what: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await openSubmissions(jsm);
    if (open === 0) return;
    if (Date.now() > until) throw new Error(`benchmark timed out after ${timeoutMs} ms waiting for ${what}: ${open} submissions still unprocessed`);
    await sleep(Math.min(20, Math.max(2, open / 10)));
  }
}

/** The stream sequence the next audit record will have: where reading the burst's records back starts. */
export async function nextAuditSeq(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(streams.audit.name)).state.last_seq + 1;
}

/** The submissions stream's last sequence: the burst's submissions are the difference across it. */
export async function lastSubmissionSeq(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(streams.submissions.name)).state.last_seq;
}
