// Tests use the product's embedded-server launcher, so test and `atix up` start NATS the same way.
export { findNatsServerBinary, freePort, startNatsServer } from "../../shared/nats/embedded-server.ts";
export type { NatsServer, NatsServerOptions } from "../../shared/nats/embedded-server.ts";
