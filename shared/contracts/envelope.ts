// The envelope every message shares. Each kind is `envelope(kind, body)`, so the common
// fields are declared once and the kind's body stays a small schema of its own.
import { z } from "zod";
import { AgencyId, AnyId, COORDINATOR_ID, MessageId, Timestamp } from "./primitives.ts";

export const SCHEMA_VERSION = "1.0" as const;

export const Signature = z
  .object({
    alg: z.literal("ed25519"),
    key: z
      .string()
      .regex(/^U[A-Z2-7]{55}$/, "expected an NATS nkey user public key: U followed by 55 base32 characters")
      .meta({ description: "The signer's public key as a NATS user nkey; must match the registry entry." }),
    value: z
      .string()
      // The last character's 4 unused bits must be zero: one spelling per signature.
      .regex(/^[A-Za-z0-9_-]{85}[AQgw]$/, "expected a base64url Ed25519 signature (86 characters, no padding)")
      .meta({ description: "Ed25519 over the UTF-8 bytes of the canonical form (RFC 8785 JCS) of the message without its signature field." }),
  })
  .strict();
export type Signature = z.infer<typeof Signature>;

export const CoordinatorSender = z.literal(COORDINATOR_ID);

export const envelope = <K extends string, B extends z.ZodType, S extends z.ZodType = typeof AgencyId>(
  kind: K,
  body: B,
  sender?: S,
) =>
  z
    .object({
      id: MessageId,
      kind: z.literal(kind),
      schemaVersion: z.literal(SCHEMA_VERSION, { error: `expected schemaVersion "${SCHEMA_VERSION}"` }),
      sender: (sender ?? AgencyId) as S,
      sentAt: Timestamp.meta({ description: "Simulated send time." }),
      correlationId: AnyId.optional().meta({ description: "Groups the messages of one case or thread." }),
      inReplyTo: MessageId.optional().meta({ description: "The message this one answers." }),
      signature: Signature.optional().meta({
        description: "Required on every submission to the exchange; the coordinator rejects unsigned ones.",
      }),
      body,
    })
    .strict();

/** A rule across fields: a time in the body must come after the envelope's sentAt. */
export const laterThanSentAt =
  <M extends { sentAt: string }>(pick: (m: M) => string | undefined, path: (string | number)[]) =>
  (m: M, ctx: z.RefinementCtx<M>) => {
    const t = pick(m);
    if (t !== undefined && Date.parse(t) <= Date.parse(m.sentAt))
      ctx.addIssue({ code: "custom", path, message: "expected a time after sentAt" });
  };
