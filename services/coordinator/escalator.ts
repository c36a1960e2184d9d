// Missed deadlines escalate in steps: reminder to the recipient, notice to its backup contact
// (its organisation's regional hub), notice to the originator. Every instance watches all open
// deliveries; a step is claimed by compare-and-set, so exactly one instance performs it, and a
// claim left by a dead instance is finished by another with the same ids (recorded once).
import { COORDINATOR_ID, ESCALATION_STEPS, subjects } from "../../shared/contracts/index.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";

import { compose, deterministicId } from "../../shared/messaging/compose.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import { followKv, type KvFollower } from "../../shared/nats/kv-follow.ts";
import type { Context } from "./context.ts";

type Step = (typeof ESCALATION_STEPS)[number];
const CLAIM_TIMEOUT_WALL_MS = 15_000;
const TICK_MS = 200;

const isOpen = (t: TrackingRecord) => t.state === "delivered" || t.state === "receipted";

export function dueAt(ctx: Context, t: TrackingRecord, step: Step): number {
  const deadline = Date.parse(t.deadline);
  const window = deadline - Date.parse(t.deliveredAt);
  return deadline + ctx.settings().escalationAfter[step] * window;
}

export class Escalator {
  private open = new Map<string, TrackingRecord>();
  private busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private follower: KvFollower | undefined;
  escalated = 0;

  constructor(private readonly ctx: Context) {}

  async start() {
    this.follower = followKv(this.ctx.store.tracking.kv, { key: ">" }, (e) => {
      const t = e.operation === "PUT" ? this.ctx.store.tracking.decode(e) : undefined;
      if (t && isOpen(t) && ESCALATION_STEPS.some((s) => !done(t, s))) this.open.set(e.key, t);
      else this.open.delete(e.key);
    }, this.ctx.log);
    await this.follower.ready;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    this.follower?.stop();
    await this.follower?.done;
    while (this.busy.size) await new Promise((r) => setTimeout(r, 20));
  }

  /** Open deliveries this instance watches (for its heartbeat). */
  get openCount(): number {
    return this.open.size;
  }

  private tick() {
    if (this.stopped) return;
    const now = this.ctx.clock.nowMs();
    for (const [key, t] of this.open) {
      if (this.busy.has(key)) continue;
      const step = ESCALATION_STEPS.find((s) => !done(t, s));
      if (!step || now < dueAt(this.ctx, t, step)) continue;
      if (t.escalations[step] === "claimed" && Date.now() - (t.claimedAtWall ?? 0) < CLAIM_TIMEOUT_WALL_MS) continue;
      this.busy.add(key);
      this.escalate(key, step)
        .catch((e) => this.ctx.log.error({ err: e, msgId: t.messageId, recipient: t.recipient, step }, "escalation failed; will retry"))
        .finally(() => this.busy.delete(key));
    }
  }

  private async escalate(key: string, step: Step) {
    const { store } = this.ctx;
    const cur = await store.tracking.get(key);
    if (!cur || !isOpen(cur.value) || done(cur.value, step)) return;
    const t = cur.value;
    const stale = t.escalations[step] === "claimed" && Date.now() - (t.claimedAtWall ?? 0) >= CLAIM_TIMEOUT_WALL_MS;
    if (t.escalations[step] === "claimed" && !stale) return;
    const claimed = { ...t, escalations: { ...t.escalations, [step]: "claimed" as const }, claimedAtWall: Date.now() };
    if (!(await store.tracking.update(key, claimed, cur.revision))) return; // another instance has it
    const notify = this.notifyFor(t, step);
    if (notify) await this.notify(t, step, notify);
    await store.tracking.modify(key, (v) => (v.escalations[step] === "claimed" ? { ...v, escalations: { ...v.escalations, [step]: notify ? "done" : "skipped" } } : undefined));
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
