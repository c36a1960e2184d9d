// Agency ids: a state's ISO alpha-2 code, optionally with a service suffix (DE, DE-BKA, XA-0417).
// Every name built from an id (subjects, consumers, accounts, key files, KV keys) must stay a
// valid NATS token, and the JSON Schema export must carry the same rule as the zod schema.
import { describe, expect, it } from "vitest";
import { AGENCY_ID_PATTERN, AgencyId, consumers, subjects } from "../../shared/contracts/index.ts";
import { kindSchema } from "../../shared/contracts/export/json-schema.ts";
import { agencyAccount } from "../../shared/exchange/server-config.ts";
import { seedFile } from "../../shared/exchange/identities.ts";
import { escalationClaimKey } from "../../shared/exchange/records.ts";
import { ESCALATION_STEPS } from "../../shared/contracts/kinds/escalation.ts";
import { benchAgencyIds, benchRoster, MAX_AGENCIES } from "../../services/bench/roster.ts";

const VALID = ["AZ", "DE", "DE-BKA", "XA-0417", "US-R12", "RU-12345678", "GB-X"];
const INVALID = ["", "A", "az", "DEU", "DE-", "DE_BKA", "DE-bka", "DE-123456789", "DE.BKA", "DE-BKA-2", "DE BKA", "DE-*", "DE->", "-BKA", "ATIX"];

/** A NATS subject token or a consumer/stream/account name: no dots, wildcards or white space. */
const NATS_NAME = /^[^.*>\s]+$/;
/** JetStream KV key characters. */
const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

describe("AgencyId", () => {
  it.each(VALID)("accepts %s", (id) => {
    expect(AgencyId.safeParse(id).success).toBe(true);
  });

  it.each(INVALID)("rejects %j with a message that says what an id looks like", (id) => {
    const r = AgencyId.safeParse(id);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/alpha-2 code .* optionally followed by - and 1 to 8 capitals or digits, such as AZ, DE-BKA/);
  });

  it.each(VALID)("%s makes valid subjects, consumer, account, key file and KV key names", (id) => {
    expect(subjects.submit(id, "alert").split(".")).toEqual(["atix", "submit", id, "alert"]);
    expect(subjects.deliver(id, "alert").split(".")[2]).toBe(id);
    expect(subjects.outcome(id, "019a4f9e-8c1a-7b3e-9f00-3c2b1a0d4e5f").split(".")[2]).toBe(id);
    expect(subjects.presence(id).split(".")[2]).toBe(id);
    for (const name of [consumers.agency(id), consumers.broadcast(id), consumers.submissionsOf(id), agencyAccount(id), subjects.inboxPrefix(id)]) expect(name).toMatch(NATS_NAME);
    // No agency's own deliveries filter takes in the broadcasts ("all" is lowercase).
    expect(subjects.deliverOf(id).replace(">", "")).not.toBe(subjects.broadcastAll.replace(">", ""));
    expect(seedFile("/keys", id)).toBe(`/keys/${id}.nk`);
    for (const step of ESCALATION_STEPS) expect(escalationClaimKey(step, id, 12)).toMatch(KV_KEY);
  });

  it("is exported to JSON Schema with the same pattern", () => {
    const text = JSON.stringify(kindSchema("alert"));
    expect(text).toContain(JSON.stringify(AGENCY_ID_PATTERN.source).slice(1, -1));
  });
});

describe("benchmark rosters", () => {
  it("give distinct valid ids for any size up to the acceptance limit", () => {
    for (const n of [2, 676, 677, 1000, MAX_AGENCIES]) {
      const ids = benchAgencyIds(n);
      expect(ids).toHaveLength(n);
      expect(new Set(ids).size).toBe(n);
      expect(ids.filter((id) => !AGENCY_ID_PATTERN.test(id))).toEqual([]);
    }
    expect(benchAgencyIds(678).slice(674)).toEqual(["ZY", "ZZ", "AA-2", "AB-2"]);
    expect(() => benchAgencyIds(MAX_AGENCIES + 1)).toThrow(/expected 2 to 5000 agencies/);
  });

  it("parse as rosters beyond 676 agencies", () => {
    expect(benchRoster(700).agencies.at(-1)!.id).toBe("AX-2");
  });
});
