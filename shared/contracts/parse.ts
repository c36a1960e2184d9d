// Reading messages from the wire or from files, with problems instead of exceptions.
import { z } from "zod";
import { boundedText } from "./bounded-text.ts";
import { AnyId, COORDINATOR_ID, AgencyId, MessageId, Timestamp } from "./primitives.ts";
import { SCHEMA_VERSION } from "./envelope.ts";
import { Message, MESSAGE_KINDS } from "./message.ts";
import { type Problem, toProblems } from "./problems.ts";
import { MAX_MESSAGE_BYTES } from "./subjects.ts";
import { findDuplicateKey, findLoneSurrogate } from "./json-keys.ts";

// The bytes as sent: a byte-order mark is kept (and is then not JSON), invalid UTF-8 is refused
// rather than replaced, so what is checked is what was stored.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** Only to name what failed (its id and kind): a stray byte need not hide which message it was. */
const lenient = new TextDecoder();

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

// Without a known kind the union says only that; the envelope check adds what else is wrong.
const AnyEnvelope = z.object({
  id: AnyId,
  schemaVersion: z.literal(SCHEMA_VERSION),
  sender: z.union([AgencyId, z.literal(COORDINATOR_ID)], { error: `expected an agency id such as AZ, or ${COORDINATOR_ID}` }),
  sentAt: Timestamp,
  body: z.object({}).passthrough(),
});

export function parseMessage(input: unknown): ParseResult<Message> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { ok: false, problems: [{ path: "", message: `expected a JSON object, received ${Array.isArray(input) ? "array" : input === null ? "null" : typeof input}` }] };
  const r = Message.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const problems = toProblems(r.error, input);
  const kind = (input as { kind?: unknown }).kind;
  if (!MESSAGE_KINDS.includes(kind as never)) {
    const env = AnyEnvelope.safeParse(input);
    if (!env.success) problems.push(...toProblems(env.error, input));
  }
  return { ok: false, problems };
}

/** JSON text (or bytes) to a valid message; size, JSON syntax and contract checked in that order. */
export function parseMessageText(text: string | Uint8Array): ParseResult<Message> {
  const bytes = typeof text === "string" ? Buffer.byteLength(text) : text.byteLength;
  if (bytes > MAX_MESSAGE_BYTES)
    return { ok: false, problems: [{ path: "", message: `too large: ${bytes} bytes, expected at most ${MAX_MESSAGE_BYTES}` }] };
  const decoded = typeof text === "string" ? { ok: true as const, value: text } : decodeUtf8(text);
  if (!decoded.ok) return decoded;
  const json = parseJson(decoded.value);
  return json.ok ? parseMessage(json.value) : json;
}

/** The text of UTF-8 bytes exactly: no byte-order mark dropped, no invalid sequence replaced. */
export function decodeUtf8(bytes: Uint8Array): ParseResult<string> {
  try {
    return { ok: true, value: decoder.decode(bytes) };
  } catch {
    return { ok: false, problems: [{ path: "", message: "not valid UTF-8" }] };
  }
}

export function parseJson(text: string): ParseResult<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ path: "", message: `not valid JSON: ${(e as Error).message}` }] };
  }
  const twice = findDuplicateKey(text, value);
  if (twice !== undefined)
    return { ok: false, problems: [{ path: twice, message: "expected each key once in an object (I-JSON): readers disagree on which of two values counts" }] };
  const lone = findLoneSurrogate(text, value);
  if (lone !== undefined)
    return { ok: false, problems: [{ path: lone, message: "expected well-formed Unicode (I-JSON): a lone surrogate has no UTF-8 form, and readers replace or refuse it" }] };
  return { ok: true, value };
}

/**
 * What can still be read from a message that failed its contract: its id (when a valid UUID v7)
 * and kind, so the fault can be reported against the right message.
 */
export function readableFields(value: unknown): { messageId?: string; kind?: string } {
  const v = (typeof value === "object" && value !== null ? value : {}) as { id?: unknown; kind?: unknown };
  const id = MessageId.safeParse(v.id);
  return { ...(id.success ? { messageId: id.data } : {}), ...(typeof v.kind === "string" ? { kind: boundedText(v.kind, 40) } : {}) };
}

/** readableFields of JSON text or bytes; nothing when it is not JSON. */
export function readableFieldsOf(text: string | Uint8Array): { messageId?: string; kind?: string } {
  try {
    return readableFields(JSON.parse(typeof text === "string" ? text : lenient.decode(text)));
  } catch {
    return {};
  }
}
