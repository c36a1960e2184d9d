// English: the progress line, the run's terminal summary and `atix send`'s summary.
export const enCli = {
  "progress.sent": "sent",
  "progress.acks": "acks",
  "progress.escalations": "esc",
  "progress.rejections": "rej",
  "progress.phase.starting": "starting",
  "progress.phase.playing": "playing",
  "progress.phase.draining": "draining",
  "progress.phase.measuring": "measuring",
} as const;
