// The exchange's settings: what earlier versions stored still reads (with today's defaults), and
// `atix settings --set` changes one field, or refuses naming the field and what was expected.
import { describe, expect, it } from "vitest";
import { applyAssignment } from "../../services/cli/commands/settings.ts";
import { DEFAULT_SETTINGS, Settings } from "../../shared/exchange/settings.ts";

describe("settings", () => {
  it("read settings stored before quotas, the escalation window and the TLP:RED limit existed, with their defaults", () => {
    const { quotas: _q, escalationWindowMinutes: _w, tlpRedMaxAgencies: _r, ...old } = DEFAULT_SETTINGS;
    expect(Settings.parse(old)).toEqual(DEFAULT_SETTINGS);
  });

  it("have defaults above what `atix bench` sends at once from one agency (400)", () => {
    expect(DEFAULT_SETTINGS.quotas.maxInFlight).toBeGreaterThan(400);
    expect(DEFAULT_SETTINGS.quotas.burst).toBeGreaterThan(400);
  });

  it("change one field with --set, numbers and JSON alike", () => {
    const s = applyAssignment(applyAssignment(DEFAULT_SETTINGS, "quotas.perMinute=1200"), "ackDeadlineMinutes.FLASH=5");
    expect(s.quotas).toEqual({ ...DEFAULT_SETTINGS.quotas, perMinute: 1200 });
    expect(s.ackDeadlineMinutes.FLASH).toBe(5);
    // A quota stored before copiedMiBPerHour existed reads as its default.
    expect(applyAssignment(DEFAULT_SETTINGS, `quotas={"maxInFlight":10,"perMinute":60,"burst":10}`).quotas).toEqual({ maxInFlight: 10, perMinute: 60, burst: 10, copiedMiBPerHour: 512 });
    expect(applyAssignment(DEFAULT_SETTINGS, "tlpRedMaxAgencies=6").tlpRedMaxAgencies).toBe(6);
  });

  it("refuse a value out of the contract, naming the field", () => {
    expect(() => applyAssignment(DEFAULT_SETTINGS, "quotas.maxInFlight=0")).toThrow(/^--set quotas.maxInFlight=0: quotas.maxInFlight: .*>0/);
    expect(() => applyAssignment(DEFAULT_SETTINGS, "quotas.burst=many")).toThrow(/quotas.burst: .*expected number/);
    // So large that a byte count of it would overflow to Infinity (and a bucket to NaN).
    expect(() => applyAssignment(DEFAULT_SETTINGS, "quotas.copiedMiBPerHour=1e303")).toThrow(/quotas.copiedMiBPerHour: expected at most 1048576/);
  });

  it("refuse what is not a setting, and what is not an assignment", () => {
    expect(() => applyAssignment(DEFAULT_SETTINGS, "quota.perMinute=5")).toThrow(/quota.perMinute: no such setting/);
    expect(() => applyAssignment(DEFAULT_SETTINGS, "quotas.perHour=5")).toThrow(/quotas.perHour: no such setting/);
    expect(() => applyAssignment(DEFAULT_SETTINGS, "quotas")).toThrow(/expects FIELD=VALUE/);
  });
});
