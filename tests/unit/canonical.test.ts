// The canonical form (RFC 8785) that signatures and audit hashes cover: lists of flat items take a
// native shortcut, which must write exactly what the general path writes, whatever the items hold.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize } from "../../shared/contracts/index.ts";

/** The canonical form written the plain way: keys sorted by UTF-16 code units at every level. */
function reference(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${Array.from(v, (x: unknown) => reference(x === undefined ? null : x)).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  return `{${keys.sort().map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(",")}}`;
}

// Keys that sort differently by code unit than by how objects order them: integer-like ones come
// first in an object, "10" before "9" by code unit; astral characters after U+FB33 by code unit.
const awkwardKey = fc.constantFrom("1", "9", "10", "a", "B", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33", "\r", "messageId", "at");
const plain = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
const flatItem = fc.dictionary(fc.oneof(awkwardKey, fc.string({ maxLength: 4 })), plain, { maxKeys: 6 });
/** Items whose keys were added in sorted order, as ATIX builds batch items. */
const sortedItem = flatItem.map((o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

describe("canonicalize", () => {
  it("writes lists of flat items, in order or not, exactly as the plain canonical form", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(sortedItem, flatItem, plain), { maxLength: 8 }), (items) => {
        expect(canonicalize({ more: items })).toBe(reference({ more: items }));
      }),
      { numRuns: 500, seed: 8785 },
    );
  });

  it("agrees with the plain canonical form on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalize(v)).toBe(reference(v));
      }),
      { numRuns: 500, seed: 7493 },
    );
  });

  it("sorts RFC 8785's example keys by code unit, inside a list too", () => {
    const sample = { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" };
    const expected = '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(canonicalize(sample)).toBe(expected);
    expect(canonicalize([sample, sample])).toBe(`[${expected},${expected}]`);
  });

  it("takes no shortcut for items JSON.stringify would write differently", () => {
    // A Date's toJSON, a holed or undefined element, an undefined field, an object's own toJSON.
    const at = new Date(0);
    expect(canonicalize([at])).toBe("[{}]");
    expect(canonicalize([1, undefined, 2])).toBe("[1,null,2]");
    expect(canonicalize([{ a: 1, b: undefined }])).toBe('[{"a":1}]');
    expect(canonicalize([{ toJSON: () => "x" }])).toBe(reference([{ toJSON: () => "x" }]));
    expect(() => canonicalize([{ a: Number.POSITIVE_INFINITY }])).toThrow(/non-finite/);
    expect(() => canonicalize([Number.NaN])).toThrow(/non-finite/);
  });
});
