// The dashboard's model fed by a hand-made audit chain: what the room sees follows the records,
// time alone makes a delivery overdue, a tampered record shows as a broken chain, the scenario's
// injects are known as such, journeys say who is missing, escalations come in time order; names come
// in the room's language, and an anonymised agency is named by its region.
import { v7 as uuidv7 } from "uuid";
import { describe, expect, it } from "vitest";
import { chainRecord, type ChainHead, GENESIS, recordHash, signRecordHash } from "../../shared/audit/chain.ts";
import { acknowledgedEntry, receiptedEntry } from "../../shared/audit/deliveries.ts";
import type { AuditEntry, AuditRecord } from "../../shared/contracts/index.ts";
import { keyEntry } from "../../shared/exchange/coordinator-keys.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import { DashboardModel } from "../../services/dashboard/model.ts";
import { pageLanguage } from "../../services/dashboard/presentation.ts";
import { agencyName } from "../../shared/i18n/names.ts";
import { Anonymiser } from "../../shared/presentation/anonymiser.ts";
import type { ExerciseView } from "../../services/dashboard/types.ts";

const T0 = Date.parse("2026-09-21T19:00:00Z");
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const duty = { profile: "24/7" as const, ackDelay: { medianMinutes: 2, p95Minutes: 5 }, nightFactor: 1, nightHours: { from: 22, to: 7 } };
/** The coordinator instance that signs the hand-made chain, and one the registry does not know. */
const signer = newIdentity("c1");
const stranger = newIdentity("c2");
const registry: RegistryData = {
  name: "three",
  organisations: [],
  sharingGroups: [],
  coordinators: [keyEntry("c1", signer.publicKey)],
  agencies: ["AZ", "KZ", "RU"].map((id, i) => ({
    id, name: `Service ${id}`, country: id, region: i === 2 ? "europe" : i === 1 ? "central-asia" : "caucasus",
    organisations: [], sharingGroups: [], timezone: "UTC", duty, publicKey: `U${"A".repeat(55)}`,
  })),
};

/** A valid chain of the given entries, signed by `seed`. */
function chain(entries: AuditEntry[], seed = signer.seed): AuditRecord[] {
  let head: ChainHead = GENESIS;
  return entries.map((e) => {
    const r = chainRecord(head, e, new Date().toISOString(), seed);
    head = { seq: r.seq, hash: r.hash };
    return r;
  });
}

function model(simMinutes: number) {
  const m = new DashboardModel("test");
  m.setRegistry(registry);
  m.clock = { simAnchor: T0 + simMinutes * 60_000, wallAnchor: Date.now(), speed: 1, paused: true };
  return m;
}

const CONTROLS = { clock: false, next: false };
const alertId = uuidv7();
const retractionId = uuidv7();
const story: AuditEntry[] = [
  { eventId: "s", event: "submitted", at: iso(0), actor: "AZ", messageId: alertId, kind: "alert",
    data: { recipients: ["KZ", "RU"], precedence: "FLASH", ackDeadline: iso(10), tlp: "AMBER", title: "Planned attack on the Mingachevir dam" } },
  { eventId: "d1", event: "delivered", at: iso(0), actor: "ATIX", messageId: alertId, kind: "alert", data: { recipients: ["KZ", "RU"], deadline: iso(10), precedence: "FLASH", originator: "AZ" } },
  receiptedEntry("KZ", retractionId, [{ messageId: alertId, kind: "alert", agency: "AZ", at: iso(0), data: {} }]),
  acknowledgedEntry("KZ", retractionId, [{ messageId: alertId, kind: "alert", agency: "AZ", at: iso(4), data: { withinDeadline: true, latencyMs: 240_000, officer: "KZ-DO-1", precedence: "FLASH" } }]),
  { eventId: "e1", event: "escalated", at: iso(10), actor: "ATIX", messageId: alertId, kind: "alert", agency: "RU",
    data: { step: "reminder", recipient: "RU", escalationId: retractionId, precedence: "FLASH", deadline: iso(10) } },
];

describe("dashboard model", () => {
  it("counts deliveries and acknowledgements per alert, and verifies the chain as it goes", () => {
    const m = model(5);
    expect(chain(story).map((r) => m.applyAudit(r).length)).toEqual([1, 2, 1, 1, 1]);
    const a = m.book.alert(alertId)!;
    expect(a).toMatchObject({ originator: "AZ", precedence: "FLASH", tlp: "AMBER", recipients: 2, delivered: 2, acknowledged: 1, escalations: 1, state: "open" });
    expect(m.chain).toEqual({ verified: 5, ok: true, catchingUp: true });
    expect(m.book.escalations[0]).toMatchObject({ step: "reminder", recipient: "RU", notify: "RU", originator: "AZ", title: "Planned attack on the Mingachevir dam" });
    const s = m.snapshot(CONTROLS);
    expect(s.agencies.map((x) => x.id)).toEqual(["AZ", "KZ", "RU"]);
    expect(s.regions).toEqual(["europe", "caucasus", "central-asia"]);
    expect(s.counters.figures).toMatchObject({ deliveries: 2, awaiting: 1, overdue: 0, messagesAccepted: 1, alertsAndRfis: 1, escalations: 1, acknowledged: 1 });
    expect(s.names.regions.caucasus).toBe("Caucasus");
  });

  it("makes a delivery overdue when simulated time passes its deadline, without any new record", () => {
    const m = model(5);
    for (const r of chain(story.slice(0, 4))) m.applyAudit(r);
    m.refresh();
    expect(m.agencyViews().find((a) => a.id === "RU")).toMatchObject({ open: 1, overdue: 0 });
    m.clock = { ...m.clock!, simAnchor: T0 + 11 * 60_000 };
    m.refresh();
    expect(m.agencyViews().find((a) => a.id === "RU")).toMatchObject({ open: 1, overdue: 1 });
    expect(m.counters().agencies.overdue).toBe(1);
  });

  it("shows a journey: who is missing, escalations by step, what refers to it, its events in chain order", () => {
    const m = model(11);
    for (const r of chain(story)) m.applyAudit(r);
    const open = m.journey(alertId)!;
    expect(open.recipients).toEqual([{ agency: "KZ", state: "acknowledged", at: iso(4) }, { agency: "RU", state: "delivered", at: iso(0) }]);
    expect(open.escalations).toEqual([expect.objectContaining({ step: "reminder", recipient: "RU", notify: "RU", at: iso(10) })]);

    const m2 = model(12);
    const records = chain([
      ...story,
      { eventId: "x", event: "retracted", at: iso(12), actor: "AZ", messageId: retractionId, kind: "alert-retraction",
        data: { recipients: ["KZ", "RU"], precedence: "FLASH", ackDeadline: iso(22), refersTo: alertId } },
    ]);
    for (const r of records) m2.applyAudit(r);
    const j = m2.journey(alertId)!;
    expect(j.records.map((r) => r.event)).toEqual(["submitted", "delivered", "delivered", "receipted", "acknowledged", "escalated", "retracted"]);
    expect(j.records.at(-1)).toMatchObject({ related: true, messageId: retractionId });
    expect(j.alert?.state).toBe("retracted");
    expect(j.recipients.map((r) => r.state)).toEqual(["acknowledged", "withdrawn"]);
    expect(j.linked).toEqual([expect.objectContaining({ id: retractionId, relation: "withdrawal", from: "AZ" })]);
    expect(m2.journey(retractionId)!.linked).toEqual([expect.objectContaining({ id: alertId, relation: "about" })]);
    m2.refresh();
    expect(m2.agencyViews().find((a) => a.id === "RU")).toMatchObject({ open: 0, overdue: 0 });
  });

  it("reads batched records as the deliveries they stand for: counts, journeys and one view per delivery", () => {
    const m = model(5);
    const second = uuidv7();
    const [first] = story;
    const submitted = first as Extract<AuditEntry, { event: "submitted" }>;
    const records = chain([
      submitted,
      { ...submitted, eventId: "s2", messageId: second, data: { ...submitted.data, title: "Second" } },
      { eventId: `delivered:${alertId}`, event: "delivered", at: iso(0), actor: "ATIX", messageId: alertId, kind: "alert",
        data: { recipients: ["KZ", "RU"], deadline: iso(10), precedence: "FLASH", originator: "AZ" } },
      { eventId: `delivered:${second}`, event: "delivered", at: iso(0), actor: "ATIX", messageId: second, kind: "alert",
        data: { recipients: ["KZ", "RU"], deadline: iso(10), precedence: "FLASH", originator: "AZ" } },
      // KZ receipts and acknowledges both alerts in one message each.
      receiptedEntry("KZ", uuidv7(), [alertId, second].map((id) => ({ messageId: id, kind: "alert", agency: "AZ", at: iso(0), data: {} }))),
      acknowledgedEntry("KZ", uuidv7(), [alertId, second].map((id) => ({
        messageId: id, kind: "alert", agency: "AZ", at: iso(4), data: { withinDeadline: true, latencyMs: 240_000, officer: "KZ-DO-1", precedence: "FLASH" as const },
      }))),
      story.at(-1)!, // RU's escalation
    ]);
    const views = records.map((r) => m.applyAudit(r));
    expect(views.map((v) => v.length)).toEqual([1, 1, 2, 2, 2, 2, 1]);
    expect(views[2]!.map((v) => [v.seq, v.part, v.agency])).toEqual([[3, 0, "KZ"], [3, 1, "RU"]]);
    expect(views[4]!.map((v) => [v.event, v.messageId, v.actor])).toEqual([["receipted", alertId, "KZ"], ["receipted", second, "KZ"]]);
    for (const id of [alertId, second]) {
      expect(m.book.alert(id)).toMatchObject({ recipients: 2, delivered: 2, acknowledged: 1 });
      expect(m.journey(id)!.records.map((r) => `${r.event} ${r.actor}→${r.agency}`)).toEqual(
        expect.arrayContaining(["delivered ATIX→KZ", "delivered ATIX→RU", "receipted KZ→AZ", "acknowledged KZ→AZ"]),
      );
    }
    expect(m.snapshot(CONTROLS).counters.figures).toMatchObject({ deliveries: 4, awaiting: 2, acknowledged: 2, withinDeadline: 2, late: 0 });
    expect(m.book.alert(alertId)?.escalations).toBe(1);
  });

  it("says where the chain broke when a record was edited, and keeps showing the exchange", () => {
    const m = model(5);
    const records = chain(story);
    records[2] = { ...records[2]!, agency: "RU" };
    for (const r of records) m.applyAudit(r);
    expect(m.chain.ok).toBe(false);
    expect(m.chain.verified).toBe(2);
    expect(m.chain.failure).toMatch(/record 3 was edited/);
    expect(m.book.alert(alertId)?.acknowledged).toBe(1);
  });

  it("says which record's signature does not stand: re-signed by a stranger, or edited with its hash recomputed", () => {
    const m = model(5);
    const records = chain(story);
    // Record 2 rewritten, its hash recomputed and signed with a key the registry does not list.
    const forged = { ...records[1]!, at: iso(1) } as AuditRecord;
    forged.hash = recordHash(forged);
    forged.signature = signRecordHash(forged.hash, stranger.seed);
    for (const r of [records[0]!, forged]) m.applyAudit(r);
    expect(m.chain).toMatchObject({ ok: false, verified: 1 });
    expect(m.chain.failure).toMatch(/record 2 is signed with U[A-Z2-7]{55}, which is not a coordinator key of the registry/);

    const n = model(5);
    const edited = { ...records[1]!, data: { ...(records[1]!.data as object), originator: "KZ" } } as AuditRecord;
    edited.hash = recordHash(edited);
    for (const r of [records[0]!, edited]) n.applyAudit(r);
    expect(n.chain).toMatchObject({ ok: false, verified: 1 });
    expect(n.chain.failure).toMatch(/record 2's signature does not match its hash/);
  });

  it("takes an agency's signed presence, and calls it offline once it falls silent", () => {
    const m = model(0);
    const presence = { id: uuidv7(), kind: "presence", schemaVersion: "1.0", sender: "KZ", sentAt: iso(0), body: { status: "reduced", officer: "KZ-DO-2" } } as never;
    m.presence(presence, 1_000);
    m.refresh(5_000);
    expect(m.agencyViews().find((a) => a.id === "KZ")).toMatchObject({ status: "reduced", officer: "KZ-DO-2" });
    m.refresh(20_000);
    expect(m.agencyViews().find((a) => a.id === "KZ")?.status).toBe("offline");
    expect(m.agencyViews().find((a) => a.id === "AZ")?.status).toBe("unknown");
  });

  it("knows the scenario's injects by the runner's word, before or after the chain records them; highlights only the marked ones", () => {
    const m = model(5);
    const rfiId = uuidv7();
    const exercise: ExerciseView = {
      name: "t", title: "Test", start: iso(-60), end: iso(600), threads: [{ id: "D", title: "Dam plot" }],
      injects: [
        { inject: 1, at: iso(0), thread: "D", kind: "alert", from: "AZ", to: { agencies: ["KZ", "RU"] }, precedence: "FLASH", title: "Planned attack on the Mingachevir dam", highlight: true, state: "upcoming" },
        { inject: 2, at: iso(1), thread: "D", kind: "rfi", from: "KZ", to: { agencies: ["AZ"] }, precedence: "IMMEDIATE", title: "RFI - travel of the suspects", question: "Did they cross?", highlight: false, state: "upcoming" },
      ],
      objective: { precedence: "FLASH", target: 0.75 },
    };
    m.exercise.load(exercise);
    // Inject 1: the chain first, then the runner's word.
    for (const r of chain(story.slice(0, 3))) m.applyAudit(r);
    expect(m.highlight()).toBeUndefined();
    m.exercise.played({ inject: 1, messageId: alertId });
    expect(m.highlight()).toMatchObject({ messageId: alertId, inject: 1, thread: "D", from: "AZ", recipients: ["KZ", "RU"], delivered: ["KZ", "RU"], acknowledged: [] });
    expect(m.book.alert(alertId)).toMatchObject({ inject: 1, thread: "D" });
    // Inject 2: the runner's word first; not a highlight, so the moment stays inject 1's.
    m.exercise.played({ inject: 2, messageId: rfiId });
    m.applyAudit(chain([...story.slice(0, 3), { eventId: "q", event: "submitted", at: iso(1), actor: "KZ", messageId: rfiId, kind: "rfi", data: { recipients: ["AZ"], precedence: "IMMEDIATE", ackDeadline: iso(31) } }])[3]!);
    expect(m.highlight()?.messageId).toBe(alertId);
    expect(m.book.alert(rfiId)).toMatchObject({ inject: 2, title: "RFI - travel of the suspects", question: "Did they cross?" });
    m.book.describe(rfiId, { question: "Did they cross?", aboutAlert: alertId });
    expect(m.book.alert(alertId)?.rfis).toBe(1);
    expect(m.journey(alertId)!.linked).toEqual([expect.objectContaining({ id: rfiId, relation: "rfi", from: "KZ" })]);
    const s = m.snapshot(CONTROLS);
    expect(s.exercise?.injects.map((i) => [i.inject, i.state, i.messageId])).toEqual([[1, "played", alertId], [2, "played", rfiId]]);
    expect(s.alerts.filter((a) => a.inject !== undefined).map((a) => a.inject).sort()).toEqual([1, 2]);
    m.exercise.played({ inject: 3, notSent: "KZ is offline" });
    expect(m.exercise.takeChanged().map((i) => i.inject)).toEqual([1, 2]);
  });

  it("without a scenario, every FLASH alert is the moment; an inject not sent says why", () => {
    const m = model(5);
    for (const r of chain(story)) m.applyAudit(r);
    expect(m.highlight()).toMatchObject({ messageId: alertId, precedence: "FLASH", acknowledged: ["KZ"], late: [] });
    m.exercise.load({ name: "t", title: "T", start: iso(0), end: iso(60), threads: [], injects: [
      { inject: 1, at: iso(30), kind: "alert", from: "AZ", to: { all: true }, title: "x", highlight: true, state: "upcoming" },
    ] });
    m.exercise.played({ inject: 1, notSent: "AZ is offline" });
    expect(m.exercise.view()?.injects[0]).toMatchObject({ state: "not-sent", note: "AZ is offline" });
  });

  it("lists escalations newest first in simulated time, also when the chain records them out of order", () => {
    const m = model(30);
    const esc = (id: string, at: number, recipient: string): AuditEntry => ({
      eventId: id, event: "escalated", at: iso(at), actor: "ATIX", messageId: alertId, kind: "alert", agency: recipient,
      data: { step: "reminder", recipient, escalationId: uuidv7(), precedence: "FLASH", deadline: iso(10) },
    });
    for (const r of chain([...story.slice(0, 3), esc("e1", 16, "RU"), esc("e2", 14, "KZ"), esc("e3", 20, "RU"), esc("e4", 12, "KZ")])) m.applyAudit(r);
    expect(m.book.escalations.map((e) => e.at)).toEqual([iso(20), iso(16), iso(14), iso(12)]);
    expect(m.book.escalations[0]).toMatchObject({ messageIds: [alertId], recipient: "RU", notify: "RU", title: "Planned attack on the Mingachevir dam" });
  });

  it("shows an escalation that covers several messages (one per recipient and step) on each of them", () => {
    // The chain records one escalation per delivery today; a coalesced one (issue 13) reaches the
    // book as one event covering several messages, which record-view builds from the record.
    const m = model(30);
    const second = uuidv7();
    for (const r of chain([...story.slice(0, 3), { ...story[0]!, eventId: "s2", messageId: second, data: { ...story[0]!.data, title: "Second" } } as AuditEntry])) m.applyAudit(r);
    const view = m.book.apply({ seq: 9, event: "escalated", at: iso(12), actor: "ATIX", messageId: alertId, kind: "alert", agency: "RU", step: "reminder", recipient: "RU", covers: [alertId, second].map((messageId) => ({ messageId, recipient: "RU" })) });
    expect(view).toMatchObject({ event: "escalated", messageIds: [alertId, second] });
    expect(m.book.escalations[0]).toMatchObject({ messageIds: [alertId, second], recipient: "RU" });
    expect([m.book.alert(alertId)?.escalations, m.book.alert(second)?.escalations]).toEqual([1, 1]);
    expect(m.journey(second)!.escalations).toEqual([expect.objectContaining({ step: "reminder", recipient: "RU", notify: "RU" })]);
  });
});

describe("the room's language and anonymity", () => {
  it("names regions, organisations and agencies in Russian; anonymised, an agency is its region and the page's catalogue says so", () => {
    const ru = new DashboardModel("t", { lang: "ru", anonymiser: Anonymiser.none() });
    ru.setRegistry({ ...registry, organisations: [{ id: "CIS", name: "Commonwealth of Independent States", hub: "KZ" }] });
    const s = ru.snapshot(CONTROLS);
    expect(s.names.regions.caucasus).toBe("Кавказ");
    expect(s.names.organisations.CIS).toBe("СНГ");
    expect(s.agencies.find((a) => a.id === "AZ")).toMatchObject({ name: agencyName({ id: "AZ", name: "Service AZ" }, "ru"), country: "Азербайджан" });

    const presentation = { lang: "ru" as const, anonymiser: Anonymiser.of(registry.agencies, 7) };
    const anon = new DashboardModel("t", presentation);
    anon.setRegistry(registry);
    expect(anon.snapshot(CONTROLS).agencies.find((a) => a.id === "AZ")).toMatchObject({ name: "Кавказ", country: "" });
    const page = pageLanguage(presentation);
    expect(page).toMatchObject({ lang: "ru", locale: "ru-RU", anonymised: true });
    expect(page.catalogue["dash.now"]).toBe("Сейчас");
    expect(page.catalogue["figure.deliveries"]).toBe("Доставки");
    expect(Object.keys(page.catalogue).every((k) => /^(dash|figure|verdict|status)\.|^(disclaimer|anonymised)$/.test(k))).toBe(true);
  });
});
