// The exchange's messages as the audit chain tells them: what was sent to whom, how far its
// deliveries got, what escalated, and what refers to what (updates, the withdrawal, hits, answers,
// RFIs that name an alert). Fed with record-view events and with the figures' delivery changes,
// so the counts on a row are the same counts as the figures'. Bounded: the oldest background
// messages and their journeys are forgotten first; the scenario's injects are kept.
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import type { DeliveryChange } from "../../shared/exchange/figures.ts";
import { ACCEPTED_EVENTS, type DashEvent } from "./record-view.ts";
import type { AlertView, AuditEventView, EscalationView, JourneyView } from "./types.ts";

/** Kinds listed as background traffic; updates, hits and answers count on their alert. */
const LISTED = new Set(["alert", "rfi"]);
/** Messages (and their journeys) kept: a week of heavy traffic. */
const MAX_MESSAGES = 5_000;
/** Per journey: events kept (a FLASH to 1000 agencies has some 3,000), escalations and links. */
const MAX_JOURNEY_EVENTS = 4_000;
const MAX_JOURNEY_ITEMS = 500;
/** The escalations listed (newest first by simulated time). */
const MAX_ESCALATIONS = 200;
/** Background alerts and RFIs in the list. */
const MAX_BACKGROUND = 60;

type Linked = JourneyView["linked"][number];
type Escalated = JourneyView["escalations"][number];

/** A message as the book keeps it: its row's fields, with the recipients named, and its journey. */
interface Msg extends Omit<AlertView, "recipients" | "state"> {
  recipients: readonly string[];
  retracted: boolean;
  events: (AuditEventView & { related?: true })[];
  omitted: number;
  escalated: Escalated[];
  linked: Linked[];
}

const RELATION: Record<string, Linked["relation"]> = { updated: "update", retracted: "withdrawal", "hit-reported": "hit", answered: "answer" };

export class AlertBook {
  private msgs = new Map<string, Msg>();
  readonly escalations: EscalationView[] = [];
  /** Ids whose row changed since the last `takeChanged()`. */
  private changed = new Set<string>();

  private msg(id: string): Msg {
    let m = this.msgs.get(id);
    if (!m) {
      // A delivery can be recorded before its message (appends race): filled in later.
      m = {
        id, kind: "alert", originator: "", title: "", precedence: "ROUTINE", sentAt: "", deadline: "", recipients: [], delivered: 0, acknowledged: 0, late: 0,
        escalations: 0, updates: 0, hits: 0, answers: 0, rfis: 0, retracted: false, events: [], omitted: 0, escalated: [], linked: [],
      };
      this.msgs.set(id, m);
      this.forgetOldest();
    }
    return m;
  }

  /** The oldest message that is not an inject goes first. */
  private forgetOldest() {
    if (this.msgs.size <= MAX_MESSAGES) return;
    for (const [id, m] of this.msgs)
      if (m.inject === undefined) {
        this.msgs.delete(id);
        return;
      }
  }

  private touch(m: Msg | undefined) {
    if (m && (m.inject !== undefined || LISTED.has(m.kind))) this.changed.add(m.id);
  }

  /** A delivery counted by the figures: the same count on the message's row. */
  onDelivery = (t: TrackingRecord, change: DeliveryChange) => {
    const m = this.msg(t.messageId);
    if (change === "delivered") m.delivered++;
    else if (change === "acknowledged") {
      m.acknowledged++;
      if (t.withinDeadline === false) m.late++;
    }
    this.touch(m);
  };

  /** Applies one event; returns it as the page is sent it (with what is known of its message). */
  apply(e: DashEvent): AuditEventView {
    const id = e.messageId;
    if (id && ACCEPTED_EVENTS.has(e.event)) this.accepted(e, id);
    else if (id && e.event === "escalated") this.escalate(e, id);
    const view = this.view(e);
    if (id) this.remember(id, view);
    if (e.refersTo && id !== e.refersTo) this.remember(e.refersTo, { ...view, related: true });
    return view;
  }

  private accepted(e: DashEvent, id: string) {
    const m = this.msg(id);
    const about = e.refersTo ? this.msgs.get(e.refersTo) : undefined;
    Object.assign(m, {
      kind: e.kind ?? m.kind, originator: e.actor, sentAt: e.at, precedence: e.precedence ?? m.precedence, deadline: e.deadline ?? m.deadline,
      // An inject keeps the MSEL's title (markInject may come first): the room's language, the script's words.
      title: (m.inject !== undefined && m.title) || e.title || m.title || about?.title, recipients: e.recipients ?? m.recipients,
      ...(e.tlp ? { tlp: e.tlp } : {}), ...(e.refersTo ? { refersTo: e.refersTo } : {}),
    });
    if (!m.title && about) m.title = about.title;
    if (about) {
      const relation = RELATION[e.event];
      if (relation === "update") about.updates++;
      if (relation === "hit") about.hits++;
      if (relation === "answer") about.answers++;
      if (relation === "withdrawal") about.retracted = true;
      if (relation) this.link(about, { id, kind: m.kind, from: e.actor, at: e.at, relation, ...(m.title ? { title: m.title } : {}) });
      this.link(m, { id: about.id, kind: about.kind, from: about.originator, at: about.sentAt, relation: "about", ...(about.title ? { title: about.title } : {}) });
    }
    this.touch(m);
    this.touch(about);
  }

  private link(m: Msg, l: Linked) {
    if (m.linked.length < MAX_JOURNEY_ITEMS && !m.linked.some((x) => x.id === l.id && x.relation === l.relation)) m.linked.push(l);
  }

  private escalate(e: DashEvent, id: string) {
    const m = this.msg(id);
    const step = e.step ?? "";
    const recipient = e.recipient ?? "";
    const covers = e.covers?.length ? e.covers : [{ messageId: id, recipient }];
    for (const c of covers) {
      const about = c.messageId === id ? m : this.msg(c.messageId);
      about.escalations++;
      if (about.escalated.length < MAX_JOURNEY_ITEMS)
        about.escalated.push({ step, recipient: c.recipient, notify: e.agency ?? "", at: e.at, seq: e.seq, ...(e.via ? { via: e.via } : {}) });
      this.touch(about);
    }
    const view: EscalationView = {
      seq: e.seq, at: e.at, step, recipient, notify: e.agency ?? "", messageIds: covers.map((c) => c.messageId), precedence: m.precedence,
      ...(e.via ? { via: e.via } : {}), ...(m.title ? { title: m.title } : {}), ...(m.originator ? { originator: m.originator } : {}), ...(m.inject !== undefined ? { inject: m.inject } : {}),
    };
    // Newest (simulated time) first: steps are written as they fall due, not always in order.
    let i = 0;
    while (i < this.escalations.length && (this.escalations[i]!.at > view.at || (this.escalations[i]!.at === view.at && this.escalations[i]!.seq > view.seq))) i++;
    if (i < MAX_ESCALATIONS) this.escalations.splice(i, 0, view);
    this.escalations.length = Math.min(this.escalations.length, MAX_ESCALATIONS);
  }

  private remember(id: string, view: AuditEventView & { related?: true }) {
    const m = this.msgs.get(id);
    if (!m) return;
    if (m.events.length < MAX_JOURNEY_EVENTS) m.events.push(view);
    else m.omitted++;
  }

  private view(e: DashEvent): AuditEventView {
    const m = e.messageId ? this.msgs.get(e.messageId) : undefined;
    const v: AuditEventView = { seq: e.seq, event: e.event, at: e.at, actor: e.actor };
    if (e.part !== undefined) v.part = e.part;
    if (e.agency) v.agency = e.agency;
    if (e.messageId) v.messageId = e.messageId;
    if (e.kind) v.kind = e.kind;
    const from = m?.originator || e.from;
    if (from) v.from = from;
    const precedence = m?.originator ? m.precedence : e.precedence;
    if (precedence) v.precedence = precedence;
    if (m?.title) v.title = m.title;
    if (m?.tlp) v.tlp = m.tlp;
    if (e.step) v.step = e.step;
    if (e.recipient) v.recipient = e.recipient;
    if (e.refersTo) v.refersTo = e.refersTo;
    if (m?.inject !== undefined) v.inject = m.inject;
    if (e.withinDeadline === false) v.late = true;
    if (e.covers && e.covers.length > 1) v.messageIds = e.covers.map((c) => c.messageId);
    return v;
  }

  /**
   * What the coordinator's message record adds: an RFI's question (and a title from it when the
   * record has none) and the alert it follows up, which links it to that alert's journey.
   */
  describe(id: string, record: { title?: string; category?: string; question?: string; aboutAlert?: string }) {
    const m = this.msgs.get(id);
    if (!m) return;
    if (record.question) m.question = record.question;
    if (!m.title) m.title = record.title ?? (record.question ? firstSentence(record.question) : `Request for information${record.category ? `: ${record.category.replace(/-/g, " ")}` : ""}`);
    const about = record.aboutAlert ? this.msgs.get(record.aboutAlert) : undefined;
    if (about && !m.refersTo) {
      m.refersTo = about.id;
      about.rfis++;
      this.link(about, { id, kind: m.kind, from: m.originator, at: m.sentAt, relation: "rfi", ...(m.title ? { title: m.title } : {}) });
      this.link(m, { id: about.id, kind: about.kind, from: about.originator, at: about.sentAt, relation: "about", ...(about.title ? { title: about.title } : {}) });
      this.touch(about);
    }
    this.touch(m);
  }

  /** The scenario's script sent this message as inject `n` (its title and question as the MSEL states them, translated). */
  markInject(id: string, n: number, script: { thread?: string; title?: string; question?: string }) {
    const m = this.msg(id);
    m.inject = n;
    if (script.thread) m.thread = script.thread;
    if (script.question) m.question = script.question;
    // The MSEL's words win (in the room's language; an RFI's record has no title of its own).
    if (script.title) m.title = script.title;
    this.touch(m);
  }

  recipientsOf(id: string): readonly string[] {
    return this.msgs.get(id)?.recipients ?? [];
  }

  alert(id: string): AlertView | null {
    const m = this.msgs.get(id);
    if (!m) return null;
    const state = m.retracted ? "retracted" : m.acknowledged >= Math.max(m.recipients.length, m.delivered) ? "complete" : "open";
    const { recipients, retracted: _r, events: _e, omitted: _o, escalated: _x, linked: _l, ...row } = m;
    return { ...row, recipients: recipients.length, state };
  }

  /** Every inject's message, then the latest background alerts and RFIs, newest first. */
  alerts(): AlertView[] {
    const out: AlertView[] = [];
    let background = 0;
    for (const m of [...this.msgs.values()].reverse()) {
      if (!m.originator) continue;
      if (m.inject === undefined) {
        if (!LISTED.has(m.kind) || background >= MAX_BACKGROUND) continue;
        background++;
      }
      out.push(this.alert(m.id)!);
    }
    return out;
  }

  /** The journey without its recipients' states (the model adds them from the figures' deliveries). */
  journey(id: string): Omit<JourneyView, "recipients"> & { recipients: readonly string[] } | undefined {
    const m = this.msgs.get(id);
    if (!m || (!m.originator && !m.events.length)) return undefined;
    return { alert: this.alert(id), recipients: m.recipients, escalations: m.escalated, linked: m.linked, records: m.events, omitted: m.omitted };
  }

  takeChanged(): AlertView[] {
    const out = [...this.changed].map((id) => this.alert(id)).filter((a): a is AlertView => !!a && !!a.originator);
    this.changed.clear();
    return out;
  }
}

/** An RFI's question as a title: its first sentence, cut at a word near 140 characters. */
function firstSentence(q: string): string {
  const s = q.replace(/^EXERCISE\.\s*/, "").split(/(?<=[.?!])\s/)[0]!.trim();
  return s.length <= 140 ? s : `${s.slice(0, s.lastIndexOf(" ", 137))}…`;
}
