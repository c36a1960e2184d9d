// What `atix send` tells the person at the terminal: accepted or rejected, then with --wait who
// got it, who acknowledged and in time, what escalated, who is missing, and how long it took;
// in the exchange's language, with its anonymity.
import type { Message } from "../../shared/contracts/index.ts";
import type { Presentation } from "./presentation.ts";
import type { waitForAcknowledgements } from "./wait-acks.ts";

type Summary = Awaited<ReturnType<typeof waitForAcknowledgements>>;

const simTime = (iso: string) => iso.replace(/^\d{4}-(\d\d-\d\d)T(\d\d:\d\d).*$/, "$1 $2");

export function acceptedLines(p: Presentation, m: Message, recipients: string[], due: string | undefined): string[] {
  const { t, anonymiser: a } = p;
  const body = m.body as { precedence?: string };
  const what = `${body.precedence ? `${body.precedence} ` : ""}${t.t(`kind.${m.kind}` as "kind.alert")}`;
  const lines = [t.t("send.accepted", { id: m.id, what, from: a.id(m.sender), n: recipients.length, due: due ? simTime(due) : "—" })];
  if (m.kind === "alert") lines.push(t.t("send.followUp", { from: m.sender, id: m.id }));
  if (m.kind === "rfi") lines.push(t.t("send.followUpRfi", { id: m.id }));
  return lines;
}

export function waitLines(p: Presentation, s: Summary): string[] {
  const { t, anonymiser: a } = p;
  const of = s.recipients.length;
  const steps = new Map<string, string[]>();
  for (const e of s.escalations) steps.set(e.step, [...(steps.get(e.step) ?? []), a.id(e.recipient)]);
  const escalated = [...steps].map(([step, who]) => `${t.t(`step.${step}` as "step.reminder")}: ${who.join(", ")}`).join("; ");
  const l = s.latency;
  const wall = l.acknowledgementWallSeconds.p50 === null ? "—" : t.wall(l.acknowledgementWallSeconds.p50);
  return [
    t.t("send.delivered", { n: s.delivered.length, of }),
    t.t("send.acknowledged", { n: s.acknowledged.length, of, inTime: s.acknowledgedWithinDeadline }),
    `${t.t("send.escalations", { n: s.escalations.length })}${escalated ? `  (${escalated})` : ""}`,
    t.t("send.missing", { list: s.notAcknowledged.length ? s.notAcknowledged.map((x) => a.id(x)).join(", ") : t.t("send.nobody") }),
    t.t("send.latency", { p50: t.minutes(l.acknowledgementSimMinutes.p50), p95: t.minutes(l.acknowledgementSimMinutes.p95), max: t.minutes(l.acknowledgementSimMinutes.max), wall }),
  ];
}
