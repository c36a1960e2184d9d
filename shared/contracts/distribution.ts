// Who an alert or RFI is addressed to. Selectors combine as a union; the coordinator
// resolves them against the registry.
import { z } from "zod";
import { AgencyId } from "./primitives.ts";

export const REGIONS = [
  "europe", "caucasus", "central-asia", "south-asia", "east-asia", "southeast-asia",
  "middle-east", "africa", "north-america", "latin-america", "oceania",
] as const;
export const Region = z.enum(REGIONS);
export type Region = z.infer<typeof Region>;

const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, "expected a name of letters, digits and dashes");

export const Distribution = z
  .object({
    all: z.literal(true).optional().meta({ description: "Every agency of the exchange." }),
    regions: z.array(Region).min(1).optional(),
    organisations: z.array(Name).min(1).optional().meta({ description: "Organisation ids such as SCO, CIS, CSTO." }),
    sharingGroups: z.array(Name).min(1).optional(),
    agencies: z.array(AgencyId).min(1).optional().meta({ description: "Named agencies." }),
  })
  .strict()
  .refine((d) => Object.values(d).some((v) => v !== undefined), {
    message: "expected at least one of all, regions, organisations, sharingGroups, agencies",
  })
  .meta({ minProperties: 1 });
export type Distribution = z.infer<typeof Distribution>;

/** TLP:RED goes to named recipients only: agencies listed, no wider selector. */
export const isNamedOnly = (d: Distribution): boolean =>
  !!d.agencies?.length && !d.all && !d.regions && !d.organisations && !d.sharingGroups;

/** Refinement for bodies that carry a TLP and a distribution. */
export const redNeedsNamedAgencies = (b: { tlp: string; distribution: Distribution }, ctx: z.RefinementCtx) => {
  if (b.tlp === "RED" && !isNamedOnly(b.distribution))
    ctx.addIssue({
      code: "custom",
      path: ["distribution", "agencies"],
      message:
        "expected named agencies only: TLP:RED goes to named recipients, not to all, regions, organisations or sharing groups",
    });
};

/** The same rule for the JSON Schema export: RED implies only `agencies` in distribution. */
export const RED_NEEDS_NAMED_AGENCIES_JSON = {
  if: { properties: { tlp: { const: "RED" } }, required: ["tlp"] },
  then: {
    properties: {
      distribution: {
        type: "object",
        required: ["agencies"],
        not: {
          anyOf: [
            { required: ["all"] },
            { required: ["regions"] },
            { required: ["organisations"] },
            { required: ["sharingGroups"] },
          ],
        },
      },
    },
  },
} as const;
