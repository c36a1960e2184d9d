// A pulled submission while it waits for its turn and is processed, detached from the socket
// buffer it arrived in. nats.js hands out each message as a view into the buffer it read from the
// socket (64 KiB or more): a coordinator holding hundreds of submissions would hold hundreds of
// such buffers, several times the submissions' own size, outside the heap and its limit. So what
// is needed is copied out (the payload, the ack subject) and the message itself is let go; acks
// are JetStream's ack protocol on the message's reply subject, as nats.js's JsMsg sends them.
import type { JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

const ACK = "+ACK";
const WORKING = "+WPI";

export class HeldSubmission {
  readonly subject: string;
  /** The payload, copied: the exact bytes the sender signed. */
  readonly data: Uint8Array;
  /** Its stream sequence. */
  readonly seq: number;
  /** When the stream stored it (wall ms). */
  readonly storedAtMs: number;
  /** Delivered before (handed back, or held by an instance that died). */
  readonly redelivered: boolean;
  /** The id it was published under (`Nats-Msg-Id`): names it when its body has none readable. */
  readonly msgIdHeader: string | undefined;
  private readonly reply: string;
  private answered = false;
  /** When its ack wait last started (wall ms): when it was taken up, or told working. */
  private ackWaitFrom = Date.now();

  constructor(
    private readonly nc: NatsConnection,
    jm: JsMsg,
  ) {
    this.subject = jm.subject;
    // The ack subject: public on the message nats.js makes (JsMsgImpl), not on the JsMsg interface.
    this.reply = (jm as JsMsg & { readonly reply: string }).reply;
    this.seq = jm.seq;
    this.storedAtMs = Math.floor(jm.info.timestampNanos / 1e6);
    this.redelivered = jm.info.redelivered;
    this.msgIdHeader = jm.headers?.get("Nats-Msg-Id") || undefined;
    this.data = jm.data.slice();
  }

  /** Done with: the stream does not hand it out again. Once only (as every answer below). */
  ack() {
    this.answer(ACK);
  }

  /** Handed back, to be delivered again after `delayMs` (at once without one). */
  nak(delayMs?: number) {
    this.answer(delayMs ? `-NAK ${JSON.stringify({ delay: delayMs * 1_000_000 })}` : "-NAK");
  }

  /**
   * Still being worked on, `afterMs` or more since its ack wait started: the ack wait starts again.
   * Sooner than that it is left alone: most submissions are answered within a second or two, and
   * each "working" is a message for the coordinator and the broker.
   */
  keepAlive(nowMs: number, afterMs: number) {
    if (this.answered || !workingDue(this.ackWaitFrom, nowMs, afterMs) || this.nc.isClosed()) return;
    this.ackWaitFrom = nowMs;
    this.nc.publish(this.reply, WORKING);
  }

  private answer(payload: string) {
    if (this.answered) return;
    this.answered = true;
    // After stop() the connection may be closed: the stream hands it out again after its ack wait.
    if (!this.nc.isClosed()) this.nc.publish(this.reply, payload);
  }
}

/** Whether a submission held since `ackWaitFromMs` is due a "working" (its ack wait restarted) at `nowMs`. */
export const workingDue = (ackWaitFromMs: number, nowMs: number, afterMs: number): boolean => nowMs - ackWaitFromMs >= afterMs;
