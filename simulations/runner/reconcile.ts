// Who should have received what, worked out from the roster and each message's own
// distribution — independently of the coordinator — and compared with what agencies received.
import type { Distribution, StoredAuditRecord, Message, Roster } from "../../shared/contracts/index.ts";
import { perDelivery } from "../../shared/audit/deliveries.ts";
import type { Recorder, SentMessage } from "./recorder.ts";

/** Every agency of the roster a distribution reaches, the sender excluded. */
export function reach(roster: Roster, d: Distribution, sender: string): string[] {
  const groups = new Map(roster.sharingGroups.map((g) => [g.id, new Set(g.members)]));
  return roster.agencies
    .filter((a) => a.id !== sender)
    .filter(
      (a) =>
        d.all === true ||
        (d.regions ?? []).includes(a.region) ||
        (d.organisations ?? []).some((o) => a.organisations.includes(o)) ||
        (d.sharingGroups ?? []).some((g) => groups.get(g)?.has(a.id) || a.sharingGroups.includes(g)) ||
        (d.agencies ?? []).includes(a.id),
    )
    .map((a) => a.id);
}

export function inScope(roster: Roster, m: Message, sent: Map<string, SentMessage>): string[] {
  const original = (id: string) => sent.get(id)?.message;
  switch (m.kind) {
    case "alert":
    case "rfi":
      return reach(roster, m.body.distribution, m.sender);
    case "alert-update":
    case "alert-retraction": {
      const a = original(m.body.alertId);
      return a ? inScope(roster, a, sent) : [];
    }
    case "rfi-response":
      return [original(m.body.rfiId)?.sender].filter((x): x is string => !!x);
    case "hit":
      return [original(m.body.alertId)?.sender].filter((x): x is string => !!x);
    default:
      return [];
  }
}

export interface Reconciliation {
  expected: number;
  delivered: number;
  lost: { messageId: string; agency: string }[];
  duplicated: { messageId: string; agency: string; times: number }[];
  redConfinementViolations: { messageId: string; agency: string }[];
}

/**
 * Every message sent and not refused × every in-scope recipient, against what the agency nodes
 * saw. A message whose outcome never came is owed to its recipients all the same (its
 * submission was stored): undelivered, it counts as lost rather than disappearing.
 */
export function reconcile(roster: Roster, rec: Recorder): Reconciliation {
  const out: Reconciliation = { expected: 0, delivered: 0, lost: [], duplicated: [], redConfinementViolations: [] };
  // A flood's valid alerts are owed to their recipients like any message, once accepted (most are
  // refused rate-limited: those owe nothing, and so does one without any outcome yet, which the
  // flood's own figures count as unanswered).
  const flooded = rec.flood.flatMap((x) => (x.message && rec.outcomes.get(x.message.id)?.outcome === "accepted" ? [[x.message.id, { message: x.message }] as const] : []));
  for (const [id, s] of [...rec.sent, ...flooded]) {
    if (rec.outcomes.get(id)?.outcome === "rejected") continue;
    const scope = inScope(roster, s.message, rec.sent);
    for (const agency of scope) {
      out.expected++;
      if (rec.received(id, agency)) out.delivered++;
      else out.lost.push({ messageId: id, agency });
      const copies = rec.deliveries.get(id)?.get(agency)?.size ?? 0;
      const acks = rec.acks.get(id)?.get(agency) ?? 0;
      if (copies > 1 || acks > 1) out.duplicated.push({ messageId: id, agency, times: Math.max(copies, acks) });
    }
    const body = s.message.body as { tlp?: string };
    if (body.tlp === "RED" || (s.message.kind !== "alert" && s.message.kind !== "rfi" && isRedOriginal(s, rec))) {
      const allowed = new Set(scope);
      for (const agency of rec.deliveries.get(id)?.keys() ?? []) if (!allowed.has(agency)) out.redConfinementViolations.push({ messageId: id, agency });
    }
  }
  return out;
}

function isRedOriginal(s: Pick<SentMessage, "message">, rec: Recorder): boolean {
  const ref = (s.message.body as { alertId?: string }).alertId;
  const original = ref ? rec.sent.get(ref)?.message : undefined;
  return (original?.body as { tlp?: string } | undefined)?.tlp === "RED";
}

export interface DuplicateEscalation {
  /** The late delivery, its recipient and the step taken twice (audit), or the escalation message delivered twice (agency). */
  messageId: string;
  recipient?: string;
  step?: string;
  agency?: string;
  times: number;
  seenBy: "audit" | "agency";
}

/**
 * Escalations taken twice: the same step for the same delivery recorded more than once in the
 * audit chain, or one escalation message reaching an agency under more than one stream sequence.
 */
export function duplicateEscalations(audit: StoredAuditRecord[], rec: Recorder): DuplicateEscalation[] {
  const out: DuplicateEscalation[] = [];
  const steps = new Map<string, { messageId: string; recipient: string; step: string; times: number }>();
  // One escalation message may cover many deliveries: each is judged on its own.
  for (const a of audit.flatMap(perDelivery)) {
    if (a.event !== "escalated" || !a.messageId) continue;
    const { recipient, step } = a.data;
    const key = `${a.messageId}:${recipient}:${step}`;
    const s = steps.get(key) ?? { messageId: a.messageId, recipient, step, times: 0 };
    s.times++;
    steps.set(key, s);
  }
  for (const s of steps.values()) if (s.times > 1) out.push({ ...s, seenBy: "audit" });
  for (const id of rec.escalationIds)
    for (const [agency, seqs] of rec.deliveries.get(id) ?? []) if (seqs.size > 1) out.push({ messageId: id, agency, times: seqs.size, seenBy: "agency" });
  return out;
}
