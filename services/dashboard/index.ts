// The workshop dashboard's public face. Open it on a port first (so a busy port fails before any
// exchange starts, and the room can already load the page), then attach it to an exchange
// through an observer connection; `atix run` also hands it the clock controls.
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClockController } from "./clock-control.ts";
import { EventHub } from "./hub.ts";
import { DashboardModel } from "./model.ts";
import { createDashboardServer } from "./server.ts";
import { followExchange, type Source } from "./source.ts";

export { type ClockController, runnerClockController } from "./clock-control.ts";
export type * from "./types.ts";

/** 24/7: the port the facilitator's bookmark points at unless told otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8247;
/** How often changes are pushed to the pages: smooth enough to watch, cheap for 90 agencies. */
const FLUSH_MS = 250;

export interface Dashboard {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  /** Shows the exchange seen through `nc` (read-only observer); resolves once the chain so far is read. */
  attach(nc: NatsConnection, exchangeUrl: string): Promise<void>;
  /** Offers pause/resume/speed (or takes them away with undefined). */
  setControl(control: ClockController | undefined): void;
  /** The run is over: keep showing the final state, say so, and take the controls away. */
  finish(note: string): void;
  close(): Promise<void>;
}

export async function openDashboard(opts: { port: number; title?: string }): Promise<Dashboard> {
  const model = new DashboardModel(opts.title);
  const hub = new EventHub();
  let control: ClockController | undefined;
  let source: Source | undefined;
  const status = () => ({ exchange: model.snapshot(!!control).exchange, controls: !!control });
  const clock = () => (model.clock ? { state: model.clock, wallNow: Date.now() } : null);
  const server = createDashboardServer({
    state: () => model.snapshot(!!control),
    journey: (id) => {
      const j = model.book.journey(id);
      return j.alert || j.records.length ? j : undefined;
    },
    control: () => control,
    hub,
    // A page (re)connecting starts from a complete snapshot on the same channel as the events.
    hello: () => [["snapshot", model.snapshot(!!control)]],
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
    if (!hub.size || model.chain.catchingUp) return void model.book.takeChanged();
    model.refresh();
    for (const a of model.book.takeChanged()) hub.send("alert", a);
    for (const a of model.agencyViews()) if (changed(`agency:${a.id}`, a)) hub.send("agency", a);
    const counters = model.counters();
    if (changed("counters", counters)) hub.send("counters", counters);
    if (changed("chain", model.chain)) hub.send("chain", model.chain);
    const s = status();
    if (changed("status", s)) hub.send("status", s);
  };
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  const reset = () => {
    sent.clear();
    hub.send("snapshot", model.snapshot(!!control));
  };

  return {
    url,
    async attach(nc, exchangeUrl) {
      model.url = exchangeUrl;
      source = await followExchange(nc, model, {
        audit: (view) => hub.send("audit", view, view.seq),
        clock: () => hub.send("clock", clock()),
        reset,
      });
      await source.caughtUp;
    },
    setControl(c) {
      control = c;
      flush();
    },
    finish(note) {
      model.finished = note;
      control = undefined;
      flush();
    },
    async close() {
      clearInterval(timer);
      await source?.stop().catch(() => undefined);
      await server.close();
    },
  };
}
