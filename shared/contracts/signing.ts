// Ed25519 signatures with NATS nkeys: the key an agency authenticates with is the key it signs
// with. nkeys only encodes the keys; the signing itself is Node's native Ed25519, which is
// two orders of magnitude faster than a JavaScript implementation.
import { createPrivateKey, createPublicKey, type KeyObject, sign as edSign, verify as edVerify } from "node:crypto";
import { fromSeed } from "@nats-io/nkeys";
import { signingInput } from "./canonical.ts";
import type { Signature } from "./envelope.ts";

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32Decode(s: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of s) {
    const i = B32.indexOf(ch);
    if (i < 0) throw new Error("not an nkey: invalid base32");
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");
const privateKeys = new Map<string, { key: KeyObject; publicKey: string }>();
const publicKeys = new Map<string, KeyObject>();

/** Private key and public nkey (U…) of a user seed (SU…). */
function fromSeedString(seed: string) {
  let k = privateKeys.get(seed);
  if (!k) {
    // An nkey seed is 2 prefix bytes, the 32-byte Ed25519 seed, and a CRC.
    const raw = base32Decode(seed).subarray(2, 34);
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, raw]), format: "der", type: "pkcs8" });
    k = { key, publicKey: fromSeed(new TextEncoder().encode(seed)).getPublicKey() };
    privateKeys.set(seed, k);
  }
  return k;
}

function publicKeyObject(nkey: string): KeyObject {
  let k = publicKeys.get(nkey);
  if (!k) {
    // A public nkey is 1 prefix byte, the 32-byte key, and a CRC.
    const raw = base32Decode(nkey).subarray(1, 33);
    k = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: "der", type: "spki" });
    publicKeys.set(nkey, k);
  }
  return k;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** Raw Ed25519 signature of `bytes` and the seed's public nkey: answers a NATS server's auth nonce. */
export function signBytes(seed: string, bytes: Uint8Array): { publicKey: string; signature: Uint8Array } {
  const k = fromSeedString(seed);
  return { publicKey: k.publicKey, signature: edSign(null, bytes, k.key) };
}

/** Returns a copy of the message with its signature set. `seed` is the agency's nkey seed (SU…). */
export function sign<M extends object>(message: M, seed: string): M & { signature: Signature } {
  return { ...message, signature: signValue(seed, signingInput(message)) };
}

/** Base64url (unpadded) Ed25519 signature of `bytes` with the seed, and the seed's public nkey. */
export function signValue(seed: string, bytes: Uint8Array): Signature {
  const k = fromSeedString(seed);
  return { alg: "ed25519", key: k.publicKey, value: b64url(edSign(null, bytes, k.key)) };
}

/** Whether `value` (base64url) is `key`'s Ed25519 signature of `bytes`; false for a malformed key or value. */
export function verifyValue(key: string, bytes: Uint8Array, value: string): boolean {
  try {
    return edVerify(null, bytes, publicKeyObject(key), Buffer.from(value, "base64url"));
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
    const ok = edVerify(null, signingInput(message), publicKeyObject(registryKey), Buffer.from(sig.value, "base64url"));
    return ok ? { ok: true } : { ok: false, reason: "expected a valid Ed25519 signature over the canonical form (RFC 8785) of the message without signature" };
  } catch (e) {
    return { ok: false, reason: `expected a verifiable signature: ${(e as Error).message}` };
  }
}
