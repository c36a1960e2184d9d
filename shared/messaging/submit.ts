// How an agency submits: sign with its own key, publish on its own submit subject.
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { type Message, MAX_MESSAGE_BYTES, sign, subjects } from "../contracts/index.ts";
import { publishDurably } from "./publish.ts";

export async function submit(js: JetStreamClient, seed: string, message: Message): Promise<{ message: Message; ack: PubAck }> {
  const signed = sign(message, seed);
  const data = JSON.stringify(signed);
  if (Buffer.byteLength(data) > MAX_MESSAGE_BYTES) throw new Error(`message ${message.id} is larger than ${MAX_MESSAGE_BYTES} bytes`);
  const ack = await publishDurably(js, subjects.submit(message.sender, message.kind), data, { msgID: message.id });
  return { message: signed, ack };
}
