// Русский: строка хода прогона, итоговая сводка прогона и сводка `atix send`.
import type { Catalogue } from "./catalogue.ts";

type Part = { readonly [K in keyof typeof import("./en-cli.ts").enCli]: Catalogue[K] };

export const ruCli: Part = {
  "progress.sent": "отпр.",
  "progress.acks": "подтв.",
  "progress.escalations": "эск.",
  "progress.rejections": "откл.",
  "progress.phase.starting": "запуск",
  "progress.phase.playing": "идёт",
  "progress.phase.draining": "дослеж.",
  "progress.phase.measuring": "подсчёт",
};
