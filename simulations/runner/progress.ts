// Progress for a person: a live bar on a terminal, plain lines (every 10%) when not.
import type { Progress } from "./run.ts";

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function progressPrinter(out: NodeJS.WriteStream = process.stdout) {
  const tty = out.isTTY === true;
  let lastDecile = -1;
  let lastPhase = "";
  return {
    update(p: Progress) {
      const frac = Math.min(1, Math.max(0, (p.simNow - p.simStart) / (p.simEnd - p.simStart)));
      const day = Math.floor((p.simNow - p.simStart) / 86_400_000);
      const clock = `${day ? `day ${day + 1} ` : ""}${hhmm(p.simNow)}`;
      const figures = `sent ${p.sent}/${p.planned}  acks ${p.acknowledged}  escalations ${p.escalations}  rejections ${p.rejections}`;
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
    done() {
      if (tty) out.write("\n");
    },
  };
}
