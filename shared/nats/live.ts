// Live subjects (the clock, heartbeats, presence, the registry as it changes) carry plain core
// NATS messages. A JetStream answer carries the stream it came from: a client that may ask for one
// (the observer, a direct get of the config bucket, say) may also name any subject it can reach
// as the reply, and so put an old stored value on a live subject in its own account, where every
// other client of that account reads it. Followers of live subjects pass such copies over.
import { DirectMsgHeaders } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";

/** Whether a message on a live subject is a stored copy steered there (see the header). */
export const isStoredCopy = (m: Pick<Msg, "headers">): boolean => !!m.headers?.get(DirectMsgHeaders.Stream);

/** Subscribes to a live subject: `onMessage` gets what was broadcast on it, never a stored copy or an error. */
export function followLive(nc: NatsConnection, subject: string, onMessage: (m: Msg) => void): Subscription {
  return nc.subscribe(subject, {
    callback: (err, m) => {
      if (!err && !isStoredCopy(m)) onMessage(m);
    },
  });
}
