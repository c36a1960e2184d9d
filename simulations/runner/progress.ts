// Progress for a person: a live bar on a terminal, plain lines (every 10%) when not. The figures
// are the exchange's, counted and named as the dashboard and the report count and name them.
import { FIGURES, type Figures } from "../../shared/exchange/figures.ts";
import type { Progress } from "./run.ts";

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** "240/240 sent  3,634 deliveries  3,519 acknowledged  181 escalations": what a run is up to. */
export function progressFigures(sent: number, planned: number, f: Figures | undefined): string {
  const parts = [`${sent}/${planned} sent`];
  if (f) {
    parts.push(`${f.deliveries} ${FIGURES.deliveries.label}`, `${f.acknowledged} ${FIGURES.acknowledged.label}`, `${f.escalations} ${FIGURES.escalations.label}`);
    if (f.rejected) parts.push(`${f.rejected} ${FIGURES.rejected.label}`);
  }
  return parts.join("  ");
}

export function progressPrinter(out: NodeJS.WriteStream = process.stdout) {
  const tty = out.isTTY === true;
  let lastDecile = -1;
  let lastPhase = "";
  return {
    update(p: Progress) {
      const frac = Math.min(1, Math.max(0, (p.simNow - p.simStart) / (p.simEnd - p.simStart)));
      const day = Math.floor((p.simNow - p.simStart) / 86_400_000);
      const clock = `${day ? `day ${day + 1} ` : ""}${hhmm(p.simNow)}`;
      const figures = progressFigures(p.sent, p.planned, p.figures);
      if (tty) {
        const width = 24;
        const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "░");
        out.write(`\r\x1b[2K${bar} ${clock} sim  ${p.phase.padEnd(9)} ${figures}`);
        return;
      }
      const decile = Math.floor(frac * 10);
      if (decile !== lastDecile || p.phase !== lastPhase) {
        lastDecile = decile;
        lastPhase = p.phase;
        out.write(`${String(decile * 10).padStart(3)}%  ${clock} sim  ${p.phase}  ${figures}\n`);
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
