// Checks a scenario against its roster before anything runs: every agency, organisation and
// sharing group it names exists, and its injects refer to earlier alerts the way the exchange
// will allow (only the originator changes an alert, only a recipient reports a hit).
import type { Distribution, Roster } from "../../shared/contracts/index.ts";
import { parseAudience, unknownAudience } from "../../shared/audience.ts";
import { reach } from "../runner/reconcile.ts";
import type { Scenario } from "./schema.ts";

export function crossCheck(s: Scenario, roster: Roster): string[] {
  const problems: string[] = [];
  const agencies = new Set(roster.agencies.map((a) => a.id));
  const agency = (id: string, where: string) => {
    if (!agencies.has(id)) problems.push(`${where}: ${id} is not in the roster`);
  };
  const audience = (to: string | Distribution, where: string): Distribution => {
    const parsed = typeof to === "string" ? parseAudience(to) : { ok: true as const, value: to };
    if (!parsed.ok) {
      problems.push(`${where}: ${parsed.problem}`);
      return {};
    }
    for (const p of unknownAudience(parsed.value, roster, "the roster")) problems.push(`${where}: ${p}`);
    return parsed.value;
  };
  const sent = new Map<string, { kind: string; from: string; recipients: string[]; retracted?: boolean }>();
  s.timeline.forEach((inj, i) => {
    const where = `timeline[${i}]`;
    agency(inj.from, `${where}.from`);
    let recipients: string[] = [];
    if (inj.kind === "alert" || inj.kind === "rfi") {
      const d = audience(inj.to, `${where}.to`);
      recipients = reach(roster, d, inj.from);
      if (!recipients.length) problems.push(`${where}.to reaches nobody`);
      if (inj.tlp === "RED" && (!d.agencies || d.all || d.regions || d.organisations || d.sharingGroups))
        problems.push(`${where}.to: TLP:RED must name agencies only`);
      if (inj.kind === "rfi" && inj.about && sent.get(inj.about)?.kind !== "alert") problems.push(`${where}.about: "${inj.about}" is not an alert`);
      if (inj.ref) sent.set(inj.ref, { kind: inj.kind, from: inj.from, recipients });
    } else {
      const a = sent.get(inj.alert);
      if (a?.kind !== "alert") problems.push(`${where}.alert: "${inj.alert}" is not an earlier alert`);
      else if (inj.kind === "hit") {
        if (!a.recipients.includes(inj.from)) problems.push(`${where}.from: ${inj.from} did not receive "${inj.alert}", so cannot report a hit`);
        recipients = [a.from];
      } else {
        if (a.from !== inj.from) problems.push(`${where}.from: only the originator ${a.from} may change "${inj.alert}"`);
        if (a.retracted) problems.push(`${where}.alert: "${inj.alert}" was already withdrawn`);
        if (inj.kind === "alert-retraction") a.retracted = true;
        recipients = a.recipients;
      }
    }
    const by = inj.expect?.acknowledgedBy;
    if (Array.isArray(by)) by.filter((id) => !recipients.includes(id)).forEach((id) => problems.push(`${where}.expect.acknowledgedBy: ${id} is not a recipient`));
    const r = inj.reactions;
    if (r && r !== "none")
      for (const k of ["answers", "hits"] as const) {
        const named = r[k] === "all" ? [] : r[k] ?? [];
        named.filter((id) => !recipients.includes(id)).forEach((id) => problems.push(`${where}.reactions.${k}: ${id} is not a recipient`));
      }
    if (r && r !== "none" && r.answers === "all" && (inj.expect?.answers ?? 0) > recipients.length)
      problems.push(`${where}.expect.answers: ${inj.expect!.answers} answers expected from ${recipients.length} recipients`);
  });
  s.traffic.forEach((t, i) => {
    Object.keys(t.senders).filter((k) => k !== "*").forEach((id) => agency(id, `traffic[${i}].senders`));
    if (t.to !== "own-region" && t.to !== "own-organisations") audience(t.to, `traffic[${i}].to`);
  });
  s.faults.forEach((f, i) => {
    if (f.kind === "malformed-burst") agency(f.from, `faults[${i}]`);
    else if ("agency" in f) agency(f.agency, `faults[${i}]`);
  });
  Object.keys(s.behaviour.agencies).forEach((id) => agency(id, "behaviour.agencies"));
  return problems;
}

