// The exported JSON Schemas, read by an independent validator (ajv), agree with the zod contracts.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { MESSAGE_KINDS } from "../../shared/contracts/index.ts";
import { allKindSchemas, exchangeSchemas, messageSchema } from "../../shared/contracts/export/json-schema.ts";
import { DAMAGES } from "../support/damage.ts";
import { clone, examples } from "../support/examples.ts";

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
// JSON Schema has no E.164 format; the exported pattern carries the rule, this only silences the warning.
ajv.addFormat("e164", /^\+[1-9]\d{6,14}$/);
const perKind = Object.fromEntries(Object.entries(allKindSchemas()).map(([k, s]) => [k, ajv.compile(s)]));
const anyMessage = ajv.compile(messageSchema());

describe("exported JSON Schema (draft 2020-12)", () => {
  it("declares draft 2020-12 and an id per kind", () => {
    for (const [kind, s] of Object.entries(allKindSchemas())) {
      expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(String(s.$id)).toContain(kind);
    }
  });

  it.each(MESSAGE_KINDS)("accepts the %s example, in its own schema and in message.json", (kind) => {
    expect(perKind[kind]!(examples[kind]), JSON.stringify(perKind[kind]!.errors)).toBe(true);
    expect(anyMessage(examples[kind]), JSON.stringify(anyMessage.errors?.slice(0, 3))).toBe(true);
  });

  it("describes each kind by itself, with only the rules beyond the schema that apply to that kind", () => {
    const d = (k: string) => String(allKindSchemas()[k as keyof ReturnType<typeof allKindSchemas>].description);
    expect(d("presence")).toBe("An agency's duty status.");
    for (const k of MESSAGE_KINDS.filter((k) => !["alert", "alert-update", "rfi"].includes(k))) expect(d(k)).not.toContain("sentAt");
    expect(d("alert")).toContain("body.validUntil, when present, must be later than sentAt");
    expect(d("rfi")).toContain("body.respondBy must be later than sentAt");
    expect(d("receipt")).toContain("named once");
    expect(d("hit")).not.toContain("named once");
  });

  it("exports the registry, the connection file and an agency's public key file, each a schema ajv compiles", () => {
    const schemas = exchangeSchemas();
    expect(Object.keys(schemas).sort()).toEqual(["agency-public-key", "connection", "registry"]);
    for (const s of Object.values(schemas)) expect(() => ajv.compile(s)).not.toThrow();
    const pub = ajv.compile(schemas["agency-public-key"]!);
    expect(pub({ agency: "TJ", publicKey: `U${"A".repeat(55)}`, createdAt: "2026-09-21T08:00:00Z" })).toBe(true);
    expect(pub({ agency: "TJ", publicKey: `S${"A".repeat(57)}`, createdAt: "2026-09-21T08:00:00Z" })).toBe(false);
  });

  it("rejects a message of one kind in another kind's schema", () => {
    expect(perKind.alert!(examples.rfi)).toBe(false);
  });

  const cases = DAMAGES.filter((d) => d.jsonSchema !== false).flatMap((d) =>
    (d.kinds === "all" ? MESSAGE_KINDS : d.kinds).map((k) => [`${k}: ${d.name}`, k, d] as const),
  );
  it.each(cases)("rejects %s", (_, kind, d) => {
    const m = clone(examples[kind]) as Record<string, any>;
    d.damage(m);
    expect(perKind[kind]!(m)).toBe(false);
    expect(anyMessage(m)).toBe(false);
  });
});
