// Русский: строка хода прогона, итоговая сводка прогона и сводка `atix send`.
import type { PartOf } from "./catalogue.ts";
import type { enCli } from "./en-cli.ts";

export const ruCli: PartOf<typeof enCli> = {
  "progress.sent": "отпр.",
  "progress.phase.starting": "запуск",
  "progress.phase.playing": "идёт",
  "progress.phase.draining": "дослеж.",
  "progress.phase.measuring": "подсчёт",
  "anon.redacted": "[служба]",
  "run.header": { one: "{n} служба, {hours} ч при ускорении ×{speed}, зерно {seed}", few: "{n} службы, {hours} ч при ускорении ×{speed}, зерно {seed}", many: "{n} служб, {hours} ч при ускорении ×{speed}, зерно {seed}", other: "{n} службы, {hours} ч при ускорении ×{speed}, зерно {seed}" },
  "run.result": "{verdict}  {figures}; сообщения сценария: получено {delivered} из {expected} ожидаемых доставок, потеряно {lost}, продублировано {duplicated}; журнал аудита {audit} (записей: {records})",
  "run.skipped": { one: "  (по команде «следующая вводная» пропущено фоновых сообщений: {n})", few: "  (по команде «следующая вводная» пропущено фоновых сообщений: {n})", many: "  (по команде «следующая вводная» пропущено фоновых сообщений: {n})", other: "  (по команде «следующая вводная» пропущено фоновых сообщений: {n})" },
  "run.audit.ok": "проверен",
  "run.audit.broken": "НАРУШЕН",
  "run.report": "отчёт: {path}",
  "run.disclaimer": "Примечание: режимы дежурства и поведение служб — условные параметры моделирования, а не оценка реальных служб.",
  "run.anonymised": "Обезличено: службы обозначены нейтральными региональными метками; в metrics.json сохранены настоящие идентификаторы.",
  "run.interrupted": "прервано: останавливаюсь и записываю измеренное (повторный Ctrl-C — выйти сразу)",
  "run.nextInject": "ведущий: следующая вводная, часы переведены с {from} на {to}, перед вводной {inject} (пропущено фоновых сообщений: {n})",
  "send.accepted": { one: "принято {id}: {what} от {from} для {n} службы; подтверждение до {due}", few: "принято {id}: {what} от {from} для {n} служб; подтверждения до {due}", many: "принято {id}: {what} от {from} для {n} служб; подтверждения до {due}", other: "принято {id}: {what} от {from} для {n} службы; подтверждения до {due}" },
  "send.followUp": "далее:        atix send update|retract --from {from} --alert {id} --reason \"…\"",
  "send.followUpRfi": "ответы:       atix send answer --from СЛУЖБА --rfi {id} --answer \"…\"",
  "send.rejected": "отклонено {id}:",
  "send.delivered": "доставлено    {n}/{of}",
  "send.acknowledged": "подтверждено  {n}/{of}, в срок {inTime}",
  "send.escalations": "эскалаций     {n}",
  "send.missing": "нет ответа    {list}",
  "send.nobody": "нет",
  "send.latency": "подтверждение p50 {p50} · p95 {p95} · макс. {max} моделируемого времени ({wall} реального при p50)",
  "send.notAll": "{n} из {of} получателей не подтвердили в срок",
};
