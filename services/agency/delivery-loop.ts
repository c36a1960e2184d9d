// Reads one of the agency's durable consumers strictly in order: one delivery is handled before the next
// is looked at (the handler acks it once its receipt is stored, which may be a little later:
// receipts are batched). Nothing is lost: what was pulled but not handled is nak'd in sequence
// order, so the server hands it out again first, and what is never acked comes back.
import type { Consumer, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../shared/log.ts";

/**
 * Handles one delivery; returns false if it could not (the loop then re-reads from there). A
 * delivery that fails after the handler returned calls the loop's rewind().
 */
export type DeliveryHandler = (msg: JsMsg) => boolean | Promise<boolean>;

/**
 * Small pull batches: the pulled-but-unhandled tail stays short when the node stops, and a
 * buffered delivery is handled well within the consumer's ack wait (10 s) even when hundreds
 * of nodes share one busy process (else the server would redeliver it out of order).
 * Exported: the bench's protocol floor pulls as the nodes do.
 */
export const DELIVERY_PULL_BATCH = 16;
/**
 * How a node pulls `max` deliveries at most. Pull requests expire after 5 s with a heartbeat every
 * second: a pull lost with a dead broker node (or a consumer leader that moved) is noticed after
 * two missed heartbeats, not a minute. The client asks for more once a quarter of `max` is left
 * (its default is three quarters): a pull crosses the agency's service import, which costs the
 * broker, so pulling every 4th delivery of 16 cost more than pulling every 12th.
 */
export const deliveryPull = (max: number) => ({ max_messages: max, threshold_messages: Math.max(1, Math.round(max / 4)), expires: 5_000, idle_heartbeat: 1_000 });

export class DeliveryLoop {
  private messages: ConsumerMessages | undefined;
  private stopping = false;
  private rewinding = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly handle: DeliveryHandler,
    private readonly log: Logger,
  ) {}

  start() {
    this.stopping = false;
    this.done = this.run();
  }

  /**
   * A delivery already handled could not be finished after all (its batched receipt failed and it
   * was nak'd): hand everything behind it back too and read again from there, in order.
   */
  rewind() {
    this.rewinding = true;
    this.messages?.stop();
  }

  /** Stops pulling, hands the unhandled tail back, and waits (bounded) for the current delivery. */
  async stop(waitMs = 1_000) {
    this.stopping = true;
    this.messages?.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  /** The handler's answer; false if it threw. A synchronous answer costs no promise (this runs per delivery). */
  private handled(msg: JsMsg): boolean | Promise<boolean> {
    try {
      const r = this.handle(msg);
      return typeof r === "boolean" ? r : r.catch((err: unknown) => this.failed(msg, err));
    } catch (err) {
      return this.failed(msg, err);
    }
  }

  private failed(msg: JsMsg, err: unknown): false {
    this.log.error({ err, seq: msg.seq }, "delivery handler failed");
    return false;
  }

  private async run() {
    while (!this.stopping) {
      let failed = false;
      try {
        const messages = await this.consumer.consume(deliveryPull(DELIVERY_PULL_BATCH));
        this.messages = messages;
        if (this.stopping) messages.stop();
        for await (const msg of messages) {
          // After a stop or a failed delivery, give everything behind it back, in order.
          if (this.stopping || failed || this.rewinding) {
            msg.nak();
            continue;
          }
          const h = this.handled(msg);
          if (!(typeof h === "boolean" ? h : await h)) {
            failed = true;
            msg.nak();
            messages.stop();
          }
        }
      } catch (e) {
        if (!this.stopping) this.log.warn({ err: e }, "reading deliveries failed; retrying");
      }
      failed ||= this.rewinding;
      this.rewinding = false;
      if (!this.stopping) await sleep(failed ? 500 : 1_000);
    }
  }
}
