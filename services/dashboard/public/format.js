// Numbers, times and classes as the page writes them, in no language (words are in strings.js).
// Simulated times are shown in UTC, as the exchange records them.

/** Escapes text for innerHTML: titles come from the exchange's messages. */
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const pad = (n) => String(n).padStart(2, "0");

export const hms = (ms) => {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
export const hm = (iso) => {
  const d = new Date(typeof iso === "number" ? iso : Date.parse(iso));
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};

export const precClass = (p) => `p-${String(p || "routine").toLowerCase()}`;
export const tlpClass = (t) => `tlp-${String(t || "clear").toLowerCase().replace("+", "-")}`;

/** Simulated time from the last clock state, corrected for the offset between server and page. */
export function simNow(clock) {
  if (!clock) return Date.now();
  const { state, skew } = clock;
  return state.paused ? state.simAnchor : state.simAnchor + (Date.now() + skew - state.wallAnchor) * state.speed;
}
