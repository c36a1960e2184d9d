// Settling a JetStream delivery later, by its reply subject alone. A node acks a delivery once its
// receipt is stored, tens of milliseconds after reading it, and under load thousands wait at once:
// a JsMsg kept that long keeps its parsed fields and the socket read buffer its bytes are a view
// of, all of which then outlive V8's young generation. An ack is "+ACK" and a nak "-NAK" published
// to the delivery's reply subject: what JsMsg.ack() and nak() send. The subject is not tied to the
// connection the delivery came on: the server settles it by consumer and sequence. Unlike
// JsMsg.ack(), which hands a closed connection its bytes and loses them without a word, this
// throws when the connection is closed or draining: the caller knows the delivery is still unacked
// (it comes again).
import type { JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { ackSubjectOf } from "./delivery-position.ts";

export type Settlement = "ack" | "nak";

/** What settles a delivery later: its reply subject, or (a client that does not show it) the message itself. */
export type DeliveryHandle = string | Pick<JsMsg, "ack" | "nak">;

const PAYLOADS: Record<Settlement, Uint8Array> = { ack: new TextEncoder().encode("+ACK"), nak: new TextEncoder().encode("-NAK") };

/** The delivery's ack subject (delivery-position.ts), or the message when the client shows none. */
export const handleOf = (msg: JsMsg): DeliveryHandle => ackSubjectOf(msg) ?? msg;

/** Acks or naks a delivery; throws when there is no connection, or it is closed or draining. */
export function settleDelivery(nc: Pick<NatsConnection, "publish"> | undefined, handle: DeliveryHandle, how: Settlement): void {
  if (typeof handle !== "string") return how === "ack" ? handle.ack() : handle.nak();
  if (!nc) throw new Error("expected a connection to settle the delivery on; there is none");
  nc.publish(handle, PAYLOADS[how]);
}
