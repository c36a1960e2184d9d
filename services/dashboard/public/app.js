// The page's state and its one connection: a snapshot arrives first on /api/stream, then every
// change as it happens. EventSource reconnects by itself; each reconnection starts again from a
// fresh snapshot, so the page is never left half-updated. No framework, no build step.
import { Journey } from "./journey.js";
import * as P from "./panels.js";
import { World } from "./world.js";

const $ = (id) => document.getElementById(id);
const S = { exchange: { connected: false, coordinators: 0 }, controls: false, clock: null, agencies: new Map(), alerts: new Map(), escalations: [], counters: null, chain: null, auditSeq: 0, auditPart: Infinity, streamOpen: false };
const world = new World($("world"), $("flows"), $("world-wrap"));
const journey = new Journey();
/** Speeds offered by the Slower / Faster buttons (a simulated day takes 24 h ... 29 s). */
const SPEEDS = [1, 10, 30, 60, 120, 300, 600, 1000, 2000, 3000];

const rem = () => parseFloat(getComputedStyle(document.documentElement).fontSize);
/** As many rows as the panel holds whole: the lists never scroll or jump. */
const rowsFor = (id, rowRem) => Math.max(1, Math.floor($(id).clientHeight / (rowRem * rem())));

let pending = false;
const dirty = new Set();
function later(what) {
  dirty.add(what);
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    if (dirty.has("alerts")) P.renderAlerts([...S.alerts.values()], rowsFor("alerts", 3.7));
    if (dirty.has("esc")) P.renderEscalations(S.escalations, S.counters?.messages.escalations ?? S.escalations.length, rowsFor("escalations", 2.35));
    if (dirty.has("status")) P.renderStatus(S);
    dirty.clear();
  });
}

const clockFrom = (c) => (c ? { state: c.state, skew: c.wallNow - Date.now() } : null);

function snapshot(s) {
  Object.assign(S, { exchange: s.exchange, controls: s.controls, clock: clockFrom(s.clock), counters: s.counters, chain: s.chain, auditSeq: s.auditSeq, auditPart: Infinity });
  S.agencies = new Map(s.agencies.map((a) => [a.id, a]));
  S.alerts = new Map(s.alerts.map((a) => [a.id, a]));
  S.escalations = s.escalations;
  P.renderTitle(s);
  world.render(s.agencies);
  P.renderCounters(s.counters);
  P.renderChain(s.chain);
  ["alerts", "esc", "status"].forEach(later);
}

/** Each exchange event: moves on the map, the escalations feed, an open journey. */
function audit(r) {
  // One record may come as several events (one per delivery, told apart by part); the snapshot holds all of its record's.
  const part = r.part ?? 0;
  if (r.seq < S.auditSeq || (r.seq === S.auditSeq && part <= S.auditPart)) return;
  S.auditSeq = r.seq;
  S.auditPart = part;
  if (["submitted", "updated", "retracted", "answered", "hit-reported"].includes(r.event)) world.pulse(r.actor, "send", r.precedence);
  else if (r.event === "delivered" && r.agency) r.from ? world.flow(r.from, r.agency, r.precedence) : world.pulse(r.agency, "got", r.precedence);
  else if (r.event === "acknowledged") world.pulse(r.actor, "ack");
  else if (r.event === "escalated" && part === 0) {
    // One escalation message, however many overdue deliveries it lists (r.covers).
    world.pulse(r.agency, "esc");
    S.escalations.unshift({ seq: r.seq, at: r.at, step: r.step, messageId: r.messageId, recipient: r.recipient, notify: r.agency, precedence: r.precedence, title: r.title, originator: r.from, covers: r.covers });
    S.escalations.length = Math.min(S.escalations.length, 60);
    later("esc");
  }
  journey.onAudit(r);
}

const handlers = {
  snapshot,
  audit,
  agency: (a) => {
    S.agencies.set(a.id, a);
    world.update(a);
  },
  alert: (a) => {
    S.alerts.set(a.id, a);
    journey.onAlert(a);
    later("alerts");
  },
  counters: (c) => {
    S.counters = c;
    P.renderCounters(c);
    later("esc");
  },
  chain: (c) => P.renderChain((S.chain = c)),
  status: (s) => {
    Object.assign(S, { exchange: s.exchange, controls: s.controls });
    later("status");
  },
  clock: (c) => {
    S.clock = clockFrom(c);
    later("status");
  },
};

function connect() {
  const es = new EventSource("/api/stream");
  for (const [name, fn] of Object.entries(handlers)) es.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  es.onopen = () => {
    S.streamOpen = true;
    later("status");
  };
  es.onerror = () => {
    S.streamOpen = false;
    later("status");
    // The browser retries by itself unless the server refused outright; then start over.
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  };
}

async function changeClock(change) {
  const res = await fetch("/api/clock", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(change) }).catch(() => undefined);
  if (res?.ok) handlers.clock({ state: (await res.json()).clock, wallNow: Date.now() });
}
$("pause").addEventListener("click", () => changeClock({ pause: !S.clock?.state.paused }));
const step = (dir) => {
  const now = S.clock?.state.speed ?? 1;
  const i = dir > 0 ? SPEEDS.findIndex((s) => s > now) : SPEEDS.findLastIndex((s) => s < now);
  if (i >= 0) changeClock({ speed: SPEEDS[i] });
};
$("slower").addEventListener("click", () => step(-1));
$("faster").addEventListener("click", () => step(1));

const openFrom = (e) => {
  const row = e.target.closest("[data-id]");
  if (row && (e.type === "click" || e.key === "Enter")) journey.open(row.dataset.id);
};
// Chromium sends no click when the pressed row was replaced before the release: a release on the
// same message's row opens it then.
let pressed = null;
const released = (e) => {
  const row = e.target.closest("[data-id]");
  if (e.button === 0 && pressed && !pressed.isConnected && row?.dataset.id === pressed.dataset.id) journey.open(row.dataset.id);
  pressed = null;
};
for (const id of ["alerts", "escalations"]) {
  $(id).addEventListener("pointerdown", (e) => (pressed = e.target.closest("[data-id]")));
  $(id).addEventListener("pointerup", released);
  $(id).addEventListener("click", openFrom);
  $(id).addEventListener("keydown", openFrom);
}
window.addEventListener("resize", () => ["alerts", "esc"].forEach(later));

// The clock and the countdowns run on the page between events, from the last clock state.
setInterval(() => {
  P.renderClock(S.clock, S.exchange.finished);
  P.renderCountdowns(S.clock);
}, 200);
connect();
