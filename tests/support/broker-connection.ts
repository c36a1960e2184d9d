// One connection to the run's own broker (tests/setup/global-nats.ts) for the tests of a describe
// block: opened before they run, drained after.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, inject } from "vitest";

export function brokerConnection(): { readonly nc: NatsConnection } {
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    nc = await connect({ servers: inject("natsUrl") });
  });
  afterAll(async () => {
    await nc?.drain();
  });
  return {
    get nc() {
      if (!nc) throw new Error("expected the broker connection to be open: use it inside a test, not while the suite is collected");
      return nc;
    },
  };
}
