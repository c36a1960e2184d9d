// What a generated roster is made of: the kinds of services a state runs besides its lead
// agency, the sharing groups each kind takes part in, how each kind is usually staffed, and the
// extra time zones of the states that span several. Illustrative, like forum-90's duty figures.
import type { DutyProfile } from "../../shared/contracts/index.ts";

type Profile = DutyProfile["profile"];

export interface ServiceKind {
  /** The id suffix: `DE-FIU`. */
  suffix: string;
  name: string;
  /** Staffing, as weights: a border guard is nearly always 24/7, an FIU mostly office hours. */
  profiles: Partial<Record<Profile, number>>;
  /** Sharing groups it joins when its state's lead agency belongs to them (or always, with `any`). */
  groups?: { id: string; any?: boolean }[];
}

export const SERVICE_KINDS: readonly ServiceKind[] = [
  { suffix: "CTC", name: "National Counter-Terrorism Centre", profiles: { "24/7": 4, "reduced-night": 1 } },
  { suffix: "BGS", name: "Border Guard Service", profiles: { "24/7": 3, "reduced-night": 1 }, groups: [{ id: "central-asia-border" }, { id: "caspian-security" }] },
  { suffix: "FIU", name: "Financial Intelligence Unit", profiles: { "business-hours": 3, "reduced-night": 1 }, groups: [{ id: "terrorist-financing", any: true }] },
  { suffix: "CYB", name: "National Cyber Security Centre", profiles: { "24/7": 2, "reduced-night": 2 }, groups: [{ id: "cyber-threats", any: true }] },
  { suffix: "POL", name: "Criminal Police, Serious and Organised Crime Directorate", profiles: { "24/7": 1, "reduced-night": 3 } },
  { suffix: "CUS", name: "Customs Enforcement and Investigations", profiles: { "reduced-night": 2, "business-hours": 1 } },
  { suffix: "CG", name: "Coast Guard", profiles: { "24/7": 3 }, groups: [{ id: "maritime-security" }, { id: "caspian-security" }] },
  { suffix: "MIL", name: "Military Intelligence", profiles: { "24/7": 2, "reduced-night": 1 } },
  { suffix: "FIS", name: "Foreign Intelligence Service", profiles: { "24/7": 1, "reduced-night": 2 } },
  { suffix: "CIP", name: "Critical Infrastructure Protection Agency", profiles: { "reduced-night": 2, "24/7": 1 }, groups: [{ id: "critical-infrastructure" }] },
  { suffix: "TSP", name: "Transport Security Police", profiles: { "reduced-night": 2, "24/7": 1 } },
  { suffix: "MIG", name: "Migration Service, Investigations Department", profiles: { "business-hours": 2, "reduced-night": 1 } },
  { suffix: "PRS", name: "Protective Service", profiles: { "24/7": 2 } },
];

/** Beyond the kinds above, a state adds regional counter-terrorism directorates (`DE-R07`). */
export const REGIONAL_OFFICE = {
  prefix: "R",
  name: (n: number) => `Counter-Terrorism Directorate, Region ${n}`,
  profiles: { "reduced-night": 2, "business-hours": 2, "24/7": 1 } as Partial<Record<Profile, number>>,
};

/** States spanning several time zones: their other services sit in these as well as the lead's. */
export const EXTRA_TIME_ZONES: Readonly<Record<string, readonly string[]>> = {
  US: ["America/Chicago", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu", "America/Anchorage"],
  RU: ["Europe/Kaliningrad", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Vladivostok"],
  CA: ["America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Halifax"],
  AU: ["Australia/Perth", "Australia/Brisbane", "Australia/Adelaide", "Australia/Darwin"],
  BR: ["America/Manaus", "America/Fortaleza", "America/Cuiaba"],
  MX: ["America/Tijuana", "America/Cancun", "America/Hermosillo"],
  ID: ["Asia/Makassar", "Asia/Jayapura"],
  KZ: ["Asia/Aqtobe", "Asia/Qyzylorda"],
  CN: ["Asia/Urumqi"],
  MN: ["Asia/Hovd"],
  CL: ["Pacific/Easter"],
};

/**
 * Relative number of services per state, for the larger security establishments; every other
 * state weighs 1. A rough picture of the size of each state's security sector, no more.
 */
export const STATE_WEIGHTS: Readonly<Record<string, number>> = {
  US: 4, RU: 4, CN: 4, IN: 3.5, BR: 2.5, ID: 2.5, PK: 2.5, NG: 2, MX: 2, JP: 2, DE: 2, FR: 2, GB: 2, TR: 2.5, IR: 2,
  EG: 2, SA: 2, KZ: 1.5, AU: 1.5, CA: 1.5, IT: 1.5, ES: 1.5, KR: 1.5, UZ: 1.5, AZ: 1.5, DZ: 1.5, ZA: 1.5, PL: 1.3, AR: 1.3,
};
