// Missed deadlines escalate in steps: reminder to the recipient, notice to its backup contact
// (its organisation's regional hub), notice to the originator; coalesced per step and agency told
// (escalation-decisions.ts). Every instance watches the overdue deliveries in its view of the audit
// chain. An escalation is the n'th batch of its step to its agency (n from the chain): claimed in
// the claims bucket by create or compare-and-set with what it covers frozen in the claim, so
// exactly one instance sends it, and a claim left by a dead instance is finished by another with
// the same message, ids and audit record (stored once). At most MAX_RUNNING run at once. What to
// send, whether to take a batch on and what its message and record are is decided, pure, in
// escalation-decisions.ts; this carries it out.
import { subjects } from "../../shared/contracts/index.ts";
import { escalationClaimKey, type ClaimedItem } from "../../shared/exchange/records.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import type { Context } from "./context.ts";
import { appendOwnRecord } from "./own-records.ts";
import { decideClaim, dueAt, escalationOf, notifyFor, planEscalations, type PlannedBatch, type Step } from "./escalation-decisions.ts";

const TICK_MS = 200;
/** Escalations sent at once: each covers up to 500 deliveries, so this bounds the work in hand. */
const MAX_RUNNING = 4;

const keyOf = (step: Step, notify: string) => `${step} ${notify}`;

export class Escalator {
  /** Batches under way here, by `<step> <notify>`. */
  private running = new Set<string>();
  /** Steps to agencies another instance holds: not looked at again before this wall time. */
  private heldElsewhere = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checking = false;
  /** Escalation messages this instance sent. */
  escalated = 0;

  constructor(
    private readonly ctx: Context,
    /** Whether the view has caught up with the chain (another instance's acknowledgement may be in it). */
    private readonly current: () => Promise<boolean>,
  ) {}

  start() {
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.running.size) await new Promise((r) => setTimeout(r, 20));
  }

  /** Open deliveries this instance watches (for its heartbeat). */
  get openCount(): number {
    return this.ctx.tracking.openCount;
  }

  private plan() {
    const { ctx } = this;
    const now = Date.now();
    for (const [key, until] of this.heldElsewhere) if (until <= now) this.heldElsewhere.delete(key);
    const plan = planEscalations({
      overdue: ctx.tracking.overdue(ctx.clock.nowMs()),
      nowMs: ctx.clock.nowMs(),
      dueAt: (t, s) => dueAt(ctx.settings(), t, s),
      notifyFor: (t, s) => notifyFor(ctx.registry(), t, s),
      last: (s, n) => ctx.tracking.lastEscalation(s, n),
      windowMs: ctx.settings().escalationWindowMinutes * 60_000,
      busy: (s, n) => this.running.has(keyOf(s, n)) || this.heldElsewhere.has(keyOf(s, n)),
      maxBatches: MAX_RUNNING - this.running.size,
    });
    // A step that needs no notice is the same decision on every instance: settled here alone.
    for (const [t, step] of plan.skipped) ctx.tracking.settle(t.messageId, t.recipient, step, "skipped");
    return plan.batches;
  }

  private tick() {
    if (this.stopped || this.checking || this.running.size >= MAX_RUNNING) return;
    if (!this.plan().length) return;
    // Only on a view that has read the whole chain: what looks overdue may have been acknowledged.
    this.checking = true;
    this.current()
      .then((current) => {
        if (this.stopped) return; // stop() came while the chain was being checked
        if (!current) return void this.ctx.log.warn("escalations wait: this instance has not read the whole audit chain yet");
        for (const b of this.plan()) {
          const key = keyOf(b.step, b.notify);
          this.running.add(key);
          this.escalate(b)
            .catch((e) => this.ctx.log.error({ err: e, step: b.step, notify: b.notify, batch: b.batch }, "escalation failed; will retry"))
            .finally(() => this.running.delete(key));
        }
      })
      .catch((e) => this.ctx.log.warn({ err: e }, "could not check the audit chain before escalating"))
      .finally(() => (this.checking = false));
  }

  private async escalate(b: PlannedBatch) {
    const { store } = this.ctx;
    const key = escalationClaimKey(b.step, b.notify, b.batch);
    const cur = await store.claims.read(key);
    const d = decideClaim(b, cur, this.ctx.instance, Date.now());
    if (d.type === "held-elsewhere") return void this.heldElsewhere.set(keyOf(b.step, b.notify), d.untilWall);
    if (d.takenOverFrom) this.ctx.log.info({ step: b.step, notify: b.notify, batch: b.batch, from: d.takenOverFrom }, "finishing an escalation another instance left");
    const mine = d.revision === undefined ? await store.claims.create(key, d.claim) : await store.claims.update(key, d.claim, d.revision);
    if (!mine) return; // another instance has it
    await this.send(b.step, b.notify, b.batch, d.claim.at!, d.claim.items!);
    await store.claims.put(key, { ...d.claim, state: "done" });
  }

  /** The escalation message and its audit record (escalationOf): sent, recorded, applied to the view. */
  private async send(step: Step, notify: string, batch: number, at: string, items: ClaimedItem[]) {
    const ctx = this.ctx;
    const { message, entry, msgID } = escalationOf(step, notify, batch, at, items);
    await publishDurably(ctx.publisher, subjects.deliver(notify, "escalation"), JSON.stringify(ctx.signOwn(message)), { msgID });
    await appendOwnRecord(ctx.tracking, (e) => ctx.audit.append(e), entry);
    this.escalated++;
    ctx.log.info({ step, notify, batch, deliveries: items.length, messageId: entry.messageId }, "escalated");
  }
}
