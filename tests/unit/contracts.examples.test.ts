// Every shipped example is valid and correctly signed; every damaged copy is rejected at the right path.
import { describe, expect, it } from "vitest";
import { MESSAGE_KINDS, parseMessage, verify } from "../../shared/contracts/index.ts";
import { DAMAGES, expectedPath } from "../support/damage.ts";
import { clone, demoKeys, examples } from "../support/examples.ts";

describe("shipped examples", () => {
  it.each(MESSAGE_KINDS)("%s is valid and of its kind", (kind) => {
    const r = parseMessage(examples[kind]);
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(examples[kind].kind).toBe(kind);
  });

  it.each(MESSAGE_KINDS)("%s carries a valid signature of its sender", (kind) => {
    const m = examples[kind];
    const key = demoKeys[m.sender]?.publicKey;
    expect(key, `demo key for ${m.sender}`).toBeDefined();
    expect(verify(m, key!)).toEqual({ ok: true });
    const edited = clone(m) as { body: Record<string, unknown> };
    edited.body.__tampered = true;
    expect(verify(edited as never, key!).ok).toBe(false);
  });

  it("tell one story: references point at messages that exist", () => {
    const ids = new Set(Object.values(examples).map((m) => m.id));
    const refs = Object.values(examples).flatMap((m) => {
      const b = m.body as Record<string, unknown>;
      return [b.alertId, b.rfiId, b.messageId, m.inReplyTo].filter((x): x is string => typeof x === "string");
    });
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) expect(ids.has(r), `reference ${r}`).toBe(true);
  });
});

describe("damaged copies", () => {
  const cases = DAMAGES.flatMap((d) => (d.kinds === "all" ? MESSAGE_KINDS : d.kinds).map((k) => [`${k}: ${d.name}`, k, d] as const));
  it.each(cases)("%s", (_, kind, d) => {
    const m = clone(examples[kind]) as Record<string, any>;
    d.damage(m);
    const r = parseMessage(m);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    expect(paths).toContain(expectedPath(d, m));
    for (const p of r.problems) expect(p.message.length).toBeGreaterThan(5);
  });
});
