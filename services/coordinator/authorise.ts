// Who may send what to whom: TLP and handling rules, originator-only changes, addressed-only
// answers. Returns the recipients and the tracking terms, or the reasons for refusal. Pure: what a
// message refers to (references.ts) and its stored record are read before and passed in.
import {
  type Distribution,
  type Message,
  type Precedence,
  type RejectionReason,
  type Tlp,
  TLPS,
} from "../../shared/contracts/index.ts";
import type { MessageRecord } from "../../shared/exchange/records.ts";
import type { Reference } from "./references.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import type { Settings } from "../../shared/exchange/settings.ts";

export interface Routing {
  recipients: string[];
  precedence: Precedence;
  /** The alert or RFI this message refers to, for updates, retractions, answers and hits. */
  refersTo?: MessageRecord;
}
export type Authorised = { ok: true; routing: Routing } | { ok: false; reasons: RejectionReason[] };

const deny = (code: RejectionReason["code"], path: string, message: string): Authorised => ({
  ok: false,
  reasons: [{ code, path, message }],
});

// TLP:CLEAR is the least restrictive, TLP:RED the most.
const tlpRank = (t: Tlp) => TLPS.indexOf(t);

/** TLP:RED names few agencies: at most `max` (setting tlpRedMaxAgencies). */
function redWithinLimit(tlp: Tlp, d: Distribution, max: number): Authorised | undefined {
  const named = d.agencies?.length ?? 0;
  if (tlp === "RED" && named > max)
    return deny("policy", "body.distribution.agencies", `expected at most ${max} named agencies for TLP:RED (the exchange's limit, setting tlpRedMaxAgencies); ${named} are named`);
  return undefined;
}

function resolve(registry: Registry, d: Distribution, sender: string, precedence: Precedence): Authorised {
  const { recipients, unknown } = registry.resolve(d, sender);
  if (unknown.length)
    return deny("unknown-reference", "body.distribution", `expected known addressees; not in the registry: ${unknown.join(", ")}`);
  if (!recipients.length) return deny("no-recipients", "body.distribution", "expected a distribution that reaches at least one other agency");
  return { ok: true, routing: { recipients, precedence } };
}

function original(ref: Reference | undefined, rec: MessageRecord | undefined) {
  // Read before (submission-runner.ts) for every kind that refers to something.
  if (!ref) throw new Error("authorise: what the message refers to was not read");
  if (!rec || !ref.kinds.includes(rec.kind)) return { error: deny("unknown-reference", ref.path, `expected the id of an accepted ${ref.kinds.join(" or ")}; ${ref.id} is not one`) };
  return { rec };
}

/** An answer may not be shared more widely than what it answers (no laundering by reply). */
function noLooserTlp(answer: Tlp, rec: MessageRecord): Authorised | undefined {
  if (rec.tlp && tlpRank(answer) < tlpRank(rec.tlp))
    return deny("unauthorised", "body.tlp", `expected TLP:${rec.tlp} or stricter, as the ${rec.kind} it answers`);
  return undefined;
}

/**
 * `reference`: what `m` refers to (references.ts referenceOf), `referenced` its stored record when
 * there is one. Whether a missing one may still be on its way is decided before this (decide.ts).
 */
export function authorise(m: Message, registry: Registry, settings: Pick<Settings, "tlpRedMaxAgencies">, reference: Reference | undefined, referenced: MessageRecord | undefined): Authorised {
  switch (m.kind) {
    case "alert":
    case "rfi":
      return redWithinLimit(m.body.tlp, m.body.distribution, settings.tlpRedMaxAgencies) ?? resolve(registry, m.body.distribution, m.sender, m.body.precedence);
    case "alert-update":
    case "alert-retraction": {
      const { rec, error } = original(reference, referenced);
      if (error) return error;
      const verb = m.kind === "alert-update" ? "update" : "retract";
      if (rec.originator !== m.sender) return deny("unauthorised", "body.alertId", `expected the originator (${rec.originator}): only it may ${verb} its alert`);
      if (rec.state === "retracted") return deny("unauthorised", "body.alertId", `expected an active alert; ${rec.id} was retracted`);
      const precedence = (m.kind === "alert-update" && m.body.changes.precedence) || rec.precedence;
      return { ok: true, routing: { recipients: rec.recipients, precedence, refersTo: rec } };
    }
    case "rfi-response":
    case "hit": {
      const { rec, error } = original(reference, referenced);
      if (error) return error;
      if (!rec.recipients.includes(m.sender))
        return deny("unauthorised", reference!.path, `expected an agency the ${rec.kind} was addressed to; ${m.sender} was not`);
      return noLooserTlp(m.body.tlp, rec) ?? { ok: true, routing: { recipients: [rec.originator], precedence: rec.precedence, refersTo: rec } };
    }
    default:
      return { ok: true, routing: { recipients: [], precedence: "ROUTINE" } };
  }
}
