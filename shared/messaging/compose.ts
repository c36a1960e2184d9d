// Building messages: the envelope is filled in here, once, for every sender.
import { createHash } from "node:crypto";
import { v7 } from "uuid";
import { SCHEMA_VERSION, type Message, type MessageKind, type MessageOf } from "../contracts/index.ts";

type BodyOf<K extends MessageKind> = MessageOf<K>["body"];

export interface Envelope {
  sender: string;
  sentAt: string;
  correlationId?: string;
  inReplyTo?: string;
  /** A fixed id, for messages that must come out the same when re-issued after a crash. */
  id?: string;
}

export function compose<K extends MessageKind>(kind: K, body: BodyOf<K>, env: Envelope): MessageOf<K> {
  const { id, ...rest } = env;
  return { id: id ?? v7(), kind, schemaVersion: SCHEMA_VERSION, ...rest, body } as unknown as MessageOf<K>;
}

/**
 * A UUID v7 that is a pure function of a name and a time: the coordinator re-issuing an
 * escalation or an outcome after a restart produces the same id, so nothing is doubled.
 */
export function deterministicId(name: string, timeMs: number): string {
  const random = createHash("sha256").update(name).digest().subarray(0, 16);
  return v7({ msecs: Math.max(0, Math.floor(timeMs)), random: Uint8Array.from(random), seq: 0 });
}

export type { Message };
