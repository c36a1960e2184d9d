// report.html's look: large type for a projector, the Okabe-Ito colour-blind-safe palette,
// FIRST TLP 2.0 label colours, and print rules. Only system fonts; nothing is fetched.
import { OKABE_ITO, TLP_COLOURS } from "../../shared/presentation/palette.ts";

const c = OKABE_ITO;

export const CSS = `
:root { --ink:#16191d; --muted:#4d5560; --line:#cfd4da; --panel:#f3f4f6; --good:${c.green}; --warn:${c.orange}; --bad:${c.vermillion}; --blue:${c.blue}; --sky:${c.sky}; }
* { box-sizing: border-box; }
html { font-size: 20px; -webkit-text-size-adjust: 100%; }
@media (min-width: 1800px) { html { font-size: 21px; } }
@media (max-width: 900px) { html { font-size: 16px; } }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.4;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
.wrap { max-width: 1600px; margin: 0 auto; padding: 0 32px; }
header.top { background: #1c2630; color: #fff; padding: 28px 0 24px; }
header.top .head { display: flex; gap: 32px; align-items: flex-start; justify-content: space-between; }
header.top h1 { font-size: 2.1rem; line-height: 1.15; margin: 0 0 8px; }
header.top .eyebrow { text-transform: uppercase; letter-spacing: .12em; font-size: .8rem; color: #c9d3dd; margin: 0 0 6px; }
header.top .sub { color: #dfe6ec; margin: 0; font-size: .95rem; }
header.top code { color: #fff; }
.verdict { flex: none; text-align: center; border-radius: 14px; padding: 14px 28px 12px; min-width: 260px; max-width: 40%; }
.verdict .word { display: block; font-size: 2.6rem; font-weight: 800; letter-spacing: .04em; line-height: 1.05; }
.verdict .why { display: block; font-size: .85rem; margin-top: 8px; font-weight: 600; }
.verdict.pass { background: ${c.green}; color: #fff; }
.verdict.fail { background: ${c.vermillion}; color: #fff; }
.facts { margin: 18px 0 0; display: flex; flex-wrap: wrap; gap: 6px 28px; font-size: .85rem; color: #dfe6ec; }
.facts b { color: #fff; font-weight: 600; overflow-wrap: anywhere; }
.callout { margin: 16px 0 0; padding: 10px 16px; border-radius: 8px; font-size: .9rem; border-left: 8px solid; }
header.top .callout.disclaimer { background: #fff; color: var(--ink); border-color: ${c.sky}; }
.callout.disclaimer { background: #eef6fc; border-color: ${c.sky}; }
.callout.anonymised { background: #f3eef7; color: var(--ink); border-color: ${c.purple}; font-weight: 600; }
.callout.warning { background: ${c.yellow}; color: #000; border-color: #000; font-weight: 700; }
.figures { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 14px; margin: 20px 0 0; }
.figure { min-width: 0; background: #fff; color: var(--ink); border-radius: 10px; padding: 12px 16px 12px 18px; border: 1px solid var(--line); border-left: 10px solid #9aa4ae; }
.figure .label { font-size: .72rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; overflow-wrap: anywhere; }
.figure .value { font-size: 1.9rem; font-weight: 800; line-height: 1.15; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.figure .note { font-size: .75rem; color: var(--muted); }
.tone-good { border-left-color: var(--good) !important; }
.tone-warn { border-left-color: var(--warn) !important; }
.tone-bad { border-left-color: var(--bad) !important; }
.tone-bad .value { color: var(--bad); }
section { margin: 44px 0 0; }
p.part { margin: 64px 0 0; font-size: .8rem; text-transform: uppercase; letter-spacing: .14em; color: var(--muted); font-weight: 700; border-top: 1px solid var(--line); padding-top: 10px; }
h2 { font-size: 1.55rem; margin: 0 0 6px; padding-bottom: 6px; border-bottom: 4px solid var(--ink); }
h3 { font-size: 1.1rem; margin: 18px 0 8px; }
.lead { color: var(--muted); margin: 6px 0 14px; font-size: .9rem; }
ul { margin: 6px 0; padding-left: 1.2em; } li { margin: 4px 0; }
div.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-size: .75rem; text-transform: uppercase; letter-spacing: .03em; color: #333; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
.muted { color: var(--muted); }
.small { font-size: .8rem; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 700; font-size: .78rem; white-space: nowrap; border: 2px solid transparent; }
.b-met, .b-pass { background: ${c.green}; color: #fff; }
.b-partially-met, .b-medium { background: ${c.orange}; color: #000; }
.b-not-met, .b-fail, .b-high { background: ${c.vermillion}; color: #fff; }
.b-no-expectation, .b-low { background: #fff; color: #333; border-color: #8a949e; }
tr.row-not-met td:first-child { box-shadow: inset 8px 0 0 ${c.vermillion}; }
tr.row-partially-met td:first-child { box-shadow: inset 8px 0 0 ${c.orange}; }
tr.row-met td:first-child { box-shadow: inset 8px 0 0 ${c.green}; }
tr.row-no-expectation td:first-child { box-shadow: inset 8px 0 0 #c2c8ce; }
td:first-child { padding-left: 16px; }
.tlp { display: inline-block; background: #000; font-weight: 700; padding: 1px 8px; border-radius: 3px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em; }
${Object.entries(TLP_COLOURS).map(([k, v]) => `.tlp-${k.toLowerCase().replace("+", "-")} { color: ${v}; }`).join("\n")}
figure.chart { margin: 8px 0 0; }
figure.chart svg { display: block; width: 100%; height: auto; }
.regions { display: flex; flex-wrap: wrap; gap: 14px 40px; }
.region { flex: 0 1 auto; max-width: 100%; }
.region h3 { font-size: .85rem; text-transform: uppercase; letter-spacing: .06em; margin: 0 0 6px; color: #333; }
.tiles { display: flex; flex-wrap: wrap; gap: 6px; }
.tile { position: relative; width: 4.1rem; height: 3.3rem; border-radius: 7px; display: flex; flex-direction: column; align-items: center; justify-content: center; line-height: 1.05; }
.tile .id { font-weight: 800; font-size: 1.05rem; }
.tile .v { font-size: .68rem; font-weight: 600; }
.regions.labels .tile { width: 5.4rem; }
.regions.labels .tile .id { font-size: .9rem; }
.regions.few .tile { width: 6.2rem; height: 4.6rem; border-radius: 9px; }
.regions.few .tile .id { font-size: 1.6rem; }
.regions.few.labels .tile .id { font-size: 1.1rem; }
.regions.few .tile .v { font-size: .9rem; }
.tile.offline { outline: 3px dashed #000; outline-offset: 2px; }
.tile .flag { position: absolute; top: -7px; right: -7px; min-width: 1.35rem; height: 1.35rem; padding: 0 4px; border-radius: 999px; background: #000; color: #fff; font-size: .68rem; font-weight: 800; display: flex; align-items: center; justify-content: center; border: 2px solid #fff; }
.flag-sample { display: inline-block; min-width: 1.35rem; height: 1.35rem; line-height: 1.2rem; padding: 0 4px; margin-right: 6px; border-radius: 999px; background: #000; color: #fff; font-size: .68rem; font-weight: 800; text-align: center; }
.legend { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; font-size: .8rem; margin: 14px 0; color: #333; }
.legend .sw { display: inline-block; width: 1.6em; height: 1.1em; border-radius: 3px; vertical-align: -0.2em; margin-right: 6px; border: 1px solid rgba(0,0,0,.25); }
.legend .sw.offline-sample { background: #fff; border: 2px dashed #000; }
footer { margin: 56px 0 32px; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); padding-top: 12px; }
@page { size: A4 portrait; margin: 14mm 12mm; }
@media print {
  html { font-size: 9.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .wrap { max-width: none; padding: 0; }
  header.top { padding: 14px 16px; }
  header.top h1 { font-size: 1.9rem; }
  .verdict .word { font-size: 2rem; }
  section { margin: 0; break-before: page; }
  section.first { break-before: avoid; margin-top: 18px; }
  p.part { break-before: page; margin-top: 0; }
  p.part + section { break-before: avoid; }
  div.table { overflow: visible; }
  table { font-size: .8rem; }
  th, td { padding: 4px 6px; }
  tr, .figure, figure.chart, .region, .callout { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .figures { gap: 8px; }
  .figure .value { font-size: 1.5rem; }
}
`;
