// The workshop dashboard's public face. Open it on a port first (so a busy port fails before any
// exchange starts, and the room can already load the page), then attach it to an exchange
// through an observer connection. Whoever owns the clock hands it the controls; `atix run` also
// hands it the scenario's MSEL, each inject as it plays, and at the end the run's result.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClockControls } from "./clock-control.ts";
import type { InjectPlayed } from "./exercise.ts";
import { SseHub } from "./sse-hub.ts";
import { DashboardModel } from "./model.ts";
import { type DashboardPresentation, ENGLISH, pageLanguage } from "./presentation.ts";
import { createDashboardServer } from "./server.ts";
import { followExchange, type Source } from "./source.ts";
import type { DashboardState, DebriefView, ExerciseView } from "./types.ts";

export { ClockRefusal, type ClockControls, exchangeClock, MAX_SPEED, MIN_SPEED } from "./clock-control.ts";
export type { InjectPlayed } from "./exercise.ts";
export { type DashboardPresentation, ENGLISH } from "./presentation.ts";
export type * from "./types.ts";

/** 24/7: the port the facilitator's bookmark points at unless told otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8247;
/** How often changes are pushed to the pages: smooth enough to watch, cheap for 90 agencies. */
const FLUSH_MS = 250;

export interface Dashboard {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  /**
   * Shows the exchange seen through `nc` (read-only observer); resolves once the chain so far is
   * read. `fromSeq`: the figures count from this record (a run on an exchange that has history).
   */
  attach(nc: NatsConnection, exchangeUrl: string, opts?: { fromSeq?: number }): Promise<void>;
  /** Offers the clock controls (or takes them away with undefined). */
  setControl(controls: ClockControls | undefined): void;
  /** The scenario to be played: its MSEL, threads and objective. */
  play(exercise: ExerciseView): void;
  /** The runner played an inject (or could not). */
  injectPlayed(p: InjectPlayed): void;
  /** The run is over: keep showing the final state, say so, take the controls away, and show the result. */
  finish(note: string, result?: { debrief: DebriefView; reportDir?: string }): void;
  close(): Promise<void>;
}

/**
 * `presentation`: the room's language, and the anonymiser (seeded as the run's report) that
 * relabels every agency in all the server sends; English and real names without it.
 */
export async function openDashboard(opts: { port: number; title?: string; presentation?: DashboardPresentation }): Promise<Dashboard> {
  const presentation = opts.presentation ?? ENGLISH;
  const model = new DashboardModel(opts.title, presentation);
  // Everything a page is sent passes here (snapshots, events, journeys).
  const present = <T>(value: T): T => presentation.anonymiser.deep(value);
  const hub = new SseHub();
  const send = (event: string, data: unknown, id?: number) => hub.send(event, present(data), id);
  let control: ClockControls | undefined;
  let source: Source | undefined;
  let reportDir: string | undefined;
  const controls = (): DashboardState["controls"] => ({ clock: !!control, next: !!control?.nextInject });
  const status = () => ({ exchange: model.snapshot(controls()).exchange, controls: controls() });
  const clock = () => (model.clock ? { state: model.clock, wallNow: Date.now() } : null);
  const server = createDashboardServer({
    state: () => present(model.snapshot(controls())),
    journey: (id) => present(model.journey(id)),
    language: pageLanguage(presentation),
    control: () => control,
    reportDir: () => reportDir,
    hub,
    // A page (re)connecting starts from a complete snapshot on the same channel as the events.
    hello: () => [["snapshot", present(model.snapshot(controls()))]],
  });
  const url = await server.listen(opts.port);

  // Only what changed goes out; each kind is compared with what was last sent.
  const sent = new Map<string, string>();
  const changed = (key: string, value: unknown) => {
    const text = JSON.stringify(value);
    if (sent.get(key) === text) return false;
    sent.set(key, text);
    return true;
  };
  const flush = () => {
    if (!hub.size || model.chain.catchingUp) {
      model.book.takeChanged();
      model.exercise.takeChanged();
      model.exercise.takeHighlight();
      return;
    }
    model.refresh();
    for (const a of model.book.takeChanged()) send("alert", a);
    for (const i of model.exercise.takeChanged()) send("inject", i);
    if (model.exercise.takeHighlight()) send("highlight", model.highlight());
    for (const a of model.agencyViews()) if (changed(`agency:${a.id}`, a)) send("agency", a);
    const counters = model.counters();
    if (changed("counters", counters)) send("counters", counters);
    if (changed("chain", model.chain)) send("chain", model.chain);
    const s = status();
    if (changed("status", s)) send("status", s);
  };
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  const reset = () => {
    sent.clear();
    send("snapshot", model.snapshot(controls()));
  };

  return {
    url,
    async attach(nc, exchangeUrl, o = {}) {
      model.url = exchangeUrl;
      if (o.fromSeq !== undefined) model.countFrom(o.fromSeq);
      source = await followExchange(nc, model, {
        audit: (view) => send("audit", view, view.seq),
        clock: () => send("clock", clock()),
        reset,
      });
      await source.caughtUp;
    },
    setControl(c) {
      control = c;
      flush();
    },
    play(exercise) {
      model.exercise.load(exercise);
      reset();
    },
    injectPlayed(p) {
      model.exercise.played(p);
    },
    finish(note, result) {
      model.finished = note;
      control = undefined;
      // The status (finished, no controls) first, then the result that opens over it.
      flush();
      if (result) {
        model.debrief = result.debrief;
        reportDir = result.reportDir;
        send("debrief", result.debrief);
      }
    },
    async close() {
      clearInterval(timer);
      await source?.stop().catch(() => undefined);
      await server.close();
    },
  };
}
