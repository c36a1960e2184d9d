// Building messages: the envelope is filled in here, once, for every sender.
// One rule for ids (docs/protocol.md §2): a UUID v7 carries simulated time, the exchange's time,
// like `sentAt` and every time in a body. A message composed here gets an id whose time is its
// `sentAt`; a deterministic id (an outcome, an escalation, a scenario's inject) is dated at the
// simulated moment it stands for. So ids sort by simulated creation time across every kind.
import { createHash, randomFillSync } from "node:crypto";
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
  return { id: id ?? idAt(Date.parse(env.sentAt)), kind, schemaVersion: SCHEMA_VERSION, ...rest, body } as unknown as MessageOf<K>;
}

/** A new UUID v7 dated `simMs` (simulated epoch ms); its other 74 bits are random. */
export const idAt = (simMs: number): string => v7({ msecs: Math.max(0, Math.floor(Number.isFinite(simMs) ? simMs : 0)), rng: pooledRandom });

// Random bytes drawn 4 KB at a time: uuid asks Web Crypto for 16 per id, a call that costs more
// than the id (every receipt and acknowledgement a node sends has one).
const pool = new Uint8Array(4096);
let poolAt = pool.length;
function pooledRandom(): Uint8Array {
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool.subarray(poolAt, (poolAt += 16));
}

/**
 * A UUID v7 that is a pure function of a name and a (simulated) time: the coordinator re-issuing
 * an escalation or an outcome after a restart produces the same id, so nothing is doubled.
 */
export function deterministicId(name: string, timeMs: number): string {
  const random = createHash("sha256").update(name).digest().subarray(0, 16);
  return v7({ msecs: Math.max(0, Math.floor(timeMs)), random: Uint8Array.from(random), seq: 0 });
}

export type { Message };
