// Refusals as nats-server really sends them, seen from one connection (a "party"). nats.js v3
// reports a refused core publish or subscription asynchronously (an "error" status on the
// connection, the subscription's `closed` resolving with the error); a refused request (JetStream
// API, JetStream publish) rejects with a RequestError whose cause is the PermissionViolationError.
// The connection stays open either way.
import { jetstream, type JetStreamClient, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { type NatsConnection, PermissionViolationError, RequestError } from "@nats-io/transport-node";
import { expect } from "vitest";
import { eventually } from "./streams-read.ts";

export interface Party {
  user: string;
  nc: NatsConnection;
  js: JetStreamClient;
  /** A manager that does not probe $JS.API.INFO first, so each call hits its own API subject. */
  jsm: JetStreamManager;
  /** Permission violations the server reported on this connection, in order. */
  violations: PermissionViolationError[];
}

/**
 * A connection whose refusals are collected. An agency's JetStream client and manager use
 * AGENCY_JS_API, like the product's (agencyJetStream): pass it as `apiPrefix`.
 */
export async function party(user: string, nc: NatsConnection, apiPrefix?: string): Promise<Party> {
  const violations: PermissionViolationError[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === "error" && s.error instanceof PermissionViolationError) violations.push(s.error);
  })();
  const prefix = apiPrefix ? { apiPrefix } : {};
  return { user, nc, js: jetstream(nc, prefix), jsm: await jetstreamManager(nc, { checkAPI: false, ...prefix }), violations };
}

export const violation = (op: "Publish" | "Subscription", subject: string) => `Permissions Violation for ${op} to "${subject}"`;

/** A request (JetStream API call or JetStream publish) the server refuses to let through. */
export async function expectRequestRefused(p: Party, call: () => Promise<unknown>, subject: string | RegExp) {
  const err = await call().then(
    (r) => {
      throw new Error(`${p.user}: expected a refusal of ${subject}, got ${JSON.stringify(r)?.slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  const cause = (err as RequestError).cause as PermissionViolationError;
  expect(cause).toBeInstanceOf(PermissionViolationError);
  expect(cause.operation).toBe("publish");
  if (typeof subject === "string") expect(cause.subject).toBe(subject);
  else expect(cause.subject).toMatch(subject);
  expect(cause.message).toBe(violation("Publish", cause.subject));
  expect((err as Error).message).toBe(cause.message);
  // Also reported on the connection, which stays open.
  await eventually(() => p.violations.some((v) => v.subject === cause.subject) || undefined, 2_000, `status error for ${cause.subject}`);
  expect(p.nc.isClosed()).toBe(false);
  return cause;
}

/** A core publish: the client cannot know, the server drops it and reports it asynchronously. */
export async function expectPublishRefused(p: Party, subject: string, data = "{}") {
  const before = p.violations.length;
  p.nc.publish(subject, data);
  await p.nc.flush(); // the server answers in order: -ERR before the PONG
  const v = await eventually(() => p.violations.slice(before).find((x) => x.operation === "publish" && x.subject === subject), 2_000, `refusal of ${subject}`);
  expect(v.message).toBe(violation("Publish", subject));
  expect(p.nc.isClosed()).toBe(false);
}

/** A subscription the server refuses: it is closed with the violation and never gets a message. */
export async function expectSubscribeRefused(p: Party, subject: string) {
  const sub = p.nc.subscribe(subject);
  const closed = await Promise.race([sub.closed, new Promise((r) => setTimeout(() => r("still open after 2 s"), 2_000))]);
  expect(closed).toBeInstanceOf(PermissionViolationError);
  expect(closed).toMatchObject({ operation: "subscription", subject, message: violation("Subscription", subject) });
  expect(sub.isClosed()).toBe(true);
  expect(p.nc.isClosed()).toBe(false);
}
