// Readers that count or show deliveries from the audit chain see one per delivery, whether a
// record stands for one delivery or a batch: `atix watch`'s lines and the run's hourly timeline; a
// coalesced escalation is one line, and fits the typed record and its exported schema.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { acknowledgedEntry } from "../../shared/audit/deliveries.ts";
import { type AuditEntry, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { auditRecordSchema } from "../../shared/contracts/export/json-schema.ts";
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

describe("atix watch, a coalesced escalation", () => {
  const esc = stored({
    eventId: "escalated:reminder:KZ:1", event: "escalated", actor: "ATIX", messageId: A, kind: "alert", agency: "KZ", at: iso(12),
    data: {
      step: "reminder", batch: 1, escalationId: "019a0000-0000-7000-8000-0000000000cc", recipient: "KZ", precedence: "FLASH", deadline: iso(10),
      more: [{ messageId: B, kind: "alert", recipient: "KZ", precedence: "FLASH", deadline: iso(11) }, { messageId: B, kind: "alert", recipient: "KG", precedence: "FLASH", deadline: iso(11) }],
    },
  }, 4);

  it("is one line naming how many overdue deliveries it lists, of how many messages, and whose", () => {
    expect(formatRecord(esc)).toEqual([expect.stringMatching(/#4 .*escalated +ATIX → KZ .*step reminder {2}3 overdue deliveries of 2 messages, for KZ, KG$/)]);
  });

  it("validates against the record contract and its exported JSON Schema; an item with a field of another shape does not", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const exported = ajv.compile(auditRecordSchema());
    const signed = { ...esc, signature: { alg: "ed25519", key: "U".padEnd(56, "A"), value: `${"x".repeat(85)}A` } };
    expect(StoredAuditRecord.safeParse(esc).success).toBe(true);
    expect(exported(signed), JSON.stringify(exported.errors?.slice(0, 2))).toBe(true);
    const renamed = { ...signed, data: { ...esc.data, more: [{ messageId: B, kind: "alert", recipient: "KZ", precedence: "FLASH", due: iso(11) }] } };
    expect(StoredAuditRecord.safeParse(renamed).success).toBe(false);
    expect(exported(renamed)).toBe(false);
  });
});

describe("the run's hourly timeline", () => {
  it("counts deliveries and acknowledgements one per delivery, in the hour each happened", () => {
    const rows = hourly({ simStart: T0, simEnd: T0 + 2 * 3_600_000 }, [delivered, acked]);
    expect(rows.map((r) => [r.delivered, r.acknowledged])).toEqual([[7, 1], [0, 1]]);
  });
});
