// The submission runner's reads against a real broker and a running coordinator's own context: a
// receipt finds its deliveries settled even when a busy view forgot them (prune) while the receipt
// waited for a recording, or while it read the message record of another delivery it names.
import { Kvm } from "@nats-io/kv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSubmission } from "../../services/coordinator/checks.ts";
import type { Context } from "../../services/coordinator/context.ts";
import type { Judged } from "../../services/coordinator/decide.ts";
import { SubmissionRunner } from "../../services/coordinator/submission-runner.ts";
import { buckets, type Message, sign, subjects } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { startTestExchange, submitAndWait, testAlertBody, type TestExchange } from "../support/exchange.ts";

let ex: TestExchange;
let ctx: Context;
beforeAll(async () => {
  ex = await startTestExchange({ speed: 60 });
  ctx = (await ex.startCoordinator("c1")).context;
});
afterAll(() => ex?.stop());

/** `m` from KZ as the intake hands it over: signed, checked, stored a minute ago (so not "on its way"). */
function fromKz(m: Message, streamSeq: number): Judged {
  const data = new TextEncoder().encode(JSON.stringify(sign(m, ex.ids.agencies.get("KZ")!.seed)));
  const storedAtMs = Date.now() - 60_000;
  return { sub: { subject: subjects.submit("KZ", m.kind), data, streamSeq, storedAtMs }, agency: "KZ", checked: checkSubmission(data, "KZ", m.kind, ex.registry, storedAtMs) };
}

describe("submission runner", () => {
  it("takes a receipt of a delivery acknowledged and forgotten while the receipt waited for that acknowledgement as a repeat, not as unknown", async () => {
    const alert = compose("alert", testAlertBody({ distribution: { agencies: ["KZ"] } }), { sender: "AZ", sentAt: ex.clock.iso() });
    expect((await submitAndWait(ex, "AZ", alert)).kind).toBe("acceptance");
    expect(ctx.tracking.get(alert.id, "KZ")).toBeDefined();

    // The acknowledgement's record is held back until the receipt is waiting for it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const audit = Object.create(ctx.audit, { append: { value: async (...args: Parameters<Context["audit"]["append"]>) => (await gate, ctx.audit.append(...args)) } });
    const runner = new SubmissionRunner({ ...ctx, audit });

    const ack = await runner.run(fromKz(compose("acknowledgement", { messageId: alert.id, officer: "KZ-DO-1", action: "acting" }, { sender: "KZ", sentAt: ex.clock.iso() }), 1_000_001));
    expect(ack.outcome).toBe("recorded");
    // Once it is applied, the view forgets every settled delivery (as a busy one forgets the oldest), before the receipt goes on.
    const forgotten = ack.rest!.then(() => ctx.tracking.prune(Number.NEGATIVE_INFINITY, 0));
    const receipt = runner.run(fromKz(compose("receipt", { messageId: alert.id, receivedAt: ex.clock.iso() }, { sender: "KZ", sentAt: ex.clock.iso() }), 1_000_002));
    release();

    expect(await forgotten).toBeGreaterThan(0);
    expect(ctx.tracking.get(alert.id, "KZ")).toBeUndefined();
    expect((await receipt).outcome).toBe("repeat");
  });

  it("takes a receipt as a repeat when a delivery it names is forgotten while the record of another it names is read", async () => {
    const [x, y] = ["X", "Y"].map((t) => compose("alert", testAlertBody({ title: `Forgotten ${t}`, distribution: { agencies: ["KZ"] } }), { sender: "AZ", sentAt: ex.clock.iso() }));
    for (const m of [x!, y!]) expect((await submitAndWait(ex, "AZ", m)).kind).toBe("acceptance");
    const runner = new SubmissionRunner(ctx);
    // Y settled first, then X; the view then forgets the oldest settled one: Y.
    for (const [m, seq] of [[y!, 1_000_003], [x!, 1_000_004]] as const) {
      const ack = await runner.run(fromKz(compose("acknowledgement", { messageId: m.id, officer: "KZ-DO-1", action: "acting" }, { sender: "KZ", sentAt: ex.clock.iso() }), seq));
      expect(ack.outcome).toBe("recorded");
      await ack.rest;
    }
    ctx.tracking.prune(Number.NEGATIVE_INFINITY, ctx.tracking.size - 1);
    expect(ctx.tracking.get(y!.id, "KZ")).toBeUndefined();
    expect(ctx.tracking.get(x!.id, "KZ")).toBeDefined();

    // While Y's message record is read, the view forgets X as well.
    const messages = Object.create(ctx.store.messages, {
      get: { value: (id: string) => (id === y!.id && ctx.tracking.prune(Number.NEGATIVE_INFINITY, 0), ctx.store.messages.get(id)) },
    });
    const reading = new SubmissionRunner({ ...ctx, store: { ...ctx.store, messages } });
    const receipt = compose("receipt", { messageId: x!.id, receivedAt: ex.clock.iso(), more: [{ messageId: y!.id, receivedAt: ex.clock.iso() }] }, { sender: "KZ", sentAt: ex.clock.iso() });
    expect((await reading.run(fromKz(receipt, 1_000_005))).outcome).toBe("repeat");
    expect(ctx.tracking.get(x!.id, "KZ")).toBeUndefined();
  });

  it("refuses an acceptance whose copies would exceed its agency's copies quota (rate-limited, remembered), counting a broadcast to all once", async () => {
    // About 4.6 KB each; the quota: 0.015 MiB (about 15.7 KB) an hour.
    const settings = () => ({ ...ctx.settings(), quotas: { ...ctx.settings().quotas, copiedMiBPerHour: 0.015 } });
    const runner = new SubmissionRunner({ ...ctx, settings });
    const big = (title: string, distribution: object) =>
      compose("alert", testAlertBody({ title, summary: "x".repeat(4000), distribution }), { sender: "KZ", sentAt: ex.clock.iso() });

    // Four of the five others (naming all five would be a broadcast): four copies, about 18 KB.
    const named = big("Copies to four", { agencies: ["AZ", "KG", "RU", "TR"] });
    const refused = await runner.run(fromKz(named, 1_000_010));
    expect(refused).toMatchObject({ outcome: "rejected", rateLimited: true });
    const seen = await ctx.store.seen.get(named.id);
    expect(seen?.value).toMatchObject({ outcome: "rejected", sender: "KZ" });
    expect(JSON.parse(seen!.value.outcomeJson)).toMatchObject({ body: { reasons: [{ code: "rate-limited", message: expect.stringContaining("MiB of delivery copies an hour") }] } });
    expect(ctx.tracking.get(named.id, "AZ")).toBeUndefined();

    // To everyone else: stored once, so it fits.
    const toAll = big("One copy for all", { all: true });
    expect((await runner.run(fromKz(toAll, 1_000_011))).outcome).toBe("accepted");
    expect(ctx.tracking.get(toAll.id, "AZ")).toBeDefined();
  });

  it("finishes an acceptance its instance died in (redelivered, message record stored) without judging its copies again", async () => {
    const m = compose("alert", testAlertBody({ title: "Accepted, then the instance died", summary: "x".repeat(4000), distribution: { agencies: ["AZ", "KG", "RU", "TR"] } }), { sender: "KZ", sentAt: ex.clock.iso() });
    const first = await new SubmissionRunner(ctx).run(fromKz(m, 1_000_020));
    expect(first.outcome).toBe("accepted");
    await first.rest;
    // Died before its seen record: the record is gone, its message record and deliveries are stored.
    await (await new Kvm(ex.admin).open(buckets.seen)).purge(m.id);
    expect(await ctx.store.seen.get(m.id)).toBeUndefined();

    // Another instance whose copies budget for KZ is spent gets it again.
    const settings = () => ({ ...ctx.settings(), quotas: { ...ctx.settings().quotas, copiedMiBPerHour: 0.015 } });
    const spent = new SubmissionRunner({ ...ctx, settings });
    const again = fromKz(m, 1_000_020);
    const redone = await spent.run({ ...again, sub: { ...again.sub, redelivered: true } });
    expect(redone).toMatchObject({ outcome: "accepted" });
    await redone.rest;
    expect((await ctx.store.seen.get(m.id))?.value).toMatchObject({ outcome: "accepted" });

    // Redelivered without a stored message record (handed back before it was decided): judged as any.
    const other = compose("alert", testAlertBody({ title: "Handed back, then judged", summary: "x".repeat(4000), distribution: { agencies: ["AZ", "KG", "RU", "TR"] } }), { sender: "KZ", sentAt: ex.clock.iso() });
    const handedBack = fromKz(other, 1_000_021);
    expect(await spent.run({ ...handedBack, sub: { ...handedBack.sub, redelivered: true } })).toMatchObject({ outcome: "rejected", rateLimited: true });
  });
});
