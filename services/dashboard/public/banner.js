// The FLASH moment: when a FLASH inject (or one the scenario marks) plays, a banner says who sent
// what to whom, counts the acknowledgements as they come and names who is still missing; on the
// map a line stays drawn to every recipient still to acknowledge and their tiles are outlined,
// a tick replacing the outline as each acknowledges. It lasts a while of play time (paused time
// does not count), long enough to read at the speeds a room uses.
import { esc, hm, precClass, simNow } from "./format.js";
import { agencyLabel, audienceText, fmtInt, pct, span, t } from "./strings.js";

const $ = (id) => document.getElementById(id);
/** Play time (wall ms, paused time not counted) the banner stays while recipients are missing... */
const SHOW_MS = 20_000;
/** ...and, once every recipient acknowledged, this long after (but at least MIN_MS in all). */
const DONE_MS = 5_000;
const MIN_MS = 10_000;
const WAITING_SHOWN = 14;

export class Moment {
  constructor(world, playMs, threadChip, titleOf) {
    Object.assign(this, { world, playMs, threadChip, titleOf });
    this.h = null;
  }

  /**
   * A new moment (or the current one again, from a snapshot). One that would already have ended
   * had the page been open all along (a page opened later) is not shown.
   */
  set(h, clock) {
    if (!h) return this.end();
    const again = this.h?.messageId === h.messageId;
    if (again && !this.visible) return;
    const age = clock ? (simNow(clock) - Date.parse(h.sentAt)) / clock.state.speed : 0;
    if (!again && age > SHOW_MS) return;
    this.h = { ...h, delivered: new Set(h.delivered), acknowledged: new Set(h.acknowledged), late: new Set(h.late) };
    if (!again) {
      this.since = this.playMs() - Math.max(0, age);
      this.doneAt = null;
    }
    this.visible = true;
    this.draw();
  }

  /** Each event of the exchange: deliveries and acknowledgements of the moment's message. */
  onAudit(r) {
    const h = this.h;
    if (!h || r.messageId !== h.messageId || !this.visible) return;
    if (r.event === "delivered" && r.agency) h.delivered.add(r.agency);
    else if (r.event === "acknowledged") {
      h.acknowledged.add(r.actor);
      if (r.late) h.late.add(r.actor);
      this.world.release(r.actor);
    } else return;
    this.dirty = true;
  }

  /** Called a few times a second: redraw what changed; end the moment when its time is up. */
  tick(clock) {
    const h = this.h;
    if (!h || !this.visible) return;
    const waiting = h.recipients.filter((a) => !h.acknowledged.has(a));
    if (!waiting.length && this.doneAt === null) this.doneAt = this.playMs();
    const shown = this.playMs() - this.since;
    const done = this.doneAt !== null && shown > MIN_MS && this.playMs() - this.doneAt > DONE_MS;
    if (shown > SHOW_MS || done) return this.end();
    if (this.dirty) this.draw();
    const left = Date.parse(h.deadline) - simNow(clock);
    const acked = h.recipients.filter((a) => h.acknowledged.has(a));
    const inTime = acked.filter((a) => !h.late.has(a)).length;
    const share = pct(h.recipients.length ? inTime / h.recipients.length : null);
    $("banner-due").textContent = left >= 0 ? (waiting.length ? t("left", { span: span(left) }) : t("bannerInTime", { pct: share })) : t("bannerDeadline", { pct: share });
  }

  draw() {
    const h = this.h;
    this.dirty = false;
    const el = $("banner");
    el.hidden = false;
    const waiting = h.recipients.filter((a) => !h.acknowledged.has(a));
    el.className = `banner ${precClass(h.precedence)}${waiting.length ? "" : " done"}`;
    const head = h.inject !== undefined ? t("bannerHead", { p: h.precedence, n: h.inject, time: hm(h.sentAt) }) : t("bannerHeadNoInject", { p: h.precedence, time: hm(h.sentAt) });
    $("banner-head").innerHTML = `${esc(head)} ${this.threadChip(h.thread)}`;
    const title = this.titleOf(h);
    $("banner-title").textContent = title;
    $("banner-title").title = title;
    const to = h.to ? audienceText(h.to) : "";
    $("banner-route").textContent = t("bannerRoute", { from: agencyLabel(h.from), to: to ? t("recipientsN", { to, n: h.recipients.length }) : fmtInt(h.recipients.length) });
    $("banner-acked").textContent = t("bannerAcked", { a: fmtInt(h.recipients.length - waiting.length), n: fmtInt(h.recipients.length) });
    $("banner-waiting").innerHTML = waiting.length
      ? `${esc(t("bannerWaiting", { k: waiting.length }))} ${waiting.slice(0, WAITING_SHOWN).map((a) => `<b>${esc(agencyLabel(a))}</b>`).join("")}${waiting.length > WAITING_SHOWN ? esc(t("bannerMore", { n: waiting.length - WAITING_SHOWN })) : ""}`
      : esc(t("bannerAllAcked"));
    this.world.hold(h.messageId, h.from, waiting.filter((a) => h.delivered.has(a)), h.precedence);
    this.world.setMarks("moment", this.marks(waiting), false);
  }

  marks(waiting) {
    const h = this.h;
    const m = new Map();
    for (const a of h.recipients) m.set(a, h.acknowledged.has(a) ? (h.late.has(a) ? "m-late" : "m-ack") : "m-wait");
    for (const a of waiting) m.set(a, "m-wait");
    m.set(h.from, "m-origin");
    return m;
  }

  end() {
    this.visible = false;
    $("banner").hidden = true;
    this.world.releaseAll();
    this.world.setMarks("moment", null);
  }
}
