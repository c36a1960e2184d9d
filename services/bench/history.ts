// A past for the audit chain, made up but lawful: what an exchange of the bench's roster records
// over days of traffic, for measuring what a long chain costs a restarted coordinator and
// `atix status` (`atix bench --history`). Agencies send alerts and RFIs to a few named agencies, a
// region or now and then everyone, a few refused (TLP:RED named too widely); each recipient
// receipts at once and its duty officer acknowledges within the deadline, every agency batching
// what falls due together as nodes do (`more` items). The entries come from the coordinator's own
// builders (decide.ts for acceptances and refusals, deliveries.ts for receipts and
// acknowledgements), in the order a coordinator records them; chaining and signing are
// history-chain.ts's. Deterministic: one seeded stream, so the first N entries are the same for
// any N. What waits for an acknowledgement at any moment is the last few minutes' traffic, not a
// share of the past: the open deliveries stay bounded however long the history grows.
import { acknowledgedEntry, type BatchItem, receiptedEntry } from "../../shared/audit/deliveries.ts";
import { SimClock } from "../../shared/clock.ts";
import {
  type AcknowledgedData, type AuditEntry, BATCH_MAX, type Distribution, HANDLING_CODES, type Message, type Precedence,
  RELIABILITIES, REGIONS, subjects, THREAT_CATEGORIES, type Tlp,
} from "../../shared/contracts/index.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import type { Settings } from "../../shared/exchange/settings.ts";
import { popHeap, pushHeap } from "../../shared/exchange/tracking-view.ts";
import { compose, deterministicId } from "../../shared/messaging/compose.ts";
import { chance, createRng, pick, type Rng, uniform } from "../../shared/prng.ts";
import { officerOnWatch, PRECEDENCE_FACTOR, sampleDelayMinutes } from "../agency/duty-officer.ts";
import { chooseAction } from "../agency/reactions.ts";
import { decide, type DecisionState } from "../coordinator/decide.ts";

/** Simulated ms between two messages on average (a busy exchange: some 20,000 a day). */
const MEAN_GAP_MS = 4_000;
/** Now and then an agency sends several messages in a row to the same addressees (their receipts batch). */
const BURST = { chance: 0.05, min: 2, max: 6, gapMinMs: 200, gapMaxMs: 2_000 };
const SHARE = { broadcast: 0.02, region: 0.18, rfi: 0.1, redTooWide: 0.005, red: 0.05 };
const PRECEDENCE_WEIGHTS: Record<Precedence, number> = { FLASH: 0.1, IMMEDIATE: 0.2, PRIORITY: 0.3, ROUTINE: 0.4 };
/** A node receipts within seconds, and what it received within a second goes in one receipt. */
const RECEIPT = { minMs: 300, maxMs: 3_000, lingerMs: 1_000 };
/**
 * Officers acknowledge within minutes (scaled by precedence as duty-officer.ts does), always
 * before the deadline (a late one would have been escalated, and escalations are not made up
 * here); what comes up within two minutes is acknowledged in one go.
 */
const ACK = { delay: { medianMinutes: 4, p95Minutes: 20 }, minMs: 20_000, deadlineShare: 0.9, pileMs: 120_000 };
const MINUTE_MS = 60_000;
const HANDLING = HANDLING_CODES.filter((h) => h !== "H3"); // H3 needs a handling note

export interface HistoryOptions {
  /** Who sends and who receives: the exchange's registry. */
  registry: Registry;
  /** Deadlines per precedence and the TLP:RED limit, as the exchange's coordinators apply them. */
  settings: Pick<Settings, "ackDeadlineMinutes" | "tlpRedMaxAgencies">;
  /** Simulated time of the first message. */
  startMs: number;
  seed?: string;
}

/** A delivered message, shared by its recipients' pending receipts and acknowledgements. */
interface Sent {
  message: Message;
  precedence: Precedence;
  deliveredMs: number;
  deadlineMs: number;
}
type What = "receipt" | "ack";
/** An agency's receipt or acknowledgement being gathered: sent at `sendMs` with whatever fell due by then. */
interface Batch {
  agency: string;
  what: What;
  sendMs: number;
  items: { sent: Sent; atMs: number }[];
  sent: boolean;
}
/** The timeline, earliest first (the heap orders by `deadlineMs`: here simply the event's time). */
type Event = { deadlineMs: number } & ({ type: "due"; agency: string; what: What; sent: Sent } | { type: "send"; batch: Batch });

const iso = (ms: number) => new Date(ms).toISOString();

export class HistoryGenerator {
  private readonly rng: Rng;
  private readonly seed: string;
  private readonly agencies: string[];
  private readonly timeline: Event[] = [];
  private readonly gathering = new Map<string, Batch>();
  private readonly ready: AuditEntry[] = [];
  private readonly state: DecisionState;
  private nextMessageMs: number;
  private burst: { left: number; sender: string; distribution: Distribution; tlp: Tlp } | undefined;
  private messages = 0;
  private replies = 0;
  private now: number;
  private open = 0;
  /** Entries made so far, by event. */
  readonly made: Record<string, number> = {};

  constructor(private readonly opts: HistoryOptions) {
    this.seed = opts.seed ?? "atix-bench-history";
    this.rng = createRng(this.seed);
    this.agencies = opts.registry.ids;
    if (this.agencies.length < 2) throw new Error(`a history needs at least 2 agencies, the registry has ${this.agencies.length}`);
    this.now = this.nextMessageMs = opts.startMs;
    // What decide() reads for an alert or RFI: the registry and settings (nothing it refers to, no replay).
    this.state = {
      registry: opts.registry,
      settings: opts.settings,
      nowMs: opts.startMs,
      wallNowMs: 0,
      clock: new SimClock({ simAnchor: opts.startMs, wallAnchor: 0, speed: 1, paused: true }),
      view: { get: () => undefined, wasPruned: () => false },
    };
  }

  /** The simulated time of the latest entry's event: where the exchange's clock stands after it. */
  get simNowMs(): number {
    return this.now;
  }
  /** Deliveries recorded (by the entries handed out) and not yet acknowledged. */
  get openDeliveries(): number {
    return this.open;
  }

  next(): AuditEntry {
    while (!this.ready.length) this.step();
    const e = this.ready.shift()!;
    this.made[e.event] = (this.made[e.event] ?? 0) + 1;
    // Counted as they are handed out: a message's entries come one after another.
    if (e.event === "delivered") this.open += e.data.recipients.length;
    else if (e.event === "acknowledged") this.open -= 1 + (e.data.more?.length ?? 0);
    return e;
  }

  private step() {
    const first = this.timeline[0];
    if (!first || this.nextMessageMs < first.deadlineMs) return this.message();
    const e = popHeap(this.timeline);
    this.now = Math.max(this.now, e.deadlineMs);
    if (e.type === "send") return void (e.batch.sent || this.emit(e.batch));
    const key = `${e.what} ${e.agency}`;
    let b = this.gathering.get(key);
    if (!b || b.sent) {
      b = { agency: e.agency, what: e.what, sendMs: e.deadlineMs + (e.what === "receipt" ? RECEIPT.lingerMs : ACK.pileMs), items: [], sent: false };
      this.gathering.set(key, b);
      pushHeap(this.timeline, { deadlineMs: b.sendMs, type: "send", batch: b });
    }
    b.items.push({ sent: e.sent, atMs: e.deadlineMs });
    // Full, or this delivery's deadline comes before the batch would leave: it leaves now.
    if (b.items.length === BATCH_MAX || e.sent.deadlineMs <= b.sendMs) this.emit(b);
  }

  private message() {
    const at = (this.now = this.nextMessageMs);
    const rng = this.rng;
    const n = ++this.messages;
    const { sender, distribution, tlp } = this.burst ?? this.addressing();
    if (this.burst && --this.burst.left > 0) this.nextMessageMs = at + Math.round(uniform(rng, BURST.gapMinMs, BURST.gapMaxMs));
    else {
      this.burst = chance(rng, BURST.chance) ? { left: Math.floor(uniform(rng, BURST.min, BURST.max + 1)), sender, distribution, tlp } : undefined;
      this.nextMessageMs = at + Math.max(1, Math.round(-Math.log(1 - rng.next()) * MEAN_GAP_MS));
    }
    const precedence = weighted(rng, PRECEDENCE_WEIGHTS);
    const category = pick(rng, THREAT_CATEGORIES)!;
    const handling = pick(rng, HANDLING)!;
    const env = { sender, sentAt: iso(at), id: deterministicId(`${this.seed} message ${n}`, at) };
    const m = chance(rng, SHARE.rfi)
      ? compose("rfi", { precedence, category, tlp, handling, question: `History request ${n}: what is known of the subject?`, respondBy: iso(at + 24 * 60 * MINUTE_MS), distribution }, env)
      : compose("alert", {
          precedence, category, tlp, handling, distribution, title: `History alert ${n}`,
          evaluation: { reliability: pick(rng, RELIABILITIES)!, credibility: 1 + Math.floor(rng.next() * 6) },
        }, env);
    this.state.nowMs = at;
    const d = decide(
      { sub: { subject: subjects.submit(sender, m.kind), data: new Uint8Array(), streamSeq: n, storedAtMs: at }, agency: sender, checked: { ok: true, message: m } },
      this.state,
    );
    if (d.type === "reject") return void this.ready.push(d.entry);
    if (d.type !== "accept") throw new Error(`history: message ${n} was decided "${d.type}", expected an acceptance or a rejection`);
    this.ready.push(d.accepted, d.delivered);
    const sent: Sent = { message: m, precedence: d.delivered.data.precedence, deliveredMs: at, deadlineMs: Date.parse(d.delivered.data.deadline) };
    const window = sent.deadlineMs - at;
    for (const agency of d.delivered.data.recipients) {
      pushHeap(this.timeline, { deadlineMs: at + Math.round(uniform(rng, RECEIPT.minMs, RECEIPT.maxMs)), type: "due", agency, what: "receipt", sent });
      const delay = sampleDelayMinutes(ACK.delay, rng) * PRECEDENCE_FACTOR[sent.precedence] * MINUTE_MS;
      const ackMs = at + Math.round(Math.min(ACK.deadlineShare * window, Math.max(ACK.minMs, delay)));
      pushHeap(this.timeline, { deadlineMs: ackMs, type: "due", agency, what: "ack", sent });
    }
  }

  /** Who a new message (or burst) goes to, and its marking. */
  private addressing(): { sender: string; distribution: Distribution; tlp: Tlp } {
    const rng = this.rng;
    const sender = pick(rng, this.agencies)!;
    const others = this.agencies.filter((a) => a !== sender);
    const named = (k: number) => ({ agencies: sample(rng, others, k) });
    const r = rng.next();
    // TLP:RED named more widely than the exchange allows: refused by policy (a rejection record).
    if (r < SHARE.redTooWide) return { sender, distribution: named(this.opts.settings.tlpRedMaxAgencies + 1), tlp: "RED" };
    if (r < SHARE.redTooWide + SHARE.broadcast) return { sender, distribution: { all: true }, tlp: pick(rng, ["CLEAR", "GREEN", "AMBER"] as const)! };
    if (r < SHARE.redTooWide + SHARE.broadcast + SHARE.region) return { sender, distribution: { regions: [pick(rng, REGIONS)!] }, tlp: pick(rng, ["GREEN", "AMBER", "AMBER+STRICT"] as const)! };
    return { sender, distribution: named(1 + Math.floor(rng.next() * 4)), tlp: chance(rng, SHARE.red) ? "RED" : pick(rng, ["GREEN", "AMBER", "AMBER+STRICT"] as const)! };
  }

  /** One agency's receipt or acknowledgement of what it gathered: one record, the rest of its items under `more`. */
  private emit(b: Batch) {
    b.sent = true;
    const id = deterministicId(`${this.seed} ${b.what} ${++this.replies}`, b.sendMs);
    const item = (i: Batch["items"][number]) => ({ messageId: i.sent.message.id, kind: i.sent.message.kind, agency: i.sent.message.sender, at: iso(i.atMs) });
    if (b.what === "receipt") return void this.ready.push(receiptedEntry(b.agency, id, b.items.map((i) => ({ ...item(i), data: {} }))));
    const tz = this.opts.registry.get(b.agency)?.timezone ?? "UTC";
    const items: BatchItem<Omit<AcknowledgedData, "ackId" | "more">>[] = b.items.map((i) => ({
      ...item(i),
      data: {
        officer: officerOnWatch(b.agency, tz, i.atMs),
        action: chooseAction(i.sent.message, i.sent.precedence, () => this.rng),
        latencyMs: i.atMs - i.sent.deliveredMs,
        withinDeadline: i.atMs <= i.sent.deadlineMs,
        precedence: i.sent.precedence,
      },
    }));
    this.ready.push(acknowledgedEntry(b.agency, id, items));
  }
}

function weighted<K extends string>(rng: Rng, weights: Record<K, number>): K {
  let r = rng.next();
  const keys = Object.keys(weights) as K[];
  for (const k of keys) if ((r -= weights[k]) < 0) return k;
  return keys[keys.length - 1]!;
}

/** `k` distinct elements of `xs` (all of them when it has fewer), in a seeded order. */
function sample<T>(rng: Rng, xs: readonly T[], k: number): T[] {
  const pool = [...xs];
  const out: T[] = [];
  while (out.length < k && pool.length) out.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0]!);
  return out;
}
