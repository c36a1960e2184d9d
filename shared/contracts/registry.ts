// The agency registry: who takes part, where, in which organisations, and with which key.
import { z } from "zod";
import { Region } from "./distribution.ts";
import { AgencyId, COORDINATOR_ID, ShortText, Timestamp } from "./primitives.ts";

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: "expected an IANA time zone such as Asia/Baku" },
);

const Hour = z.number().int().min(0, "expected an hour from 0 to 23").max(23, "expected an hour from 0 to 23");

export const DUTY_PROFILES = ["24/7", "reduced-night", "business-hours"] as const;

export const DutyProfile = z
  .object({
    profile: z.enum(DUTY_PROFILES).meta({
      description: "24/7: staffed round the clock; reduced-night: slower at night; business-hours: unstaffed at night.",
    }),
    ackDelay: z
      .object({
        medianMinutes: z.number().positive("expected minutes above 0"),
        p95Minutes: z.number().positive("expected minutes above 0"),
      })
      .strict()
      .refine((d) => d.p95Minutes >= d.medianMinutes, { message: "expected p95Minutes >= medianMinutes", path: ["p95Minutes"] }),
    nightFactor: z.number().min(1, "expected a factor of 1 or more").default(1),
    nightHours: z.object({ from: Hour, to: Hour }).strict().default({ from: 22, to: 7 }),
  })
  .strict();
export type DutyProfile = z.infer<typeof DutyProfile>;

const GroupId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, "expected letters, digits and dashes");

/** A roster entry: the registry entry before keys are issued. */
export const RosterAgency = z
  .object({
    id: AgencyId,
    name: ShortText(200),
    country: ShortText(100),
    region: Region,
    organisations: z.array(GroupId).default([]),
    sharingGroups: z.array(GroupId).default([]),
    timezone: timeZone,
    duty: DutyProfile,
    external: z.boolean().optional().meta({
      description: "Its node is run by the agency itself (`atix up` runs every other): the exchange holds only its public key.",
    }),
  })
  .strict();
export type RosterAgency = z.infer<typeof RosterAgency>;

export const PublicNkey = z.string().regex(/^U[A-Z2-7]{55}$/, "expected an NATS nkey user public key: U followed by 55 base32 characters");

/**
 * One of an agency's keys and when it is valid, in wall time (the broker's clock, which stamps
 * every stored message): a signature counts when the key was valid at the moment the exchange
 * stored the message, whatever `sentAt` the sender wrote.
 */
export const AgencyKey = z
  .object({
    publicKey: PublicNkey,
    validFrom: Timestamp.optional().meta({ description: "Wall time from which it is valid (its registration); absent: from the start." }),
    validUntil: Timestamp.optional().meta({ description: "Wall time it stops being valid (a key rotated: its successor's registration plus the overlap); absent: no end." }),
  })
  .strict();
export type AgencyKey = z.infer<typeof AgencyKey>;

export const AgencyRegistryEntry = RosterAgency.extend({
  publicKey: PublicNkey.meta({ description: "The agency's current Ed25519 public key as a NATS user nkey: it signs with it and authenticates with it." }),
  keys: z
    .array(AgencyKey)
    .min(1)
    .max(50)
    .optional()
    .meta({
      description:
        "Every key the agency has had, oldest first, the last being publicKey; absent while it has had only publicKey, valid without end. A rotated key stays listed: what it signed while valid still verifies.",
    }),
}).superRefine((a, ctx) => {
  if (!a.keys) return;
  if (a.keys[a.keys.length - 1]!.publicKey !== a.publicKey)
    ctx.addIssue({ code: "custom", path: ["keys", a.keys.length - 1, "publicKey"], message: `expected the last key to be publicKey ${a.publicKey}` });
  const seen = new Set<string>();
  a.keys.forEach((k, i) => {
    if (seen.has(k.publicKey)) ctx.addIssue({ code: "custom", path: ["keys", i, "publicKey"], message: "expected each key once" });
    seen.add(k.publicKey);
    if (k.validFrom && k.validUntil && Date.parse(k.validUntil) < Date.parse(k.validFrom))
      ctx.addIssue({ code: "custom", path: ["keys", i, "validUntil"], message: "expected validUntil at or after validFrom" });
  });
});
export type AgencyRegistryEntry = z.infer<typeof AgencyRegistryEntry>;

/**
 * `ID.pub`, written by `atix keys new` on the agency's side and sent to the operator: the agency's
 * id and its public key. The seed (`ID.nk`) never leaves the agency.
 */
export const AgencyPublicKeyFile = z
  .object({
    agency: AgencyId,
    publicKey: PublicNkey.meta({ description: "The agency's Ed25519 public key as a NATS user nkey (U…)." }),
    createdAt: Timestamp.meta({ description: "Wall time the key pair was made." }),
  })
  .strict();
export type AgencyPublicKeyFile = z.infer<typeof AgencyPublicKeyFile>;

/**
 * A coordinator instance's name: shown by `atix status`, a NATS subject token (its heartbeat) and
 * a file name (its key).
 */
export const INSTANCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const InstanceName = z.string().regex(INSTANCE_PATTERN, "expected an instance name: letters, digits, - and _, at most 64");

/**
 * A key a coordinator signs with: an instance's key for the audit records it writes, or the
 * exchange's own (`ATIX`) for acceptances, rejections and escalations. Keys are only ever added:
 * records signed with any of them must verify for good. Several entries may name one signer (a
 * key replaced); validity windows can be added to an entry without changing the others.
 */
export const CoordinatorKeyEntry = z
  .object({
    id: z.union([z.literal(COORDINATOR_ID), InstanceName]).meta({ description: "The instance that signs with it, or ATIX for the exchange's message key." }),
    publicKey: PublicNkey.meta({ description: "Ed25519 public key as a NATS user nkey." }),
    registeredAt: Timestamp.meta({ description: "Wall time it was first registered." }),
  })
  .strict();
export type CoordinatorKeyEntry = z.infer<typeof CoordinatorKeyEntry>;

export const OrganisationEntry = z
  .object({ id: GroupId, name: ShortText(200), hub: AgencyId.meta({ description: "Regional hub: backup contact for escalations." }) })
  .strict();
export const SharingGroupEntry = z
  .object({ id: GroupId, name: ShortText(200), members: z.array(AgencyId).min(1) })
  .strict();

/** A roster file: the exchange's agencies, organisations and sharing groups. */
export const Roster = z
  .object({
    name: ShortText(100),
    description: ShortText(2000).optional(),
    organisations: z.array(OrganisationEntry).default([]),
    sharingGroups: z.array(SharingGroupEntry).default([]),
    agencies: z.array(RosterAgency).min(1, "expected at least one agency"),
  })
  .strict()
  .superRefine((r, ctx) => {
    const ids = new Set<string>();
    r.agencies.forEach((a, i) => {
      if (ids.has(a.id)) ctx.addIssue({ code: "custom", path: ["agencies", i, "id"], message: `expected a unique id; ${a.id} appears twice` });
      ids.add(a.id);
    });
    const orgs = new Set(r.organisations.map((o) => o.id));
    const groups = new Set(r.sharingGroups.map((g) => g.id));
    r.organisations.forEach((o, i) => {
      if (!ids.has(o.hub)) ctx.addIssue({ code: "custom", path: ["organisations", i, "hub"], message: `expected an agency of the roster; ${o.hub} is not one` });
    });
    r.sharingGroups.forEach((g, i) =>
      g.members.forEach((m, j) => {
        if (!ids.has(m)) ctx.addIssue({ code: "custom", path: ["sharingGroups", i, "members", j], message: `expected an agency of the roster; ${m} is not one` });
      }),
    );
    r.agencies.forEach((a, i) => {
      a.organisations.forEach((o, j) => {
        if (!orgs.has(o)) ctx.addIssue({ code: "custom", path: ["agencies", i, "organisations", j], message: `expected an organisation listed under organisations; ${o} is not` });
      });
      a.sharingGroups.forEach((g, j) => {
        if (!groups.has(g)) ctx.addIssue({ code: "custom", path: ["agencies", i, "sharingGroups", j], message: `expected a sharing group listed under sharingGroups; ${g} is not` });
      });
    });
  });
export type Roster = z.infer<typeof Roster>;

/**
 * The registry as the exchange publishes it (the config bucket's `registry` key, registry.json):
 * agencies with their public keys, organisations, sharing groups and the coordinators' keys.
 */
export const RegistryData = z
  .object({
    name: z.string(),
    agencies: z.array(AgencyRegistryEntry),
    organisations: z.array(OrganisationEntry),
    sharingGroups: z.array(SharingGroupEntry),
    coordinators: z.array(CoordinatorKeyEntry).default([]).meta({ description: "The keys coordinators sign with (audit records, outcomes, escalations)." }),
  })
  .strict();
export type RegistryData = z.infer<typeof RegistryData>;
