// Consumes submissions durably. All instances share one durable consumer, so the stream's
// messages are split between them; a message is acked only after it was fully processed.
import type { ConsumerMessages } from "@nats-io/jetstream";
import { consumers, streams } from "../../shared/contracts/index.ts";
import type { Context } from "./context.ts";
import { Lanes } from "./lanes.ts";
import { processSubmission } from "./process.ts";

export interface Intake {
  processed: number;
  stop(): Promise<void>;
  done: Promise<void>;
}

export async function startIntake(ctx: Context, concurrency = 128): Promise<Intake> {
  const consumer = await ctx.js.consumers.get(streams.submissions.name, consumers.submissions);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: concurrency * 2 });
  const lanes = new Lanes(concurrency);
  const state = { processed: 0 };
  const done = (async () => {
    for await (const jm of messages) {
      const agency = jm.subject.split(".")[2] ?? "";
      await lanes.run(agency, async () => {
        try {
          const outcome = await processSubmission(ctx, {
            subject: jm.subject,
            data: jm.data,
            streamSeq: jm.seq,
            storedAtMs: Math.floor(jm.info.timestampNanos / 1e6),
          });
          jm.ack();
          state.processed++;
          ctx.log.trace({ streamSeq: jm.seq, outcome }, "processed");
        } catch (e) {
          // Infrastructure trouble (timeouts, a broker election): try again shortly.
          ctx.log.error({ err: e, streamSeq: jm.seq, subject: jm.subject }, "processing failed; will retry");
          jm.nak(1_000);
        }
      });
    }
    await lanes.idle();
  })();
  return {
    get processed() {
      return state.processed;
    },
    async stop() {
      await messages.close();
      await done;
    },
    done,
  };
}
