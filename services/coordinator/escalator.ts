// Missed deadlines escalate in steps: reminder to the recipient, notice to its backup contact
// (its organisation's regional hub), notice to the originator. Every instance watches all open
// deliveries in its view of the audit chain; a step is claimed in the claims bucket (create or
// compare-and-set), so exactly one instance performs it, and a claim left by a dead instance is
// finished by another with the same ids (recorded once).
import { COORDINATOR_ID, ESCALATION_STEPS, subjects } from "../../shared/contracts/index.ts";
import { claimKey, type EscalationClaim, type TrackingRecord } from "../../shared/exchange/records.ts";
import { isOpen, timesOf } from "../../shared/exchange/tracking-view.ts";
import { compose, deterministicId } from "../../shared/messaging/compose.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import type { Context } from "./context.ts";

type Step = (typeof ESCALATION_STEPS)[number];
const CLAIM_TIMEOUT_WALL_MS = 15_000;
const TICK_MS = 200;

export function dueAt(ctx: Context, t: TrackingRecord, step: Step): number {
  const { deliveredMs, deadlineMs } = timesOf(t);
  return deadlineMs + ctx.settings().escalationAfter[step] * (deadlineMs - deliveredMs);
}

export class Escalator {
  private busy = new Set<string>();
  /** Steps another instance holds: not looked at again before its claim could have gone stale (wall ms). */
  private heldElsewhere = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
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
    while (this.busy.size) await new Promise((r) => setTimeout(r, 20));
  }

  /** Open deliveries this instance watches (for its heartbeat). */
  get openCount(): number {
    return this.ctx.tracking.openCount;
  }

  private checking = false;

  private tick() {
    if (this.stopped || this.checking) return;
    const now = this.ctx.clock.nowMs();
    // A claim held elsewhere is looked at again once it could have gone stale; forget it then.
    for (const [key, until] of this.heldElsewhere) if (until <= Date.now()) this.heldElsewhere.delete(key);
    const due: [TrackingRecord, Step, string][] = [];
    for (const t of this.ctx.tracking.overdue(now)) {
      const step = ESCALATION_STEPS.find((s) => !done(t, s));
      if (!step || now < dueAt(this.ctx, t, step)) continue;
      const key = claimKey(t.messageId, t.recipient, step);
      if (!this.busy.has(key) && (this.heldElsewhere.get(key) ?? 0) <= Date.now()) due.push([t, step, key]);
    }
    if (!due.length) return;
    // Only on a view that has read the whole chain: what looks overdue may have been acknowledged.
    this.checking = true;
    this.current()
      .then((current) => {
        if (this.stopped) return; // stop() came while the chain was being checked
        if (!current) return void this.ctx.log.warn({ due: due.length }, "escalations wait: this instance has not read the whole audit chain yet");
        for (const [t, step, key] of due) {
          if (!isOpen(t) || done(t, step) || this.busy.has(key)) continue;
          this.busy.add(key);
          this.escalate(t, step, key)
            .catch((e) => this.ctx.log.error({ err: e, msgId: t.messageId, recipient: t.recipient, step }, "escalation failed; will retry"))
            .finally(() => this.busy.delete(key));
        }
      })
      .catch((e) => this.ctx.log.warn({ err: e }, "could not check the audit chain before escalating"))
      .finally(() => (this.checking = false));
  }

  private async escalate(t: TrackingRecord, step: Step, key: string) {
    const { store, tracking } = this.ctx;
    // A claim that fails its contract (reported by the store) is no claim: taken over like a stale one.
    const cur = await store.claims.read(key);
    const held = cur && "value" in cur ? cur.value : undefined;
    if (held && held.state !== "claimed") {
      this.heldElsewhere.delete(key);
      return tracking.settle(t.messageId, t.recipient, step, held.state);
    }
    if (held && Date.now() - held.claimedAtWall < CLAIM_TIMEOUT_WALL_MS) {
      this.heldElsewhere.set(key, held.claimedAtWall + CLAIM_TIMEOUT_WALL_MS);
      return;
    }
    const claim: EscalationClaim = { state: "claimed", instance: this.ctx.instance, claimedAtWall: Date.now() };
    const mine = cur ? await store.claims.update(key, claim, cur.revision) : await store.claims.create(key, claim);
    if (!mine) return; // another instance has it
    this.heldElsewhere.delete(key);
    const notify = this.notifyFor(t, step);
    if (notify) await this.notify(t, step, notify);
    const state = notify ? "done" : "skipped";
    await store.claims.put(key, { ...claim, state });
    tracking.settle(t.messageId, t.recipient, step, state);
  }

  private notifyFor(t: TrackingRecord, step: Step): { agency: string; via?: string } | undefined {
    if (step === "reminder") return { agency: t.recipient };
    if (step === "originator") return { agency: t.originator };
    const backup = this.ctx.registry().backupContact(t.recipient);
    return backup && backup.hub !== t.originator ? { agency: backup.hub, via: backup.via } : undefined;
  }

  private async notify(t: TrackingRecord, step: Step, to: { agency: string; via?: string }) {
    const ctx = this.ctx;
    const name = `${t.messageId}:${t.recipient}:${step}`;
    const due = dueAt(ctx, t, step);
    const m = ctx.signOwn(
      compose(
        "escalation",
        { messageId: t.messageId, recipient: t.recipient, step, notify: to.agency, ...(to.via ? { via: to.via } : {}), precedence: t.precedence, deadline: t.deadline },
        { id: deterministicId(`escalation:${name}`, due), sender: COORDINATOR_ID, sentAt: new Date(due).toISOString(), correlationId: t.messageId },
      ),
    );
    await publishDurably(ctx.js, subjects.deliver(to.agency, "escalation"), JSON.stringify(m), { msgID: `escalation:${name}` });
    await ctx.audit.append({
      eventId: `escalated:${name}`,
      event: "escalated",
      at: new Date(due).toISOString(),
      actor: COORDINATOR_ID,
      messageId: t.messageId,
      kind: t.kind,
      agency: to.agency,
      data: { step, recipient: t.recipient, escalationId: m.id, precedence: t.precedence, deadline: t.deadline, ...(to.via ? { via: to.via } : {}) },
    });
    this.escalated++;
    ctx.log.info({ msgId: t.messageId, recipient: t.recipient, step, notify: to.agency }, "escalated");
  }
}

const done = (t: TrackingRecord, s: Step) => t.escalations[s] === "done" || t.escalations[s] === "skipped";
