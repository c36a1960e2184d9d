// What the broker answered, recognised by its error codes (JetStreamApiError.code is the server's
// err_code, nats-server's errors.json) and nats.js's error classes, never by message text: texts
// change between server versions, codes do not. Every place that tells one failure from another
// asks here.
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { NoRespondersError, RequestError } from "@nats-io/transport-node";

/** The server's codes ATIX tells apart: nats.js names some (JetStreamApiCodes), errors.json the rest. */
export const NatsCodes = {
  ...JetStreamApiCodes,
  /** "stream configuration validation error", e.g. 2.9 refusing to add republishing to a stream. */
  StreamInvalidConfig: 10052,
  /** "stream name already in use with a different configuration". */
  StreamNameExist: 10058,
  /** "wrong last msg ID" (Nats-Expected-Last-Msg-Id not met). */
  StreamWrongLastMsgId: 10070,
  /** "consumer name already in use". */
  ConsumerNameExist: 10013,
  /** "consumer already exists and is still active". */
  ConsumerExistingActive: 10105,
  /** "consumer already exists" (action create, servers from 2.10). */
  ConsumerAlreadyExists: 10148,
  /** Answers of a cluster in the middle of a change: no peers, unavailable, not the leader, too few resources, offline. */
  ClusterNoPeers: 10005,
  ClusterNotAvailable: 10008,
  ClusterNotLeader: 10009,
  InsufficientResources: 10023,
  StreamOffline: 10118,
} as const;

/** The server's error code of a JetStream API answer; undefined for anything else. */
export function apiCode(e: unknown): number | undefined {
  return e instanceof JetStreamApiError ? e.code : undefined;
}

const isCode = (e: unknown, ...codes: number[]) => {
  const code = apiCode(e);
  return code !== undefined && codes.includes(code);
};

export const isStreamNotFound = (e: unknown) => isCode(e, NatsCodes.StreamNotFound);
export const isConsumerNotFound = (e: unknown) => isCode(e, NatsCodes.ConsumerNotFound);
/** The stream or the consumer named does not exist. */
export const isStreamOrConsumerNotFound = (e: unknown) => isCode(e, NatsCodes.StreamNotFound, NatsCodes.ConsumerNotFound);
export const isNoMessageFound = (e: unknown) => isCode(e, NatsCodes.NoMessageFound);
/** A write whose expected last sequence (Nats-Expected-Last-Sequence, a KV revision) was not met. */
export const isWrongLastSequence = (e: unknown) => isCode(e, NatsCodes.StreamWrongLastSequence, NatsCodes.StreamWrongLastSequenceUnknown);
/** A write refused for any expectation it carried: last sequence or last msg id. */
export const isExpectationRefused = (e: unknown) => isWrongLastSequence(e) || isCode(e, NatsCodes.StreamWrongLastMsgId);
/** Creating a stream or consumer that exists already (with another configuration). */
export const isAlreadyExists = (e: unknown) =>
  isCode(e, NatsCodes.StreamNameExist, NatsCodes.ConsumerNameExist, NatsCodes.ConsumerExistingActive, NatsCodes.ConsumerAlreadyExists);
export const isInvalidStreamConfig = (e: unknown) => isCode(e, NatsCodes.StreamInvalidConfig);

/** What a cluster answers for a moment while a node is down or a leader is elected (and a stream not found yet). */
export const isTransientCode = (e: unknown) =>
  isCode(e, NatsCodes.ClusterNoPeers, NatsCodes.ClusterNotAvailable, NatsCodes.ClusterNotLeader, NatsCodes.InsufficientResources, NatsCodes.StreamOffline, NatsCodes.StreamNotFound);

/** A request nobody answers: the subject has no subscriber (or none this account may reach). */
export function isNoResponders(e: unknown): boolean {
  return e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders());
}

/**
 * Failures nats.js reports with neither a class nor a code of their own (a connection failing over,
 * a pull consumer's status): the one place a message text is read.
 */
const TRANSIENT =
  /timeout|no responders|jetstream not enabled|temporarily unavailable|stream not found|stream is offline|no suitable peers|insufficient resources|leader|disconnect|reconnect/i;

/** True for a failure that a retry a moment later may not meet (the error or any of its causes). */
export function isTransient(e: unknown): boolean {
  let x = e as { message?: unknown; name?: unknown; status?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; x && depth < 5; depth++, x = x.cause as typeof x) {
    if (x.status === 503 || x.name === "TimeoutError" || x.name === "JetStreamNotEnabled" || isNoResponders(x) || isTransientCode(x)) return true;
    if (TRANSIENT.test(String(x.message ?? ""))) return true;
  }
  return false;
}
