// Words and numbers as the room reads them. Simulated times are shown in UTC, as the exchange
// records them.

/** Escapes text for innerHTML: titles come from the exchange's messages. */
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export const fmtInt = (n) => (typeof n === "number" ? n.toLocaleString("en-GB") : "–");

const pad = (n) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export const hms = (ms) => {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
export const hm = (iso) => {
  const d = new Date(iso);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};
export const dayLine = (ms) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} · UTC`;
};

/** A simulated span, e.g. "9:42" (min:s) below an hour, "2 h 05" above. */
export const span = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 3600) return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor(s / 60) % 60)}`;
};

export const speedText = (x) => `×${x >= 100 ? Math.round(x).toLocaleString("en-GB") : Number(x.toFixed(1))}`;

export const precClass = (p) => `p-${String(p || "routine").toLowerCase()}`;
export const tlpClass = (t) => `tlp-${String(t || "clear").toLowerCase().replace("+", "-")}`;

export const STATUS_WORD = { "on-duty": "on duty", reduced: "night", unstaffed: "unstaffed", offline: "OFFLINE", unknown: "…" };

export const EVENT_WORD = {
  submitted: "sent", updated: "update sent", retracted: "withdrawn", answered: "answer sent", "hit-reported": "hit reported",
  delivered: "delivered", receipted: "receipt", acknowledged: "acknowledged", escalated: "escalated", rejected: "rejected",
};

const STEP_WORD = { reminder: "reminder", "backup-contact": "backup", originator: "originator" };
export const stepWord = (s) => STEP_WORD[s] ?? s;

/** One escalation in a sentence: who missed what, and who was told. */
export function escalationText(e) {
  const told =
    e.step === "reminder" ? `reminder sent to <b>${esc(e.notify)}</b>`
    : e.step === "backup-contact" ? `backup contact <b>${esc(e.notify)}</b>${e.via ? ` (${esc(e.via)})` : ""} told`
    : `originator <b>${esc(e.notify)}</b> told`;
  const what = `${e.precedence ? `${e.precedence} ` : ""}“${e.title || "message"}”${e.originator ? ` from ${e.originator}` : ""}`;
  // One message may list many overdue deliveries (coalesced): the first is named, the rest counted.
  const more = e.covers > 1 ? ` <span class="muted">+${e.covers - 1} more</span>` : "";
  return `<b>${esc(e.recipient)}</b> late: ${told}${more} <span class="muted">· ${esc(what)}</span>`;
}
