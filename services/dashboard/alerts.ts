// The exchange's messages and deliveries as the audit chain tells them, record by record: what
// was sent to whom, what arrived, who acknowledged, what escalated. The chain is the one source:
// the same records a journey shows and the verifier checks, so the counts can never disagree.
import { type DeliveryEvent, perDelivery } from "../../shared/audit/deliveries.ts";
import type { AcceptedEvent, AuditRecordOf, StoredAuditRecord } from "../../shared/contracts/index.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { TrackingView } from "../../shared/exchange/tracking-view.ts";
import { keyData } from "../cli/commands/watch.ts";
import type { AlertView, AuditEventView, EscalationView } from "./types.ts";

/** What the chain tells of one message: the view's fields, before its state is derived. */
interface Msg extends Omit<AlertView, "state" | "precedence"> {
  precedence: TrackingRecord["precedence"];
  refersTo?: string;
  retracted: boolean;
}

/** Kinds shown as rows in the alerts panel; updates, hits and answers count on their alert. */
const LISTED = new Set(["alert", "rfi"]);
type Accepted = AuditRecordOf<AcceptedEvent>;
/** Audit events that record an accepted message (its "submitted" in the broad sense). */
const isAccepted = (r: DeliveryEvent): r is Accepted =>
  r.event === "submitted" || r.event === "updated" || r.event === "retracted" || r.event === "answered" || r.event === "hit-reported";
/** The alert or RFI an accepted message is about (an update, retraction, answer or hit). */
const refersToOf = (r: DeliveryEvent) => (isAccepted(r) ? r.data.refersTo : undefined);
/** Journeys kept in memory; older ones are dropped first (a week of heavy traffic). */
const MAX_JOURNEYS = 5_000;
const MAX_ESCALATIONS = 200;


export class AlertBook {
  private msgs = new Map<string, Msg>();
  /** Every delivery and where it got: the same projection of the chain the coordinator keeps. */
  readonly deliveries = new TrackingView();
  private journeys = new Map<string, (AuditEventView & { related?: true })[]>();
  readonly escalations: EscalationView[] = [];
  rejected = 0;
  accepted = 0;
  escalated = 0;
  /** Alerts and RFIs accepted. */
  alertsSent = 0;
  /** Alert ids whose row changed since the last `takeChanged()`. */
  private changed = new Set<string>();

  private msg(id: string): Msg {
    let m = this.msgs.get(id);
    if (!m) {
      // A delivery can be recorded before its message (appends race): fill in the rest later.
      m = { id, kind: "alert", originator: "", title: "", precedence: "ROUTINE", sentAt: "", deadline: "", recipients: 0, retracted: false, delivered: 0, acknowledged: 0, late: 0, escalations: 0, updates: 0, hits: 0, answers: 0 };
      this.msgs.set(id, m);
    }
    return m;
  }

  private touch(m: Msg | undefined) {
    if (m && LISTED.has(m.kind)) this.changed.add(m.id);
  }

  /**
   * Applies one verified record; returns it as the page sees it: one view per delivery it stands
   * for (a message's deliveries, a batched receipt or acknowledgement), so each message's journey
   * and the map show every delivery as its own event.
   */
  apply(r: StoredAuditRecord): AuditEventView[] {
    const events = perDelivery(r);
    return events.map((e, part) => this.applyOne(e, events.length > 1 ? part : undefined, events.length));
  }

  private applyOne(r: DeliveryEvent, part: number | undefined, parts = 1): AuditEventView {
    const id = r.messageId;
    if (r.event === "rejected") this.rejected++;
    else if (id && isAccepted(r)) this.accepted1(r, id);
    else if (id && r.event === "delivered" && r.agency) {
      const m = this.msg(id);
      if (!this.deliveries.get(id, r.agency)) m.delivered++;
      this.deliveries.apply(r);
      this.touch(m);
    } else if (id && r.event === "receipted") this.deliveries.apply(r);
    else if (id && r.event === "acknowledged") {
      const m = this.msg(id);
      const t = this.deliveries.get(id, r.actor);
      const first = t && !t.ackId;
      this.deliveries.apply(r);
      if (first) {
        m.acknowledged++;
        if (t.withinDeadline === false) m.late++;
      }
      this.touch(m);
    } else if (id && r.event === "escalated") this.escalate(r, id, part ? undefined : parts);
    const view = { ...this.view(r), ...(part !== undefined ? { part } : {}), ...(r.event === "escalated" && part === 0 ? { covers: parts } : {}) };
    if (id) this.remember(id, view);
    const about = refersToOf(r);
    if (about && id !== about) this.remember(about, { ...view, related: true });
    return view;
  }

  private accepted1(r: Accepted, id: string) {
    const d = r.data;
    const m = this.msg(id);
    const refersTo = d.refersTo;
    const about = refersTo ? this.msgs.get(refersTo) : undefined;
    const first = !m.originator;
    this.accepted++;
    Object.assign(m, {
      kind: r.kind ?? m.kind, originator: r.actor, sentAt: r.at,
      precedence: d.precedence, deadline: d.ackDeadline,
      title: d.title ?? about?.title ?? m.title, recipients: d.recipients.length,
      ...(d.tlp ? { tlp: d.tlp } : {}), ...(refersTo ? { refersTo } : {}),
    });
    if (first && LISTED.has(m.kind)) this.alertsSent++;
    if (about && r.event === "updated") about.updates++;
    if (about && r.event === "hit-reported") about.hits++;
    if (about && r.event === "answered") about.answers++;
    if (about && r.event === "retracted") about.retracted = true;
    // As the coordinator does: a withdrawn alert's open deliveries stop counting as late.
    if (r.event === "retracted") this.deliveries.apply(r);
    this.touch(m);
    this.touch(about);
  }

  /**
   * One overdue delivery an escalation lists. An escalation message may list many (coalesced):
   * each counts on its alert, the message once in the feed and the counter (`covers`, on its first).
   */
  private escalate(r: Extract<DeliveryEvent, { event: "escalated" }>, id: string, covers: number | undefined) {
    const d = r.data;
    const m = this.msg(id);
    const { recipient, step } = d;
    this.deliveries.apply(r);
    m.escalations++;
    this.touch(m);
    if (covers === undefined) return;
    this.escalated++;
    this.escalations.unshift({
      seq: r.seq, at: r.at, step, messageId: id, recipient, notify: r.agency ?? "",
      ...(d.via ? { via: d.via } : {}), precedence: m.precedence, title: m.title, originator: m.originator,
      ...(covers > 1 ? { covers } : {}),
    });
    this.escalations.length = Math.min(this.escalations.length, MAX_ESCALATIONS);
  }

  private remember(id: string, view: AuditEventView & { related?: true }) {
    let j = this.journeys.get(id);
    if (!j) {
      this.journeys.set(id, (j = []));
      if (this.journeys.size > MAX_JOURNEYS) this.journeys.delete(this.journeys.keys().next().value!);
    }
    j.push(view);
  }

  private view(r: DeliveryEvent): AuditEventView {
    const m = r.messageId ? this.msgs.get(r.messageId) : undefined;
    const escalation = r.event === "escalated" ? r.data : undefined;
    const refersTo = refersToOf(r);
    return {
      seq: r.seq, event: r.event, at: r.at, actor: r.actor,
      ...(r.agency ? { agency: r.agency } : {}), ...(r.messageId ? { messageId: r.messageId } : {}), ...(r.kind ? { kind: r.kind } : {}),
      ...(m?.originator ? { from: m.originator, precedence: m.precedence } : {}),
      ...(m?.title ? { title: m.title } : {}), ...(m?.tlp ? { tlp: m.tlp } : {}),
      ...(escalation ? { step: escalation.step, recipient: escalation.recipient } : {}),
      ...(refersTo ? { refersTo } : {}),
      text: keyData(r),
    };
  }

  /**
   * The audit chain carries no title for an RFI (it asks a question instead): name it after the
   * alert it follows up or its threat category, from the coordinator's message record.
   */
  describe(id: string, record: { title?: string; category?: string }) {
    const m = this.msgs.get(id);
    if (!m || m.title) return;
    m.title = record.title ?? `Request for information${record.category ? `: ${record.category.replace(/-/g, " ")}` : ""}`;
    this.touch(m);
  }

  alert(id: string): AlertView | null {
    const m = this.msgs.get(id);
    if (!m) return null;
    const state = m.retracted ? "retracted" : m.acknowledged >= Math.max(m.recipients, m.delivered) ? "complete" : "open";
    const { refersTo: _r, retracted: _x, ...rest } = m;
    return { ...rest, state };
  }

  /** Alerts and RFIs, newest first (at most `limit`). */
  alerts(limit = 300): AlertView[] {
    const out: AlertView[] = [];
    for (const m of [...this.msgs.values()].reverse()) {
      if (!LISTED.has(m.kind) || !m.originator) continue;
      out.push(this.alert(m.id)!);
      if (out.length >= limit) break;
    }
    return out;
  }

  journey(id: string) {
    return { alert: this.alert(id), records: this.journeys.get(id) ?? [] };
  }

  takeChanged(): AlertView[] {
    const out = [...this.changed].map((id) => this.alert(id)).filter((a): a is AlertView => !!a && !!a.originator);
    this.changed.clear();
    return out;
  }
}
