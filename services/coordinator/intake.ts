// Consumes submissions durably and fairly. Each agency's submissions are a queue of their own in
// the stream (its durable consumer, shared by every coordinator instance), and the stream is where
// they wait: an instance pulls from each queue only what it can work on (a few per agency), so
// memory does not grow with any backlog. What it pulled is decided in a fair order (fair-queue.ts),
// each submission judged against its agency's quota first (quota.ts), and acked only after it was
// fully processed. Held messages are marked in progress while they wait or run, so a slow moment
// does not hand them to another instance as well; a pull that breaks (its node died, the consumer's
// leader moved) is opened again.
import type { ConsumerMessages } from "@nats-io/jetstream";
import { setTimeout as sleep } from "node:timers/promises";
import { consumers, streams } from "../../shared/contracts/index.ts";
import { retryTransient } from "../../shared/nats/retry.ts";
import type { Context } from "./context.ts";
import { FAIR_LIMITS, FairQueue, type Urgency } from "./fair-queue.ts";
import { HeldSubmission } from "./held-submission.ts";
import { checkSubmission } from "./checks.ts";
import { BOOKKEEPING_KINDS, type Submission } from "./decide.ts";
import { type Prepared, type Processed, SubmissionRunner } from "./submission-runner.ts";
import { answered, handedBack, isIdle, judgeQuota, newQuotaState, type QuotaState } from "./quota.ts";
import type { RejectionReason } from "../../shared/contracts/index.ts";

export interface SubmissionIntake {
  processed: number;
  /** Submissions refused `rate-limited` by this instance. */
  rateLimited: number;
  /** Pulled and waiting for their turn / being decided or written. */
  readonly queued: number;
  readonly inFlight: number;
  /** Starts reading the queues of agencies added to the registry. */
  follow(agencies: readonly string[]): void;
  stop(): Promise<void>;
  done: Promise<void>;
}

/**
 * A held submission is marked in progress once its ack wait (5 s, SUBMISSION_READING) has run this
 * long, looked for this often: it is told at most 2 s after its wait began, leaving a busy event
 * loop 3 s before the stream would hand it out again.
 */
const WORKING_AFTER_MS = 1_500;
const WORKING_CHECK_MS = 500;
/**
 * The most open deliveries (not yet acknowledged) this instance tracks: at this many, messages
 * that would add deliveries wait in the stream while receipts and acknowledgements go on. About
 * 230 bytes each in memory: the bound that keeps tracking within the coordinator's heap.
 */
export const MAX_OPEN_DELIVERIES = 120_000;
/**
 * One agency's messages may hold at most this many of them: beyond, its alerts wait while the
 * others' go on (one flood cannot fill the exchange's capacity for everyone). Above what
 * `atix bench` sends at once (400 FLASH broadcasts to 89).
 */
export const OPEN_DELIVERIES_PER_AGENCY = 60_000;
/**
 * Audit records waiting to be written at which bookkeeping waits until the writer catches up, and
 * at twice as many, everything: alerts' records go first in the writer (urgent), so they may start
 * a while longer.
 */
const MAX_AUDIT_BACKLOG = 4_000;
/** Re-checked this often while a limit (or an alert's hold on bookkeeping) holds work back. */
const BACKPRESSURE_RETRY_MS = 10;

/**
 * Pulls sized to the number of queues: each queue's idle pull is renewed every `expires` and says
 * it is alive every `idle_heartbeat` (two missed and it is opened again). With a thousand agencies
 * the broker would otherwise answer a thousand heartbeats a second per instance.
 */
export function pullOptions(queues: number) {
  const idle_heartbeat = Math.min(5_000, Math.max(1_000, queues * 5));
  return { max_messages: FAIR_LIMITS.queuePerSender, idle_heartbeat, expires: 5 * idle_heartbeat };
}

interface Work {
  sender: string;
  urgency: Urgency;
  jm: HeldSubmission;
  sub: Submission;
  prepared?: Prepared;
  overQuota?: RejectionReason;
}

/** FLASH alerts and RFIs (or an update raising an alert to FLASH) go first within what is fair. */
function isFlash(p: Prepared): boolean {
  if (!p.checked.ok) return false;
  const m = p.checked.message;
  if (m.kind === "alert" || m.kind === "rfi") return m.body.precedence === "FLASH";
  return m.kind === "alert-update" && m.body.changes.precedence === "FLASH";
}

/**
 * Checks a submission (pure: parse, contract, signature) and starts reading its id's seen record,
 * so that both happen while the sender's earlier submissions are still being decided, and a FLASH
 * alert is known as one before its turn.
 */
function prepare(ctx: Context, sub: Submission): Prepared {
  // Anything after the agency is the kind: `atix.submit.TR.alert.extra` names kind "alert.extra",
  // which no message has, so it is refused rather than read as an alert.
  const [, , agency = "", ...kindTokens] = sub.subject.split(".");
  const checked = checkSubmission(sub.data, agency, kindTokens.join("."), ctx.registry(), sub.storedAtMs);
  if (!checked.ok || BOOKKEEPING_KINDS.has(checked.message.kind)) return { sub, agency, checked };
  const seen = ctx.store.seen.get(checked.message.id);
  seen.catch(() => undefined); // awaited in its turn; a failure is reported there
  return { sub, agency, checked, seen };
}

export async function startIntake(ctx: Context): Promise<SubmissionIntake> {
  const runner = new SubmissionRunner(ctx);
  const queue = new FairQueue<Work>();
  const quotas = new Map<string, QuotaState>();
  const state = { processed: 0, rateLimited: 0, stopping: false };
  const pulls = new Map<string, { messages?: ConsumerMessages; done: Promise<void> }>();
  const held = new Set<HeldSubmission>();
  const working = setInterval(() => {
    const now = Date.now();
    for (const jm of held) jm.keepAlive(now, WORKING_AFTER_MS);
  }, WORKING_CHECK_MS);
  /** Pullers waiting for room in their agency's queue. */
  const waitingForRoom = new Map<string, () => void>();

  const quotaOf = (sender: string) => {
    let q = quotas.get(sender);
    if (!q) quotas.set(sender, (q = newQuotaState(ctx.settings().quotas)));
    return q;
  };
  // Agencies quiet long enough to have their whole quota back are forgotten.
  const forgetQuiet = setInterval(() => {
    const now = Date.now();
    for (const [id, q] of quotas) if (isIdle(q, now, ctx.settings().quotas)) quotas.delete(id);
  }, 60_000);

  const roomFor = (sender: string) => {
    if (queue.hasRoom(sender)) return;
    return new Promise<void>((r) => waitingForRoom.set(sender, r));
  };
  const wakeUp = (sender: string) => {
    if (!queue.hasRoom(sender)) return;
    const w = waitingForRoom.get(sender);
    waitingForRoom.delete(sender);
    w?.();
  };

  /** Takes a pulled submission up: judged against the quota, checked if urgent, queued. */
  const admit = (sender: string, jm: HeldSubmission) => {
    held.add(jm);
    const kind = jm.subject.split(".")[3] ?? "";
    const sub: Submission = { subject: jm.subject, data: jm.data, streamSeq: jm.seq, storedAtMs: jm.storedAtMs, msgIdHeader: jm.msgIdHeader, redelivered: jm.redelivered };
    const q = quotaOf(sender);
    // A submission handed back and delivered again was judged the first time.
    const verdict = jm.redelivered ? (q.unanswered++, { ok: true as const }) : judgeQuota(q, sender, sub.storedAtMs, ctx.settings().quotas);
    const bookkeeping = BOOKKEEPING_KINDS.has(kind);
    if (!verdict.ok) return queue.offer({ sender, urgency: bookkeeping ? 2 : 1, jm, sub, overQuota: verdict.reason });
    if (bookkeeping) return queue.offer({ sender, urgency: 2, jm, sub });
    // Checked (and its id looked up) now, while earlier submissions are decided: FLASH is known.
    let prepared: Prepared;
    try {
      prepared = prepare(ctx, sub);
    } catch (e) {
      return handBack({ sender, urgency: 1, jm, sub }, e);
    }
    queue.offer({ sender, urgency: isFlash(prepared) ? 0 : 1, jm, sub, prepared });
  };

  const settleOne = (w: Work) => {
    held.delete(w.jm);
    queue.released(w);
    wakeUp(w.sender);
    schedule();
  };

  /** Infrastructure trouble (timeouts, a broker election), or a decision to judge it again later (`retry`): tried again shortly. */
  const handBack = (w: Work, e: unknown, retry?: Processed["retry"]) => {
    if (retry?.notYetKnown) ctx.log.info({ streamSeq: w.jm.seq, subject: w.jm.subject, reason: retry.reason }, "handed back: what it names is not stored yet");
    else ctx.log.error({ err: retry ? new Error(retry.reason) : e, streamSeq: w.jm.seq, subject: w.jm.subject }, "processing failed; will retry");
    w.jm.nak(1_000);
    handedBack(quotaOf(w.sender));
    held.delete(w.jm);
  };
  /** A started submission that failed in its decision: handed back, and its agency's turn goes on. */
  const fail = (w: Work, e: unknown, retry?: Processed["retry"]) => {
    handBack(w, e, retry);
    queue.decided(w.sender);
    settleOne(w);
  };
  /** Bookkeeping waits while an alert is decided and fanned out; its release looks for work again. */
  const hold = () => {
    const release = queue.hold();
    return () => {
      release();
      schedule();
    };
  };

  const start = (w: Work) => {
    const release = w.overQuota || !w.prepared?.checked.ok ? () => undefined : hold();
    let prepared = w.prepared;
    if (!w.overQuota && !prepared) {
      try {
        prepared = prepare(ctx, w.sub);
      } catch (e) {
        release();
        return fail(w, e);
      }
    }
    const processing = w.overQuota ? runner.refuseOverQuota(w.sub, w.overQuota) : runner.run(prepared!);
    processing.then(
      (processed) => {
        if (processed.retry) {
          release();
          return fail(w, undefined, processed.retry);
        }
        // Bookkeeping waiting behind an alert goes on once its deliveries are stored.
        processed.delivered?.then(release, release);
        if (processed.rateLimited) state.rateLimited++;
        // The next submission of the same agency is decided while this one's writes go on.
        queue.decided(w.sender);
        schedule();
        const acked = () => {
          release();
          w.jm.ack();
          answered(quotaOf(w.sender), Date.now(), ctx.settings().quotas);
          state.processed++;
          if (ctx.log.isLevelEnabled("trace")) ctx.log.trace({ streamSeq: w.jm.seq, outcome: processed.outcome }, "processed");
          settleOne(w);
        };
        // Acked only once everything it caused is stored.
        if (processed.rest) processed.rest.then(acked, (e) => (release(), handBack(w, e), settleOne(w)));
        else acked();
      },
      (e) => {
        release();
        fail(w, e);
      },
    );
  };

  // Started in slices of about 2 ms per turn of the event loop, so that what arrives meanwhile
  // (a FLASH alert) is read and queued before the next slice.
  let scheduled = false;
  let retry: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (scheduled || state.stopping) return;
    scheduled = true;
    setImmediate(pump);
  };
  const pump = () => {
    scheduled = false;
    const until = performance.now() + FAIR_LIMITS.sliceMs;
    let waiting = false;
    for (;;) {
      const backlog = ctx.audit.backlog;
      if (backlog >= 2 * MAX_AUDIT_BACKLOG) {
        waiting = queue.queued > 0;
        break;
      }
      const now = performance.now();
      const room = ctx.tracking.openCount < MAX_OPEN_DELIVERIES;
      const w = queue.next(now, { urgent: (sender) => room && ctx.tracking.openOf(sender) < OPEN_DELIVERIES_PER_AGENCY, bookkeeping: backlog < MAX_AUDIT_BACKLOG });
      if (!w) {
        // Held back by a limit, or bookkeeping waiting out an alert's hold: looked at again soon.
        waiting = queue.queued > 0 && queue.inFlight < FAIR_LIMITS.slots;
        break;
      }
      start(w);
      // Its place in the agency's queue is free: the next can be pulled in.
      wakeUp(w.sender);
      if (performance.now() >= until) return schedule();
    }
    if (waiting && !retry) retry = setTimeout(() => ((retry = undefined), schedule()), BACKPRESSURE_RETRY_MS);
  };

  const pullFrom = (sender: string) => {
    const entry: { messages?: ConsumerMessages; done: Promise<void> } = { done: Promise.resolve() };
    entry.done = (async () => {
      while (!state.stopping) {
        try {
          const consumer = await retryTransient(() => ctx.js.consumers.get(streams.submissions.name, consumers.submissionsOf(sender)));
          const messages = await consumer.consume(pullOptions(Math.max(pulls.size, ctx.registry().ids.length)));
          entry.messages = messages;
          // Stopped while it was opened: ended, not awaited (closing waits for the loop below to end).
          if (state.stopping) messages.stop();
          for await (const m of messages) {
            // Detached from the buffer it came in, before it waits anywhere.
            const jm = new HeldSubmission(ctx.nc, m);
            if (state.stopping) {
              jm.nak();
              continue;
            }
            await roomFor(sender);
            if (state.stopping) {
              jm.nak();
              continue;
            }
            admit(sender, jm);
            schedule();
          }
        } catch (e) {
          if (!state.stopping) ctx.log.warn({ err: e, agency: sender }, "reading an agency's submissions failed; opening the pull again");
        }
        if (!state.stopping) await sleep(500);
      }
    })();
    pulls.set(sender, entry);
  };

  const follow = (agencies: readonly string[]) => {
    for (const a of agencies) if (!pulls.has(a) && !state.stopping) pullFrom(a);
  };
  follow(ctx.registry().ids);

  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));

  return {
    get processed() {
      return state.processed;
    },
    get rateLimited() {
      return state.rateLimited;
    },
    get queued() {
      return queue.queued;
    },
    get inFlight() {
      return queue.inFlight;
    },
    follow,
    async stop() {
      state.stopping = true;
      clearTimeout(retry);
      clearInterval(forgetQuiet);
      waitingForRoom.forEach((w) => w());
      await Promise.all([...pulls.values()].map((p) => p.messages?.close()));
      // What waited for its turn goes back to the stream at once (another instance takes it).
      for (const w of queue.takeAllQueued()) {
        w.jm.nak();
        held.delete(w.jm);
      }
      await Promise.all([...pulls.values()].map((p) => p.done));
      while (queue.inFlight > 0) await sleep(20);
      clearInterval(working);
      stopped();
    },
    done,
  };
}
