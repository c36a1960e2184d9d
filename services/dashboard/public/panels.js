// The header, the counters, the alerts and the escalations: plain DOM updates of fixed places.
import { renderKeyedList } from "./keyed-list.js";
import { dayLine, esc, escalationText, fmtInt, hm, hms, precClass, span, speedText, stepWord, tlpClass } from "./format.js";

const $ = (id) => document.getElementById(id);
const PREC_RANK = { FLASH: 0, IMMEDIATE: 1, PRIORITY: 2, ROUTINE: 3 };

export function renderTitle(s) {
  const title = s.exchange.title || `Live exchange · ${s.exchange.name || "…"}`;
  $("title").textContent = title;
  document.title = `ATIX · ${title}`;
}

/** Simulated time from the last clock state, corrected for the offset between server and page. */
export function simNow(clock) {
  if (!clock) return Date.now();
  const { state, skew } = clock;
  return state.paused ? state.simAnchor : state.simAnchor + (Date.now() + skew - state.wallAnchor) * state.speed;
}

export function renderClock(clock, finished) {
  if (!clock) return;
  const now = simNow(clock);
  $("sim-time").textContent = hms(now);
  $("sim-date").textContent = dayLine(now);
  $("speed").textContent = speedText(clock.state.speed);
  const st = $("run-state");
  const word = finished ? "finished" : clock.state.paused ? "paused" : "running";
  if (st.textContent !== word) {
    st.textContent = word;
    st.className = `run-state ${word}`;
  }
}

export function renderStatus(s) {
  const conn = $("conn");
  const live = s.streamOpen && s.exchange.connected;
  const n = s.exchange.coordinators;
  conn.className = `conn ${live && n ? "live" : "down"}`;
  $("conn-text").textContent = !s.streamOpen
    ? "Dashboard connection lost · reconnecting…"
    : !s.exchange.connected
      ? s.exchange.finished ? "Exchange stopped" : s.agencies.size ? "Exchange connection lost · reconnecting…" : "Waiting for the exchange to start…"
      : n ? `Live · ${n} coordinator${n === 1 ? "" : "s"} up` : "Live · no coordinator heard!";
  $("control-buttons").hidden = !s.controls;
  $("control-note").textContent = s.exchange.finished ?? (s.controls ? "Facilitator: pause, slower, faster" : "Read-only view · controls in atix run");
  $("control-note").title = $("control-note").textContent;
  if (s.clock) $("pause").textContent = s.clock.state.paused ? "Resume" : "Pause";
}

export function renderChain(chain) {
  const el = $("chain");
  el.className = `chain ${chain.ok ? "ok" : "broken"}`;
  el.textContent = !chain.ok
    ? `Audit chain broken after record ${fmtInt(chain.verified)}: ${chain.failure ?? ""}`
    : chain.catchingUp
      ? `Audit chain: checking… ${fmtInt(chain.verified)} records`
      : `Audit chain verified up to record ${fmtInt(chain.verified)}`;
  el.title = el.textContent;
}

function figure(id, value, note, tone) {
  const f = $(id);
  f.className = `figure${tone ? ` tone-${tone}` : ""}`;
  f.querySelector(".value").textContent = value;
  f.querySelector(".note").textContent = note || "\u00a0";
}

export function renderCounters(c) {
  const a = c.agencies;
  const d = c.deliveries;
  const acked = d.acknowledged.withinDeadline + d.acknowledged.afterDeadline;
  const pct = acked ? Math.round((100 * d.acknowledged.withinDeadline) / acked) : null;
  figure("f-online", `${a.online} / ${a.registered}`, `${a.onDuty} on duty, ${a.registered - a.online} offline`, a.online < a.registered ? "warn" : "good");
  figure("f-alerts", fmtInt(c.messages.alerts), `${fmtInt(c.messages.accepted)} messages accepted`);
  figure("f-deliveries", fmtInt(d.deliveries), `${fmtInt(d.open)} awaiting acknowledgement`);
  figure("f-intime", pct === null ? "–" : `${pct} %`, `${fmtInt(d.acknowledged.afterDeadline)} late of ${fmtInt(acked)}`, pct === null ? "" : pct >= 90 ? "good" : pct >= 75 ? "warn" : "bad");
  figure("f-overdue", fmtInt(d.overdue), d.overdue ? `at ${a.overdue} agenc${a.overdue === 1 ? "y" : "ies"} · FLASH ${d.byPrecedence.FLASH.overdue}` : "none past deadline", d.overdue ? "bad" : "good");
  figure("f-escalations", fmtInt(c.messages.escalations), "reminders, backups, originators told", c.messages.escalations ? "warn" : "");
  figure("f-rejected", fmtInt(c.messages.rejected), "refused by the coordinator", c.messages.rejected ? "warn" : "");
}

/** Open alerts first (most urgent precedence, then newest), then the latest finished ones. */
function ordered(alerts) {
  const open = alerts.filter((a) => a.state === "open").sort((x, y) => PREC_RANK[x.precedence] - PREC_RANK[y.precedence] || y.sentAt.localeCompare(x.sentAt));
  const done = alerts.filter((a) => a.state !== "open").sort((x, y) => y.sentAt.localeCompare(x.sentAt));
  return { open, rows: [...open, ...done] };
}

export function renderAlerts(alerts, rows) {
  const list = $("alerts");
  const { open, rows: all } = ordered(alerts);
  $("alerts-count").textContent = `(${open.length})`;
  // When open alerts do not all fit, the last row says how many more there are.
  const more = open.length > rows ? open.length - (rows - 1) : 0;
  const shown = all.slice(0, more ? rows - 1 : rows);
  if (!shown.length) return void (list.innerHTML = `<li class="empty">No alerts yet. They appear here the moment the coordinator accepts them.</li>`);
  const items = shown.map((a) => {
    const n = Math.max(a.recipients, a.delivered) || 1;
    const tags = [
      a.hits ? `<span class="tag t-hit">HIT${a.hits > 1 ? ` ×${a.hits}` : ""}</span>` : "",
      a.answers ? `<span class="tag t-upd">${a.answers} ANSWER${a.answers > 1 ? "S" : ""}</span>` : "",
      a.updates ? `<span class="tag t-upd">UPDATED</span>` : "",
      a.escalations ? `<span class="tag t-esc">↑ ${a.escalations} esc.</span>` : "",
      a.state === "retracted" ? `<span class="tag t-wd">WITHDRAWN</span>` : "",
    ].join("");
    const html = `<li class="alert ${precClass(a.precedence)}${a.state === "open" ? "" : " done"}" data-id="${esc(a.id)}" data-deadline="${esc(a.deadline)}" data-state="${a.state}" tabindex="0" title="${esc(a.title)}">
  <div class="l1"><span class="prec">${esc(a.kind === "rfi" ? `RFI ${a.precedence}` : a.precedence)}</span><span class="title">${esc(a.title || "(untitled)")}</span><span class="due"></span></div>
  <div class="l2"><span class="tlp ${tlpClass(a.tlp)}">TLP:${esc(a.tlp ?? "–")}</span><span class="route">${esc(a.originator)} → ${a.recipients}</span><span class="bar"><i class="d" style="width:${(100 * a.delivered) / n}%"></i><i class="a" style="width:${(100 * a.acknowledged) / n}%"></i></span><span class="counts">delivered <b>${a.delivered}</b>/${a.recipients} · acknowledged <b>${a.acknowledged}</b>/${a.recipients}${a.late ? ` (${a.late} late)` : ""}</span><span class="tags">${tags}</span></div>
</li>`;
    return { key: a.id, html };
  });
  renderKeyedList(list, items, more ? `<li class="more">+ ${more} more open alert${more === 1 ? "" : "s"} (lower precedence or older)</li>` : "");
  renderCountdowns(null);
}

/** The countdown of every visible open alert, in simulated time. */
export function renderCountdowns(clock) {
  const now = clock ? simNow(clock) : renderCountdowns.now ?? Date.now();
  if (clock) renderCountdowns.now = now;
  for (const li of document.querySelectorAll("#alerts .alert")) {
    const due = li.querySelector(".due");
    const state = li.dataset.state;
    const left = Date.parse(li.dataset.deadline) - now;
    const [text, cls] =
      state === "complete" ? ["✓ all acked", "ok"]
      : state === "retracted" ? ["withdrawn", ""]
      : Number.isNaN(left) ? ["", ""]
      : left >= 0 ? [`${span(left)} left`, ""]
      : [`${span(-left)} late`, "late"];
    if (due.textContent !== text) due.textContent = text;
    const c = `due ${cls}`.trim();
    if (due.className !== c) due.className = c;
  }
}

export function renderEscalations(list, total, rows) {
  $("esc-count").textContent = total ? `(${fmtInt(total)})` : "";
  const el = $("escalations");
  if (!list.length) return void (el.innerHTML = `<li class="empty">None so far: every deadline met.</li>`);
  const items = list.slice(0, rows).map((e) => ({
    key: e.seq,
    html: `<li class="esc" data-id="${esc(e.messageId)}" title="${esc(e.title ?? "")}"><span class="t">${hm(e.at)}</span><span class="step s-${esc(e.step)}">${esc(stepWord(e.step))}</span><span class="what">${escalationText(e)}</span></li>`,
  }));
  renderKeyedList(el, items);
}
