// The scenario the room is watching: its MSEL (numbered injects, threads, expected outcomes), which
// injects have played and as which message, and the banner moment (the latest FLASH or
// highlighted inject). Only the runner, which plays the script, says which message an inject is.
// Without a scenario (`atix up`, `atix dashboard`) every FLASH alert, RFI or update is a moment.
import { BoundedMap } from "../../shared/bounded.ts";
import type { AlertBook } from "./alerts.ts";
import { ACCEPTED_EVENTS, type DashEvent } from "./record-view.ts";
import type { AuditEventView, ExerciseView, HighlightView, MselInjectView } from "./types.ts";

/** What the runner says when it plays an inject. */
export interface InjectPlayed {
  inject: number;
  messageId?: string;
  notSent?: string;
}

const MOMENT_KINDS = new Set(["alert", "rfi", "alert-update"]);
type Moment = Omit<HighlightView, "delivered" | "acknowledged" | "late">;

export class Exercise {
  private plan: ExerciseView | undefined;
  private byMessage = new Map<string, MselInjectView>();
  /** Accepted messages not yet known as injects (the runner's word may come after the chain's). */
  /** Kept until the runner names it (bounded: the runner names an inject as soon as it is sent). */
  private readonly accepted = new BoundedMap<string, DashEvent>(1_000);
  highlight: Moment | undefined;
  /** Inject entries changed since the last `takeChanged()`. */
  private changed = new Set<MselInjectView>();
  /** The highlight changed since the last `takeHighlight()`. */
  private highlightChanged = false;

  constructor(private readonly book: AlertBook) {}

  /** The scenario to be played (before it starts). */
  load(plan: ExerciseView) {
    this.plan = { ...plan, injects: plan.injects.map((i) => ({ ...i })) };
  }

  view(): ExerciseView | undefined {
    return this.plan;
  }

  /** The runner played an inject: as this message, or not at all (and why). */
  played(p: InjectPlayed) {
    const entry = this.plan?.injects.find((i) => i.inject === p.inject);
    if (!entry) return;
    if (p.messageId) {
      Object.assign(entry, { state: "played", messageId: p.messageId });
      this.byMessage.set(p.messageId, entry);
      this.book.markInject(p.messageId, entry.inject, { ...(entry.thread ? { thread: entry.thread } : {}), title: entry.title, ...(entry.question ? { question: entry.question } : {}) });
      const seen = this.accepted.get(p.messageId);
      if (seen) this.moment(seen, entry);
    } else Object.assign(entry, { state: "not-sent", note: p.notSent ?? "not sent" });
    this.changed.add(entry);
  }

  /** Each event of the chain: an accepted message may be the moment to show. */
  onEvent(e: DashEvent, view: AuditEventView) {
    if (!e.messageId || !ACCEPTED_EVENTS.has(e.event)) return;
    const entry = this.byMessage.get(e.messageId);
    if (entry) return this.moment(e, entry);
    if (this.plan) {
      this.accepted.set(e.messageId, e);
      return;
    }
    if (e.precedence === "FLASH" && e.kind && MOMENT_KINDS.has(e.kind)) this.moment(e, undefined, view.title);
  }

  private moment(e: DashEvent, entry: MselInjectView | undefined, title?: string) {
    this.accepted.delete(e.messageId!);
    if (entry && !entry.highlight) return;
    this.highlight = {
      messageId: e.messageId!, kind: e.kind ?? "alert", from: e.actor, precedence: e.precedence ?? entry?.precedence ?? "FLASH",
      title: entry?.title || title || e.title || "", sentAt: e.at, deadline: e.deadline ?? e.at, recipients: e.recipients ?? [...this.book.recipientsOf(e.messageId!)],
      ...(entry ? { inject: entry.inject, to: entry.to } : {}), ...(entry?.thread ? { thread: entry.thread } : {}),
    };
    this.highlightChanged = true;
  }

  takeChanged(): MselInjectView[] {
    const out = [...this.changed];
    this.changed.clear();
    return out;
  }

  takeHighlight(): boolean {
    const was = this.highlightChanged;
    this.highlightChanged = false;
    return was;
  }
}
