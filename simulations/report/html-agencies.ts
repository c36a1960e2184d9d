// The agency map of report.html: every agency by region, coloured by the share of its deliveries
// acknowledged in time, with missed FLASH deadlines and offline time marked.
import { regionName } from "../../shared/i18n/names.ts";
import type { Ctx } from "./context.ts";
import { escapeHtml as h } from "./format.ts";
import { OKABE_ITO as C } from "../../shared/presentation/palette.ts";
import { agencyShare, byRegion, type AgencyStat } from "./views.ts";

const BINS = [
  { min: 0.99, bg: C.blue, fg: "#fff", label: "≥ 99%" },
  { min: 0.95, bg: C.sky, fg: "#000", label: "95–99%" },
  { min: 0.9, bg: C.yellow, fg: "#000", label: "90–95%" },
  { min: 0.8, bg: C.orange, fg: "#000", label: "80–90%" },
  { min: -1, bg: C.vermillion, fg: "#fff", label: "< 80%" },
] as const;
export const binOf = (share: number | null) => (share === null ? undefined : BINS.find((b) => share >= b.min));

function tile(c: Ctx, a: AgencyStat): string {
  const { t } = c;
  const share = agencyShare(a);
  const bin = binOf(share);
  const style = bin ? `background:${bin.bg};color:${bin.fg}` : "background:#e9ebee;color:#555";
  const name = c.agencyName(a.id);
  const tip = [
    `${a.id}${name ? ` — ${name}` : ""} (${t.t(`profile.${a.profile}` as "profile.24/7")})`,
    share === null ? t.t("agencies.tipNone") : t.t("agencies.tip", { share: t.pct(share), n: a.received, median: t.minutes(a.p50Minutes) }),
    a.missedFlash ? t.t("agencies.tipFlash", { n: a.missedFlash }) : "",
    a.offlineMinutes ? t.t("agencies.tipOffline", { duration: t.span(a.offlineMinutes) }) : "",
  ].filter(Boolean).join("; ");
  return `<div class="tile${a.offlineMinutes > 0 ? " offline" : ""}" style="${style}" title="${h(tip)}"><span class="id">${h(a.id)}</span><span class="v">${share === null ? "—" : h(t.pct(share, 0))}</span>${a.missedFlash ? `<span class="flag">${a.missedFlash}</span>` : ""}</div>`;
}

export function agencyMap(c: Ctx): string {
  const { t, m } = c;
  const legend = `<div class="legend"><b>${h(t.t("agencies.legend"))}</b>${BINS.map((b) => `<span><span class="sw" style="background:${b.bg}"></span>${h(b.label)}</span>`).join("")}<span><span class="sw" style="background:#e9ebee"></span>${h(t.t("agencies.legendNone"))}</span><span><span class="flag-sample">2</span>${h(t.t("agencies.legendFlash"))}</span><span><span class="sw offline-sample"></span>${h(t.t("agencies.legendOffline"))}</span></div>`;
  const classes = ["regions", m.agencyStats.length <= 24 ? "few" : "", c.anonymised ? "labels" : ""].filter(Boolean).join(" ");
  const regions = byRegion(m).map((g) => `<div class="region"><h3>${h(regionName(g.region, c.lang))} · ${g.agencies.length}</h3><div class="tiles">${g.agencies.map((a) => tile(c, a)).join("")}</div></div>`);
  return `${legend}<div class="${classes}">${regions.join("")}</div>`;
}
