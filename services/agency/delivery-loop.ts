// Reads one of the agency's durable consumers strictly in order: one delivery is handled before the next
// is looked at (the handler acks it once its receipt is stored, which may be a little later:
// receipts are batched). Nothing is lost: what arrives after a delivery could not be handled is
// nak'd, and what is never acked comes back. Deliveries are handed to the handler as the client
// reads them (the consumer's callback), not through an async iterator: a promise and a turn of the
// microtask queue per delivery cost the agencies' process more than the handling itself.
import type { Consumer, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../shared/log.ts";

/**
 * Handles one delivery, synchronously (deliveries are handed over as they are read); returns false
 * if it could not (the loop then re-reads from there). A delivery that fails after the handler
 * returned calls the loop's rewind().
 */
export type DeliveryHandler = (msg: JsMsg) => boolean;

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

  /** The handler's answer; false if it threw. */
  private handled(msg: JsMsg): boolean {
    try {
      return this.handle(msg);
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
      // A rewind asked for while no consume was open is what this fresh one does: it reads from
      // the first unacked delivery. Left set, it would have every delivery nak'd for ever.
      this.rewinding = false;
      let failed = false;
      let messages: ConsumerMessages | undefined;
      // After a stop or a failed delivery, everything behind it is given back (nak'd), in order.
      const onDelivery = (msg: JsMsg) => {
        if (this.stopping || failed || this.rewinding) return void msg.nak();
        if (this.handled(msg)) return;
        failed = true;
        msg.nak();
        // Not stopped from inside the client's read: stopping unsubscribes at once, and the rest of
        // what it read (deliveries behind this one) would be dropped, not nak'd, and come back only
        // after the ack wait, behind later ones. Stopped once that has been nak'd, in order.
        setImmediate(() => messages?.stop());
      };
      try {
        messages = await this.consumer.consume({ ...deliveryPull(DELIVERY_PULL_BATCH), callback: onDelivery });
        this.messages = messages;
        if (this.stopping || failed || this.rewinding) messages.stop();
        const err = await messages.closed();
        if (err && !this.stopping) this.log.warn({ err }, "reading deliveries failed; retrying");
      } catch (e) {
        if (!this.stopping) this.log.warn({ err: e }, "reading deliveries failed; retrying");
      }
      this.messages = undefined;
      if (!this.stopping) await sleep(failed || this.rewinding ? 500 : 1_000);
    }
  }
}
