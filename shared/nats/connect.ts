// One way to connect: as a named identity with its own nkey and its own inbox prefix, so
// replies meant for one agency can never reach another.
import { jetstream, type JetStreamClient, type JetStreamOptions } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { signBytes } from "../contracts/signing.ts";
import { AGENCY_JS_API, JS_API, subjects } from "../contracts/subjects.ts";

/** The coordinators' NATS user: the one identity in the exchange's own account. */
export const COORDINATOR_USER = "coordinator";

export interface ConnectAs {
  /** A URL, several comma-separated (a cluster, as exchange.json names it), or a list. */
  servers: string | string[];
  /** Identity name: an agency id, "coordinator" or "observer". */
  user: string;
  /**
   * nkey seed (SU…), or a function asked at every (re)connect for the seed to log in with (an
   * agency whose key was rotated); omit for an unauthenticated server (tests of the raw broker only).
   */
  seed?: string | (() => string);
  /** Human-readable connection name shown by the server's monitoring. */
  name?: string;
}

// Connections made with an identity's nkey, and the user. Only the generated configuration
// (accounts, see shared/exchange/server-config.ts) authenticates, so these are the ones the
// exchange's accounts apply to.
const inAccounts = new WeakMap<NatsConnection, string>();

export async function connectAs(opts: ConnectAs): Promise<NatsConnection> {
  const seed = opts.seed;
  const nc = await connect({
    servers: serverList(opts.servers),
    name: opts.name ?? `atix-${opts.user}`,
    inboxPrefix: subjects.inboxPrefix(opts.user),
    // What nkeyAuthenticator does, with native Ed25519 (in JavaScript it takes ~40 ms a connection).
    ...(seed ? { authenticator: (nonce?: string) => nkeyAuth(typeof seed === "string" ? seed : seed(), nonce) } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // Agencies in one process share the event loop; be patient with pings under load.
    pingInterval: 20_000,
    // nats.js otherwise builds an Error with a stack trace for every request (each JetStream
    // publish and KV write) in case it fails: a sixth of the coordinator's CPU under load.
    noAsyncTraces: true,
  });
  if (seed) inAccounts.set(nc, opts.user);
  return nc;
}

/**
 * The JetStream client for an agency's connection; use it wherever an agency talks to JetStream.
 * Connected with its nkey (the exchange runs with accounts), an agency reaches the exchange's
 * JetStream only through the API prefix its account imports (AGENCY_JS_API); on an
 * unauthenticated server (tests of the raw broker) there are no accounts and the plain API applies.
 * Publishing (submissions) is the same either way: only API calls carry the prefix.
 */
export function agencyJetStream(nc: NatsConnection, opts: Omit<JetStreamOptions, "apiPrefix" | "domain"> = {}): JetStreamClient {
  return jetstream(nc, { ...opts, apiPrefix: jsApiPrefix(nc) });
}

/**
 * The JetStream API prefix of a connection: the plain API for the coordinator (the exchange's own
 * account) and on a server without accounts; AGENCY_JS_API for an agency or the observer, each in
 * an account of its own that imports the few calls it may make under that name.
 */
export function jsApiPrefix(nc: NatsConnection): string {
  const user = inAccounts.get(nc);
  return user === undefined || user === COORDINATOR_USER ? JS_API : AGENCY_JS_API;
}

/** "nats://a:1,nats://b:2" or a list: every server URL, trimmed, none empty. */
export function serverList(servers: string | string[]): string[] {
  const list = (Array.isArray(servers) ? servers : [servers]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new Error("servers: expected at least one NATS URL, got none");
  return list;
}

function nkeyAuth(seed: string, nonce?: string) {
  const { publicKey, signature } = signBytes(seed, new TextEncoder().encode(nonce ?? ""));
  return { nkey: publicKey, sig: nonce ? Buffer.from(signature).toString("base64url") : "" };
}
