// Русский: показатели обмена, каждый назван один раз для всех представлений (панель, строка хода
// прогона, `atix status`, итоговая сводка и отчёт).
import type { PartOf } from "./catalogue.ts";
import type { enFigures } from "./en-figures.ts";

export const ruFigures: PartOf<typeof enFigures> = {
  "figure.messagesAccepted": "Принято сообщений",
  "figure.messagesAccepted.how": "Сообщения, принятые координатором: оповещения, запросы информации, уточнения, отзывы, ответы на запросы и сообщения о совпадениях.",
  "figure.alertsAndRfis": "Оповещения и запросы",
  "figure.alertsAndRfis.how": "Принятые оповещения и запросы информации (без уточнений, отзывов, ответов и сообщений о совпадениях).",
  "figure.rejected": "Отклонено отправок",
  "figure.rejected.how": "Отправки, отклонённые координатором, включая искажённые.",
  "figure.rejected.short": "откл.",
  "figure.deliveries": "Доставки",
  "figure.deliveries.how": "По одной на каждое принятое сообщение и каждого получателя, записанная в журнале аудита как доставленная.",
  "figure.deliveries.short": "дост.",
  "figure.acknowledged": "Подтверждено",
  "figure.acknowledged.how": "Доставки, подтверждённые дежурным (первое подтверждение каждой), в срок или с опозданием.",
  "figure.acknowledged.short": "подтв.",
  "figure.withinDeadline": "В срок",
  "figure.withinDeadline.how": "Доставки, подтверждённые в контрольный срок своей срочности.",
  "figure.late": "Подтверждено с опозданием",
  "figure.late.how": "Доставки, подтверждённые после контрольного срока.",
  "figure.awaiting": "Ждут подтверждения",
  "figure.awaiting.how": "Доставки, ещё не подтверждённые (без отозванных).",
  "figure.overdue": "Просрочено сейчас",
  "figure.overdue.how": "Доставки, ждущие подтверждения, чей контрольный срок уже прошёл по моделируемому времени.",
  "figure.withdrawn": "Отозвано до подтверждения",
  "figure.withdrawn.how": "Доставки оповещения, отозванного отправителем до их подтверждения.",
  "figure.escalations": "Эскалации",
  "figure.escalations.how": "Шаги эскалации по запоздавшим подтверждениям: напоминания, резервные контакты и уведомления отправителя.",
  "figure.escalations.short": "эск.",
  "figure.inTime": "Доля в срок",
  "figure.inTime.how": "Доля доставок, по которым всё решено (подтверждены или просрочены), подтверждённых в контрольный срок.",
  "figure.inline": "{label}: {n}",
};
