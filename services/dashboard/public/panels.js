// The header, the counters, the inject ticker and the story lists (the script, background traffic,
// escalations): plain DOM updates of fixed places, lists updated row by row (keyed-list.js).
import { esc, hm, hms, precClass, simNow, tlpClass } from "./format.js";
import { renderKeyedList } from "./keyed-list.js";
import { agencyLabel, audienceText, dayLine, escalationText, figureInline, figureLabel, fmtInt, kindWord, pct, span, speedText, t } from "./strings.js";

const $ = (id) => document.getElementById(id);

export function renderTitle(s) {
  const title = s.exchange.title || t("liveExchange", { name: s.exchange.name || "…" });
  $("title").textContent = title;
  $("title").title = title;
  document.title = `ATIX · ${title}`;
}

/** A thread's colour class, by its place in the scenario's list. */
export const threadClass = (S, id) => `th-${Math.max(0, S.exercise?.threads.findIndex((x) => x.id === id) ?? 0) % 6}`;
export const threadChip = (S, id) => (id ? `<span class="th ${threadClass(S, id)}" title="${esc(S.exercise?.threads.find((x) => x.id === id)?.title ?? "")}">${esc(id)}</span>` : "");

/** The clock: simulated now; once the run is over, the end of the exercise day (the drain hour came after it). */
export function renderClock(S) {
  if (!S.clock) return;
  const now = simNow(S.clock);
  const end = S.exercise ? Date.parse(S.exercise.end) : Number.NaN;
  const finished = !!S.exchange.finished;
  const shown = finished && end <= now ? end : now;
  // Midnight at the end of the day reads as 24:00 of that day, not 00:00 of the next.
  const midnightEnd = finished && shown === end && new Date(end).getUTCHours() === 0 && new Date(end).getUTCMinutes() === 0;
  $("sim-time").textContent = midnightEnd ? "24:00:00" : hms(shown);
  $("sim-date").textContent = dayLine(midnightEnd ? shown - 1 : shown);
  $("speed").textContent = speedText(S.clock.state.speed);
  $("day-note").textContent = finished && end <= now ? t("endOfDay") : end < now ? t("drain") : "";
  const st = $("run-state");
  const word = finished ? "finished" : S.clock.state.paused ? "paused" : "running";
  if (st.dataset.word !== word) {
    st.dataset.word = word;
    st.textContent = t(word);
    st.className = `run-state ${word}`;
  }
}

export function renderStatus(S) {
  const conn = $("conn");
  const live = S.streamOpen && S.exchange.connected;
  const n = S.exchange.coordinators;
  conn.className = `conn ${live && n ? "live" : "down"}`;
  $("conn-text").textContent = !S.streamOpen ? t("connLost")
    : !S.exchange.connected ? (S.exchange.finished ? t("exchangeStopped") : S.agencies.size ? t("exchangeLost") : t("exchangeWaiting"))
    : n ? t("live", { n }) : t("noCoordinator");
  const c = S.controls;
  $("control-buttons").hidden = !c.clock;
  $("next").hidden = !c.next;
  if (!S.flash) $("control-note").textContent = c.clock ? t(c.next ? "controlNote" : "controlNoteNoNext") : S.exchange.finished ? "" : t("readOnly");
  if (S.clock) $("pause").textContent = t(S.clock.state.paused ? "resume" : "pause");
  $("result-button").hidden = !S.debrief;
}

export function renderChain(chain) {
  const el = $("chain");
  el.className = `chain ${chain.ok ? "ok" : "broken"}`;
  el.textContent = !chain.ok ? t("chainBroken", { n: fmtInt(chain.verified), why: chain.failure ?? "" })
    : chain.catchingUp ? t("chainChecking", { n: fmtInt(chain.verified) })
    : t("chainVerified", { n: fmtInt(chain.verified) });
  el.title = el.textContent;
}

function figure(id, label, value, note, tone) {
  const f = $(id);
  f.className = `figure${tone ? ` tone-${tone}` : ""}`;
  f.querySelector(".label").textContent = label;
  f.querySelector(".label").title = label;
  f.querySelector(".value").textContent = value;
  f.querySelector(".note").textContent = note || "\u00a0";
  f.querySelector(".note").title = note || "";
}

/** The counters: the exchange's figures under their shared names (the catalogue's); the acknowledgement card is the scenario's objective. */
export function renderCounters(S) {
  const c = S.counters;
  if (!c) return;
  const a = c.agencies;
  const f = c.figures;
  const note = (...keys) => keys.map((k) => figureInline(k, f[k])).join(" · ");
  figure("f-online", t("agenciesOnline"), `${a.online} / ${a.registered}`, t("onDutyOffline", { onDuty: a.onDuty, offline: a.registered - a.online }), a.online < a.registered ? "warn" : "good");
  figure("f-messages", figureLabel("messagesAccepted"), fmtInt(f.messagesAccepted), note("alertsAndRfis", "rejected"), f.rejected ? "warn" : "");
  figure("f-deliveries", figureLabel("deliveries"), fmtInt(f.deliveries), note("awaiting"));
  const objective = S.exercise?.objective;
  const p = objective?.precedence ?? "FLASH";
  const x = f.byPrecedence[p];
  const decided = x.acknowledged + x.overdue;
  const tone = x.inTime === null ? "" : objective ? (x.inTime >= objective.target ? "good" : "bad") : "";
  figure("f-objective", t("objectiveLabel", { p, label: figureLabel("inTime") }), pct(x.inTime),
    decided ? (objective ? t("objectiveTarget", { target: pct(objective.target), within: fmtInt(x.withinDeadline), decided: fmtInt(decided) }) : `${fmtInt(x.withinDeadline)} / ${fmtInt(decided)}`) : t("objectiveNone", { p }), tone);
  figure("f-acknowledged", figureLabel("acknowledged"), fmtInt(f.acknowledged), note("withinDeadline", "late"));
  figure("f-overdue", figureLabel("overdue"), fmtInt(f.overdue), f.overdue ? t("overdueAt", { n: a.overdue, flash: f.byPrecedence.FLASH.overdue }) : t("noneOverdue"), f.overdue ? "bad" : "good");
  figure("f-escalations", figureLabel("escalations"), fmtInt(f.escalations), t("escalationsNote"), f.escalations ? "warn" : "");
}

/** An inject's title as the room reads it: the MSEL's, else what it updates, withdraws or matched. */
export function injectTitle(S, e) {
  if (e.title) return e.title;
  const about = S.exercise?.injects.find((x) => x.inject === e.about);
  const aboutTitle = about?.title || (about?.messageId && S.alerts.get(about.messageId)?.title) || "";
  if (e.kind === "hit") return t("hitOn", { n: e.about, matched: e.matched ?? "" });
  if (e.kind === "alert-update") return t("updateOf", { n: e.about, title: aboutTitle });
  if (e.kind === "alert-retraction") return t("withdrawalOf", { n: e.about, title: aboutTitle });
  return e.question ?? (e.messageId && S.alerts.get(e.messageId)?.title) ?? t("untitled");
}

const recipientsCount = (S, e) => (e.messageId ? S.alerts.get(e.messageId)?.recipients : undefined);

/** The ticker: the inject now playing (the latest played) and the next one, with its countdown. */
export function renderTicker(S) {
  const ex = S.exercise;
  if (!ex) return;
  const now = simNow(S.clock);
  const played = ex.injects.filter((i) => i.state !== "upcoming");
  const current = played[played.length - 1];
  const next = ex.injects.find((i) => i.state === "upcoming");
  const line = (e, word, when) => {
    const n = recipientsCount(S, e);
    const to = audienceText(e.to);
    return `<span class="word">${esc(word)}</span><span class="what"><span class="l1"><b>${esc(t("inject", { n: e.inject }))}</b>${threadChip(S, e.thread)}<span>${hm(e.at)}</span>${e.precedence ? `<span class="prec ${precClass(e.precedence)}">${esc(e.precedence)}</span>` : ""}<span>${esc(kindWord(e.kind))}</span><span>${esc(agencyLabel(e.from))} → ${esc(n ? t("recipientsN", { to, n }) : to)}</span></span><span class="l2" title="${esc(injectTitle(S, e))}">${esc(injectTitle(S, e))}</span></span><span class="when">${when}</span>`;
  };
  const nowEl = $("tick-now");
  const nextEl = $("tick-next");
  const setTick = (el, html, cls, p) => {
    if (el.dataset.html !== html) {
      el.dataset.html = html;
      el.innerHTML = html;
    }
    el.className = `tick ${cls}${p ? ` ${precClass(p)}` : ""}`;
  };
  if (current) {
    const a = current.messageId ? S.alerts.get(current.messageId) : undefined;
    const when = current.state === "not-sent" ? esc(t("notSent", { why: current.note ?? "" })) : a ? esc(a.state === "complete" ? t("allAcked") : t("counts", { d: a.delivered, a: a.acknowledged, n: a.recipients })) : "";
    setTick(nowEl, line(current, t("now"), when), "now", current.precedence);
    if (current.messageId && a) nowEl.dataset.id = current.messageId;
    else delete nowEl.dataset.id;
  } else setTick(nowEl, `<span class="word">${esc(t("now"))}</span><span class="what">${esc(t("noneYet"))}</span>`, "now idle");
  if (next) setTick(nextEl, line(next, t("nextUp"), esc(Date.parse(next.at) > now ? t("dueIn", { span: span(Date.parse(next.at) - now) }) : t("dueNow"))), "next", next.precedence);
  else setTick(nextEl, `<span class="word">${esc(t("nextUp"))}</span><span class="what">${esc(t("allPlayed"))}</span>`, "next idle");
}

function tags(a) {
  return [
    a.hits ? `<span class="tag t-hit">${esc(a.hits > 1 ? t("tagHits", { n: a.hits }) : t("tagHit"))}</span>` : "",
    a.answers ? `<span class="tag t-upd">${esc(t("tagAnswers", { n: a.answers }))}</span>` : "",
    a.rfis ? `<span class="tag t-upd">${esc(t("tagRfis", { n: a.rfis }))}</span>` : "",
    a.updates ? `<span class="tag t-upd">${esc(t("tagUpdated"))}</span>` : "",
    a.escalations ? `<span class="tag t-esc">${esc(t("tagEsc", { n: a.escalations }))}</span>` : "",
    a.state === "retracted" ? `<span class="tag t-wd">${esc(t("tagWithdrawn"))}</span>` : "",
  ].join("");
}

/** The counts of a row: never cut (the tags after them wrap). */
const counts = (a) => `${t("counts", { d: a.delivered, a: a.acknowledged, n: a.recipients })}${a.late ? t("countsLate", { l: a.late }) : ""}`;
const bar = (a) => {
  const n = Math.max(a.recipients, a.delivered) || 1;
  return `<span class="bar"><i class="d" style="width:${(100 * a.delivered) / n}%"></i><i class="a" style="width:${(100 * a.acknowledged) / n}%"></i></span>`;
};

/** The script: the next inject, then those played, newest first; filtered by thread. */
export function renderScript(S) {
  const list = $("script");
  const ex = S.exercise;
  if (!ex) return renderMessages(S, list);
  const shown = ex.injects.filter((e) => !S.thread || e.thread === S.thread);
  const next = shown.find((e) => e.state === "upcoming");
  const played = shown.filter((e) => e.state !== "upcoming").reverse();
  $("script-count").textContent = `(${ex.injects.filter((e) => e.state !== "upcoming").length}/${ex.injects.length})`;
  const items = [...(next ? [next] : []), ...played].map((e) => {
    const a = e.messageId ? S.alerts.get(e.messageId) : undefined;
    const title = injectTitle(S, e);
    const n = a?.recipients;
    const to = audienceText(e.to);
    const l1 = `<span class="t">${hm(e.at)}</span>${e.precedence ? `<span class="prec ${precClass(e.precedence)}">${esc(e.precedence)}</span>` : ""}<span>${esc(kindWord(e.kind))}</span><span class="route">${esc(agencyLabel(e.from))} → ${esc(n ? t("recipientsN", { to, n }) : to)}</span>`;
    const l2 = e.state === "upcoming" ? `<span>${esc(t("upcoming"))}</span><span class="due"></span>`
      : e.state === "not-sent" ? `<span>${esc(t("notSent", { why: e.note ?? "" }))}</span>`
      : a ? `${a.tlp ? `<span class="tlp ${tlpClass(a.tlp)}">TLP:${esc(a.tlp)}</span>` : ""}${bar(a)}<span class="counts">${esc(counts(a))}</span>${tags(a)}<span class="due"></span>` : "";
    const cls = `row ${precClass(e.precedence)}${e.state === "upcoming" ? " upcoming" : a && a.state !== "open" ? " done" : ""}${S.journeyId && S.journeyId === e.messageId ? " selected" : ""}`;
    // Clickable once the exchange has recorded it (the runner names an inject's message a moment before the chain does).
    const attrs = e.state === "played" && e.messageId && a ? ` data-id="${esc(e.messageId)}" data-deadline="${esc(a?.deadline ?? "")}" data-state="${a?.state ?? "open"}" tabindex="0"` : "";
    return { key: `i${e.inject}`, html: `<li class="${cls}"${attrs} title="${esc(title)}"><div class="n"><span class="num">${e.inject}</span>${threadChip(S, e.thread)}</div><div class="l1">${l1}</div><div class="title">${esc(title)}</div><div class="l2">${l2}</div></li>` };
  });
  if (!items.length) return void (list.innerHTML = `<li class="empty">${esc(t("scriptEmpty"))}</li>`);
  renderKeyedList(list, items);
  renderCountdowns(S);
}

/** Without a scenario: every alert and RFI, open ones first (most urgent, then newest). */
function renderMessages(S, list) {
  const RANK = { FLASH: 0, IMMEDIATE: 1, PRIORITY: 2, ROUTINE: 3 };
  const all = [...S.alerts.values()].filter((a) => a.kind === "alert" || a.kind === "rfi");
  const open = all.filter((a) => a.state === "open").sort((x, y) => RANK[x.precedence] - RANK[y.precedence] || y.sentAt.localeCompare(x.sentAt));
  const done = all.filter((a) => a.state !== "open").sort((x, y) => y.sentAt.localeCompare(x.sentAt));
  $("script-count").textContent = `(${open.length})`;
  const items = [...open, ...done].slice(0, 80).map((a) => ({
    key: a.id,
    html: `<li class="row ${precClass(a.precedence)}${a.state === "open" ? "" : " done"}" data-id="${esc(a.id)}" data-deadline="${esc(a.deadline)}" data-state="${a.state}" tabindex="0" title="${esc(a.title)}"><div class="n"><span class="num">${esc(a.kind === "rfi" ? t("rfiBadge") : "")}</span></div><div class="l1"><span class="t">${hm(a.sentAt)}</span><span class="prec ${precClass(a.precedence)}">${esc(a.precedence)}</span><span class="route">${esc(agencyLabel(a.originator))} → ${a.recipients}</span></div><div class="title">${esc(a.title || t("untitled"))}</div><div class="l2">${a.tlp ? `<span class="tlp ${tlpClass(a.tlp)}">TLP:${esc(a.tlp)}</span>` : ""}${bar(a)}<span class="counts">${esc(counts(a))}</span>${tags(a)}<span class="due"></span></div></li>`,
  }));
  if (!items.length) return void (list.innerHTML = `<li class="empty">${esc(t("noAlerts"))}</li>`);
  renderKeyedList(list, items);
  renderCountdowns(S);
}

/** Background traffic: one quiet line each, newest first; still reachable after it closes. */
export function renderBackground(S) {
  const list = $("background");
  const rows = [...S.alerts.values()].filter((a) => a.inject === undefined && (a.kind === "alert" || a.kind === "rfi")).sort((x, y) => y.sentAt.localeCompare(x.sentAt)).slice(0, 60);
  $("bg-count").textContent = `(${t("openN", { n: rows.filter((a) => a.state === "open").length })})`;
  if (!rows.length) return void (list.innerHTML = `<li class="empty">${esc(t("backgroundEmpty"))}</li>`);
  renderKeyedList(list, rows.map((a) => ({
    key: a.id,
    html: `<li class="bg ${precClass(a.precedence)}${a.state === "open" ? " open" : ""}" data-id="${esc(a.id)}" tabindex="0" title="${esc(`${a.precedence} ${kindWord(a.kind)} · ${a.title}`)}"><span class="t">${hm(a.sentAt)}</span><span class="dot"></span><span class="what">${esc(agencyLabel(a.originator))} → ${a.recipients} · ${esc(a.title || t("untitled"))}</span><span class="counts">${a.state === "complete" ? "✓" : a.state === "retracted" ? esc(t("withdrawn")) : `${a.acknowledged}/${a.recipients}`}</span></li>`,
  })));
}

/** Escalations, newest first in simulated time. */
export function renderEscalations(S) {
  const el = $("escalations");
  const total = S.counters?.figures.escalations ?? S.escalations.length;
  $("esc-count").textContent = total ? `(${fmtInt(total)})` : "";
  if (!S.escalations.length) return void (el.innerHTML = `<li class="empty">${esc(t("escalationsEmpty"))}</li>`);
  renderKeyedList(el, S.escalations.slice(0, 60).map((e) => ({
    key: e.seq,
    html: `<li class="esc" data-id="${esc(e.messageIds[0])}" data-seq="${e.seq}" tabindex="0" title="${esc(`${e.precedence ?? ""} ${e.title ?? ""}`)}"><span class="t">${hm(e.at)}</span><span class="step s-${esc(e.step)}">${esc(t(`step.${e.step}`))}</span><span class="what">${escalationText(e, esc)}${e.inject !== undefined ? ` <span class="muted">· ${esc(t("inject", { n: e.inject }))}</span>` : e.title ? ` <span class="muted">· ${esc(e.title)}</span>` : ""}</span></li>`,
  })));
}

/** The countdown of every visible open row, in simulated time ("20 min 32 s left"). */
export function renderCountdowns(S) {
  const now = simNow(S.clock);
  for (const li of document.querySelectorAll("#script .row[data-deadline]")) {
    const due = li.querySelector(".due");
    if (!due) continue;
    const state = li.dataset.state;
    const left = Date.parse(li.dataset.deadline) - now;
    const [text, cls] =
      state === "complete" ? [t("allAcked"), "ok"]
      : state === "retracted" ? [t("withdrawn"), ""]
      : Number.isNaN(left) ? ["", ""]
      : left >= 0 ? [t("left", { span: span(left) }), ""]
      : [t("late", { span: span(-left) }), "late"];
    if (due.textContent !== text) due.textContent = text;
    const c = `due ${cls}`.trim();
    if (due.className !== c) due.className = c;
  }
  const next = document.querySelector("#script .row.upcoming .due");
  const e = S.exercise?.injects.find((i) => i.state === "upcoming");
  if (next && e) next.textContent = Date.parse(e.at) > now ? t("dueIn", { span: span(Date.parse(e.at) - now) }) : t("dueNow");
}

/** The thread chips above the script: all, or one thread. */
export function renderThreads(S) {
  const el = $("threads");
  const threads = S.exercise?.threads ?? [];
  el.hidden = !threads.length;
  el.innerHTML = threads.length
    ? [`<button type="button" class="thread-chip${S.thread ? "" : " on"}" data-thread="">${esc(t("allThreads"))}</button>`,
      ...threads.map((x) => `<button type="button" class="thread-chip ${threadClass(S, x.id)}${S.thread === x.id ? " on" : ""}" data-thread="${esc(x.id)}" title="${esc(x.summary ?? x.title)}">${esc(x.id)} · ${esc(x.title)}</button>`)].join("")
    : "";
}
