// The exchange's figures, counted once for the dashboard, the progress line, `atix status`, the
// run's summary and the report: Given typed records of the audit chain, When counted at a
// simulated time, Then each figure means what its catalogue entry (`figure.<key>.how`) says.
import { describe, expect, it } from "vitest";
import { acknowledgedEntry } from "../../shared/audit/deliveries.ts";
import type { AcceptedEvent, AuditEntry, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { ExchangeFigures, FIGURE_KEYS, Figures } from "../../shared/exchange/figures.ts";
import { figureHow, figureInline, figureLabel } from "../../shared/i18n/figure-labels.ts";
import { translator } from "../../shared/i18n/translator.ts";

const T0 = Date.parse("2026-09-21T08:00:00.000Z");
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const [A, B, U, R, H] = ["a", "b", "u", "r", "h"].map((c) => `019a0000-0000-7000-8000-00000000000${c}`) as [string, string, string, string, string];
const HASH = "0".repeat(64);
let seq = 0;
/** An entry as read back from the chain (hash and signature are the verifier's business, not the figures'). */
const rec = (e: AuditEntry): StoredAuditRecord => ({ ...e, seq: ++seq, recordedAt: e.at, prevHash: HASH, hash: HASH }) as StoredAuditRecord;

const accepted = (event: AcceptedEvent, messageId: string, kind: string, extra: { refersTo?: string } = {}) =>
  rec({ eventId: `${event}:${messageId}`, event, actor: "AZ", messageId, kind, at: iso(0), data: { recipients: ["KZ", "RU", "TR"], precedence: "FLASH", ackDeadline: iso(10), ...extra } });
const delivered = (messageId: string, recipients: string[], precedence: "FLASH" | "IMMEDIATE" = "FLASH", deadline = iso(10)) =>
  rec({ eventId: `delivered:${messageId}`, event: "delivered", actor: "ATIX", messageId, kind: "alert", at: iso(0), data: { recipients, deadline, precedence, originator: "AZ" } });
const ack = (actor: string, items: { messageId: string; min: number; within: boolean }[]) =>
  rec(acknowledgedEntry(actor, `${actor}-${seq}`, items.map((i) => ({
    messageId: i.messageId, at: iso(i.min), kind: "alert", agency: "AZ", data: { officer: `${actor}-DO-1`, action: "acting", latencyMs: i.min * 60_000, withinDeadline: i.within, precedence: "FLASH" as const },
  }))));
const rejected = () => rec({ eventId: `rejected:${seq}`, event: "rejected", actor: "KZ", at: iso(1), data: { reasons: [{ code: "invalid", path: "body", message: "expected an object" }], submitter: "KZ", streamSeq: 1 } });
const escalated = (messageId: string, recipient: string) =>
  rec({ eventId: `escalated:${messageId}:${recipient}`, event: "escalated", actor: "ATIX", messageId, kind: "alert", agency: recipient, at: iso(11), data: { step: "reminder", recipient, escalationId: U, precedence: "FLASH", deadline: iso(10) } });

describe("ExchangeFigures", () => {
  it("counts messages, deliveries, acknowledgements and escalations as the audit chain records them", () => {
    const f = new ExchangeFigures();
    for (const r of [
      accepted("submitted", A, "alert"),
      delivered(A, ["KZ", "RU", "TR"]),
      accepted("submitted", B, "rfi"),
      delivered(B, ["KZ"], "IMMEDIATE", iso(30)),
      accepted("updated", U, "alert-update", { refersTo: A }),
      accepted("hit-reported", H, "hit", { refersTo: A }),
      rejected(),
      // KZ acknowledges A in time and B (one message for both); RU late; a repeat of KZ's changes nothing.
      ack("KZ", [{ messageId: A, min: 3, within: true }, { messageId: B, min: 4, within: true }]),
      ack("RU", [{ messageId: A, min: 12, within: false }]),
      ack("KZ", [{ messageId: A, min: 13, within: true }]),
      escalated(A, "TR"),
    ])
      f.apply(r);
    const at = f.at(T0 + 20 * 60_000);
    expect(Figures.parse(at)).toEqual(at);
    expect(at).toMatchObject({
      messagesAccepted: 4, alertsAndRfis: 2, rejected: 1, escalations: 1,
      deliveries: 4, acknowledged: 3, withinDeadline: 2, late: 1, awaiting: 1, overdue: 1, withdrawn: 0, throughSeq: seq,
    });
    // FLASH: 3 deliveries, KZ in time, RU late, TR overdue: 1 of 3 decided in time.
    expect(at.byPrecedence.FLASH).toEqual({ deliveries: 3, acknowledged: 2, withinDeadline: 1, awaiting: 1, overdue: 1, withdrawn: 0, inTime: 1 / 3 });
    expect(at.byPrecedence.IMMEDIATE).toMatchObject({ deliveries: 1, acknowledged: 1, inTime: 1 });
    expect(f.agencyLoad(T0 + 20 * 60_000).get("TR")).toEqual({ open: 1, overdue: 1 });
  });

  it("decides only what is due: a delivery becomes overdue when simulated time passes its deadline, and leaves it when acknowledged", () => {
    const f = new ExchangeFigures();
    f.apply(delivered(A, ["KZ", "RU"], "FLASH", iso(10)));
    expect(f.at(T0 + 5 * 60_000)).toMatchObject({ awaiting: 2, overdue: 0, byPrecedence: { FLASH: { inTime: null } } });
    expect(f.at(T0 + 11 * 60_000)).toMatchObject({ awaiting: 2, overdue: 2, byPrecedence: { FLASH: { inTime: 0 } } });
    f.apply(ack("KZ", [{ messageId: A, min: 12, within: false }]));
    expect(f.at(T0 + 12 * 60_000)).toMatchObject({ awaiting: 1, overdue: 1, acknowledged: 1, late: 1 });
    expect(f.agencyLoad(T0 + 12 * 60_000).get("KZ")).toEqual({ open: 0, overdue: 0 });
  });

  it("counts a withdrawal's open deliveries as withdrawn, not awaiting; an acknowledgement after it changes nothing", () => {
    const f = new ExchangeFigures();
    f.apply(delivered(A, ["KZ", "RU", "TR"]));
    f.apply(ack("KZ", [{ messageId: A, min: 2, within: true }]));
    f.apply(rec({ eventId: `retracted:${R}`, event: "retracted", actor: "AZ", messageId: R, kind: "alert-retraction", at: iso(5), data: { refersTo: A, recipients: ["KZ", "RU", "TR"], precedence: "FLASH", ackDeadline: iso(15) } }));
    f.apply(ack("RU", [{ messageId: A, min: 6, within: true }]));
    expect(f.at(T0 + 60 * 60_000)).toMatchObject({ messagesAccepted: 1, deliveries: 3, acknowledged: 1, withdrawn: 2, awaiting: 0, overdue: 0 });
  });

  it("leaves out records before the run's first, and anything that is not a record", () => {
    const f = new ExchangeFigures(seq + 2);
    f.apply(delivered(A, ["KZ"]));
    f.apply(delivered(B, ["RU"]));
    const through = seq;
    f.applyStored({ junk: true });
    f.applyStored("not even an object");
    // A record whose data does not fit its event is not counted either.
    expect(f.applyStored({ ...delivered(B, ["TR"]), data: { recipients: ["TR"] } })).toBe(false);
    expect(f.at(T0)).toMatchObject({ deliveries: 1, throughSeq: through });
  });

  it("names every figure and says how it is counted, in English and in Russian; shares read rounded down", () => {
    for (const lang of ["en", "ru"] as const) {
      const t = translator(lang);
      for (const key of FIGURE_KEYS) {
        expect(figureLabel(t, key), `${lang} ${key}`).toMatch(/^[A-ZА-ЯЁ]/);
        expect(figureHow(t, key).length, `${lang} ${key}`).toBeGreaterThan(20);
      }
      // Two figures never share a label: the room tells them apart.
      expect(new Set(FIGURE_KEYS.map((k) => figureLabel(t, k))).size).toBe(FIGURE_KEYS.length);
    }
    expect(figureInline(translator("en"), "deliveries", 3634)).toBe("deliveries 3,634");
    expect(figureInline(translator("ru"), "deliveries", 3634)).toMatch(/^доставки: 3[\u00a0\u202f]634$/);
    const en = translator("en");
    expect(en.pct(null)).toBe("—");
    expect(en.pct(0.7499)).toBe("74.9%");
    expect(en.pct(0.75)).toBe("75%");
    expect(en.pct(0.9999)).toBe("99.9%");
    expect(en.pct(1)).toBe("100%");
  });
});
