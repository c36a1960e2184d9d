// Hostile submissions, generated with fast-check: what a broken or compromised agency node can
// publish on its own submit subject, each with the reason the coordinator must give for refusing
// it (a rejection code and the field it names). Injection strings in the free text of an otherwise
// valid, signed alert are data, not an attack on the contract: arbInjectedAlert makes those, and
// they must be accepted and delivered byte for byte.
import fc from "fast-check";
import {
  AGENCY_KINDS,
  COORDINATOR_ID,
  formatPath,
  MAX_MESSAGE_BYTES,
  MESSAGE_KINDS,
  PRECEDENCES,
  type RejectionReason,
  sign,
} from "../../shared/contracts/index.ts";
import {
  arbCategory,
  arbEvaluation,
  arbMessageOf,
  arbPrecedence,
  arbSignature,
  arbText,
  arbTlp,
  arbUuidV7Bits,
  arbWideDistribution,
  HOUR,
  uuidV7,
} from "./arbitraries.ts";
import { arbInjection, arbLongRun, BLANKS, INJECTIONS } from "./injections.ts";

export const HOSTILE_CATEGORIES = [
  "malformed-json",
  "wrong-type",
  "oversized",
  "unknown-kind",
  "hostile-subject",
  "forged-signature",
  "posing",
  "tlp-red-unnamed",
  "injection",
] as const;
/** Replays are made at run time from messages the exchange accepted, so they are not generated here. */
export type HostileCategory = (typeof HOSTILE_CATEGORIES)[number] | "replay";

type Code = RejectionReason["code"];
/** The coordinator must give a reason with one of `codes` naming one of `paths` (or a field containing it). */
export interface Expected {
  codes: readonly Code[];
  paths: readonly string[];
}

export interface Hostile {
  category: HostileCategory;
  /** What is wrong with it, for failure messages. */
  what: string;
  /** The last token of the subject it is published on (the kind, for an honest node). */
  subjectKind: string;
  data: Uint8Array;
  /** The id the coordinator can still read from it: its outcome goes live to that id. */
  messageId?: string;
  expect: Expected;
}

export interface Party {
  agency: string;
  seed: string;
}
export interface HostileContext {
  /** The publishing identity: the node that misbehaves. */
  self: Party;
  /** Another registered agency, whose name or key the node abuses. */
  other: Party;
  /** The registry's agencies. */
  agencies: readonly string[];
  /** Simulated now: generated messages are sent around it. */
  nowMs: number;
}

type Json = Record<string, any>;
type Path = (string | number)[];

const encoder = new TextEncoder();
const toBytes = (v: unknown): Uint8Array => encoder.encode(typeof v === "string" ? v : JSON.stringify(v));
const clone = <T>(v: T): T => structuredClone(v);

function setAt(target: Json, path: Path, value: unknown): void {
  let node: any = target;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]!] = value;
}
const getAt = (target: unknown, path: Path): unknown => path.reduce<any>((v, k) => v?.[k], target);

/** Every node below the root, parents before children. */
function nodePaths(v: unknown, prefix: Path = []): Path[] {
  if (v === null || typeof v !== "object") return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...prefix, k], ...nodePaths((v as any)[k], [...prefix, k])]);
}

const jsonType = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
/** Stand-ins of every JSON type: each field gets one of a type it does not have. */
const OTHER_TYPED: readonly unknown[] = [0, -1.5, 1e308, true, false, null, "", "AZ", [], [1, "two"], {}, { nested: { deeper: [null] } }];

/** A reason names the field when its path is the field or a field containing it (never the whole message unless expected). */
export function namesField(reasonPath: string, paths: readonly string[]): boolean {
  return paths.some(
    (p) =>
      reasonPath === p ||
      (reasonPath !== "" && (p.startsWith(`${reasonPath}.`) || p.startsWith(`${reasonPath}[`))) ||
      // A path too long for a rejection is cut short and marked with an ellipsis.
      (reasonPath.endsWith("…") && p.startsWith(reasonPath.slice(0, -1))),
  );
}

export const meetsExpectation = (reasons: readonly RejectionReason[], e: Expected): boolean =>
  reasons.some((r) => e.codes.includes(r.code) && namesField(r.path, e.paths));

// ---------------------------------------------------------------------------------------------
// Messages to spoil
// ---------------------------------------------------------------------------------------------

const others = (ctx: HostileContext) => ctx.agencies.filter((a) => a !== ctx.self.agency);

/** A plain, valid, unsigned alert from ctx.self to some named agencies, sent around now. */
export const arbPlainAlert = (ctx: HostileContext): fc.Arbitrary<Json> =>
  fc
    .record({
      offset: fc.integer({ min: -HOUR, max: HOUR }),
      bits: arbUuidV7Bits,
      precedence: arbPrecedence,
      category: arbCategory,
      evaluation: arbEvaluation,
      title: arbText(200),
      tlp: arbTlp,
      handling: fc.constantFrom("H0", "H1", "H2"),
      recipients: fc.subarray(others(ctx), { minLength: 1, maxLength: 3 }),
    })
    .map(({ offset, bits, recipients, ...body }) => {
      const ms = ctx.nowMs + offset;
      return {
        id: uuidV7(ms, bits),
        kind: "alert",
        schemaVersion: "1.0",
        sender: ctx.self.agency,
        sentAt: new Date(ms).toISOString(),
        body: { ...body, distribution: { agencies: recipients } },
      };
    });

/** A valid message of any kind an agency may send, in all its richness, from ctx.self. */
const arbOwnMessage = (ctx: HostileContext): fc.Arbitrary<Json> =>
  fc
    .oneof(...AGENCY_KINDS.map((k) => arbMessageOf(k) as fc.Arbitrary<unknown>))
    .map((m) => ({ ...(m as Json), sender: ctx.self.agency }));

const signAs = (m: Json, p: Party): Json => sign(m, p.seed);

// ---------------------------------------------------------------------------------------------
// The categories
// ---------------------------------------------------------------------------------------------

const MALFORMED: Expected = { codes: ["malformed"], paths: [""] };
const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
const parsesToObject = (text: string) => {
  try {
    return isObject(JSON.parse(text));
  } catch {
    return false;
  }
};

const malformedJson = (ctx: HostileContext): fc.Arbitrary<Hostile> => {
  const h = (what: string, text: string | Uint8Array): Hostile => ({
    category: "malformed-json", what, subjectKind: "alert", data: typeof text === "string" ? toBytes(text) : text, expect: MALFORMED,
  });
  return fc.oneof(
    fc.tuple(arbPlainAlert(ctx), fc.nat()).map(([m, at]) => {
      const text = JSON.stringify(signAs(m, ctx.self));
      const cut = 1 + (at % (text.length - 1));
      return h(`signed alert cut after ${cut} of ${text.length} characters`, text.slice(0, cut));
    }),
    fc.uint8Array({ maxLength: 600 }).filter((b) => !parsesToObject(new TextDecoder().decode(b))).map((b) => h(`${b.length} random bytes`, b)),
    fc.jsonValue({ maxDepth: 3 }).filter((v) => !isObject(v)).map((v) => h(`JSON ${jsonType(v)}, not an object`, JSON.stringify(v))),
    fc.tuple(arbPlainAlert(ctx), fc.constantFrom("}", ",", "\u0000", " x", "]", "{}")).map(([m, tail]) =>
      h(`signed alert followed by ${JSON.stringify(tail)}`, JSON.stringify(signAs(m, ctx.self)) + tail),
    ),
    fc.integer({ min: 1_000, max: 100_000 }).map((n) => h(`array nested ${n} deep`, "[".repeat(n) + "]".repeat(n))),
    fc.constantFrom("{'id': 1}", "{id: 1}", "NaN", "{\"kind\":\"alert\",}", "/* note */ {}", "undefined", "{\"a\":1}{\"b\":2}").map((t) => h(`not JSON: ${t}`, t)),
  );
};

const wrongType = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc.tuple(arbOwnMessage(ctx), fc.nat(), fc.nat()).map(([m, i, j]) => {
    const signed = signAs(m, ctx.self);
    const paths = nodePaths(signed);
    const path = paths[i % paths.length]!;
    const current = getAt(signed, path);
    const candidates = OTHER_TYPED.filter((v) => jsonType(v) !== jsonType(current));
    const value = candidates[j % candidates.length];
    setAt(signed, path, clone(value));
    const field = formatPath(path);
    return {
      category: "wrong-type", what: `${m.kind}: ${field} is ${jsonType(value)} instead of ${jsonType(current)}`, subjectKind: m.kind,
      data: toBytes(signed), ...(path[0] === "id" ? {} : { messageId: signed.id }), expect: { codes: ["invalid"], paths: [field] },
    };
  });

const oversized = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc
    // Up to what the submissions stream stores (SUBMISSION_MAX_BYTES, headers included): beyond, the
    // broker refuses the publish itself (flood.integration.test.ts).
    .tuple(arbPlainAlert(ctx), fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 4_000 })), fc.constantFrom("summary", "white space", "two-byte summary"))
    .map(([m, extra, how]) => {
      let text: string;
      if (how === "white space") {
        const json = JSON.stringify(signAs(m, ctx.self));
        text = json + " ".repeat(MAX_MESSAGE_BYTES + extra - json.length); // valid JSON, exactly `extra` bytes too many
      } else {
        // UTF-16 length and bytes differ for "Ж": the limit is in bytes.
        const summary = how === "summary" ? "x".repeat(MAX_MESSAGE_BYTES + extra) : "Ж".repeat(MAX_MESSAGE_BYTES / 2 + Math.ceil(extra / 2));
        text = JSON.stringify(signAs({ ...m, body: { ...m.body, summary } }, ctx.self));
      }
      const data = toBytes(text);
      return { category: "oversized", what: `${data.byteLength} bytes (${how})`, subjectKind: "alert", data, expect: { codes: ["too-large"], paths: [""] } };
    });

const UNKNOWN_KINDS = ["Alert", "ALERT", "alerts", "alert ", "", "alert\u0000", "ale\u200Brt", "announcement", "command", "admin", "toString", ...INJECTIONS];
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

const unknownKind = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc.oneof(
    fc.tuple(arbPlainAlert(ctx), fc.constantFrom(...UNKNOWN_KINDS)).map(([m, kind]): Hostile => {
      const signed = signAs({ ...m, kind }, ctx.self);
      return {
        category: "unknown-kind", what: `kind ${JSON.stringify(kind)}`, subjectKind: SUBJECT_TOKEN.test(kind) ? kind : "alert",
        data: toBytes(signed), messageId: m.id, expect: { codes: ["invalid"], paths: ["kind"] },
      };
    }),
    // Kinds only the coordinator issues, sent by an agency as itself or as the coordinator.
    fc
      .tuple(fc.constantFrom("acceptance", "rejection", "escalation").chain((k) => arbMessageOf(k)), fc.boolean())
      .map(([m, asCoordinator]): Hostile => {
        const signed = signAs({ ...(m as Json), sender: asCoordinator ? COORDINATOR_ID : ctx.self.agency }, ctx.self);
        return {
          category: "unknown-kind", what: `${m.kind} (a coordinator kind) sent as ${signed.sender}`, subjectKind: m.kind,
          data: toBytes(signed), messageId: signed.id, expect: { codes: ["invalid", "sender-mismatch", "unauthorised"], paths: ["sender", "kind"] },
        };
      }),
  );

const hostileSubject = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc
    .tuple(arbOwnMessage(ctx), fc.constantFrom<string>(...MESSAGE_KINDS, "bogus", "ALERT", "alert-", "0", "*", ">"))
    .filter(([m, token]) => m.kind !== token)
    .map(([m, token]) => ({
      category: "hostile-subject", what: `valid ${m.kind} on subject kind ${token}`, subjectKind: token,
      data: toBytes(signAs(m, ctx.self)), messageId: m.id, expect: { codes: ["invalid"], paths: ["kind"] },
    }));

const FORGERIES = ["other agency's key", "title changed", "precedence changed", "recipient added", "id changed", "unsigned", "random signature", "signature of another message"] as const;

const forgedSignature = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc.tuple(arbPlainAlert(ctx), arbPlainAlert(ctx), fc.constantFrom(...FORGERIES), arbSignature).map(([m, second, how, random]) => {
    let s = signAs(m, how === "other agency's key" ? ctx.other : ctx.self);
    let expect: Expected = { codes: ["bad-signature"], paths: ["signature.value"] };
    switch (how) {
      case "other agency's key":
        expect = { codes: ["bad-signature"], paths: ["signature.key"] };
        break;
      case "title changed":
        s.body.title = s.body.title === "Stand down: false alarm" ? "Stand down" : "Stand down: false alarm";
        break;
      case "precedence changed":
        s.body.precedence = PRECEDENCES[(PRECEDENCES.indexOf(s.body.precedence) + 1) % PRECEDENCES.length];
        break;
      case "recipient added": {
        const extra = others(ctx).find((a) => !s.body.distribution.agencies.includes(a));
        if (extra) s.body.distribution.agencies.push(extra);
        else s.body.distribution.agencies.pop();
        break;
      }
      case "id changed":
        s.id = second.id;
        break;
      case "unsigned":
        delete s.signature;
        expect = { codes: ["unsigned"], paths: ["signature"] };
        break;
      case "random signature":
        s.signature.value = random.value;
        break;
      case "signature of another message":
        s = { ...s, signature: signAs(second, ctx.self).signature };
        break;
    }
    return { category: "forged-signature", what: how, subjectKind: "alert", data: toBytes(s), messageId: s.id, expect };
  });

const posing = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc
    .tuple(arbPlainAlert(ctx), fc.constantFrom("as another agency, own key", "as another agency, its key", "as an unregistered agency", "as the coordinator"))
    .map(([m, how]) => {
      const sender = how.startsWith("as another") ? ctx.other.agency : how === "as the coordinator" ? COORDINATOR_ID : "ZZ";
      const signed = signAs({ ...m, sender }, how === "as another agency, its key" ? ctx.other : ctx.self);
      return {
        category: "posing", what: how, subjectKind: "alert", data: toBytes(signed), messageId: m.id,
        expect: { codes: ["sender-mismatch", "invalid"], paths: ["sender"] },
      };
    });

/** TLP:RED may go to named agencies only: `agencies` and nothing else. */
const namedOnly = (d: Json) => Array.isArray(d.agencies) && d.agencies.length > 0 && Object.keys(d).length === 1;

const tlpRedUnnamed = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc
    .tuple(fc.oneof(arbPlainAlert(ctx), arbMessageOf("rfi").map((m): Json => ({ ...(m as Json), sender: ctx.self.agency }))), arbWideDistribution.filter((d) => !namedOnly(d)))
    .map(([m, distribution]): Hostile => {
      const signed = signAs({ ...m, body: { ...m.body, tlp: "RED", distribution } }, ctx.self);
      return {
        category: "tlp-red-unnamed", what: `${m.kind} TLP:RED to ${Object.keys(distribution).join("+")}`, subjectKind: m.kind,
        data: toBytes(signed), messageId: m.id, expect: { codes: ["invalid"], paths: ["body.distribution.agencies"] },
      };
    });

/** Addresses the alert by one selector other than named agencies: no longer TLP:RED, which that would break too. */
function addressTo(m: Json, selector: string, value: string) {
  m.body.distribution = { [selector]: [value] };
  if (m.body.tlp === "RED") m.body.tlp = "AMBER";
}

// Structured fields take ids, codes and names: an injection string is never one of them. Each
// entry puts the string in place; `signed` fields are spoiled after signing.
const STRUCTURED: { path: Path; put?: (m: Json, s: string) => void; codes?: Code[]; signed?: true }[] = [
  { path: ["id"] },
  { path: ["sender"], codes: ["invalid", "sender-mismatch"] },
  { path: ["sentAt"] },
  { path: ["schemaVersion"] },
  { path: ["correlationId"] },
  { path: ["inReplyTo"] },
  { path: ["body", "precedence"] },
  { path: ["body", "category"] },
  { path: ["body", "tlp"] },
  { path: ["body", "handling"] },
  { path: ["body", "evaluation", "reliability"] },
  { path: ["body", "validUntil"] },
  { path: ["body", "distribution", "agencies", 0] },
  // A name-shaped string (e.g. "constructor") passes the contract and is refused as unknown.
  { path: ["body", "distribution", "organisations", 0], put: (m, s) => addressTo(m, "organisations", s), codes: ["invalid", "unknown-reference"] },
  { path: ["body", "distribution", "sharingGroups", 0], put: (m, s) => addressTo(m, "sharingGroups", s), codes: ["invalid", "unknown-reference"] },
  { path: ["body", "distribution", "regions", 0], put: (m, s) => addressTo(m, "regions", s) },
  { path: ["body", "indicators", 0, "value"], put: (m, s) => (m.body.indicators = [{ type: "ipv4", value: s }]) },
  { path: ["body", "location", "country"], put: (m, s) => (m.body.location = { lat: 40.4, lon: 49.9, country: s }) },
  { path: ["signature", "alg"], signed: true },
  { path: ["signature", "key"], signed: true },
];

/** Free-text fields of an alert and their lengths in the contract. */
export const TEXT_FIELDS: readonly { path: Path; max: number }[] = [
  { path: ["body", "title"], max: 200 },
  { path: ["body", "summary"], max: 4000 },
  { path: ["body", "handlingNote"], max: 500 },
  { path: ["body", "location", "name"], max: 200 },
  { path: ["body", "entities", "persons", 0, "fullName"], max: 200 },
  { path: ["body", "entities", "persons", 0, "aliases", 0], max: 200 },
  { path: ["body", "entities", "persons", 0, "description"], max: 2000 },
  { path: ["body", "entities", "persons", 0, "documents", 0, "number"], max: 50 },
  { path: ["body", "entities", "organisations", 0, "name"], max: 200 },
  { path: ["body", "entities", "organisations", 0, "aliases", 0], max: 200 },
  { path: ["body", "entities", "organisations", 0, "designation"], max: 200 },
  { path: ["body", "entities", "organisations", 0, "description"], max: 2000 },
  { path: ["body", "entities", "vehicles", 0, "make"], max: 100 },
  { path: ["body", "entities", "vehicles", 0, "model"], max: 100 },
  { path: ["body", "entities", "vehicles", 0, "colour"], max: 50 },
  { path: ["body", "entities", "vehicles", 0, "registration"], max: 30 },
  { path: ["body", "entities", "vehicles", 0, "description"], max: 2000 },
  { path: ["body", "entities", "places", 0, "name"], max: 200 },
  { path: ["body", "entities", "places", 0, "description"], max: 2000 },
  { path: ["body", "entities", "events", 0, "title"], max: 200 },
  { path: ["body", "entities", "events", 0, "place"], max: 200 },
  { path: ["body", "entities", "events", 0, "description"], max: 2000 },
  { path: ["body", "indicators", 0, "description"], max: 500 },
];

/** An alert with every free-text field present (placeholders until filled in). */
const withEveryTextField = (m: Json): Json => ({
  ...m,
  body: {
    ...m.body,
    summary: "-", handlingNote: "-", location: { name: "-", lat: 40.37, lon: 49.83 },
    entities: {
      persons: [{ fullName: "-", aliases: ["-"], description: "-", documents: [{ type: "passport", number: "-", issuingCountry: "AZ" }] }],
      organisations: [{ name: "-", aliases: ["-"], designation: "-", description: "-" }],
      vehicles: [{ type: "truck", make: "-", model: "-", colour: "-", registration: "-", description: "-" }],
      places: [{ name: "-", country: "AZ", description: "-" }],
      events: [{ title: "-", place: "-", description: "-" }],
    },
    indicators: [{ type: "ipv4", value: "203.0.113.7", description: "-" }],
  },
});

/** Text the contract accepts in a field of `max` characters: injection strings, long runs, anything not blank. */
const arbTextWithin = (max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 4, arbitrary: arbInjection },
      { weight: 1, arbitrary: arbLongRun(max) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }) },
    )
    .map((s) => s.slice(0, max))
    .filter((s) => /\S/.test(s));

/** Text the contract refuses in a field of `max` characters: blank, or too long. */
const arbTextBeyond = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...BLANKS),
    fc.integer({ min: max + 1, max: max + 3000 }).chain((n) => fc.oneof(arbLongRun(n), arbInjection.map((s) => s.repeat(Math.ceil(n / s.length)).slice(0, n)))),
  );

const arbFilledAlert = (ctx: HostileContext) =>
  fc.tuple(arbPlainAlert(ctx), fc.tuple(...TEXT_FIELDS.map((f) => arbTextWithin(f.max)))).map(([m, texts]) => {
    const full = withEveryTextField(m);
    TEXT_FIELDS.forEach((f, i) => setAt(full, f.path, texts[i]));
    return full;
  });

const injection = (ctx: HostileContext): fc.Arbitrary<Hostile> =>
  fc.oneof(
    fc.tuple(arbPlainAlert(ctx), fc.constantFrom(...STRUCTURED), fc.oneof(arbInjection, arbLongRun(5000))).map(([m, f, s]): Hostile => {
      let signed: Json;
      if (f.signed) {
        signed = signAs(m, ctx.self);
        setAt(signed, f.path, s);
      } else {
        const target = clone(m);
        (f.put ?? ((x: Json, v: string) => setAt(x, f.path, v)))(target, s);
        signed = signAs(target, ctx.self);
      }
      const field = formatPath(f.path);
      return {
        category: "injection", what: `${field} = ${JSON.stringify(s.slice(0, 60))}`, subjectKind: "alert", data: toBytes(signed),
        ...(f.path[0] === "id" ? {} : { messageId: m.id }), expect: { codes: f.codes ?? ["invalid"], paths: [field] },
      };
    }),
    // An unknown field named by an injection string: refused at its own path (cut short when long).
    fc.tuple(arbPlainAlert(ctx), fc.oneof(arbInjection, arbLongRun(2000)), fc.boolean()).map(([m, name, inBody]): Hostile => {
      const target = clone(m);
      // Defined, not assigned: assigning "__proto__" would set the prototype, not add a field.
      Object.defineProperty(inBody ? target.body : target, name, { value: "x", enumerable: true, writable: true, configurable: true });
      const field = formatPath(inBody ? ["body", name] : [name]);
      return {
        category: "injection", what: `unknown field ${JSON.stringify(name.slice(0, 60))}`, subjectKind: "alert",
        data: toBytes(signAs(target, ctx.self)), messageId: m.id, expect: { codes: ["invalid"], paths: [field] },
      };
    }),
    // Free text beyond what the contract allows: blank or too long.
    fc.tuple(arbFilledAlert(ctx), fc.nat(TEXT_FIELDS.length - 1)).chain(([m, i]) =>
      arbTextBeyond(TEXT_FIELDS[i]!.max).map((s): Hostile => {
        const target = clone(m);
        setAt(target, TEXT_FIELDS[i]!.path, s);
        const field = formatPath(TEXT_FIELDS[i]!.path);
        return {
          category: "injection", what: `${field}: ${s.length} characters${/\S/.test(s) ? "" : ", blank"}`, subjectKind: "alert",
          data: toBytes(signAs(target, ctx.self)), messageId: m.id, expect: { codes: ["invalid"], paths: [field] },
        };
      }),
    ),
  );

const CATEGORY_ARBITRARIES: Record<(typeof HOSTILE_CATEGORIES)[number], (ctx: HostileContext) => fc.Arbitrary<Hostile>> = {
  "malformed-json": malformedJson,
  "wrong-type": wrongType,
  oversized,
  "unknown-kind": unknownKind,
  "hostile-subject": hostileSubject,
  "forged-signature": forgedSignature,
  posing,
  "tlp-red-unnamed": tlpRedUnnamed,
  injection,
};

export const arbHostile = (ctx: HostileContext, category: (typeof HOSTILE_CATEGORIES)[number]): fc.Arbitrary<Hostile> => CATEGORY_ARBITRARIES[category](ctx);

/** Re-submission of an accepted message: its exact bytes again, as a new stream message. */
export const replayOf = (accepted: { id: string; kind: string; data: Uint8Array }): Hostile => ({
  category: "replay", what: `replay of ${accepted.id}`, subjectKind: accepted.kind, data: accepted.data, messageId: accepted.id,
  expect: { codes: ["replay"], paths: ["id"] },
});

// ---------------------------------------------------------------------------------------------
// Valid alerts
// ---------------------------------------------------------------------------------------------

/** A valid, signed alert whose every free-text field holds injection strings or long runs: data to deliver unchanged. */
export const arbInjectedAlert = (ctx: HostileContext): fc.Arbitrary<{ message: Json; texts: { field: string; text: string }[] }> =>
  arbFilledAlert(ctx).map((m) => ({
    message: signAs(m, ctx.self),
    texts: TEXT_FIELDS.map((f) => ({ field: formatPath(f.path), text: getAt(m, f.path) as string })),
  }));

/** Ordinary valid traffic from ctx.self: to all (never TLP:RED) or to named agencies. */
export const arbValidAlert = (ctx: HostileContext): fc.Arbitrary<Json> =>
  fc.tuple(arbPlainAlert(ctx), fc.boolean()).map(([m, toAll]) =>
    signAs(toAll ? { ...m, body: { ...m.body, tlp: m.body.tlp === "RED" ? "AMBER" : m.body.tlp, distribution: { all: true } } } : m, ctx.self),
  );
