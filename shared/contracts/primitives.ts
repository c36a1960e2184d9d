// Building blocks shared by every contract: identifiers, times and the domain vocabulary
// of DESIGN.md section 3. Enumerations are exported as value lists so the CLI, the
// JSON Schema export and the docs all read the same source.
import { z } from "zod";

/** The coordinator's identity as a sender: coordinator-originated kinds carry it. */
export const COORDINATOR_ID = "ATIX" as const;

/**
 * Agency id pattern: the state's ISO 3166-1 alpha-2 code, optionally followed by "-" and a short
 * suffix of capitals and digits naming one of several services of that state (DE, DE-BKA,
 * XA-0417). It is used in NATS subject tokens, consumer, account and user names and key file
 * names, so it must never hold ".", "*", ">", white space or lowercase.
 */
export const AGENCY_ID_PATTERN = /^[A-Z]{2}(?:-[A-Z0-9]{1,8})?$/;

export const AgencyId = z
  .string()
  .regex(
    AGENCY_ID_PATTERN,
    "expected an agency id: the state's ISO 3166-1 alpha-2 code in capitals, optionally followed by - and 1 to 8 capitals or digits, such as AZ, DE-BKA or XA-0417",
  )
  .meta({
    description:
      "Agency id: the ISO 3166-1 alpha-2 code of the agency's state, optionally followed by - and a suffix of 1 to 8 capitals or digits when the state has several services (AZ, DE-BKA, XA-0417).",
    examples: ["AZ", "DE-BKA", "XA-0417"],
  });
export type AgencyId = z.infer<typeof AgencyId>;

/**
 * The most agencies one exchange can hold: an acceptance lists every recipient of a broadcast
 * (shared/contracts/kinds/acceptance.ts allows 5000), so a roster beyond this cannot broadcast.
 */
export const MAX_EXCHANGE_AGENCIES = 5000;

export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 code in capitals, such as KZ");

export const MessageId = z
  .uuidv7({ error: "expected a UUID v7 (time-ordered), such as 019a4f9e-8c1a-7b3e-9f00-3c2b1a0d4e5f" })
  .meta({ description: "A message id: UUID v7, so ids sort by creation time." });

export const AnyId = z.uuid({ error: "expected a UUID" });

/** Simulated time, ISO 8601 with an explicit offset (Z or +hh:mm). */
export const Timestamp = z.iso.datetime({
  offset: true,
  error: "expected an ISO 8601 date-time with offset, such as 2026-09-21T08:15:00Z",
});

export const IsoDate = z.iso.date({ error: "expected a date as YYYY-MM-DD" });

export const PRECEDENCES = ["FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"] as const;
export const Precedence = z.enum(PRECEDENCES).meta({
  description: "ACP 121 precedence; sets the acknowledgement deadline.",
});
export type Precedence = z.infer<typeof Precedence>;

/** Default acknowledgement deadlines per precedence (ACP 121), in simulated minutes. */
export const DEFAULT_ACK_DEADLINE_MINUTES: Record<Precedence, number> = {
  FLASH: 10,
  IMMEDIATE: 30,
  PRIORITY: 180,
  ROUTINE: 360,
};

export const TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] as const;
export const Tlp = z.enum(TLPS).meta({ description: "FIRST TLP 2.0 marking." });
export type Tlp = z.infer<typeof Tlp>;

export const HANDLING_CODES = ["H0", "H1", "H2", "H3"] as const;
export const HandlingCode = z.enum(HANDLING_CODES).meta({
  description:
    "SIENA handling code: H0 use only to prevent/combat crime; H1 not in court without the provider's consent; H2 no onward sharing without permission; H3 other restrictions (see handlingNote).",
});

export const RELIABILITIES = ["A", "B", "C", "D", "E", "F"] as const;
export const CREDIBILITIES = [1, 2, 3, 4, 5, 6] as const;
export const SourceEvaluation = z
  .object({
    reliability: z.enum(RELIABILITIES).meta({
      description: "Admiralty source reliability: A completely reliable … E unreliable, F cannot be judged.",
    }),
    credibility: z
      .int("expected a whole number from 1 to 6")
      .min(1, "expected a credibility from 1 to 6")
      .max(6, "expected a credibility from 1 to 6")
      .meta({
      description: "Admiralty information credibility: 1 confirmed … 5 improbable, 6 cannot be judged.",
    }),
  })
  .strict();

export const THREAT_CATEGORIES = [
  "terrorism",
  "religious-extremism",
  "separatism",
  "organised-crime",
  "drug-trafficking",
  "arms-smuggling",
  "illegal-migration",
  "cyber",
  "terrorist-financing",
  "critical-infrastructure",
  "humanitarian-crisis",
] as const;
export const ThreatCategory = z.enum(THREAT_CATEGORIES);
export type ThreatCategory = z.infer<typeof ThreatCategory>;

export const ShortText = (max: number) =>
  z
    .string()
    .min(1, "expected a non-empty text")
    .max(max, `expected at most ${max} characters`)
    .regex(/\S/, "expected a text, not only white space");
