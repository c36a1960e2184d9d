// Every word the dashboard page shows, in one catalogue, and the one function that names an
// agency (agencyLabel): a second language is a second catalogue, anonymised labels a change of
// that function. The figures' labels come from the server (shared/exchange/figures.ts), so the
// page names them exactly as the report and the terminal do. Simulated times are UTC.

const EN = {
  brand: "ATIX · 24/7 antiterror information exchange · exercise",
  connecting: "Connecting to the exchange…",
  liveExchange: "Live exchange · {name}",
  simulatedTime: "simulated time",
  utc: "UTC",
  running: "running", paused: "paused", finished: "finished", waiting: "waiting",
  pause: "Pause", resume: "Resume", slower: "Slower", faster: "Faster", next: "Next inject", shortcuts: "Shortcuts", close: "Close", showResult: "Result",
  controlNote: "Space pause · − + speed · N next inject · ? help",
  controlNoteNoNext: "Space pause · − + speed · ? help",
  readOnly: "Read-only view: the clock is controlled where the exchange runs",
  endOfDay: "end of the exercise day",
  drain: "after the exercise day: drain",
  dayOf: "day {n} of {total}",
  chainBroken: "Audit chain broken after record {n}: {why}",
  chainChecking: "Audit chain: checking… {n} records",
  chainVerified: "Audit chain verified up to record {n}",
  chainReading: "Audit chain: reading…",
  connLost: "Dashboard connection lost · reconnecting…",
  exchangeStopped: "Exchange stopped",
  exchangeLost: "Exchange connection lost · reconnecting…",
  exchangeWaiting: "Waiting for the exchange to start…",
  live: "Live · {n} coordinator(s) up",
  noCoordinator: "Live · no coordinator heard!",
  // Ticker
  now: "Now", nextUp: "Next", noneYet: "No inject has played yet", allPlayed: "Every inject has played", noScript: "Live exchange: no scenario script",
  inject: "Inject {n}", dueIn: "in {span}", dueNow: "due now", notSent: "not sent: {why}",
  movedTo: "Clock moved to just before inject {n} ({time})", refused: "Not now: {why}", controlFailed: "The exchange did not take it: {why}",
  // Counters
  agenciesOnline: "Agencies online", onDutyOffline: "{onDuty} on duty · {offline} offline",
  objectiveLabel: "{p} {label}", objectiveTarget: "target {target} · {within} of {decided} decided",
  objectiveNone: "no {p} deliveries decided yet",
  overdueAt: "at {n} agencies · FLASH {flash}", noneOverdue: "none past deadline",
  escalationsNote: "reminders, backups, originators told",
  // Panels
  script: "Script (MSEL)", allThreads: "All", background: "Background traffic", backgroundHint: "generated around the script",
  escalations: "Escalations", escalationsHint: "deadline missed → who was told", clickHint: "click an inject for its journey",
  scriptEmpty: "The scenario's injects appear here as they play.", backgroundEmpty: "No background traffic yet.",
  escalationsEmpty: "None so far: every deadline met.", upcoming: "upcoming", openN: "{n} open",
  noAlerts: "No messages yet. They appear here the moment the coordinator accepts them.",
  // Kinds, events, steps, states
  kind: { alert: "alert", rfi: "RFI", "alert-update": "update", "alert-retraction": "withdrawal", hit: "hit", "rfi-response": "answer", escalation: "escalation" },
  event: {
    submitted: "sent", updated: "update sent", retracted: "withdrawn", answered: "answer sent", "hit-reported": "hit reported",
    delivered: "delivered", receipted: "receipt", acknowledged: "acknowledged", escalated: "escalated", rejected: "rejected",
  },
  step: { reminder: "reminder", "backup-contact": "backup contact", originator: "originator" },
  tagHit: "HIT", tagHits: "HIT ×{n}", tagAnswers: "{n} answer(s)", tagUpdated: "updated", tagEsc: "↑ {n} esc.", tagWithdrawn: "withdrawn", tagRfis: "{n} RFI(s)",
  counts: "delivered {d}/{n} · acknowledged {a}/{n}", countsLate: " ({l} late)",
  allAcked: "✓ all acknowledged", withdrawn: "withdrawn", left: "{span} left", late: "{span} late",
  updateOf: "Update to inject {n}: {title}", withdrawalOf: "Withdrawal of inject {n}: {title}", hitOn: "Hit on inject {n}: {matched}",
  updateTo: "Update: {title}", withdrawalTo: "Withdrawal: {title}", hitTo: "Hit: {title}",
  untitled: "(untitled)",
  // Escalations
  escReminder: "{recipient} late: reminded",
  escBackup: "{recipient} late: {notify}{via} told",
  escOriginator: "{recipient} late: originator {notify} told",
  escMore: " · {n} messages",
  // Tiles and legend
  status: { "on-duty": "on duty", reduced: "night shift", unstaffed: "unstaffed: on call", offline: "offline", unknown: "not heard yet" },
  glyph: { "on-duty": "", reduced: "☾", unstaffed: "✆", offline: "✕", unknown: "…" },
  agencies: "Agencies by region",
  legendOverdue: "overdue acks", legendOverdueRing: "deliveries past deadline",
  legendWaiting: "waiting to acknowledge", legendAcked: "acknowledged", legendLate: "late", legendSender: "sender", legendLines: "deliveries:", legendScripted: "script", legendBackground: "background",
  tileTitle: "{id} · {name} ({country})\n{status}{officer}\n{open} waiting for acknowledgement, {overdue} overdue",
  // Banner
  bannerHead: "{p} · inject {n} · {time}", bannerHeadNoInject: "{p} · {time}",
  bannerRoute: "{from} → {to}", bannerAcked: "acknowledged {a} of {n}", bannerWaiting: "waiting for {k}:", bannerMore: "+{n} more",
  bannerAllAcked: "every recipient acknowledged", bannerDeadline: "deadline passed · {pct} in time", bannerInTime: "{pct} in time",
  // Audiences
  all: "all services", toInject: "recipients of inject {n}", originatorOf: "originator of inject {n}", recipientsN: "{to} ({n})",
  region: {
    "north-america": "North America", "latin-america": "Latin America", europe: "Europe", africa: "Africa", "middle-east": "Middle East",
    caucasus: "Caucasus", "central-asia": "Central Asia", "south-asia": "South Asia", "east-asia": "East Asia", "southeast-asia": "Southeast Asia", oceania: "Oceania",
  },
  // Journey
  journeyEyebrow: "Journey of one message", loading: "Loading…", unknownMessage: "This message is not known to the dashboard",
  from: "from {from} to {n} agencies · sent {sent} · acknowledge by {deadline}",
  delivered: "delivered", acknowledged: "acknowledged", withinDeadline: "within deadline", lateN: "late", escalationsN: "escalations", hits: "hits", answers: "answers",
  stillMissing: "Still missing ({n})", nobodyMissing: "Nobody missing: every recipient acknowledged", notDelivered: "not delivered yet",
  missingWithdrawn: "Withdrawn before every recipient acknowledged: {n} never did",
  escByStep: "Escalations by step", noEscalations: "No escalation: every deadline met",
  linked: "Linked messages", noLinks: "Nothing refers to it", question: "Question",
  relation: { update: "update", withdrawal: "withdrawal", hit: "hit", answer: "answer", rfi: "RFI about it", about: "about" },
  records: "Audit records ({n})", show: "show", hide: "hide", omitted: "{n} more not kept",
  col: { seq: "#", time: "Sim time", event: "Event", who: "Who" },
  // Debrief
  result: "Exercise result", pass: "PASS", fail: "FAIL", interrupted: "interrupted before the end",
  objectives: "Objectives", met: "met", partial: "partially met", notMet: "not met", noExpectation: "no expectation",
  objectivesMet: "{met} of {n} objectives met", injectsTally: "Injects: {met} met · {partial} partially · {notMet} not met",
  figures: "Figures", reconciled: "the scenario's own messages: {d} of {e} deliveries received · {lost} lost · {dup} duplicated",
  auditOk: "audit chain verified: {n} records", auditBroken: "audit chain BROKEN",
  openReport: "Open the after-action report", reportAt: "written to {path}", backToLive: "Back to the live view",
  dayEnded: "The exercise day ended at {end}; the hour after it (to {until}) let late acknowledgements arrive.",
  // Help
  helpTitle: "Keyboard shortcuts",
  help: [["Space", "pause / resume"], ["−", "slower"], ["+ or =", "faster"], ["N", "next inject"], ["Esc", "close the journey (and this)"], ["?", "show these shortcuts"]],
};

const CATALOGUE = EN;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The word or sentence `key` (a dotted path), with {name} filled from `vars`; "(s)" is plural-aware on {n}. */
export function t(key, vars = {}) {
  let s = key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), CATALOGUE);
  if (typeof s !== "string") return key.split(".").pop();
  if ("n" in vars) s = s.replace(/\(s\)/g, Number(vars.n) === 1 ? "" : "s");
  return s.replace(/\{(\w+)\}/g, (all, k) => (k in vars ? String(vars[k]) : all));
}

/** The catalogue's value as is (lists, maps). */
export const raw = (key) => key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), CATALOGUE);

/** How the room sees an agency: its id (an anonymised run replaces it here, and only here). */
export const agencyLabel = (id) => String(id ?? "");

export const regionName = (r) => CATALOGUE.region[r] ?? r;
export const kindWord = (k) => CATALOGUE.kind[k] ?? k;

export const fmtInt = (n) => (typeof n === "number" ? n.toLocaleString("en-GB") : "–");
/** A share as the figures read it (rounded down: a share just short of a target never reads as it). */
export const pct = (x) => (x === null || x === undefined ? "–" : x >= 1 ? "100%" : `${(Math.floor(x * 1000 + 1e-9) / 10).toFixed(1).replace(/\.0$/, "")}%`);

/** A simulated span: "45 s", "20 min 32 s", "2 h 59 min". */
export function span(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor(s / 60) % 60} min`;
}

export const dayLine = (ms) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} · ${CATALOGUE.utc}`;
};

/** Who a message goes to, in words: "all services", "Caucasus, Central Asia, RU, IR", "recipients of inject 2". */
export function audienceText(to) {
  if (!to) return "";
  if (typeof to.inject === "number") return t(to.who === "originator" ? "originatorOf" : "toInject", { n: to.inject });
  if (to.all) return t("all");
  return [
    ...(to.regions ?? []).map(regionName),
    ...(to.organisations ?? []),
    ...(to.sharingGroups ?? []),
    ...(to.agencies ?? []).map(agencyLabel),
  ].join(", ");
}

/** One escalation in a sentence (escaped by the caller's `esc`). */
export function escalationText(e, esc) {
  const vars = { recipient: `<b>${esc(agencyLabel(e.recipient))}</b>`, notify: `<b>${esc(agencyLabel(e.notify))}</b>`, via: e.via ? ` (${esc(e.via)})` : "" };
  const key = e.step === "reminder" ? "escReminder" : e.step === "backup-contact" ? "escBackup" : "escOriginator";
  const more = (e.messageIds?.length ?? 1) > 1 ? t("escMore", { n: e.messageIds.length }) : "";
  return t(key, vars) + more;
}
