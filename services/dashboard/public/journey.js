// One message's journey, in place of the story lists so the map beside it shows its recipients:
// a summary first (delivered, acknowledged, within deadline, who is still missing, escalations by
// step and who was told, what refers to it), then its audit events grouped by event, each group
// expandable. Opened from an escalation, it scrolls to that step and marks it. Kept up to date
// while open; Esc or Close returns to the story.
import { esc, hm, hms, precClass, tlpClass } from "./format.js";
import { agencyLabel, escalationText, fmtInt, kindWord, t } from "./strings.js";

const $ = (id) => document.getElementById(id);
const STEPS = ["reminder", "backup-contact", "originator"];
const REFRESH_MS = 800;

export class Journey {
  constructor(world, onChange) {
    Object.assign(this, { world, onChange });
    this.id = null;
    this.open_ = new Set();
    $("journey-close").addEventListener("click", () => this.close());
    $("journey-body").addEventListener("click", (e) => {
      const link = e.target.closest("[data-open]");
      if (link) this.open(link.dataset.open);
    });
    $("journey-body").addEventListener("toggle", (e) => {
      const d = e.target.closest?.("details[data-event]");
      if (d) d.open ? this.open_.add(d.dataset.event) : this.open_.delete(d.dataset.event);
    }, true);
  }

  get isOpen() {
    return this.id !== null;
  }

  /** Opens a message's journey; `seq`: an escalation to scroll to and mark. */
  async open(id, seq) {
    if (this.id !== id) this.open_.clear();
    this.id = id;
    this.seq = seq === undefined ? undefined : Number(seq);
    if (this.seq !== undefined) this.open_.add("escalated");
    $("journey-title").textContent = t("loading");
    $("journey").hidden = false;
    $("side").hidden = true;
    this.onChange?.(id);
    await this.load(true);
    $("journey-close").focus();
  }

  close() {
    if (this.id === null) return;
    this.id = null;
    clearTimeout(this.timer);
    this.timer = null;
    $("journey").hidden = true;
    $("side").hidden = false;
    this.world.setMarks("journey", null);
    this.onChange?.(null);
  }

  async load(first) {
    const id = this.id;
    const res = await fetch(`/api/journey/${encodeURIComponent(id)}`).catch(() => undefined);
    if (this.id !== id) return;
    if (!res?.ok) {
      $("journey-title").textContent = t("unknownMessage");
      return;
    }
    this.render(await res.json(), first);
  }

  /** An event of the exchange: refetch (at most every REFRESH_MS) when it is about this message. */
  onAudit(r) {
    if (!this.id || (r.messageId !== this.id && r.refersTo !== this.id) || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.id) void this.load(false);
    }, REFRESH_MS);
  }

  render(j, first) {
    const a = j.alert;
    const body = $("journey-body");
    const scroll = body.scrollTop;
    $("journey-title").textContent = a?.title || t("untitled");
    $("journey-sub").innerHTML = a
      ? [
          `<span class="prec ${precClass(a.precedence)}">${esc(a.kind === "alert" ? a.precedence : `${kindWord(a.kind)} · ${a.precedence}`)}</span>`,
          a.tlp ? `<span class="tlp ${tlpClass(a.tlp)}">TLP:${esc(a.tlp)}</span>` : "",
          a.inject !== undefined ? `<b>${esc(t("inject", { n: a.inject }))}${a.thread ? ` · ${esc(a.thread)}` : ""}</b>` : "",
          `<span>${esc(t("from", { from: agencyLabel(a.originator), n: a.recipients, sent: hms(Date.parse(a.sentAt)), deadline: hms(Date.parse(a.deadline)) }))}</span>`,
        ].join("")
      : "";
    const count = (state) => j.recipients.filter((r) => r.state === state).length;
    const acked = count("acknowledged") + count("late");
    $("journey-facts").innerHTML = a
      ? [
          [t("delivered"), `${fmtInt(a.delivered)}/${fmtInt(a.recipients)}`],
          [t("acknowledged"), `${fmtInt(acked)}/${fmtInt(a.recipients)}`],
          [t("withinDeadline"), fmtInt(count("acknowledged"))],
          [t("lateN"), fmtInt(count("late"))],
          [t("escalationsN"), fmtInt(j.escalations.length)],
          a.kind === "rfi" ? [t("answers"), fmtInt(a.answers)] : [t("hits"), fmtInt(a.hits)],
        ].map(([k, v]) => `<div>${esc(k)}<b>${esc(v)}</b></div>`).join("")
      : "";
    const q = $("journey-question");
    q.hidden = !a?.question;
    if (a?.question) q.innerHTML = `<b>${esc(t("question"))}:</b> ${esc(a.question)}`;
    this.missing(j, a);
    this.escalations(j);
    this.linked(j);
    this.groups(j);
    this.marks(j, a);
    if (first && this.seq !== undefined) {
      const hl = body.querySelector(`[data-seq="${this.seq}"]`);
      hl?.scrollIntoView({ block: "center" });
    } else if (!first) body.scrollTop = scroll;
  }

  missing(j, a) {
    const waiting = j.recipients.filter((r) => r.state === "waiting" || r.state === "delivered");
    const withdrawn = j.recipients.filter((r) => r.state === "withdrawn").length;
    $("journey-missing").innerHTML = waiting.length
      ? `<h3>${esc(t("stillMissing", { n: waiting.length }))}</h3><div class="chips">${waiting.map((r) => `<span class="chip${r.state === "waiting" ? " undelivered" : ""}" title="${esc(r.state === "waiting" ? t("notDelivered") : "")}">${esc(agencyLabel(r.agency))}</span>`).join("")}</div>`
      : a?.state === "retracted" && withdrawn ? `<h3>${esc(t("missingWithdrawn", { n: withdrawn }))}</h3>`
      : `<div class="ok-line">✓ ${esc(t("nobodyMissing"))}</div>`;
  }

  escalations(j) {
    if (!j.escalations.length) return void ($("journey-escalations").innerHTML = `<h3>${esc(t("escByStep"))}</h3><div class="ok-line">${esc(t("noEscalations"))}</div>`);
    const byStep = STEPS.map((s) => [s, j.escalations.filter((e) => e.step === s).sort((x, y) => x.at.localeCompare(y.at))]).filter(([, l]) => l.length);
    $("journey-escalations").innerHTML = `<h3>${esc(t("escByStep"))}</h3>${byStep
      .map(([step, list]) => `<div><span class="step s-${esc(step)}">${esc(t(`step.${step}`))} ×${list.length}</span><ol class="steps">${list
        .map((e) => `<li data-seq="${e.seq}"${e.seq === this.seq ? ` class="hl"` : ""}><b>${hm(e.at)}</b> ${escalationText(e, esc)}</li>`)
        .join("")}</ol></div>`)
      .join("")}`;
  }

  linked(j) {
    $("journey-linked").innerHTML = `<h3>${esc(t("linked"))}</h3>${j.linked.length
      ? `<ul class="links">${j.linked.map((l) => `<li><b>${esc(t(`relation.${l.relation}`))}</b> ${hm(l.at)} ${esc(agencyLabel(l.from))} · <a data-open="${esc(l.id)}" tabindex="0">${esc(l.title || kindWord(l.kind))}</a></li>`).join("")}</ul>`
      : `<div class="muted">${esc(t("noLinks"))}</div>`}`;
  }

  /** The audit events, one group per event (kept open as the person left them). */
  groups(j) {
    const order = [];
    const by = new Map();
    for (const r of j.records) {
      const k = r.related ? `${r.event}:${r.kind ?? ""}` : r.event;
      if (!by.has(k)) (by.set(k, []), order.push(k));
      by.get(k).push(r);
    }
    const who = (r) => (r.agency ? `${esc(agencyLabel(r.actor))} → ${esc(agencyLabel(r.agency))}` : esc(agencyLabel(r.actor)));
    const detail = (r) => [r.step ? t(`step.${r.step}`) : "", r.recipient ? agencyLabel(r.recipient) : "", r.late ? t("lateN") : "", r.related && r.kind ? kindWord(r.kind) : ""].filter(Boolean).join(" · ");
    $("journey-groups").innerHTML = `<h3>${esc(t("records", { n: fmtInt(j.records.length + j.omitted) }))}</h3>${order
      .map((k) => {
        const rows = by.get(k);
        const first = rows[0];
        const word = `${t(`event.${first.event}`)}${first.related && first.kind ? ` (${kindWord(first.kind)})` : ""}`;
        return `<details class="group" data-event="${esc(k)}"${this.open_.has(k) ? " open" : ""}><summary><span class="ev ev-${esc(first.event)}">${esc(word)}</span> ×${fmtInt(rows.length)}</summary><table>${this.open_.has(k)
          ? rows.map((r) => `<tr class="${r.related ? "related" : ""}${r.seq === this.seq ? " hl" : ""}" data-seq="${r.seq}"><td class="num">${r.seq}</td><td class="num">${hms(Date.parse(r.at))}</td><td>${who(r)}</td><td>${esc(detail(r))}</td></tr>`).join("")
          : ""}</table></details>`;
      })
      .join("")}${j.omitted ? `<div class="muted">${esc(t("omitted", { n: fmtInt(j.omitted) }))}</div>` : ""}`;
    // A group opened now is drawn at the next refresh: draw it at once.
    for (const d of $("journey-groups").querySelectorAll("details")) d.addEventListener("toggle", () => d.open && !d.querySelector("tr") && this.groups(j), { once: true });
  }

  /** On the map: who sent it, who acknowledged (tick), who is still missing (outline); the rest dimmed. */
  marks(j, a) {
    const m = new Map();
    for (const r of j.recipients) if (r.state !== "withdrawn") m.set(r.agency, r.state === "acknowledged" ? "m-ack" : r.state === "late" ? "m-late" : "m-wait");
    if (a?.originator) m.set(a.originator, "m-origin");
    this.world.setMarks("journey", m, true);
  }
}
