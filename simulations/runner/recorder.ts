// What actually happened, as seen from outside the coordinator: what each agency received and
// acknowledged (from the agency nodes) and the outcome of every submission (from the outcome
// subjects). The reconciliation counts from here, not from the coordinator's books.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Message } from "../../shared/contracts/index.ts";
import { subjects } from "../../shared/contracts/index.ts";
import type { AgencyEvent } from "../../services/agency/index.ts";
import type { PlannedSend } from "./plan.ts";

export interface SentMessage {
  id: string;
  plan: PlannedSend;
  message: Message;
  /** Simulated ms when it was submitted. */
  at: number;
}

export interface Outcome {
  outcome: "accepted" | "rejected";
  recipients: string[];
  reasons: string[];
}

/** One submission of a `flood` fault: its stream sequence (stored) or why the broker refused it. */
export interface FloodSubmission {
  agency: string;
  of: "valid" | "malformed";
  /** The message, for a valid one (reconciled like any other). */
  message?: Message;
  id?: string;
  streamSeq?: number;
  refused?: string;
}

/** A flood from its first submission until the coordinators had answered all of it (wall ms, performance.now). */
export interface FloodWindow {
  agency: string;
  fromWall: number;
  untilWall?: number;
}

export class Recorder {
  readonly sent = new Map<string, SentMessage>();
  readonly notSent: { plan: PlannedSend; reason: string }[] = [];
  readonly outcomes = new Map<string, Outcome>();
  /** messageId → agency → stream sequences it was delivered under (a second copy is a duplicate). */
  readonly deliveries = new Map<string, Map<string, Set<number>>>();
  /** messageId → agency → acknowledgements the duty officer sent. */
  readonly acks = new Map<string, Map<string, number>>();
  /** Ids of the escalation messages agencies received. */
  readonly escalationIds = new Set<string>();
  /**
   * Wall ms (performance.now, as every wall time here) each of our submissions left, one entry per
   * message of the plan, and when its first outcome was heard: submit → acceptance as a sender sees it.
   */
  readonly submittedWall = new Map<string, number>();
  readonly answeredWall = new Map<string, number>();
  /** Wall ms from submission to each recipient's node, one per first delivery. */
  readonly deliveryWallMs: number[] = [];
  /** Every submission of the run's floods, in the order sent. */
  readonly flood: FloodSubmission[] = [];
  readonly floodWindows: FloodWindow[] = [];
  private sub: Subscription | undefined;

  /** Called just before a message is submitted: its deliveries' system latency counts from here. */
  submitting(messageId: string) {
    this.submittedWall.set(messageId, performance.now());
  }

  setOutcome(messageId: string, o: Outcome) {
    if (!this.outcomes.has(messageId)) this.outcomes.set(messageId, o);
  }

  /** A live outcome heard now: the first one times the submission. */
  private heard(messageId: string) {
    if (this.submittedWall.has(messageId) && !this.answeredWall.has(messageId)) this.answeredWall.set(messageId, performance.now());
  }

  listen(nc: NatsConnection) {
    this.sub = nc.subscribe(subjects.outcomeAll, {
      callback: (_e, m) => {
        try {
          const o = m.json<Message>();
          // The first outcome of an id is its outcome: a later replay of the id is refused, but the
          // message it repeats stands.
          if (o.kind === "acceptance") {
            this.heard(o.body.messageId);
            this.setOutcome(o.body.messageId, { outcome: "accepted", recipients: o.body.recipients, reasons: [] });
          } else if (o.kind === "rejection") {
            if (o.body.messageId) this.heard(o.body.messageId);
            if (o.body.messageId) this.setOutcome(o.body.messageId, { outcome: "rejected", recipients: [], reasons: o.body.reasons.map((r) => `${r.code} ${r.path}`) });
          }
        } catch {
          // Not ours to judge here: the audit chain records every outcome.
        }
      },
    });
  }

  onAgencyEvent = (e: AgencyEvent) => {
    if (!e.messageId) return;
    if (e.type === "delivered") {
      if (e.kind === "escalation") this.escalationIds.add(e.messageId);
      const byAgency = this.deliveries.get(e.messageId) ?? new Map<string, Set<number>>();
      this.deliveries.set(e.messageId, byAgency);
      let seqs = byAgency.get(e.agency);
      if (!seqs) {
        byAgency.set(e.agency, (seqs = new Set<number>()));
        const sentAt = this.submittedWall.get(e.messageId);
        if (sentAt !== undefined) this.deliveryWallMs.push(performance.now() - sentAt);
      }
      if (e.seq !== undefined) seqs.add(e.seq);
    } else if (e.type === "acknowledged") {
      const byAgency = this.acks.get(e.messageId) ?? new Map<string, number>();
      this.acks.set(e.messageId, byAgency);
      byAgency.set(e.agency, (byAgency.get(e.agency) ?? 0) + 1);
    }
  };

  received(messageId: string, agency: string): boolean {
    return (this.deliveries.get(messageId)?.get(agency)?.size ?? 0) > 0;
  }

  stop() {
    this.sub?.unsubscribe();
  }
}
