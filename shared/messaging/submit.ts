// How an agency submits: sign with its own key, publish on its own submit subject.
import type { PubAck } from "@nats-io/jetstream";
import { type Message, MAX_MESSAGE_BYTES, sign, subjects } from "../contracts/index.ts";
import type { DurablePublisher } from "../nats/jetstream-publisher.ts";
import { publishDurably } from "./publish.ts";

export async function submit(publisher: DurablePublisher, seed: string, message: Message): Promise<{ message: Message; ack: PubAck }> {
  const signed = sign(message, seed);
  const data = JSON.stringify(signed);
  if (Buffer.byteLength(data) > MAX_MESSAGE_BYTES) throw new Error(`message ${message.id} is larger than ${MAX_MESSAGE_BYTES} bytes`);
  const ack = await publishDurably(publisher, subjects.submit(message.sender, message.kind), data, { msgID: message.id });
  return { message: signed, ack };
}
