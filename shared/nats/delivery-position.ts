// Where a JetStream delivery sits (its stream, stream sequence and delivery count), read from its
// reply subject without splitting it. nats.js's JsMsg.info splits the subject into a dozen strings
// and fills an object of ten fields; an agency node reads three of them for every delivery, and a
// process hosting ninety nodes reads thousands a second. The subject has two forms:
//   $JS.ACK.<stream>.<consumer>.<delivered>.<streamSeq>.<deliverySeq>.<timestamp>.<pending>
//   $JS.ACK.<domain>.<accountHash>.<stream>.<consumer>.<delivered>.<streamSeq>.<deliverySeq>.<timestamp>.<pending>[.<token>]
// (the first is what nats-server 2.9 sends). Anything else is left to nats.js, which refuses it.
import type { JsMsg } from "@nats-io/jetstream";

export interface DeliveryPosition {
  stream: string;
  streamSeq: number;
  /** 1 for a first delivery: more means redelivered. */
  deliveryCount: number;
}

/** Dot positions of the subject being read (reused: this runs per delivery). */
const dots = new Int32Array(12);

/** The position `reply` names, or undefined when it is not a JetStream ack subject of a known form. */
export function positionOf(reply: string): DeliveryPosition | undefined {
  if (!reply.startsWith("$JS.ACK.")) return undefined;
  let n = 0;
  for (let i = reply.indexOf("."); i >= 0; i = reply.indexOf(".", i + 1)) {
    if (n === dots.length) return undefined;
    dots[n++] = i;
  }
  // Tokens are one more than dots: 9 in the old form, 11 or 12 in the new.
  const tokens = n + 1;
  const at = tokens === 9 ? 2 : tokens === 11 || tokens === 12 ? 4 : -1;
  if (at < 0) return undefined;
  const s0 = dots[at - 1]! + 1;
  const s1 = dots[at]!;
  const deliveryCount = digits(reply, dots[at + 1]! + 1, dots[at + 2]!);
  const streamSeq = digits(reply, dots[at + 2]! + 1, dots[at + 3]!);
  if (s1 <= s0 || deliveryCount === undefined || streamSeq === undefined) return undefined;
  return { stream: reply.slice(s0, s1), streamSeq, deliveryCount };
}

/** The decimal number s[from, to) spells, or undefined when it is empty, not all digits, or beyond a safe integer. */
function digits(s: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 16) return undefined;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return Number.isSafeInteger(v) ? v : undefined;
}

/**
 * The delivery's JetStream ack subject: nats.js's JsMsg has it as a getter, though its type does
 * not list it. Undefined when the client shows none.
 */
export function ackSubjectOf(msg: JsMsg): string | undefined {
  const reply: unknown = (msg as { reply?: unknown }).reply;
  return typeof reply === "string" && reply.startsWith("$JS.ACK.") ? reply : undefined;
}

/** The delivery's position: from its ack subject, else (a client that does not show it) from nats.js's own reading. */
export function deliveryPosition(msg: JsMsg): DeliveryPosition {
  const reply = ackSubjectOf(msg);
  const read = reply === undefined ? undefined : positionOf(reply);
  if (read) return read;
  const { stream, streamSequence, deliveryCount } = msg.info;
  return { stream, streamSeq: streamSequence, deliveryCount };
}
