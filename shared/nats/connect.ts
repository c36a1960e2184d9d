// One way to connect: as a named identity with its own nkey and its own inbox prefix, so
// replies meant for one agency can never reach another.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { signBytes } from "../contracts/signing.ts";
import { subjects } from "../contracts/subjects.ts";

export interface ConnectAs {
  servers: string | string[];
  /** Identity name: an agency id, "coordinator" or "observer". */
  user: string;
  /** nkey seed (SU…); omit for an unauthenticated server (tests of the raw broker only). */
  seed?: string;
  /** Human-readable connection name shown by the server's monitoring. */
  name?: string;
}

export async function connectAs(opts: ConnectAs): Promise<NatsConnection> {
  const seed = opts.seed;
  return connect({
    servers: opts.servers,
    name: opts.name ?? `atix-${opts.user}`,
    inboxPrefix: subjects.inboxPrefix(opts.user),
    // What nkeyAuthenticator does, with native Ed25519 (in JavaScript it takes ~40 ms a connection).
    ...(seed ? { authenticator: (nonce?: string) => nkeyAuth(seed, nonce) } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // Agencies in one process share the event loop; be patient with pings under load.
    pingInterval: 20_000,
  });
}

function nkeyAuth(seed: string, nonce?: string) {
  const { publicKey, signature } = signBytes(seed, new TextEncoder().encode(nonce ?? ""));
  return { nkey: publicKey, sig: nonce ? Buffer.from(signature).toString("base64url") : "" };
}
