// Everything the dashboard shows, kept in memory and fed by the exchange: the registry, signed
// presence, coordinator heartbeats, the clock, the audit chain (verified record by record, counted
// by the shared figures) and, inside `atix run`, the scenario's MSEL and the run's result. It knows
// nothing of NATS or HTTP, so it can be tested by feeding it records.
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { type ClockState, SimClock } from "../../shared/clock.ts";
import { type PresenceMessage, REGIONS, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { ExchangeFigures } from "../../shared/exchange/figures.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import { AlertBook } from "./alerts.ts";
import { Exercise } from "./exercise.ts";
import { agencyNames, type DashboardPresentation, ENGLISH, namesView } from "./presentation.ts";
import { eventsOf } from "./record-view.ts";
import type { AgencyView, AuditEventView, ChainStatus, Counters, DashboardState, DebriefView, HighlightView, JourneyView, NamesView } from "./types.ts";

/** Presence is repeated every 2 wall seconds: an agency silent this long has gone. */
const SILENT_AFTER_MS = 10_000;
/** Coordinators beat every second. */
const COORDINATOR_GONE_MS = 5_000;
/** Settled deliveries older than this (simulated) are forgotten; their counts stay. */
const SETTLED_KEPT_MS = 7 * 24 * 3_600_000;

export class DashboardModel {
  readonly book = new AlertBook();
  figures = new ExchangeFigures(1, this.book.onDelivery);
  readonly exercise = new Exercise(this.book);
  private agencies = new Map<string, AgencyView & { heardAt?: number }>();
  /** Coordinator keys of the registry: records must be signed with one of them. */
  private readonly trusted = new Set<string>();
  private verifier = new ChainVerifier(this.trusted);
  private beats = new Map<string, number>();
  chain: ChainStatus = { verified: 0, ok: true, catchingUp: true };
  clock: ClockState | undefined;
  connected = false;
  name = "";
  finished: string | undefined;
  debrief: DebriefView | undefined;
  /** Sequence of the last record applied. */
  lastSeq = 0;
  /** The exchange's NATS URL, once attached. */
  url = "";

  /** Regions, organisations and groups by id in the room's language. */
  private names: NamesView;

  constructor(
    readonly title?: string,
    private readonly presentation: DashboardPresentation = ENGLISH,
  ) {
    this.names = namesView(undefined, presentation.lang);
  }

  /** Whether a key is one of the registry's coordinator keys (records signed with others do not verify). */
  trusts(publicKey: string): boolean {
    return this.trusted.has(publicKey);
  }

  setRegistry(reg: RegistryData) {
    this.name = reg.name;
    for (const k of reg.coordinators) this.trusted.add(k.publicKey);
    const before = this.agencies;
    this.agencies = new Map(
      reg.agencies.map((a) => [a.id, before.get(a.id) ?? { id: a.id, ...agencyNames(a, this.presentation), region: a.region, status: "unknown", open: 0, overdue: 0 }]),
    );
    this.names = namesView(reg, this.presentation.lang);
  }

  /** The figures count from this record on (before any record is applied): a run on an exchange with history. */
  countFrom(seq: number) {
    this.figures = new ExchangeFigures(seq, this.book.onDelivery);
  }

  simNow(): number {
    return this.clock ? new SimClock(this.clock).nowMs() : Date.now();
  }

  /**
   * Checks the record against the chain so far, then applies it. A record that breaks the chain
   * is still shown (the exchange goes on), but the chain status says where verification stopped.
   * Returns a view per delivery the record stands for (none when it is not an audit record).
   */
  applyAudit(raw: unknown): AuditEventView[] {
    if (this.chain.ok && !this.verifier.push(raw)) {
      const v = this.verifier.result();
      this.chain = { ...this.chain, ok: false, ...(v.ok ? {} : { failure: v.reason }) };
    } else if (this.chain.ok) this.chain = { ...this.chain, verified: this.chain.verified + 1 };
    const r = StoredAuditRecord.safeParse(raw);
    if (!r.success) return [];
    this.lastSeq = r.data.seq;
    this.figures.apply(r.data);
    return eventsOf(r.data).map((e) => {
      const view = this.book.apply(e);
      this.exercise.onEvent(e, view);
      return view;
    });
  }

  presence(p: PresenceMessage, wallNow = Date.now()) {
    const a = this.agencies.get(p.sender);
    if (!a) return;
    a.status = p.body.status;
    a.heardAt = wallNow;
    if (p.body.officer) a.officer = p.body.officer;
    else delete a.officer;
  }

  heartbeat(instance: string, wallNow = Date.now()) {
    this.beats.set(instance, wallNow);
  }

  coordinators(wallNow = Date.now()): number {
    return [...this.beats.values()].filter((t) => wallNow - t < COORDINATOR_GONE_MS).length;
  }

  /** Recomputes what time changes: silence, and the deliveries waiting on each agency. */
  refresh(wallNow = Date.now()) {
    const simNow = this.simNow();
    const load = this.figures.agencyLoad(simNow);
    for (const a of this.agencies.values()) {
      if (a.heardAt !== undefined && wallNow - a.heardAt > SILENT_AFTER_MS) a.status = "offline";
      a.open = load.get(a.id)?.open ?? 0;
      a.overdue = load.get(a.id)?.overdue ?? 0;
    }
    this.figures.deliveries.prune(simNow - SETTLED_KEPT_MS);
  }

  agencyViews(): AgencyView[] {
    return [...this.agencies.values()].map(({ heardAt: _h, ...a }) => a);
  }

  counters(): Counters {
    const agencies = this.agencyViews();
    const online = agencies.filter((a) => a.status !== "offline" && a.status !== "unknown");
    return {
      agencies: {
        registered: agencies.length,
        online: online.length,
        onDuty: online.filter((a) => a.status === "on-duty").length,
        overdue: agencies.filter((a) => a.overdue > 0).length,
      },
      figures: this.figures.at(this.simNow()),
    };
  }

  /** Where each recipient of a message stands, from the deliveries the figures keep. */
  journey(id: string): JourneyView | undefined {
    const j = this.book.journey(id);
    if (!j) return undefined;
    const sentMs = j.alert ? Date.parse(j.alert.sentAt) : Number.NaN;
    const forgotten = this.figures.deliveries.wasPruned(id, sentMs);
    const recipients = j.recipients.map((agency): JourneyView["recipients"][number] => {
      const t = this.figures.deliveries.get(id, agency);
      if (!t) return { agency, state: forgotten ? "acknowledged" : j.alert?.state === "retracted" ? "withdrawn" : "waiting" };
      if (t.state === "closed") return { agency, state: "withdrawn" };
      if (t.ackAt) return { agency, state: t.withinDeadline === false ? "late" : "acknowledged", at: t.ackAt };
      return { agency, state: "delivered", at: t.deliveredAt };
    });
    return { ...j, recipients };
  }

  /** The banner moment: the latest highlighted inject (or FLASH message) and its recipients' progress. */
  highlight(): HighlightView | undefined {
    // (Deliveries come from the figures' view: a moment is recent, never pruned.)
    const h = this.exercise.highlight;
    if (!h) return undefined;
    const delivered: string[] = [];
    const acknowledged: string[] = [];
    const late: string[] = [];
    for (const t of this.figures.deliveries.ofMessage(h.messageId)) {
      delivered.push(t.recipient);
      if (t.ackAt) acknowledged.push(t.recipient);
      if (t.withinDeadline === false) late.push(t.recipient);
    }
    return { ...h, delivered, acknowledged, late };
  }

  snapshot(controls: DashboardState["controls"]): DashboardState {
    this.refresh();
    const present = new Set(this.agencyViews().map((a) => a.region));
    const highlight = this.highlight();
    const exercise = this.exercise.view();
    return {
      exchange: {
        name: this.name, url: this.url, connected: this.connected, coordinators: this.coordinators(),
        ...(this.title ? { title: this.title } : {}), ...(this.finished ? { finished: this.finished } : {}),
      },
      clock: this.clock ? { state: this.clock, wallNow: Date.now() } : null,
      controls,
      ...(exercise ? { exercise } : {}),
      agencies: this.agencyViews(),
      regions: REGIONS.filter((r) => present.has(r)),
      alerts: this.book.alerts(),
      escalations: this.book.escalations.slice(0, 60),
      counters: this.counters(),
      names: this.names,
      ...(highlight ? { highlight } : {}),
      ...(this.debrief ? { debrief: this.debrief } : {}),
      chain: this.chain,
      auditSeq: this.lastSeq,
    };
  }
}
