// Ed25519 through libsodium must be Ed25519 as everyone else computes it: Node's own (OpenSSL) is
// the oracle here. Same signatures for the same key and bytes, and the same verdicts on genuine,
// altered and malformed signatures.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { createAccount, createUser, fromSeed, Prefix } from "@nats-io/nkeys";
import { Codec } from "@nats-io/nkeys/lib/codec.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isVerifyingKey, publicKeyOfSeed, signBytes, signValue, verifyValue } from "../../shared/contracts/signing.ts";
import { SMALL_ORDER_NKEY } from "../support/small-order-key.ts";

const users = [createUser(), createUser()].map((kp) => ({ seed: new TextDecoder().decode(kp.getSeed()), publicKey: kp.getPublicKey(), kp }));

/** Node's key objects for an nkey pair, from the raw Ed25519 seed nkeys holds. */
function nodeKeys(u: (typeof users)[number]) {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), (u.kp as unknown as { getRawSeed(): Uint8Array }).getRawSeed()]), format: "der", type: "pkcs8" });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

describe("Ed25519 signatures", () => {
  it("are byte for byte the signatures Node's own Ed25519 makes, for any bytes", () => {
    for (const u of users) {
      const { privateKey, publicKey } = nodeKeys(u);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
          const ours = signValue(u.seed, bytes);
          expect(ours).toEqual({ alg: "ed25519", key: u.publicKey, value: b64url(nodeSign(null, bytes, privateKey)) });
          const raw = signBytes(u.seed, bytes);
          expect(raw.publicKey).toBe(u.publicKey);
          expect(Buffer.from(raw.signature).equals(nodeSign(null, bytes, privateKey))).toBe(true);
          expect(nodeVerify(null, bytes, publicKey, Buffer.from(ours.value, "base64url"))).toBe(true);
        }),
        { numRuns: 100, seed: 25519 },
      );
    }
  });

  it("verify as Node's verifies: genuine ones, and none altered, under another key, or of other bytes", () => {
    const [a, b] = users as [(typeof users)[number], (typeof users)[number]];
    const nodeA = nodeKeys(a);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 500 }), fc.nat(), (bytes, n) => {
        const genuine = signValue(a.seed, bytes).value;
        expect(verifyValue(a.publicKey, bytes, genuine)).toBe(true);
        expect(verifyValue(b.publicKey, bytes, genuine)).toBe(false);
        const other = Uint8Array.from(bytes);
        other[n % other.length]! ^= 1 << n % 8;
        expect(verifyValue(a.publicKey, other, genuine)).toBe(false);
        const flipped = Buffer.from(genuine, "base64url");
        flipped[n % 64]! ^= 1 << n % 8;
        expect(verifyValue(a.publicKey, bytes, b64url(flipped))).toBe(nodeVerify(null, bytes, nodeA.publicKey, flipped));
        expect(verifyValue(a.publicKey, bytes, b64url(flipped))).toBe(false);
      }),
      { numRuns: 200, seed: 8032 },
    );
  });

  it("refuse a small-order key, under which one signature would pass for every message (Node's own accepts it)", () => {
    // The identity point as a public key and the signature (R = identity, S = 0): the cofactorless
    // check [S]B = R + [k]A holds for any message. libsodium refuses such keys outright.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const key = SMALL_ORDER_NKEY;
    const signature = b64url(Uint8Array.from([...identity, ...new Uint8Array(32)]));
    expect(isVerifyingKey(key)).toBe(false);
    expect(users.every((u) => isVerifyingKey(u.publicKey))).toBe(true);
    for (const text of ["EXERCISE", "anything at all"]) expect(verifyValue(key, new TextEncoder().encode(text), signature)).toBe(false);
  });

  it("refuse, without throwing, signatures of the wrong length, garbage and keys that are not nkeys", () => {
    const [a] = users as [(typeof users)[number]];
    const bytes = new TextEncoder().encode("EXERCISE");
    const genuine = signValue(a.seed, bytes).value;
    expect(verifyValue(a.publicKey, bytes, genuine.slice(0, -4))).toBe(false);
    expect(verifyValue(a.publicKey, bytes, `${genuine}AAAA`)).toBe(false);
    expect(verifyValue(a.publicKey, bytes, "")).toBe(false);
    expect(verifyValue(a.publicKey, bytes, "!!not base64!!")).toBe(false);
    expect(verifyValue("UABC", bytes, genuine)).toBe(false);
    expect(verifyValue("not an nkey at all", bytes, genuine)).toBe(false);
    expect(() => signValue("SUABC", bytes)).toThrow(/nkey/);
  });

  it("refuse a key whose checksum is damaged, or that is an account's key, though its 32 bytes sign", () => {
    const [a] = users as [(typeof users)[number]];
    const bytes = new TextEncoder().encode("EXERCISE");
    const genuine = signValue(a.seed, bytes).value;
    const raw = Codec.decode(Prefix.User, new TextEncoder().encode(a.publicKey));
    // The same key bytes under an account's prefix, and the user key with its last character changed (its checksum).
    const asAccount = new TextDecoder().decode(Codec.encode(Prefix.Account, raw));
    const last = a.publicKey.at(-1) === "A" ? "B" : "A";
    const damaged = `${a.publicKey.slice(0, -1)}${last}`;
    for (const key of [asAccount, damaged]) {
      expect(verifyValue(key, bytes, genuine)).toBe(false);
      expect(isVerifyingKey(key)).toBe(false);
    }
    expect(verifyValue(a.publicKey, bytes, genuine)).toBe(true);
  });
});

/** A user seed of these 32 bytes, as nkeys encodes one. */
const encodeSeed = (raw: Uint8Array) => Codec.encodeSeed(Prefix.User, raw);

describe("publicKeyOfSeed", () => {
  it("gives the public nkey nkeys derives from the seed, for any user seed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (raw) => {
        const kp = fromSeed(encodeSeed(raw));
        expect(publicKeyOfSeed(new TextDecoder().decode(kp.getSeed()))).toBe(kp.getPublicKey());
      }),
      { numRuns: 50 },
    );
  });

  it("refuses what is not a user seed: a damaged checksum, an account seed, a public key", () => {
    const seed = new TextDecoder().decode(createUser().getSeed());
    const damaged = seed.slice(0, 20) + (seed[20] === "A" ? "B" : "A") + seed.slice(21);
    expect(() => publicKeyOfSeed(damaged)).toThrow();
    expect(() => publicKeyOfSeed(new TextDecoder().decode(createAccount().getSeed()))).toThrow(/not a user nkey seed/);
    expect(() => publicKeyOfSeed(createUser().getPublicKey())).toThrow();
  });
});
