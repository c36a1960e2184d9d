// Ed25519 signatures with NATS nkeys: the key an agency authenticates with is the key it signs
// with. nkeys only encodes the keys; signing and verifying are libsodium's (sodium-native), twice
// as fast as Node's built-in Ed25519 on our machines. Ed25519 is deterministic, so the signatures
// are byte for byte those of any other implementation; libsodium's verification is among the
// strictest (it refuses small-order keys and non-canonical encodings), so what it accepts, other
// RFC 8032 verifiers accept too.
import sodium from "sodium-native";
import { Prefix } from "@nats-io/nkeys";
// nkeys' own encoding (prefix, checksum, base32); its getPublicKey derives the key in plain
// JavaScript, some 5 ms a call: seconds for an exchange of a hundred identities. Codec is not
// part of nkeys' published interface: package.json pins the exact version it is taken from.
import { Codec } from "@nats-io/nkeys/lib/codec.js";
import { signingInput } from "./canonical.ts";
import type { Signature } from "./envelope.ts";

const privateKeys = new Map<string, { secretKey: Buffer; publicKey: string }>();
const publicKeys = new Map<string, Buffer>();

/**
 * libsodium's secret key (seed and public key) and the public nkey (U…) of a user seed (SU…),
 * decoded and checked by nkeys (prefix, checksum). Throws for anything else: a damaged checksum,
 * another kind of seed, a public key.
 */
function keyPairOfSeed(seed: string): { secretKey: Buffer; publicKey: string } {
  let decoded: { prefix: number; buf: Uint8Array };
  try {
    decoded = Codec.decodeSeed(new TextEncoder().encode(seed));
  } catch (e) {
    throw new Error(`not a user nkey seed (SU…): ${(e as Error).message}`);
  }
  if (decoded.prefix !== Prefix.User) throw new Error("not a user nkey seed (SU…): a seed of another kind of nkey");
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, Buffer.from(decoded.buf));
  return { secretKey, publicKey: new TextDecoder().decode(Codec.encode(Prefix.User, publicKey)) };
}

/** The key pair of a seed this process signs with: derived once. */
function fromSeedString(seed: string) {
  let k = privateKeys.get(seed);
  if (!k) privateKeys.set(seed, (k = keyPairOfSeed(seed)));
  return k;
}

/** The public nkey (U…) of a user seed (SU…); throws for anything else (keyPairOfSeed). */
export const publicKeyOfSeed = (seed: string): string => keyPairOfSeed(seed).publicKey;

/** The raw 32-byte Ed25519 key of a public nkey; throws for one that is not. */
function publicKeyBytes(nkey: string): Buffer {
  let k = publicKeys.get(nkey);
  if (!k) {
    // nkeys' decoding checks the prefix (a user key, U…) and the checksum.
    try {
      k = Buffer.from(Codec.decode(Prefix.User, new TextEncoder().encode(nkey)));
    } catch (e) {
      throw new Error(`not a user nkey (U…): ${(e as Error).message}`);
    }
    if (k.length !== sodium.crypto_sign_PUBLICKEYBYTES) throw new Error("not a user nkey (U…): not 32 bytes of key");
    publicKeys.set(nkey, k);
  }
  return k;
}

function ed25519Sign(bytes: Uint8Array, secretKey: Buffer): Buffer {
  const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
  sodium.crypto_sign_detached(signature, bytes as Buffer, secretKey);
  return signature;
}

/** Whether `signature` is the key's signature of `bytes`; throws for a key that is not one. */
const ed25519Verify = (bytes: Uint8Array, publicKey: Buffer, signature: Buffer): boolean =>
  signature.length === sodium.crypto_sign_BYTES && sodium.crypto_sign_verify_detached(signature, bytes as Buffer, publicKey);

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** Raw Ed25519 signature of `bytes` and the seed's public nkey: answers a NATS server's auth nonce. */
export function signBytes(seed: string, bytes: Uint8Array): { publicKey: string; signature: Uint8Array } {
  const k = fromSeedString(seed);
  return { publicKey: k.publicKey, signature: ed25519Sign(bytes, k.secretKey) };
}

/** Returns a copy of the message with its signature set. `seed` is the agency's nkey seed (SU…). */
export function sign<M extends object>(message: M, seed: string): M & { signature: Signature } {
  return { ...message, signature: signValue(seed, signingInput(message)) };
}

/** Base64url (unpadded) Ed25519 signature of `bytes` with the seed, and the seed's public nkey. */
export function signValue(seed: string, bytes: Uint8Array): Signature {
  const k = fromSeedString(seed);
  return { alg: "ed25519", key: k.publicKey, value: b64url(ed25519Sign(bytes, k.secretKey)) };
}

/** Whether `value` (base64url) is `key`'s Ed25519 signature of `bytes`; false for a malformed key or value. */
export function verifyValue(key: string, bytes: Uint8Array, value: string): boolean {
  try {
    return ed25519Verify(bytes, publicKeyBytes(key), Buffer.from(value, "base64url"));
  } catch {
    return false;
  }
}

/**
 * Whether a public nkey holds a key signatures can be checked against: a point of Ed25519's main
 * group, not one of small order (under which one signature would pass for every message, and
 * which libsodium therefore refuses when verifying).
 */
export function isVerifyingKey(nkey: string): boolean {
  try {
    return sodium.crypto_core_ed25519_is_valid_point(publicKeyBytes(nkey));
  } catch {
    return false;
  }
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Checks the message's signature against the registry's public key for its sender. */
export function verify(message: object, registryKey: string): VerifyResult {
  const sig = (message as { signature?: Signature }).signature;
  if (!sig) return { ok: false, reason: "expected a signature: submissions must be signed" };
  if (sig.key !== registryKey) return { ok: false, reason: "expected signature.key to be the sender's registered public key" };
  try {
    const ok = ed25519Verify(signingInput(message), publicKeyBytes(registryKey), Buffer.from(sig.value, "base64url"));
    return ok ? { ok: true } : { ok: false, reason: "expected a valid Ed25519 signature over the canonical form (RFC 8785) of the message without signature" };
  } catch (e) {
    return { ok: false, reason: `expected a verifiable signature: ${(e as Error).message}` };
  }
}
