// The duty officer's delay model: log-normal calibration, precedence, night, unstaffed posts,
// reminders, determinism. Pure functions: no NATS, no wall clock.
import { describe, expect, it } from "vitest";
import type { DutyProfile } from "../../shared/contracts/index.ts";
import {
  acknowledgeAt,
  afterReminder,
  createRng,
  dutyStatus,
  localHour,
  mulberry32,
  nextDutyChange,
  nextLocalHour,
  officerOnWatch,
  sampleDelayMinutes,
} from "../../services/agency/index.ts";

const MIN = 60_000;
const profile = (p: Partial<DutyProfile> = {}): DutyProfile => ({
  profile: "24/7",
  ackDelay: { medianMinutes: 6, p95Minutes: 20 },
  nightFactor: 2.5,
  nightHours: { from: 22, to: 7 },
  ...p,
});
const minutesAfter = (t0: number, t: number) => (t - t0) / MIN;

describe("log-normal delay", () => {
  it("has the roster's median and 95th percentile", () => {
    const rng = mulberry32(42);
    const xs = Array.from({ length: 40_000 }, () => sampleDelayMinutes({ medianMinutes: 6, p95Minutes: 20 }, rng)).sort((a, b) => a - b);
    expect(xs[Math.floor(xs.length * 0.5)]).toBeCloseTo(6, 0);
    expect(xs[Math.floor(xs.length * 0.95)]! / 20).toBeGreaterThan(0.95);
    expect(xs[Math.floor(xs.length * 0.95)]! / 20).toBeLessThan(1.05);
    expect(xs[0]).toBeGreaterThan(0);
  });
  it("is constant when p95 equals the median", () => {
    expect(sampleDelayMinutes({ medianMinutes: 4, p95Minutes: 4 }, mulberry32(1))).toBe(4);
  });
});

describe("acknowledgeAt", () => {
  // Baku is UTC+4 all year: 10:00Z is 14:00 local (day), 20:00Z is midnight (night).
  const tz = "Asia/Baku";
  const day = Date.parse("2026-09-21T10:00:00Z");
  const night = Date.parse("2026-09-21T20:00:00Z");

  it("is repeatable with the same seed and differs with another", () => {
    const p = profile({ profile: "reduced-night" });
    const a = acknowledgeAt(p, tz, day, "PRIORITY", createRng("AZ", "m1", "ack"));
    const b = acknowledgeAt(p, tz, day, "PRIORITY", createRng("AZ", "m1", "ack"));
    const c = acknowledgeAt(p, tz, day, "PRIORITY", createRng("AZ", "m2", "ack"));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(a).toBeGreaterThan(day);
  });

  it("handles FLASH faster than IMMEDIATE, PRIORITY and ROUTINE (same draw)", () => {
    const p = profile();
    const d = (prec: "FLASH" | "IMMEDIATE" | "PRIORITY" | "ROUTINE") => minutesAfter(day, acknowledgeAt(p, tz, day, prec, mulberry32(7)));
    expect(d("FLASH")).toBeLessThan(d("IMMEDIATE"));
    expect(d("IMMEDIATE")).toBeLessThan(d("PRIORITY"));
    expect(d("PRIORITY")).toBeLessThan(d("ROUTINE"));
    expect(d("FLASH") / d("ROUTINE")).toBeCloseTo(0.5 / 1.2, 6);
  });

  it("is slower at local night by the nightFactor (reduced-night strongly, 24/7 mildly)", () => {
    for (const [prof, factor] of [["reduced-night", 2.5], ["24/7", 1.3]] as const) {
      const p = profile({ profile: prof, nightFactor: factor });
      for (let s = 0; s < 20; s++) {
        const atDay = minutesAfter(day, acknowledgeAt(p, tz, day, "ROUTINE", mulberry32(s)));
        const atNight = minutesAfter(night, acknowledgeAt(p, tz, night, "ROUTINE", mulberry32(s)));
        expect(atNight / atDay).toBeCloseTo(factor, 6);
      }
    }
  });

  it("night hours wrap midnight and are local to the agency", () => {
    const p = profile({ profile: "reduced-night", nightHours: { from: 22, to: 7 } });
    // 19:00Z is 23:00 in Baku (night) but 20:00 in Paris in summer (day).
    const t = Date.parse("2026-09-21T19:00:00Z");
    expect(dutyStatus(p, "Asia/Baku", t)).toBe("reduced");
    expect(dutyStatus(p, "Europe/Paris", t)).toBe("on-duty");
    expect(dutyStatus(p, "Asia/Baku", Date.parse("2026-09-22T02:59:00Z"))).toBe("reduced"); // 06:59 local
    expect(dutyStatus(p, "Asia/Baku", Date.parse("2026-09-22T03:00:00Z"))).toBe("on-duty"); // 07:00 local
    expect(dutyStatus(profile({ profile: "reduced-night", nightHours: { from: 1, to: 5 } }), "UTC", Date.parse("2026-09-21T23:30:00Z"))).toBe("on-duty");
    expect(dutyStatus(profile({ profile: "24/7" }), "Asia/Baku", night)).toBe("on-duty");
  });

  it("business-hours posts are unstaffed at night and start with the morning shift, in their own time zone", () => {
    const p = profile({ profile: "business-hours", nightFactor: 1, nightHours: { from: 18, to: 9 }, ackDelay: { medianMinutes: 15, p95Minutes: 60 } });
    for (const tz of ["Asia/Tokyo", "America/New_York", "Europe/Berlin"]) {
      // 23:00 local, whatever the zone
      const arrived = nextLocalHour(tz, Date.parse("2026-03-20T00:00:00Z"), 23);
      expect(dutyStatus(p, tz, arrived)).toBe("unstaffed");
      const shift = nextLocalHour(tz, arrived, 9);
      expect(minutesAfter(arrived, shift)).toBe(10 * 60);
      for (let s = 0; s < 30; s++) {
        const ack = acknowledgeAt(p, tz, arrived, "FLASH", mulberry32(s));
        expect(ack).toBeGreaterThan(shift);
        // the same draw during the day: work starts at 09:00 local instead of on arrival
        const dayDelay = acknowledgeAt(p, tz, shift, "FLASH", mulberry32(s)) - shift;
        expect(ack - shift).toBe(dayDelay);
      }
      expect(localHour(tz, shift)).toBe(9);
    }
  });

  it("the morning shift is found across a daylight-saving change", () => {
    const p = profile({ profile: "business-hours", nightHours: { from: 18, to: 9 }, ackDelay: { medianMinutes: 10, p95Minutes: 10 } });
    // Europe/Berlin moves to summer time in the night of 28/29 March 2026: 23:00 to 09:00 is 9 hours.
    const arrived = Date.parse("2026-03-28T22:00:00Z"); // 23:00 CET
    const ack = acknowledgeAt(p, "Europe/Berlin", arrived, "PRIORITY", mulberry32(1));
    expect(ack).toBe(Date.parse("2026-03-29T07:00:00Z") + 10 * MIN); // 09:00 CEST + 10 min
  });

  it("business-hours work left at the end of the shift carries over to the next morning", () => {
    const p = profile({ profile: "business-hours", nightHours: { from: 18, to: 9 }, ackDelay: { medianMinutes: 120, p95Minutes: 120 } });
    const tz = "Europe/Berlin";
    const arrived = nextLocalHour(tz, Date.parse("2026-09-21T00:00:00Z"), 17); // 17:00 local, 1 h left
    const ack = acknowledgeAt(p, tz, arrived, "PRIORITY", mulberry32(1)); // 120 min of work
    expect(ack).toBe(nextLocalHour(tz, arrived, 9) + 60 * MIN);
  });

  it("the presence schedule knows when the status next changes", () => {
    const p = profile({ profile: "business-hours", nightHours: { from: 18, to: 9 } });
    const t = Date.parse("2026-09-21T10:00:00Z"); // 12:00 in Berlin
    expect(localHour("Europe/Berlin", nextDutyChange(p, "Europe/Berlin", t)!)).toBe(18);
    expect(nextDutyChange(profile({ profile: "24/7" }), "Europe/Berlin", t)).toBeUndefined();
    expect(officerOnWatch("DE", "Europe/Berlin", t)).toBe("DE-DO-1");
    expect(officerOnWatch("DE", "Europe/Berlin", Date.parse("2026-09-21T23:00:00Z"))).toBe("DE-DO-3");
  });
});

describe("afterReminder", () => {
  const tz = "Asia/Baku";
  const p = profile({ profile: "reduced-night", ackDelay: { medianMinutes: 60, p95Minutes: 240 } });
  const t0 = Date.parse("2026-09-21T10:00:00Z");

  it("brings a far-off acknowledgement to within 1–3 minutes, repeatably", () => {
    const due = t0 + 90 * MIN;
    const reminded = t0 + 10 * MIN;
    for (let s = 0; s < 50; s++) {
      const sooner = afterReminder(p, tz, due, reminded, mulberry32(s));
      expect(minutesAfter(reminded, sooner)).toBeGreaterThanOrEqual(1);
      expect(minutesAfter(reminded, sooner)).toBeLessThanOrEqual(3);
      expect(afterReminder(p, tz, due, reminded, mulberry32(s))).toBe(sooner);
    }
  });

  it("never delays an acknowledgement that was coming sooner anyway", () => {
    expect(afterReminder(p, tz, t0 + 30_000, t0, mulberry32(3))).toBe(t0 + 30_000);
  });

  it("does nothing at an unstaffed post: nobody is there to read it", () => {
    const b = profile({ profile: "business-hours", nightHours: { from: 18, to: 9 } });
    const midnight = Date.parse("2026-09-21T20:00:00Z"); // 00:00 in Baku
    const due = midnight + 9 * 60 * MIN;
    expect(afterReminder(b, tz, due, midnight, mulberry32(3))).toBe(due);
  });
});
