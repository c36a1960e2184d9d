// An agency's keys and their validity, decided without a broker (Given/When/Then): which key a
// submission or a delivery may be signed with, what registering a new key does to the old one,
// which keys log in, which seed a node signs with, and what the coordinator tells a sender.
import { createUser } from "@nats-io/nkeys";
import { describe, expect, it } from "vitest";
import { checkSubmission } from "../../services/coordinator/checks.ts";
import { senderKeysOf, storedAt, verifyDelivery } from "../../services/agency/verify-delivery.ts";
import { type AgencyRegistryEntry, type Message, sign, SUBMITTED_AT_HEADER } from "../../shared/contracts/index.ts";
import { authKeys, keyOf, nextKeyEnd, registerKey, signingKey, validAt } from "../../shared/exchange/agency-keys.ts";
import { Registry, type RegistryData } from "../../shared/exchange/registry.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { clone, examples } from "../support/examples.ts";

const pair = () => {
  const k = createUser();
  return { seed: new TextDecoder().decode(k.getSeed()), publicKey: k.getPublicKey() };
};
const T0 = Date.parse("2026-09-21T08:00:00Z");
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe("registering an agency's new key", () => {
  const old = pair();
  const fresh = pair();
  const entry = { id: "TJ", publicKey: old.publicKey };

  it("given a key without bounds, when a new one is registered, then the old one ends after the overlap and the new one starts now", () => {
    const r = registerKey(entry, fresh.publicKey, T0, HOUR);
    expect(r).toEqual({
      change: "registered",
      publicKey: fresh.publicKey,
      keys: [{ publicKey: old.publicKey, validUntil: iso(T0 + HOUR) }, { publicKey: fresh.publicKey, validFrom: iso(T0) }],
      retiring: [{ publicKey: old.publicKey, validUntil: iso(T0 + HOUR) }],
    });
  });

  it("given the key it has, when registered again, then nothing changes; a replaced key never comes back", () => {
    expect(registerKey(entry, old.publicKey, T0, HOUR)).toEqual({ change: "none" });
    const r = registerKey(entry, fresh.publicKey, T0, HOUR);
    if (r.change !== "registered") throw new Error("expected a registration");
    const back = registerKey({ id: "TJ", publicKey: fresh.publicKey, keys: r.keys }, old.publicKey, T0 + 2 * HOUR, HOUR);
    expect(back.change).toBe("refused");
    expect(back.change === "refused" && back.reason).toContain("cannot be registered again");
  });

  it("given a rotation in its overlap, when another key comes, then an earlier end stands and the latest key is current", () => {
    const first = registerKey(entry, fresh.publicKey, T0, HOUR);
    if (first.change !== "registered") throw new Error("expected a registration");
    const third = pair();
    const r = registerKey({ id: "TJ", publicKey: fresh.publicKey, keys: first.keys }, third.publicKey, T0 + 60_000, 3 * HOUR);
    expect(r.change === "registered" && r.keys).toEqual([
      { publicKey: old.publicKey, validUntil: iso(T0 + HOUR) },
      { publicKey: fresh.publicKey, validFrom: iso(T0), validUntil: iso(T0 + 60_000 + 3 * HOUR) },
      { publicKey: third.publicKey, validFrom: iso(T0 + 60_000) },
    ]);
  });
});

describe("which key is valid when", () => {
  const old = pair();
  const fresh = pair();
  const rotated: AgencyRegistryEntry = {
    id: "TJ", name: "GKNB", country: "Tajikistan", region: "central-asia", organisations: [], sharingGroups: [], timezone: "Asia/Dushanbe",
    duty: { profile: "24/7", ackDelay: { medianMinutes: 2, p95Minutes: 4 }, nightFactor: 1, nightHours: { from: 22, to: 7 } },
    external: true,
    publicKey: fresh.publicKey,
    keys: [{ publicKey: old.publicKey, validUntil: iso(T0 + HOUR) }, { publicKey: fresh.publicKey, validFrom: iso(T0) }],
  };

  it("judges the moment the exchange stored the message: the old key until its end, the new one from its start", () => {
    const o = keyOf(rotated, old.publicKey)!;
    const n = keyOf(rotated, fresh.publicKey)!;
    expect(validAt("TJ", o, T0 + HOUR - 1)).toEqual({ ok: true });
    expect(validAt("TJ", o, T0 + HOUR)).toMatchObject({ ok: false, reason: expect.stringContaining(`was retired at ${iso(T0 + HOUR)}`) });
    expect(validAt("TJ", n, T0 - 1)).toMatchObject({ ok: false, reason: expect.stringContaining("valid only from") });
    expect(validAt("TJ", n, T0)).toEqual({ ok: true });
    expect(keyOf(rotated, pair().publicKey)).toBeUndefined();
  });

  it("lets both keys log in during the overlap, only the new one after; the broker's accounts change at the old key's end", () => {
    expect(authKeys(rotated, T0 + 1)).toEqual([old.publicKey, fresh.publicKey]);
    expect(authKeys(rotated, T0 + HOUR)).toEqual([fresh.publicKey]);
    expect(nextKeyEnd([rotated], T0)).toBe(T0 + HOUR);
    expect(nextKeyEnd([rotated], T0 + HOUR)).toBeUndefined();
  });

  it("signs with the newest key the registry lists as valid, among those whose seeds the node holds", () => {
    const both = new Set([old.publicKey, fresh.publicKey]);
    expect(signingKey(rotated, both, T0 + 1)).toBe(fresh.publicKey);
    expect(signingKey(rotated, new Set([old.publicKey]), T0 + 1)).toBe(old.publicKey);
    expect(signingKey(rotated, new Set([old.publicKey]), T0 + HOUR)).toBeUndefined();
    // Rotated on the agency's side, not registered yet: the old key still signs.
    const notYet = { ...rotated, publicKey: old.publicKey, keys: undefined };
    expect(signingKey(notYet, both, T0 + 1)).toBe(old.publicKey);
  });

  const registryData: RegistryData = { name: "t", agencies: [rotated], organisations: [], sharingGroups: [], coordinators: [] };
  const alertSignedWith = (seed: string) => {
    const body = { ...clone(examples.alert).body, distribution: { all: true } } as Extract<Message, { kind: "alert" }>["body"];
    delete (body as { validUntil?: string }).validUntil;
    const m = sign(compose("alert", body, { sender: "TJ", sentAt: iso(T0 + 2 * HOUR) }), seed);
    return new TextEncoder().encode(JSON.stringify(m));
  };

  it("the coordinator refuses a new submission signed with the retired key as bad-signature, saying it was retired", () => {
    const registry = new Registry(registryData);
    const data = alertSignedWith(old.seed);
    const before = checkSubmission(data, "TJ", "alert", registry, T0 + HOUR - 1);
    expect(before).toMatchObject({ ok: true, keyEnds: iso(T0 + HOUR) });
    // Backdating sentAt does not help: the stream's own timestamp decides.
    const after = checkSubmission(data, "TJ", "alert", registry, T0 + HOUR);
    expect(after.ok).toBe(false);
    expect(!after.ok && after.reasons[0]).toMatchObject({ code: "bad-signature", path: "signature.key", message: expect.stringContaining("was retired at") });
    expect(checkSubmission(alertSignedWith(fresh.seed), "TJ", "alert", registry, T0 + HOUR)).toMatchObject({ ok: true });
    const stranger = checkSubmission(alertSignedWith(pair().seed), "TJ", "alert", registry, T0 + 1);
    expect(!stranger.ok && stranger.reasons[0]).toMatchObject({ code: "bad-signature", path: "signature.key", message: expect.stringContaining("is not a key of TJ") });
  });

  it("a node believes a delivery the retired key signed while it was valid, by the submission's time when the coordinator gives it", () => {
    const keys = senderKeysOf(registryData);
    const data = alertSignedWith(old.seed);
    const m = JSON.parse(new TextDecoder().decode(data)) as Message;
    const stored = (ms: number, submitted?: number) => ({
      info: { timestampNanos: ms * 1e6 },
      headers: submitted === undefined ? undefined : { get: (k: string) => (k === SUBMITTED_AT_HEADER ? iso(submitted) : "") },
    });
    expect(verifyDelivery(m, data, keys, stored(T0 + 10))).toEqual({ ok: true });
    expect(verifyDelivery(m, data, keys, stored(T0 + HOUR + 10)).ok).toBe(false);
    // Accepted before the key's end, stored late (a coordinator busy at that moment): believed.
    expect(storedAt(stored(T0 + HOUR + 10, T0 + HOUR - 5))).toBe(T0 + HOUR - 5);
    expect(verifyDelivery(m, data, keys, stored(T0 + HOUR + 10, T0 + HOUR - 5))).toEqual({ ok: true });
    // A revision of the registry adopted later still knows the old key: old deliveries verify for good.
    keys.adopt({ agencies: [{ id: "TJ", publicKey: fresh.publicKey, keys: rotated.keys }], coordinators: [] });
    expect(verifyDelivery(m, data, keys, stored(T0 + 10))).toEqual({ ok: true });
  });
});
