// The page's state and its one connection: a snapshot arrives first on /api/stream, then every
// change as it happens. EventSource reconnects by itself; each reconnection starts again from a
// fresh snapshot, so the page is never left half-updated. The facilitator's controls (buttons and
// the agreed shortcuts: Space, -, + or =, N, Esc, ?). While the clock is paused the picture holds:
// every animation is paused with it. No framework, no build step.
import { Moment } from "./banner.js";
import { renderDebrief } from "./debrief.js";
import { esc, hm } from "./format.js";
import { Journey } from "./journey.js";
import * as P from "./panels.js";
import { ANONYMISED, helpRows, LANG, setNames, t, tk } from "./strings.js";
import { World } from "./world.js";

const $ = (id) => document.getElementById(id);
const S = {
  exchange: { connected: false, coordinators: 0 }, controls: { clock: false, next: false }, clock: null, exercise: null, agencies: new Map(), alerts: new Map(),
  escalations: [], counters: null, chain: null, debrief: null, auditSeq: 0, auditPart: Infinity, streamOpen: false, thread: null, journeyId: null, flash: null,
};
/** Speeds offered by the Slower / Faster controls (a simulated day takes 24 h ... 29 s). */
const SPEEDS = [1, 10, 30, 60, 120, 300, 600, 1000, 2000, 3000];
/** Messages the page keeps (its lists show the latest 60 background ones). */
const MAX_ALERTS = 400;

// Words: every element with data-t (text), data-tk (text by a full catalogue key), data-title
// (tooltip) or data-aria (its label) takes them from the room's catalogue (strings.js).
document.documentElement.lang = LANG;
for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
for (const el of document.querySelectorAll("[data-tk]")) el.textContent = tk(el.dataset.tk);
for (const el of document.querySelectorAll("[data-title]")) el.title = el.ariaLabel = t(el.dataset.title);
for (const el of document.querySelectorAll("[data-aria]")) el.ariaLabel = t(el.dataset.aria);
$("help-list").innerHTML = helpRows().map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
// An anonymised room is told so, with what it means.
$("anon-note").hidden = !ANONYMISED;
$("anon-note").title = tk("anonymised");

// Play time: wall time that passes while the clock runs. Paused time does not count, and every
// animation (lines, rings, ticks) is paused with the clock, so the picture holds.
let played = 0;
let runningSince = null;
const playMs = () => played + (runningSince === null ? 0 : Date.now() - runningSince);
const isPaused = () => !S.clock || S.clock.state.paused || !!S.exchange.finished;
function holdAnimations() {
  const paused = isPaused();
  if (paused && runningSince !== null) (played += Date.now() - runningSince), (runningSince = null);
  if (!paused && runningSince === null) runningSince = Date.now();
  for (const a of document.getAnimations()) if (a.effect?.target?.closest?.("#world-wrap")) paused ? a.pause() : a.playState === "paused" && a.play();
}

const world = new World($("world"), $("flows"), $("world-wrap"), $("legend"), (anim) => isPaused() && anim.pause());
const moment = new Moment(world, playMs, (id) => P.threadChip(S, id), (h) => {
  const entry = h.inject !== undefined ? S.exercise?.injects.find((i) => i.inject === h.inject) : undefined;
  return entry ? P.injectTitle(S, entry) : h.title;
});
const journey = new Journey(world, (id) => {
  S.journeyId = id;
  later("script");
});

let pending = false;
const dirty = new Set();
function later(what) {
  dirty.add(what);
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    if (dirty.has("script")) (P.renderScript(S), P.renderTicker(S));
    if (dirty.has("background") && S.exercise) P.renderBackground(S);
    if (dirty.has("esc")) P.renderEscalations(S);
    if (dirty.has("status")) (P.renderStatus(S), P.renderClock(S));
    if (dirty.has("counters")) P.renderCounters(S);
    if (dirty.has("threads")) P.renderThreads(S);
    if (dirty.has("debrief")) renderDebrief(S, { injectTitle: P.injectTitle, threadChip: (id) => P.threadChip(S, id) });
    // The result opens once the page behind it shows the end of the day (rendered just above).
    if (dirty.has("open-debrief")) showDebrief(true);
    dirty.clear();
  });
}

const clockFrom = (c) => (c ? { state: c.state, skew: c.wallNow - Date.now() } : null);

function snapshot(s) {
  const hadDebrief = !!S.debrief;
  Object.assign(S, {
    exchange: s.exchange, controls: s.controls, clock: clockFrom(s.clock), exercise: s.exercise ?? null, counters: s.counters, chain: s.chain,
    debrief: s.debrief ?? null, auditSeq: s.auditSeq, auditPart: Infinity,
  });
  setNames(s.names);
  S.agencies = new Map(s.agencies.map((a) => [a.id, a]));
  S.alerts = new Map(s.alerts.map((a) => [a.id, a]));
  S.escalations = s.escalations;
  document.body.classList.toggle("no-exercise", !S.exercise);
  $("ticker").hidden = !S.exercise;
  $("bg-panel").hidden = !S.exercise;
  $("side").classList.toggle("no-script", !S.exercise);
  $("script-heading").textContent = S.exercise ? t("script") : t("noScript");
  P.renderTitle(s);
  world.render(s.agencies);
  P.renderChain(s.chain);
  moment.set(s.highlight, S.clock);
  holdAnimations();
  ["script", "background", "esc", "status", "counters", "threads", "debrief"].forEach(later);
  if (S.debrief && !hadDebrief) showDebrief(true);
}

/** Each exchange event: moves on the map, the moment, an open journey. */
function audit(r) {
  // One record may come as several events (one per delivery, told apart by part); the snapshot holds all of its record's.
  const part = r.part ?? 0;
  if (r.seq < S.auditSeq || (r.seq === S.auditSeq && part <= S.auditPart)) return;
  S.auditSeq = r.seq;
  S.auditPart = part;
  const scripted = r.inject !== undefined;
  if (["submitted", "updated", "retracted", "answered", "hit-reported"].includes(r.event)) world.pulse(r.actor, scripted ? "send" : "got-quiet", r.precedence);
  else if (r.event === "delivered" && r.agency) r.from ? world.flow(r.from, r.agency, r.precedence, scripted, r.messageId) : world.pulse(r.agency, "got", r.precedence);
  else if (r.event === "acknowledged") world.pulse(r.actor, "ack");
  else if (r.event === "escalated") {
    world.pulse(r.agency, "esc");
    S.escalations.unshift({ seq: r.seq, at: r.at, step: r.step, messageIds: r.messageIds ?? [r.messageId], recipient: r.recipient, notify: r.agency, precedence: r.precedence, title: r.title, originator: r.from, inject: r.inject });
    // Newest in simulated time first: steps are recorded as they fall due, not always in order.
    S.escalations.sort((x, y) => y.at.localeCompare(x.at) || y.seq - x.seq);
    S.escalations.length = Math.min(S.escalations.length, 60);
    later("esc");
  }
  moment.onAudit(r);
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
    // Bounded on a page left open for days: the oldest background messages go (the server keeps their journeys).
    if (S.alerts.size > MAX_ALERTS)
      for (const [id, x] of S.alerts) {
        if (S.alerts.size <= MAX_ALERTS) break;
        if (x.inject === undefined) S.alerts.delete(id);
      }
    later(a.inject !== undefined || !S.exercise ? "script" : "background");
  },
  inject: (i) => {
    if (!S.exercise) return;
    const k = S.exercise.injects.findIndex((x) => x.inject === i.inject);
    if (k >= 0) S.exercise.injects[k] = i;
    later("script");
  },
  highlight: (h) => moment.set(h, S.clock),
  counters: (c) => {
    S.counters = c;
    later("counters");
    later("esc");
  },
  chain: (c) => P.renderChain((S.chain = c)),
  status: (s) => {
    Object.assign(S, { exchange: s.exchange, controls: s.controls });
    holdAnimations();
    later("status");
  },
  clock: (c) => {
    S.clock = clockFrom(c);
    holdAnimations();
    later("status");
    later("script");
  },
  debrief: (d) => {
    S.debrief = d;
    // A debrief comes only when the run is over (the status saying so is sent just before it).
    S.exchange = { ...S.exchange, finished: S.exchange.finished ?? "finished" };
    later("status");
    later("debrief");
    later("open-debrief");
  },
};
function connect() {
  const es = new EventSource("/api/stream");
  for (const [name, fn] of Object.entries(handlers))
    es.addEventListener(name, (e) => fn(JSON.parse(e.data)));
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

// ---------------------------------------------------------------- the facilitator's controls

/** A word for the room in the controls' note for a few seconds. */
function say(text) {
  S.flash = text;
  $("control-note").textContent = text;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => {
    S.flash = null;
    later("status");
  }, 4000);
}

/** Changes go one after another, each from where the one before left the clock (keys pressed quickly). */
let queue = Promise.resolve();
const wanted = { speed: null, paused: null };
function changeClock(change) {
  if (!S.controls.clock) return;
  queue = queue.then(async () => {
    const res = await fetch("/api/clock", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(change) }).catch(() => undefined);
    const body = await res?.json().catch(() => ({}));
    if (!res?.ok) say(res?.status === 409 ? t("refused", { why: body?.error ?? "" }) : t("controlFailed", { why: body?.error ?? res?.statusText ?? "" }));
    else {
      handlers.clock({ state: body.clock, wallNow: Date.now() });
      if (change.next) say(t("movedTo", { n: body.inject, time: hm(body.at) }));
    }
    if (queue === pending_) wanted.speed = wanted.paused = null;
  });
  const pending_ = queue;
}
const togglePause = () => {
  if (!S.controls.clock) return;
  const paused = !(wanted.paused ?? S.clock?.state.paused);
  wanted.paused = paused;
  changeClock({ pause: paused });
};
const step = (dir) => {
  if (!S.controls.clock) return;
  const now = wanted.speed ?? S.clock?.state.speed ?? 1;
  const i = dir > 0 ? SPEEDS.findIndex((s) => s > now) : SPEEDS.findLastIndex((s) => s < now);
  if (i < 0) return;
  wanted.speed = SPEEDS[i];
  changeClock({ speed: SPEEDS[i] });
};
const nextInject = () => S.controls.next && changeClock({ next: true });
$("pause").addEventListener("click", togglePause);
$("slower").addEventListener("click", () => step(-1));
$("faster").addEventListener("click", () => step(1));
$("next").addEventListener("click", nextInject);

const help = (show) => ($("help").hidden = !show);
$("help-button").addEventListener("click", () => help(true));
$("help-close").addEventListener("click", () => help(false));
$("help").addEventListener("click", (e) => e.target === $("help") && help(false));

function showDebrief(show) {
  $("debrief").hidden = !show || !S.debrief;
  if (show && S.debrief) journey.close();
}
$("debrief-close").addEventListener("click", () => showDebrief(false));
$("result-button").addEventListener("click", () => showDebrief(true));

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key;
  if (k === "Escape") {
    if (!$("help").hidden) return help(false);
    return journey.close();
  }
  if (k === "?") return help($("help").hidden);
  if (k === " ") {
    // Not also a click on the focused button.
    e.preventDefault();
    return void (e.repeat || togglePause());
  }
  if (k === "-" || k === "_") return step(-1);
  if (k === "+" || k === "=") return step(1);
  if (k === "n" || k === "N") return void (e.repeat || nextInject());
});
document.addEventListener("keyup", (e) => e.key === " " && e.preventDefault());

// ---------------------------------------------------------------- opening journeys

const openFrom = (e) => {
  const row = e.target.closest("[data-id]");
  if (row && (e.type === "click" || e.key === "Enter")) journey.open(row.dataset.id, row.dataset.seq);
};
// Chromium sends no click when the pressed row was replaced before the release: a release on the
// same message's row opens it then.
let pressed = null;
const released = (e) => {
  const row = e.target.closest("[data-id]");
  if (e.button === 0 && pressed && !pressed.isConnected && row?.dataset.id === pressed.dataset.id) journey.open(row.dataset.id, row.dataset.seq);
  pressed = null;
};
for (const id of ["script", "background", "escalations", "tick-now"]) {
  $(id).addEventListener("pointerdown", (e) => (pressed = e.target.closest("[data-id]")));
  $(id).addEventListener("pointerup", released);
  $(id).addEventListener("click", openFrom);
  $(id).addEventListener("keydown", openFrom);
}
$("threads").addEventListener("click", (e) => {
  const chip = e.target.closest("[data-thread]");
  if (!chip) return;
  S.thread = chip.dataset.thread || null;
  later("threads");
  later("script");
});

// The clock, the countdowns and the moment run on the page between events, from the last clock state.
setInterval(() => {
  P.renderClock(S);
  if (S.exercise) P.renderTicker(S);
  P.renderCountdowns(S);
  moment.tick(S.clock);
}, 200);
connect();
