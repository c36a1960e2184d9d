// Ed25519 signatures with NATS nkeys: the key an agency authenticates with is the key it signs with.
import { fromPublic, fromSeed } from "@nats-io/nkeys";
import { signingInput } from "./canonical.ts";
import type { Signature } from "./envelope.ts";

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** Returns a copy of the message with its signature set. `seed` is the agency's nkey seed (SU…). */
export function sign<M extends object>(message: M, seed: string): M & { signature: Signature } {
  const kp = fromSeed(new TextEncoder().encode(seed));
  const signature: Signature = { alg: "ed25519", key: kp.getPublicKey(), value: b64url(kp.sign(signingInput(message))) };
  return { ...message, signature };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Checks the message's signature against the registry's public key for its sender. */
export function verify(message: object, registryKey: string): VerifyResult {
  const sig = (message as { signature?: Signature }).signature;
  if (!sig) return { ok: false, reason: "expected a signature: submissions must be signed" };
  if (sig.key !== registryKey) return { ok: false, reason: "expected signature.key to be the sender's registered public key" };
  try {
    const ok = fromPublic(registryKey).verify(signingInput(message), Buffer.from(sig.value, "base64url"));
    return ok ? { ok: true } : { ok: false, reason: "expected a valid Ed25519 signature over the canonical form (RFC 8785) of the message without signature" };
  } catch (e) {
    return { ok: false, reason: `expected a verifiable signature: ${(e as Error).message}` };
  }
}
