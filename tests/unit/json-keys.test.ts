// Duplicate keys: JSON.parse keeps the last silently, so signed messages must not have any.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJson, parseMessageText } from "../../shared/contracts/index.ts";
import { findDuplicateKey, findLoneSurrogate } from "../../shared/contracts/json-keys.ts";
import { examples } from "../support/examples.ts";

describe("findDuplicateKey", () => {
  it("names the first key given twice, with its path through objects and arrays", () => {
    expect(findDuplicateKey('{"a":1,"a":2}')).toBe("a");
    expect(findDuplicateKey('{"body":{"entities":{"persons":[{"name":"x"},{"name":"y","name":"z"}]}}}')).toBe("body.entities.persons[1].name");
    expect(findDuplicateKey('[{"k":1},{"k":2}]')).toBeUndefined();
    expect(findDuplicateKey('{"a":{"b":1},"c":{"b":2}}')).toBeUndefined();
  });

  it("compares keys decoded and is not fooled by quotes, braces or commas inside strings", () => {
    expect(findDuplicateKey('{"title":"x","\\u0074itle":"y"}')).toBe("title");
    expect(findDuplicateKey('{"t":"a \\"quoted\\", {brace} [and, comma]","u":"\\\\"}')).toBeUndefined();
    expect(findDuplicateKey('{"t":"\\\\","t":1}')).toBe("t");
  });

  it("finds none in anything JSON.stringify writes", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => findDuplicateKey(JSON.stringify(v)) === undefined), { numRuns: 500, seed: 8785 });
  });

  it("finds the one key duplicated anywhere in a generated object, however it is spaced, given the value or not", () => {
    const obj = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 6 });
    fc.assert(
      fc.property(obj, fc.nat(), (o, n) => {
        const keys = Object.keys(o);
        const key = keys[n % keys.length]!;
        const text = JSON.stringify({ body: o }, null, n % 3).replace(/\s*}\s*}$/, () => `,${JSON.stringify(key)}:null}}`);
        return findDuplicateKey(text) === `body.${key}` && findDuplicateKey(text, JSON.parse(text)) === `body.${key}`;
      }),
      { numRuns: 300, seed: 7493 },
    );
  });
});

describe("findDuplicateKey given the parsed value (keys counted first)", () => {
  const both = (text: string) => findDuplicateKey(text, JSON.parse(text));

  it("finds what the scan finds, escapes, white space and quoted punctuation included", () => {
    expect(both('{"a":1,"a":2}')).toBe("a");
    expect(both('{ "a" : {"b":1} ,\n "c":{"b":2} }')).toBeUndefined();
    expect(both('{"title":"x","\\u0074itle":"y"}')).toBe("title");
    expect(both('{"t":"a \\"quoted\\": {brace} [and, comma]","u":"\\\\"}')).toBeUndefined();
    expect(both('{"t":"\\\\","t":1}')).toBe("t");
    expect(both('{"__proto__":1,"__proto__":2}')).toBe("__proto__");
    expect(both('{"k":"\\\\\\":"}')).toBeUndefined();
  });

  it("finds none in any JSON value, however it is spaced", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, 2, "\t"), (v, space) => both(JSON.stringify(v, null, space)) === undefined),
      { numRuns: 500, seed: 8785 },
    );
  });

  it("counts without running out of stack on deep nesting", () => {
    const deep = `${"[".repeat(20_000)}{"a":1,"a":2}${"]".repeat(20_000)}`;
    expect(both(deep)).toBe(`${"[0]".repeat(20_000)}.a`);
  });
});

describe("parsing refuses duplicate keys", () => {
  it("reports the path, where JSON.parse alone would have kept the last value", () => {
    const text = JSON.stringify(examples.alert).replace('"title":', '"title":"Harmless","title":');
    expect(JSON.parse(text).body.title).not.toBe("Harmless");
    expect(parseJson(text)).toEqual({ ok: false, problems: [{ path: "body.title", message: expect.stringContaining("each key once") }] });
    expect(parseMessageText(text).ok).toBe(false);
  });
});

describe("parsing refuses lone surrogates, byte-order marks and invalid UTF-8", () => {
  const alert = JSON.stringify(examples.alert);

  it("names the string or key holding a lone surrogate, escaped or raw", () => {
    const escaped = alert.replace('"title":"', '"title":"\\ud800 ');
    expect(parseJson(escaped)).toEqual({ ok: false, problems: [{ path: "body.title", message: expect.stringContaining("lone surrogate") }] });
    expect(parseMessageText(escaped).ok).toBe(false);
    expect(parseJson('{"a":[1,{"\\udc00":2}]}')).toMatchObject({ ok: false, problems: [{ path: "a[1].\udc00" }] });
    expect(parseJson('"\ud800"')).toMatchObject({ ok: false, problems: [{ path: "" }] });
    // A pair, escaped or not, is one character: accepted.
    expect(parseJson('{"a":"\\ud83d\\ude00 \ud83d\ude00 \\u00e9"}')).toEqual({ ok: true, value: { a: "\ud83d\ude00 \ud83d\ude00 \u00e9" } });
  });

  it("finds none in any JSON of well-formed strings", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "grapheme" }), (v) => {
        const text = JSON.stringify(v);
        return findLoneSurrogate(text, JSON.parse(text)) === undefined;
      }),
      { numRuns: 300, seed: 7493 },
    );
  });

  it("keeps a byte-order mark (then not JSON) and refuses invalid UTF-8 instead of replacing it", () => {
    const bytes = new TextEncoder().encode(alert);
    expect(parseMessageText(bytes).ok).toBe(true);
    expect(parseMessageText(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]))).toMatchObject({ ok: false, problems: [{ path: "", message: expect.stringContaining("not valid JSON") }] });
    const at = alert.indexOf("Harm") >= 0 ? alert.indexOf("Harm") : alert.indexOf('"title":"') + 9;
    const broken = Uint8Array.from(bytes);
    broken[at] = 0xff;
    expect(parseMessageText(broken)).toEqual({ ok: false, problems: [{ path: "", message: "not valid UTF-8" }] });
  });
});

