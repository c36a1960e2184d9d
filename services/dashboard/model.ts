// Everything the dashboard shows, kept in memory and fed by the exchange: the registry, signed
// presence, coordinator heartbeats, the clock, and the audit chain (verified record by record).
// It knows nothing of NATS or HTTP, so it can be tested by feeding it records.
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { type ClockState, SimClock } from "../../shared/clock.ts";
import { type PresenceMessage, REGIONS, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { summariseTracking } from "../../shared/exchange/observe.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import { AlertBook } from "./alerts.ts";
import type { AgencyView, AuditEventView, ChainStatus, Counters, DashboardState } from "./types.ts";

/** Presence is repeated every 2 wall seconds: an agency silent this long has gone. */
const SILENT_AFTER_MS = 10_000;
/** Coordinators beat every second. */
const COORDINATOR_GONE_MS = 5_000;

export class DashboardModel {
  readonly book = new AlertBook();
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
  /** Sequence of the last record applied. */
  lastSeq = 0;

  /** The exchange's NATS URL, once attached. */
  url = "";

  constructor(readonly title?: string) {}

  /** Whether a key is one of the registry's coordinator keys (records signed with others do not verify). */
  trusts(publicKey: string): boolean {
    return this.trusted.has(publicKey);
  }

  setRegistry(reg: RegistryData) {
    this.name = reg.name;
    for (const k of reg.coordinators) this.trusted.add(k.publicKey);
    const before = this.agencies;
    this.agencies = new Map(
      reg.agencies.map((a) => [a.id, before.get(a.id) ?? { id: a.id, name: a.name, country: a.country, region: a.region, status: "unknown", open: 0, overdue: 0 }]),
    );
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
    return this.book.apply(r.data);
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

  /** Recomputes what time changes: silence, open and overdue deliveries per agency. */
  refresh(wallNow = Date.now()) {
    const simNow = this.simNow();
    const open = new Map<string, number>();
    const overdue = new Map<string, number>();
    for (const t of this.book.deliveries.open()) {
      open.set(t.recipient, (open.get(t.recipient) ?? 0) + 1);
      if (Date.parse(t.deadline) < simNow) overdue.set(t.recipient, (overdue.get(t.recipient) ?? 0) + 1);
    }
    for (const a of this.agencies.values()) {
      if (a.heardAt !== undefined && wallNow - a.heardAt > SILENT_AFTER_MS) a.status = "offline";
      a.open = open.get(a.id) ?? 0;
      a.overdue = overdue.get(a.id) ?? 0;
    }
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
      messages: {
        accepted: this.book.accepted,
        alerts: this.book.alertsSent,
        rejected: this.book.rejected,
        escalations: this.book.escalated,
      },
      deliveries: summariseTracking(this.book.deliveries.all(), this.simNow()),
    };
  }

  snapshot(controls: boolean): DashboardState {
    this.refresh();
    const present = new Set(this.agencyViews().map((a) => a.region));
    return {
      exchange: {
        name: this.name, url: this.url, connected: this.connected, coordinators: this.coordinators(),
        ...(this.title ? { title: this.title } : {}), ...(this.finished ? { finished: this.finished } : {}),
      },
      clock: this.clock ? { state: this.clock, wallNow: Date.now() } : null,
      controls,
      agencies: this.agencyViews(),
      regions: REGIONS.filter((r) => present.has(r)),
      alerts: this.book.alerts(),
      escalations: this.book.escalations.slice(0, 30),
      counters: this.counters(),
      chain: this.chain,
      auditSeq: this.lastSeq,
    };
  }
}
