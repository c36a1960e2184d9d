// The world view: one box per region (west to east), one tile per agency with its live state, and
// the traffic drawn under the tiles' words: a line from originator to recipient for every delivery
// (the script's bold and slower to fade, background traffic faint), a tick when a duty officer
// acknowledges, a red ring when an escalation reaches an agency. A FLASH moment keeps a line to
// every recipient still to acknowledge; marks show a moment's or a journey's recipients.
import { esc } from "./format.js";
import { agencyLabel, fmtInt, regionName, t } from "./strings.js";

const ORDER = ["north-america", "latin-america", "europe", "africa", "middle-east", "caucasus", "central-asia", "south-asia", "east-asia", "southeast-asia", "oceania"];
const SVG = "http://www.w3.org/2000/svg";
/** More passing lines than this at once is a blur, not information: the tiles still flash. */
const MAX_LINES = 450;
const COLOUR = { FLASH: "--flash", IMMEDIATE: "--immediate", PRIORITY: "--priority", ROUTINE: "--routine" };
const MARKS = ["m-wait", "m-ack", "m-late", "m-origin", "dim"];
/** A duty status's mark on its tile (symbols, in no language). */
const GLYPH = { "on-duty": "", reduced: "☾", unstaffed: "✆", offline: "✕", unknown: "…" };
const statusWord = (s) => t(`status.${s}`);

export class World {
  constructor(world, svg, wrap, legend, onAnimation) {
    Object.assign(this, { world, svg, wrap, legend, onAnimation });
    this.tiles = new Map();
    this.centres = new Map();
    this.key = "";
    /** Lines kept to recipients still to acknowledge (the FLASH moment), by recipient. */
    this.held = new Map();
    this.heldId = null;
    /** Marks by layer: the journey's win over the moment's. */
    this.layers = { moment: null, journey: null };
    new ResizeObserver(() => this.fit()).observe(wrap);
    this.renderLegend();
  }

  renderLegend() {
    const sw = (cls, glyph = "") => `<i class="sw ${cls}">${esc(glyph)}</i>`;
    this.legend.innerHTML = [
      ...["on-duty", "reduced", "unstaffed", "offline"].map((s) => `<span>${sw(s, GLYPH[s])}${esc(statusWord(s))}</span>`),
      `<span>${sw("overdue-sw")}${esc(t("legendOverdueRing"))}</span>`,
      `<span><i class="badge-sample">3</i>${esc(t("legendOverdue"))}</span>`,
      `<span>${sw("unknown", GLYPH.unknown)}${esc(statusWord("unknown"))}</span>`,
      `<span>${sw("origin-sw")}${esc(t("legendSender"))}</span>`,
      `<span>${sw("wait-sw")}${esc(t("legendWaiting"))}</span>`,
      `<span><i class="tick-sample">✓</i>${esc(t("legendAcked"))}</span>`,
      `<span><i class="tick-sample late">✓</i>${esc(t("legendLate"))}</span>`,
      `<span>${esc(t("legendLines"))} ${["FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"].map((p) => `<i class="ln p-${p.toLowerCase()}"></i>${p}`).join(" ")}</span>`,
      `<span><i class="ln faint"></i>${esc(t("legendBackground"))}</span>`,
    ].join("");
  }

  /** Builds the boxes when the set of agencies changes (a new roster), otherwise only updates. */
  render(agencies) {
    const key = agencies.map((a) => `${a.region}/${a.id}`).join(",");
    if (key !== this.key) {
      this.key = key;
      const regions = [...new Set([...ORDER, ...agencies.map((a) => a.region)])].filter((r) => agencies.some((a) => a.region === r));
      this.world.innerHTML = regions
        .map((r) => {
          const list = agencies.filter((a) => a.region === r);
          return `<div class="region" data-region="${esc(r)}" data-n="${list.length}"><h3>${esc(regionName(r))} <span class="n">${list.length}</span></h3><div class="tiles">${list
            .map((a) => {
              const label = agencyLabel(a.id);
              return `<div class="tile unknown" data-id="${esc(a.id)}"><span class="id" style="--len:${Math.max(2, label.length)}">${esc(label)}</span><span class="st"></span><span class="flag" hidden></span><i class="ring"></i><i class="tick">✓</i></div>`;
            })
            .join("")}</div></div>`;
        })
        .join("");
      this.tiles = new Map([...this.world.querySelectorAll(".tile")].map((el) => [el.dataset.id, el]));
      // Two-letter ids fit a square tile; longer labels (an anonymised room's) get a wider one.
      const longest = Math.max(2, ...agencies.map((a) => agencyLabel(a.id).length));
      this.world.style.setProperty("--wide", String(Math.max(1, 0.24 * longest).toFixed(2)));
      this.world.style.setProperty("--lmax", String(longest));
      this.fit();
      this.applyMarks();
    }
    for (const a of agencies) this.update(a);
  }

  update(a) {
    const el = this.tiles.get(a.id);
    if (!el) return;
    const marks = MARKS.filter((m) => el.classList.contains(m));
    el.className = ["tile", a.status, a.overdue ? "overdue" : "", ...marks].filter(Boolean).join(" ");
    el.querySelector(".st").textContent = GLYPH[a.status] ?? "";
    const flag = el.querySelector(".flag");
    flag.hidden = !a.overdue;
    flag.textContent = a.overdue > 99 ? "99+" : String(a.overdue);
    el.title = t("tileTitle", {
      id: agencyLabel(a.id), name: a.name, country: a.country ? ` (${a.country})` : "", status: statusWord(a.status), officer: a.officer ? `, ${a.officer}` : "",
      open: fmtInt(a.open), overdue: fmtInt(a.overdue),
    });
  }

  /**
   * Picks the largest tile that lets every region fit the panel, trying a few box shapes per
   * size. Runs on load and resize only, so tiles never move while the room is watching.
   */
  fit() {
    const regions = [...this.world.querySelectorAll(".region")];
    if (!regions.length) return;
    const W = this.wrap.clientWidth;
    const H = this.wrap.clientHeight;
    const fits = () => this.world.scrollHeight <= H + 1 && this.world.scrollWidth <= W + 1;
    const shape = (ratio) => {
      for (const r of regions) r.querySelector(".tiles").style.setProperty("--cols", String(Math.max(1, Math.ceil(Math.sqrt(Number(r.dataset.n) * ratio)))));
    };
    let size = Math.min(150, W / 4);
    found: for (; size > 22; size *= 0.95) {
      this.world.style.setProperty("--tile", `${size.toFixed(1)}px`);
      for (const ratio of [1.3, 2, 0.8, 3]) {
        shape(ratio);
        if (fits()) break found;
      }
    }
    this.measure();
  }

  /** Tile centres relative to the overlay, for drawing lines (held lines follow a new layout). */
  measure() {
    const base = this.wrap.getBoundingClientRect();
    this.centres.clear();
    for (const [id, el] of this.tiles) {
      const r = el.getBoundingClientRect();
      this.centres.set(id, { x: r.left - base.left + r.width / 2, y: r.top - base.top + r.height / 2, size: r.width });
    }
    for (const [to, line] of this.held) this.place(line, line.dataset.from, to);
  }

  place(line, from, to) {
    const a = this.centres.get(from);
    const b = this.centres.get(to);
    if (!a || !b) return 0;
    for (const [k, v] of Object.entries({ x1: a.x, y1: a.y, x2: b.x, y2: b.y })) line.setAttribute(k, v.toFixed(1));
    return Math.hypot(b.x - a.x, b.y - a.y);
  }

  line(from, to, precedence, width) {
    const line = document.createElementNS(SVG, "line");
    const len = this.place(line, from, to);
    line.dataset.from = from;
    line.style.stroke = `var(${COLOUR[precedence] ?? "--routine"})`;
    line.style.strokeWidth = `${width}px`;
    line.style.strokeDasharray = `${len}`;
    return { line, len };
  }

  animate(el, frames, opts) {
    const anim = el.animate(frames, opts);
    this.onAnimation?.(anim);
    return anim;
  }

  /** A delivery: a line drawn from the originator to the recipient, then fading (the script's slower). */
  flow(from, to, precedence, scripted, messageId) {
    this.pulse(to, scripted ? "got" : "got-quiet", precedence);
    if (messageId && messageId === this.heldId) return;
    if (!this.centres.get(from) || !this.centres.get(to) || this.svg.childElementCount >= MAX_LINES || document.hidden) return;
    const size = this.centres.get(from).size;
    const { line, len } = this.line(from, to, precedence, scripted ? Math.max(2.5, size * 0.05) : Math.max(1.2, size * 0.02));
    if (messageId) line.dataset.msg = messageId;
    this.svg.appendChild(line);
    const opacity = scripted ? 0.85 : 0.35;
    const anim = this.animate(
      line,
      [{ strokeDashoffset: len, opacity }, { strokeDashoffset: 0, opacity, offset: scripted ? 0.2 : 0.35 }, { strokeDashoffset: 0, opacity, offset: scripted ? 0.7 : 0.5 }, { strokeDashoffset: 0, opacity: 0 }],
      { duration: scripted ? 6000 : 2000, easing: "ease-out", fill: "forwards" },
    );
    anim.onfinish = () => line.remove();
  }

  /** The FLASH moment: a line from `from` to each recipient still to acknowledge, kept until it does. */
  hold(messageId, from, waiting, precedence) {
    if (this.heldId !== messageId) {
      this.releaseAll();
      // Its passing lines give way to the held ones: one line per recipient still to acknowledge.
      for (const l of this.svg.querySelectorAll(`line[data-msg="${CSS.escape(messageId)}"]`)) l.remove();
    }
    this.heldId = messageId;
    for (const to of waiting) {
      if (this.held.has(to) || !this.centres.get(to)) continue;
      const size = this.centres.get(from)?.size ?? 40;
      const { line, len } = this.line(from, to, precedence, Math.max(2.5, size * 0.05));
      this.svg.appendChild(line);
      this.held.set(to, line);
      this.animate(line, [{ strokeDashoffset: len, opacity: 0.9 }, { strokeDashoffset: 0, opacity: 0.9 }], { duration: 400, easing: "ease-out", fill: "forwards" });
    }
  }

  /** A recipient of the moment acknowledged: its line goes. */
  release(to) {
    const line = this.held.get(to);
    if (!line) return;
    this.held.delete(to);
    this.animate(line, [{ opacity: 0.9 }, { opacity: 0 }], { duration: 700, fill: "forwards" }).onfinish = () => line.remove();
  }

  releaseAll() {
    for (const to of [...this.held.keys()]) this.release(to);
    this.heldId = null;
  }

  /** Marks tiles for a layer ("moment" or "journey"): a Map of agency id to mark, others dimmed if `dimOthers`. */
  setMarks(layer, marks, dimOthers) {
    this.layers[layer] = marks ? { marks, dimOthers } : null;
    this.applyMarks();
  }

  applyMarks() {
    const layer = this.layers.journey ?? this.layers.moment;
    for (const [id, el] of this.tiles) {
      const want = layer ? layer.marks.get(id) ?? (layer.dimOthers ? "dim" : null) : null;
      for (const m of MARKS) el.classList.toggle(m, m === want);
    }
  }

  /** A short signal on a tile: got (delivery; got-quiet for background traffic), send, ack (tick), esc (red ring, three times). */
  pulse(id, kind, precedence) {
    const el = this.tiles.get(id);
    if (!el || document.hidden) return;
    if (kind === "ack") {
      this.animate(el.querySelector(".tick"), [{ opacity: 0 }, { opacity: 1, offset: 0.15 }, { opacity: 1, offset: 0.7 }, { opacity: 0 }], { duration: 1600 });
      return;
    }
    const ring = el.querySelector(".ring");
    ring.style.borderColor = kind === "esc" ? "var(--oi-vermillion)" : `var(${COLOUR[precedence] ?? "--routine"})`;
    // Only the sender's ring grows; the others hug their tile, so neighbours stay clear. Background
    // traffic's rings are faint: the script's stand out.
    const grow = kind === "send" ? "scale(1.45)" : "scale(1)";
    const from = kind === "got-quiet" ? 0.35 : 1;
    this.animate(ring, [{ opacity: from, transform: "scale(1)" }, { opacity: 0, transform: grow }], { duration: kind === "esc" ? 700 : 1200, iterations: kind === "esc" ? 3 : 1, easing: "ease-out" });
  }
}
