// The connection file an agency's engineer receives from the exchange's operator (`atix onboard`):
// everything a node needs to connect, read, submit and verify, apart from its own key, which the
// agency made and kept (`atix keys new`). It holds public keys only, never a private one.
import { z } from "zod";
import { ClockState } from "../clock.ts";
import { AgencyId, Timestamp } from "./primitives.ts";
import { AgencyKey, CoordinatorKeyEntry, PublicNkey } from "./registry.ts";

const Subject = z.string().min(1).max(300);

const ConsumerRef = z
  .object({
    name: z.string().meta({ description: "The durable pull consumer's name: bind to it by stream and name; never create one." }),
    filterSubject: Subject.meta({ description: "Its filter subject (clients that check it, such as nats.go's older API, need it)." }),
  })
  .strict();

export const ConnectionFile = z
  .object({
    version: z.literal(1),
    exchange: z.string().max(100).meta({ description: "The exchange's name (its roster's)." }),
    agency: AgencyId,
    servers: z.array(z.string().min(1)).min(1).meta({ description: "NATS server URLs; any of them (a cluster lists every node)." }),
    inboxPrefix: Subject.meta({ description: "Set as the connection's inbox prefix: replies come there and nowhere else is allowed." }),
    jetStreamApiPrefix: Subject.meta({ description: "Set as the JetStream context's API prefix (instead of $JS.API); set no domain." }),
    stream: z.string().meta({ description: "The stream holding your deliveries." }),
    consumers: z
      .object({ own: ConsumerRef.meta({ description: "What is addressed to you alone." }), broadcast: ConsumerRef.meta({ description: "What goes to every agency but its sender (skip your own)." }) })
      .strict(),
    publish: z
      .object({
        submit: Subject.meta({ description: "Through JetStream, with Nats-Msg-Id = the message id; <kind> is the message's kind." }),
        presence: Subject.meta({ description: "Core NATS: your signed presence." }),
      })
      .strict(),
    subscribe: z
      .object({
        outcomes: Subject.meta({ description: "The coordinator's answer to each submission, live; subscribe before you publish." }),
        clock: Subject.meta({ description: "The simulated clock, every second." }),
        auditHead: Subject.meta({ description: "The audit chain's signed head, every second: keep copies." }),
        registry: Subject.meta({ description: "Each new revision of the registry (a key registered or rotated), as stored." }),
      })
      .strict(),
    registryGet: Subject.meta({ description: "Request (empty payload) for the registry's current value: a JetStream direct get." }),
    presenceIntervalMs: z.number().int().positive().meta({ description: "Repeat your presence this often (wall ms) while connected." }),
    clock: ClockState.meta({ description: "The exchange clock when this file was written; follow the clock subject for changes." }),
    publicKey: PublicNkey.meta({ description: "Your key as the exchange registered it: the seed you sign with must be its pair." }),
    publicKeys: z
      .object({
        agencies: z.array(z.object({ id: AgencyId, publicKey: PublicNkey, keys: z.array(AgencyKey).optional() }).strict()),
        coordinators: z.array(CoordinatorKeyEntry),
      })
      .strict()
      .meta({ description: "The registry's public keys when this file was written: read the registry live for changes." }),
    writtenAt: Timestamp,
  })
  .strict();
export type ConnectionFile = z.infer<typeof ConnectionFile>;
