// Readers that count or show deliveries from the audit chain see one per delivery, whether a
// record stands for one delivery or a batch: `atix watch`'s lines and the run's hourly timeline.
import { describe, expect, it } from "vitest";
import { acknowledgedEntry } from "../../shared/audit/deliveries.ts";
import type { AuditEntry, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { formatRecord } from "../../services/cli/commands/watch.ts";
import { hourly } from "../../simulations/runner/collect.ts";

const T0 = Date.parse("2026-09-21T08:00:00.000Z");
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const [A, B] = ["019a0000-0000-7000-8000-0000000000aa", "019a0000-0000-7000-8000-0000000000bb"];
const stored = (e: AuditEntry, seq: number): StoredAuditRecord => ({ ...e, seq, recordedAt: e.at, prevHash: "0".repeat(64), hash: "1".repeat(64) });

const delivered = stored({ eventId: `delivered:${A}`, event: "delivered", actor: "ATIX", messageId: A, kind: "alert", at: iso(0),
  data: { recipients: ["KZ", "RU", "TR", "UZ", "KG", "AM", "BY"], deadline: iso(10), precedence: "FLASH", originator: "AZ" } }, 2);
const acked = stored(acknowledgedEntry("KZ", "k1", [
  { messageId: A, kind: "alert", agency: "AZ", at: iso(3), data: { officer: "KZ-DO-1", latencyMs: 180_000, withinDeadline: true, precedence: "FLASH" } },
  { messageId: B, kind: "alert", agency: "RU", at: iso(70), data: { officer: "KZ-DO-1", latencyMs: 900_000, withinDeadline: false, precedence: "FLASH" } },
]), 3);

describe("atix watch", () => {
  it("prints a message's deliveries as one line naming its recipients", () => {
    expect(formatRecord(delivered)).toEqual([expect.stringMatching(/#2 .*delivered +ATIX .*FLASH {2}7 recipients: KZ, RU, TR, UZ, KG, AM \+1 {2}due 09-21 08:10:00$/)]);
  });

  it("prints a batched acknowledgement as a line per delivery, each with its message, originator and latency", () => {
    const lines = formatRecord(acked);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/#3 .*acknowledged {2}KZ → AZ .*…000000aa .*after 3\.0 min \(in time\) {2}by KZ-DO-1$/);
    expect(lines[1]).toMatch(/#3 .*acknowledged {2}KZ → RU .*…000000bb .*after 15 min \(late\) {2}by KZ-DO-1$/);
  });
});

describe("the run's hourly timeline", () => {
  it("counts deliveries and acknowledgements one per delivery, in the hour each happened", () => {
    const rows = hourly({ simStart: T0, simEnd: T0 + 2 * 3_600_000 }, [delivered, acked]);
    expect(rows.map((r) => [r.delivered, r.acknowledged])).toEqual([[7, 1], [0, 1]]);
  });
});
