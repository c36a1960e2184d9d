// Missed deadlines escalate in steps: reminder to the recipient, notice to its backup contact
// (its organisation's regional hub), notice to the originator; coalesced per step and agency told
// (escalation-plan.ts). Every instance watches the overdue deliveries in its view of the audit
// chain. An escalation is the n'th batch of its step to its agency (n from the chain): claimed in
// the claims bucket by create or compare-and-set with what it covers frozen in the claim, so
// exactly one instance sends it, and a claim left by a dead instance is finished by another with
// the same message, ids and audit record (stored once). At most MAX_RUNNING run at once.
import type { AuditEntryOf } from "../../shared/contracts/audit.ts";
import { COORDINATOR_ID, subjects } from "../../shared/contracts/index.ts";
import { type ClaimedItem, type EscalationClaim, escalationClaimKey, type TrackingRecord } from "../../shared/exchange/records.ts";
import { timesOf } from "../../shared/exchange/tracking-view.ts";
import { compose, deterministicId } from "../../shared/messaging/compose.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import type { Context } from "./context.ts";
import { planEscalations, type PlannedBatch, type Step } from "./escalation-plan.ts";

const CLAIM_TIMEOUT_WALL_MS = 15_000;
const TICK_MS = 200;
/** Escalations sent at once: each covers up to 500 deliveries, so this bounds the work in hand. */
const MAX_RUNNING = 4;
/** A claim found done before its record reached this view: looked at again after this long. */
const RECORD_LAG_MS = 2_000;

export function dueAt(ctx: Pick<Context, "settings">, t: TrackingRecord, step: Step): number {
  const { deliveredMs, deadlineMs } = timesOf(t);
  return deadlineMs + ctx.settings().escalationAfter[step] * (deadlineMs - deliveredMs);
}

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
      dueAt: (t, s) => dueAt(ctx, t, s),
      notifyFor: (t, s) => this.notifyFor(t, s),
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
    // A claim that fails its contract (reported by the store) is no claim: taken over like a stale one.
    const cur = await store.claims.read(key);
    const held = cur && "value" in cur ? cur.value : undefined;
    if (held && held.state !== "claimed") {
      // Sent by another instance; its record is on its way to this view.
      this.heldElsewhere.set(keyOf(b.step, b.notify), Date.now() + RECORD_LAG_MS);
      return;
    }
    if (held && Date.now() - held.claimedAtWall < CLAIM_TIMEOUT_WALL_MS) {
      this.heldElsewhere.set(keyOf(b.step, b.notify), held.claimedAtWall + CLAIM_TIMEOUT_WALL_MS);
      return;
    }
    let claim: EscalationClaim;
    if (held?.at && held.items?.length) {
      // Left by an instance that died: finished as it was frozen, so the same message goes out.
      claim = { ...held, instance: this.ctx.instance, claimedAtWall: Date.now() };
      this.ctx.log.info({ step: b.step, notify: b.notify, batch: b.batch, from: held.instance }, "finishing an escalation another instance left");
    } else claim = { state: "claimed", instance: this.ctx.instance, claimedAtWall: Date.now(), at: new Date(b.atMs).toISOString(), items: b.items };
    const mine = cur ? await store.claims.update(key, claim, cur.revision) : await store.claims.create(key, claim);
    if (!mine) return; // another instance has it
    await this.send(b.step, b.notify, b.batch, claim.at!, claim.items!);
    await store.claims.put(key, { ...claim, state: "done" });
  }

  private notifyFor(t: TrackingRecord, step: Step): { agency: string; via?: string } | undefined {
    if (step === "reminder") return { agency: t.recipient };
    if (step === "originator") return { agency: t.originator };
    const backup = this.ctx.registry().backupContact(t.recipient);
    return backup && backup.hub !== t.originator ? { agency: backup.hub, via: backup.via } : undefined;
  }

  /** The escalation message and its audit record: the same bytes and ids whoever sends them. */
  private async send(step: Step, notify: string, batch: number, at: string, items: ClaimedItem[]) {
    const ctx = this.ctx;
    const name = `${step}:${notify}:${batch}`;
    const [first, ...rest] = items as [ClaimedItem, ...ClaimedItem[]];
    const item = (i: ClaimedItem) => ({ messageId: i.messageId, recipient: i.recipient, precedence: i.precedence, deadline: i.deadline, ...(i.via ? { via: i.via } : {}) });
    const m = ctx.signOwn(
      compose(
        "escalation",
        { ...item(first), step, notify, ...(rest.length ? { more: rest.map(item) } : {}) },
        { id: deterministicId(`escalation:${name}`, Date.parse(at)), sender: COORDINATOR_ID, sentAt: at, correlationId: first.messageId },
      ),
    );
    await publishDurably(ctx.js, subjects.deliver(notify, "escalation"), JSON.stringify(m), { msgID: `escalation:${name}` });
    const entry: AuditEntryOf<"escalated"> = {
      eventId: `escalated:${name}`,
      event: "escalated",
      at,
      actor: COORDINATOR_ID,
      messageId: first.messageId,
      kind: first.kind,
      agency: notify,
      data: {
        step, batch, escalationId: m.id, recipient: first.recipient, precedence: first.precedence, deadline: first.deadline,
        ...(first.via ? { via: first.via } : {}),
        ...(rest.length ? { more: rest.map((i) => ({ ...item(i), kind: i.kind })) } : {}),
      },
    };
    await ctx.audit.append(entry);
    ctx.tracking.applyWritten(entry);
    this.escalated++;
    ctx.log.info({ step, notify, batch, deliveries: items.length, messageId: first.messageId }, "escalated");
  }
}
