// The world view: one box per region (west to east), one tile per agency with its live state,
// and the traffic drawn over it: a line from originator to recipient for every delivery, a
// tick when a duty officer acknowledges, a red ring when an escalation reaches an agency.
import { esc, STATUS_WORD } from "./format.js";

const ORDER = ["north-america", "latin-america", "europe", "africa", "middle-east", "caucasus", "central-asia", "south-asia", "east-asia", "southeast-asia", "oceania"];
const NAME = {
  "north-america": "North America", "latin-america": "Latin America", europe: "Europe", africa: "Africa", "middle-east": "Middle East",
  caucasus: "Caucasus", "central-asia": "Central Asia", "south-asia": "South Asia", "east-asia": "East Asia", "southeast-asia": "Southeast Asia", oceania: "Oceania",
};
const SVG = "http://www.w3.org/2000/svg";
/** More lines than this at once is a blur, not information: the tiles still flash. */
const MAX_LINES = 450;
const COLOUR = { FLASH: "--flash", IMMEDIATE: "--immediate", PRIORITY: "--priority", ROUTINE: "--routine" };

export class World {
  constructor(world, svg, wrap) {
    Object.assign(this, { world, svg, wrap });
    this.tiles = new Map();
    this.centres = new Map();
    this.key = "";
    this.agencies = [];
    new ResizeObserver(() => this.fit()).observe(wrap);
  }

  /** Builds the boxes when the set of agencies changes (a new roster), otherwise only updates. */
  render(agencies) {
    const key = agencies.map((a) => `${a.region}/${a.id}`).join(",");
    if (key !== this.key) {
      this.key = key;
      this.agencies = agencies;
      const regions = [...new Set([...ORDER, ...agencies.map((a) => a.region)])].filter((r) => agencies.some((a) => a.region === r));
      this.world.innerHTML = regions
        .map((r) => {
          const list = agencies.filter((a) => a.region === r);
          return `<div class="region" data-region="${esc(r)}" data-n="${list.length}"><h3>${esc(NAME[r] ?? r)} <span class="n">${list.length}</span></h3><div class="tiles">${list
            .map((a) => `<div class="tile unknown" data-id="${esc(a.id)}"><span class="id" style="--len:${Math.max(2, a.id.length)}">${esc(a.id)}</span><span class="st">…</span><span class="flag" hidden></span><i class="ring"></i><i class="tick">✓</i></div>`)
            .join("")}</div></div>`;
        })
        .join("");
      this.tiles = new Map([...this.world.querySelectorAll(".tile")].map((t) => [t.dataset.id, t]));
      this.fit();
    }
    for (const a of agencies) this.update(a);
  }

  update(a) {
    const t = this.tiles.get(a.id);
    if (!t) return;
    t.className = `tile ${a.status}${a.overdue ? " overdue" : ""}${t.classList.contains("sending") ? " sending" : ""}`;
    t.querySelector(".st").textContent = STATUS_WORD[a.status] ?? a.status;
    const flag = t.querySelector(".flag");
    flag.hidden = !a.overdue;
    flag.textContent = a.overdue > 99 ? "99+" : String(a.overdue);
    t.title = `${a.id} · ${a.name} (${a.country})\n${STATUS_WORD[a.status] ?? a.status}${a.officer ? `, ${a.officer}` : ""}\n${a.open} waiting for acknowledgement, ${a.overdue} overdue`;
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

  /** Tile centres relative to the overlay, for drawing lines. */
  measure() {
    const base = this.wrap.getBoundingClientRect();
    this.centres.clear();
    for (const [id, t] of this.tiles) {
      const r = t.getBoundingClientRect();
      this.centres.set(id, { x: r.left - base.left + r.width / 2, y: r.top - base.top + r.height / 2, size: r.width });
    }
  }

  /** A delivery: a line drawn from the originator to the recipient, then fading. */
  flow(from, to, precedence) {
    const a = this.centres.get(from);
    const b = this.centres.get(to);
    this.pulse(to, "got", precedence);
    this.raise(from);
    if (!a || !b || this.svg.childElementCount >= MAX_LINES || document.hidden) return;
    const line = document.createElementNS(SVG, "line");
    for (const [k, v] of Object.entries({ x1: a.x, y1: a.y, x2: b.x, y2: b.y })) line.setAttribute(k, v.toFixed(1));
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    line.style.stroke = `var(${COLOUR[precedence] ?? "--routine"})`;
    // Thin and see-through: ninety of them at once must not hide the tiles they cross.
    line.style.strokeWidth = `${Math.max(1.5, a.size * 0.03)}px`;
    line.style.strokeDasharray = `${len}`;
    this.svg.appendChild(line);
    const anim = line.animate(
      [
        { strokeDashoffset: len, opacity: 0.8 },
        { strokeDashoffset: 0, opacity: 0.8, offset: 0.35 },
        { strokeDashoffset: 0, opacity: 0 },
      ],
      { duration: 2000, easing: "ease-out", fill: "forwards" },
    );
    anim.onfinish = () => line.remove();
  }

  /** The sender stays readable above its own fan of lines while they are drawn. */
  raise(id) {
    const t = this.tiles.get(id);
    if (!t) return;
    t.classList.add("sending");
    clearTimeout(t.sendingTimer);
    t.sendingTimer = setTimeout(() => t.classList.remove("sending"), 2200);
  }

  /** A short signal on a tile: got (delivery), send, ack (tick), esc (red ring, three times). */
  pulse(id, kind, precedence) {
    const t = this.tiles.get(id);
    if (!t || document.hidden) return;
    if (kind === "ack") {
      t.querySelector(".tick").animate([{ opacity: 0 }, { opacity: 1, offset: 0.15 }, { opacity: 1, offset: 0.7 }, { opacity: 0 }], { duration: 1600 });
      return;
    }
    const ring = t.querySelector(".ring");
    ring.style.borderColor = kind === "esc" ? "var(--oi-vermillion)" : `var(${COLOUR[precedence] ?? "--routine"})`;
    // Only the sender's ring grows; the others hug their tile, so neighbours stay clear.
    const grow = kind === "send" ? "scale(1.45)" : "scale(1)";
    ring.animate([{ opacity: 1, transform: "scale(1)" }, { opacity: 0, transform: grow }], {
      duration: kind === "esc" ? 700 : 1200,
      iterations: kind === "esc" ? 3 : 1,
      easing: "ease-out",
    });
  }
}
