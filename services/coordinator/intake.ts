// Consumes submissions durably. All instances share one durable consumer, so the stream's
// messages are split between them; a message is acked only after it was fully processed.
// Held messages are marked in progress while they wait or run, so a slow moment (a broker
// election) does not hand them to another instance as well; if the pull breaks (the node this
// instance was on died, the consumer's leader moved) it is opened again.
import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { setTimeout as sleep } from "node:timers/promises";
import { consumers, streams } from "../../shared/contracts/index.ts";
import { retryTransient } from "../../shared/nats/retry.ts";
import type { Context } from "./context.ts";
import { Lanes } from "./lanes.ts";
import { BOOKKEEPING_KINDS, type Prepared, prepare, processSubmission, type Submission } from "./process.ts";
import { YieldingQueue } from "../../shared/yielding-queue.ts";
import { NotYetKnown } from "./not-yet-known.ts";

export interface Intake {
  processed: number;
  stop(): Promise<void>;
  done: Promise<void>;
}

/** Below the consumer's ack wait (5 s): held messages are marked in progress this often. */
const WORKING_EVERY_MS = 2_000;
/** Short pulls with a heartbeat a second: a pull lost with a dead node is noticed after two missed heartbeats. */
const PULL = { expires: 5_000, idle_heartbeat: 1_000 };

export async function startIntake(ctx: Context, concurrency = 128): Promise<Intake> {
  const consumer = await retryTransient(() => ctx.js.consumers.get(streams.submissions.name, consumers.submissions));
  const lanes = new Lanes(concurrency);
  const bookkeeping = new YieldingQueue();
  const state = { processed: 0, stopping: false, messages: undefined as ConsumerMessages | undefined };
  const held = new Set<JsMsg>();
  const working = setInterval(() => held.forEach((jm) => jm.working()), WORKING_EVERY_MS);

  const handle = (jm: JsMsg) => {
    held.add(jm);
    const agency = jm.subject.split(".")[2] ?? "";
    const failed = (e: unknown) => {
      // Infrastructure trouble (timeouts, a broker election), or what it names is on its way: try again shortly.
      if (e instanceof NotYetKnown) ctx.log.info({ streamSeq: jm.seq, subject: jm.subject, reason: e.message }, "handed back: what it names is not stored yet");
      else ctx.log.error({ err: e, streamSeq: jm.seq, subject: jm.subject }, "processing failed; will retry");
      jm.nak(1_000);
      held.delete(jm);
    };
    const sub = { subject: jm.subject, data: jm.data, streamSeq: jm.seq, storedAtMs: Math.floor(jm.info.timestampNanos / 1e6), headers: jm.headers };
    // Receipts, acknowledgements and presence wait for a quiet moment; everything else goes first,
    // and holds them back until its deliveries are stored (or it is refused).
    if (BOOKKEEPING_KINDS.has(jm.subject.split(".")[3] ?? "")) return void bookkeeping.push(() => void start(jm, agency, sub, failed));
    const release = bookkeeping.hold();
    return start(jm, agency, { ...sub, delivered: release }, (e) => {
      release();
      failed(e);
    });
  };

  const start = (jm: JsMsg, agency: string, sub: Submission, failed: (e: unknown) => void) => {
    // Checked, and its id looked up, before its turn in the sender's lane.
    let prepared: Prepared;
    try {
      prepared = prepare(ctx, sub);
    } catch (e) {
      return failed(e);
    }
    return lanes.run(agency, async () => {
      const processed = await processSubmission(ctx, sub, prepared).catch(failed);
      // Its hold on the bookkeeping ends in writeOut once its deliveries are stored; here for the
      // outcomes with no deliveries, and as a safety net (releasing twice is harmless).
      const release = () => sub.delivered?.();
      if (processed?.rest) processed.rest.then(release, release);
      else release();
      if (!processed) return;
      const acked = () => {
        jm.ack();
        held.delete(jm);
        state.processed++;
        ctx.log.trace({ streamSeq: jm.seq, outcome: processed.outcome }, "processed");
      };
      // Acked only once everything it caused is stored; the sender's next submission goes ahead meanwhile.
      if (processed.rest) return { rest: processed.rest.then(acked, failed) };
      acked();
    });
  };

  const done = (async () => {
    while (!state.stopping) {
      try {
        const messages = await consumer.consume({ max_messages: concurrency * 2, ...PULL });
        state.messages = messages;
        if (state.stopping) await messages.close();
        for await (const jm of messages) await handle(jm);
      } catch (e) {
        if (!state.stopping) ctx.log.warn({ err: e }, "reading submissions failed; opening the pull again");
      }
      if (!state.stopping) await sleep(500);
    }
    await bookkeeping.drained();
    await lanes.idle();
    clearInterval(working);
  })();
  return {
    get processed() {
      return state.processed;
    },
    async stop() {
      state.stopping = true;
      await state.messages?.close();
      await done;
    },
    done,
  };
}
