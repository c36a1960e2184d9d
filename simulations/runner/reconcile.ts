// Who should have received what, worked out from the roster and each message's own
// distribution — independently of the coordinator — and compared with what agencies received.
import type { Distribution, Message, Roster } from "../../shared/contracts/index.ts";
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

/** Every accepted message × every in-scope recipient, against what the agency nodes saw. */
export function reconcile(roster: Roster, rec: Recorder): Reconciliation {
  const out: Reconciliation = { expected: 0, delivered: 0, lost: [], duplicated: [], redConfinementViolations: [] };
  for (const [id, s] of rec.sent) {
    if (rec.outcomes.get(id)?.outcome !== "accepted") continue;
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

function isRedOriginal(s: SentMessage, rec: Recorder): boolean {
  const ref = (s.message.body as { alertId?: string }).alertId;
  const original = ref ? rec.sent.get(ref)?.message : undefined;
  return (original?.body as { tlp?: string } | undefined)?.tlp === "RED";
}
