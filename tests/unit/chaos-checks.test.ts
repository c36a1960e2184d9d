// The checks the chaos drill relies on: a duplicate escalation is caught (in the audit chain and in
// what an agency received), and cluster faults are refused where they cannot be played.
import { describe, expect, it } from "vitest";
import { chainRecord, type ChainHead, GENESIS } from "../../shared/audit/chain.ts";
import type { AuditEntry, AuditRecord, ESCALATION_STEPS } from "../../shared/contracts/index.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { serverList } from "../../shared/nats/connect.ts";
import { duplicateEscalations } from "../../simulations/runner/reconcile.ts";
import { Recorder } from "../../simulations/runner/recorder.ts";
import { Scenario } from "../../simulations/scenario/schema.ts";

const escalated = (messageId: string, recipient: string, step: (typeof ESCALATION_STEPS)[number], n: number): AuditEntry => ({
  eventId: `escalated:${messageId}:${recipient}:${step}:${n}`, event: "escalated", at: "2026-09-23T06:00:00Z", actor: "ATIX", messageId, kind: "alert", agency: recipient,
  data: { step, recipient, escalationId: messageId, precedence: "FLASH", deadline: "2026-09-23T06:00:00Z" },
});
const signer = newIdentity("c1");
function chain(entries: AuditEntry[]): AuditRecord[] {
  let h: ChainHead = GENESIS;
  return entries.map((e) => (h = chainRecord(h, e, "2026-09-23T06:00:00Z", signer.seed)));
}
const M = "01a0ccff-db38-7000-8000-010eeba1320e";

describe("duplicate escalations", () => {
  it("finds the same step for the same delivery recorded twice, and nothing when each step is once", () => {
    const rec = new Recorder();
    const once = chain([escalated(M, "KG", "reminder", 1), escalated(M, "KG", "backup-contact", 1), escalated(M, "KZ", "reminder", 1)]);
    expect(duplicateEscalations(once, rec)).toEqual([]);
    const twice = chain([escalated(M, "KG", "reminder", 1), escalated(M, "KG", "reminder", 2)]);
    expect(duplicateEscalations(twice, rec)).toEqual([{ messageId: M, recipient: "KG", step: "reminder", times: 2, seenBy: "audit" }]);
  });

  it("finds one escalation message delivered to an agency under two stream sequences", () => {
    const rec = new Recorder();
    const at = "2026-09-23T06:00:00Z";
    rec.onAgencyEvent({ type: "delivered", agency: "KG", messageId: "esc-1", kind: "escalation", seq: 10, at });
    rec.onAgencyEvent({ type: "delivered", agency: "KG", messageId: "esc-1", kind: "escalation", seq: 10, at, redelivered: true });
    expect(duplicateEscalations([], rec)).toEqual([]);
    rec.onAgencyEvent({ type: "delivered", agency: "KG", messageId: "esc-1", kind: "escalation", seq: 17, at });
    expect(duplicateEscalations([], rec)).toEqual([{ messageId: "esc-1", agency: "KG", times: 2, seenBy: "agency" }]);
  });
});

describe("cluster faults in a scenario", () => {
  const base = { name: "c", title: "c", roster: "r.yaml", duration: "2h" };
  const issues = (v: object) => {
    const r = Scenario.safeParse({ ...base, ...v });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("accepts broker-kill and a coordinator killed for good on a cluster", () => {
    expect(issues({ cluster: 3, faults: [{ kind: "broker-kill", at: "00:30", node: 3, restartAfter: "30m" }, { kind: "coordinator-kill", at: "01:00", instance: 2, restart: false }] })).toEqual([]);
  });

  it("refuses them where they cannot be played, naming the field", () => {
    expect(issues({ faults: [{ kind: "broker-kill", at: "00:30", node: 1 }] })).toEqual([expect.stringMatching(/^faults\.0\.kind: expected `cluster: 3`/)]);
    expect(issues({ cluster: 3, faults: [{ kind: "broker-kill", at: "00:30", node: 4 }] })).toEqual(["faults.0.node: expected a node from 1 to 3"]);
    expect(issues({ faults: [{ kind: "coordinator-kill", at: "00:30", restart: false }] })).toEqual([expect.stringMatching(/^faults\.0\.restart: expected restart: true/)]);
    expect(issues({ cluster: 4 })).toEqual([expect.stringMatching(/^cluster: expected 3 or 5/)]);
  });
});

describe("server lists", () => {
  it("splits a comma-separated cluster URL and refuses an empty one", () => {
    expect(serverList("nats://127.0.0.1:1, nats://127.0.0.1:2,")).toEqual(["nats://127.0.0.1:1", "nats://127.0.0.1:2"]);
    expect(serverList(["nats://a:1,nats://b:2"])).toEqual(["nats://a:1", "nats://b:2"]);
    expect(() => serverList(" , ")).toThrow(/servers: expected at least one NATS URL/);
  });
});
