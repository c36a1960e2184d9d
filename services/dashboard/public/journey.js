// One message's journey: its audit records in chain order (sent, delivered to each recipient,
// receipts, acknowledgements, escalations, and the updates, hits and withdrawal that refer to
// it), kept up to date while it is open. Esc or the Close button returns to the live view.
import { esc, EVENT_WORD, hms, precClass, tlpClass } from "./format.js";

const $ = (id) => document.getElementById(id);
/** A record standing for several deliveries comes as one event per delivery, with the same seq and its own part. */
const key = (r) => `${r.seq}.${r.part ?? 0}`;
const before = (a, b) => a.seq < b.seq || (a.seq === b.seq && (a.part ?? 0) < (b.part ?? 0));

export class Journey {
  constructor() {
    this.id = null;
    this.seen = new Set();
    $("journey-close").addEventListener("click", () => this.close());
    $("journey").addEventListener("click", (e) => e.target === $("journey") && this.close());
    document.addEventListener("keydown", (e) => e.key === "Escape" && this.close());
  }

  async open(id) {
    this.id = id;
    this.seen.clear();
    $("journey-title").textContent = "Loading…";
    $("journey-sub").innerHTML = "";
    $("journey-facts").innerHTML = "";
    $("journey-rows").innerHTML = "";
    $("journey").hidden = false;
    $("journey-close").focus();
    const res = await fetch(`/api/journey/${encodeURIComponent(id)}`);
    if (this.id !== id) return;
    if (!res.ok) return void ($("journey-title").textContent = "This message is not known to the dashboard");
    const j = await res.json();
    this.head(j.alert);
    for (const r of j.records) this.add(r);
  }

  close() {
    this.id = null;
    $("journey").hidden = true;
  }

  head(a) {
    if (!a) return;
    $("journey-title").textContent = a.title || "(untitled)";
    $("journey-sub").innerHTML = [
      `<span class="prec ${precClass(a.precedence)}">${esc(a.kind === "rfi" ? `RFI · ${a.precedence}` : a.precedence)}</span>`,
      a.tlp ? `<span class="tlp ${tlpClass(a.tlp)}">TLP:${esc(a.tlp)}</span>` : "",
      `<span>from <b>${esc(a.originator)}</b> to ${a.recipients} agencies · sent ${hms(Date.parse(a.sentAt))} · acknowledge by ${hms(Date.parse(a.deadline))} (simulated, UTC)</span>`,
      `<span class="mono">${esc(a.id)}</span>`,
    ].join("");
    this.facts(a);
  }

  facts(a) {
    const state = a.state === "retracted" ? "withdrawn by its originator" : a.state === "complete" ? "every recipient acknowledged" : "waiting for acknowledgements";
    $("journey-facts").innerHTML = [
      `<span>delivered <b>${a.delivered}</b>/${a.recipients}</span>`,
      `<span>acknowledged <b>${a.acknowledged}</b>/${a.recipients}</span>`,
      `<span>late <b>${a.late}</b></span>`,
      `<span>escalations <b>${a.escalations}</b></span>`,
      a.kind === "rfi" ? `<span>answers <b>${a.answers}</b></span>` : `<span>hits <b>${a.hits}</b></span>`,
      `<span>${state}</span>`,
    ].join("");
  }

  /** A record of this message (or of one that refers to it) arrived on the stream. */
  onAudit(r) {
    if (!this.id || this.seen.has(key(r))) return;
    if (r.messageId === this.id) this.add(r);
    else if (r.refersTo === this.id) this.add({ ...r, related: true });
  }

  /** An alert summary changed: refresh the figures if it is ours. */
  onAlert(a) {
    if (a.id === this.id) this.facts(a);
  }

  add(r) {
    if (this.seen.has(key(r))) return;
    this.seen.add(key(r));
    const who = r.agency ? `${esc(r.actor)} → ${esc(r.agency)}` : esc(r.actor);
    const tr = document.createElement("tr");
    if (r.related) tr.className = "related";
    tr.dataset.seq = r.seq;
    tr.dataset.part = r.part ?? 0;
    tr.innerHTML = `<td class="num">${r.seq}</td><td class="num">${hms(Date.parse(r.at))}</td><td><span class="ev ev-${esc(r.event)}">${esc(EVENT_WORD[r.event] ?? r.event)}</span>${r.related && r.kind ? ` <span class="muted">(${esc(r.kind)})</span>` : ""}</td><td>${who}</td><td>${esc(r.text)}</td>`;
    // Chain order, even if a live record overtakes the fetched list.
    const rows = $("journey-rows");
    const after = [...rows.children].find((x) => before(r, { seq: Number(x.dataset.seq), part: Number(x.dataset.part) }));
    rows.insertBefore(tr, after ?? null);
  }
}
