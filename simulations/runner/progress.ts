// Progress for a person: on a terminal one line redrawn in place, never wider than the terminal
// (80 columns at most, so a wrapped line never leaves a stale copy behind); plain lines every 10%
// when not a terminal. Words come from the reader's catalogue; the figures are the exchange's,
// counted and named as the dashboard and the report count and name them (their short forms).
import { figureShort } from "../../shared/i18n/figure-labels.ts";
import { translator, type Translator } from "../../shared/i18n/translator.ts";
import type { Progress } from "./run.ts";

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
/** Never wider than this, whatever the terminal says. */
export const MAX_COLUMNS = 80;

/** The line's words and figures, without the bar: "07:32  sent 61/240  deliv 1,203  acks 1,100  esc 12  rej 0". */
export function progressText(p: Progress, t: Translator): string {
  const day = Math.floor((p.simNow - p.simStart) / 86_400_000);
  const clock = `${day ? `${t.t("clock.day", { day: day + 1, time: hhmm(p.simNow) })}` : hhmm(p.simNow)}`;
  const phase = p.phase === "playing" ? "" : ` ${t.t(`progress.phase.${p.phase}`)}`;
  const f = p.figures;
  const figures = f ? (["deliveries", "acknowledged", "escalations", "rejected"] as const).map((k) => `  ${figureShort(t, k, f[k])}`).join("") : "";
  return `${clock}${phase}  ${t.t("progress.sent")} ${t.int(p.sent)}/${t.int(p.planned)}${figures}`;
}

/** One terminal line: a bar as wide as fits beside the text, the whole under `columns`. */
export function progressLine(p: Progress, t: Translator, columns = MAX_COLUMNS): string {
  const width = Math.min(columns, MAX_COLUMNS) - 1;
  const frac = Math.min(1, Math.max(0, (p.simNow - p.simStart) / (p.simEnd - p.simStart)));
  const text = progressText(p, t);
  const barWidth = Math.max(0, Math.min(24, width - text.length - 1));
  const bar = barWidth >= 6 ? `${"█".repeat(Math.round(frac * barWidth)).padEnd(barWidth, "░")} ` : "";
  const line = `${bar}${text}`;
  return [...line].length > width ? [...line].slice(0, width - 1).join("") + "…" : line;
}

export function progressPrinter(out: NodeJS.WriteStream = process.stdout, t: Translator = translator("en")) {
  const tty = out.isTTY === true;
  let lastDecile = -1;
  let lastPhase = "";
  return {
    update(p: Progress) {
      if (tty) {
        out.write(`\r\x1b[2K${progressLine(p, t, out.columns || MAX_COLUMNS)}`);
        return;
      }
      const frac = Math.min(1, Math.max(0, (p.simNow - p.simStart) / (p.simEnd - p.simStart)));
      const decile = Math.floor(frac * 10);
      if (decile !== lastDecile || p.phase !== lastPhase) {
        lastDecile = decile;
        lastPhase = p.phase;
        out.write(`${String(decile * 10).padStart(3)}%  ${progressText(p, t)}\n`);
      }
    },
    /** A line of its own (the bar is redrawn at the next update). */
    note(text: string) {
      out.write(`${tty ? "\r\x1b[2K" : ""}  ${text}\n`);
    },
    done() {
      if (tty) out.write("\n");
    },
  };
}
