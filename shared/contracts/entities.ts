// The people, groups, vehicles, places and events an alert is about.
import { z } from "zod";
import { CountryCode, IsoDate, ShortText, Timestamp } from "./primitives.ts";

export const GeoPoint = z
  .object({
    name: ShortText(200).optional(),
    country: CountryCode.optional(),
    lat: z.number().min(-90, "expected a latitude from -90 to 90").max(90, "expected a latitude from -90 to 90"),
    lon: z.number().min(-180, "expected a longitude from -180 to 180").max(180, "expected a longitude from -180 to 180"),
  })
  .strict();

export const IdentityDocument = z
  .object({
    type: z.enum(["passport", "id-card", "residence-permit", "visa", "driving-licence", "other"]),
    number: ShortText(50),
    issuingCountry: CountryCode,
    expires: IsoDate.optional(),
  })
  .strict();

export const Person = z
  .object({
    fullName: ShortText(200),
    aliases: z.array(ShortText(200)).max(50).optional(),
    birthDate: IsoDate.optional(),
    nationalities: z.array(CountryCode).max(5).optional(),
    documents: z.array(IdentityDocument).max(20).optional(),
    role: z.enum(["suspect", "wanted", "associate", "victim", "witness", "missing"]).optional(),
    description: ShortText(2000).optional(),
  })
  .strict();

export const Organisation = z
  .object({
    name: ShortText(200),
    aliases: z.array(ShortText(200)).max(50).optional(),
    countries: z.array(CountryCode).max(50).optional(),
    designation: ShortText(200).optional().meta({ description: "Listing, e.g. UN Security Council 1267 list." }),
    description: ShortText(2000).optional(),
  })
  .strict();

export const Vehicle = z
  .object({
    type: z.enum(["car", "truck", "bus", "motorcycle", "vessel", "aircraft", "drone", "other"]),
    make: ShortText(100).optional(),
    model: ShortText(100).optional(),
    colour: ShortText(50).optional(),
    registration: ShortText(30).optional(),
    registrationCountry: CountryCode.optional(),
    vin: z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/, "expected a 17-character VIN").optional(),
    description: ShortText(2000).optional(),
  })
  .strict();

export const Place = z
  .object({
    name: ShortText(200),
    kind: z
      .enum(["border-crossing", "airport", "seaport", "city", "facility", "critical-infrastructure", "other"])
      .optional(),
    country: CountryCode,
    point: GeoPoint.omit({ name: true, country: true }).optional(),
    description: ShortText(2000).optional(),
  })
  .strict();

export const Event = z
  .object({
    title: ShortText(200),
    occurredAt: Timestamp.optional(),
    place: ShortText(200).optional(),
    description: ShortText(2000).optional(),
  })
  .strict();

export const Entities = z
  .object({
    persons: z.array(Person).max(200).optional(),
    organisations: z.array(Organisation).max(200).optional(),
    vehicles: z.array(Vehicle).max(200).optional(),
    places: z.array(Place).max(200).optional(),
    events: z.array(Event).max(200).optional(),
  })
  .strict();
export type Entities = z.infer<typeof Entities>;
