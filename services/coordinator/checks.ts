// First line of defence for every submission: size, JSON, contract, identity and signature.
// Nothing here throws: every fault becomes a reason the sender is told and the audit records.
// The signature must be made with a key the registry lists for the sender, valid when the
// exchange stored the submission (the stream's own timestamp: a sender chooses its `sentAt`, so a
// holder of a retired key could backdate that, but not this).
import {
  AGENCY_KINDS,
  decodeUtf8,
  MAX_MESSAGE_BYTES,
  type Message,
  parseJson,
  parseMessage,
  readableFields,
  readableFieldsOf,
  type RejectionReason,
  verify,
} from "../../shared/contracts/index.ts";
import { keyOf, validAt } from "../../shared/exchange/agency-keys.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import { boundedText } from "../../shared/contracts/bounded-text.ts";

export type Checked =
  /** `keyEnds`: the end of the signing key's validity, when it has one (a key being replaced). */
  | { ok: true; message: Message; keyEnds?: string }
  | { ok: false; reasons: RejectionReason[]; messageId?: string; kind?: string };

// A rejection's path holds at most 500 characters and its message 1000: a field named by a
// very long key is cut short, marked with an ellipsis, so the rejection itself stays valid.
const PATH_MAX = 500;
const reason = (code: RejectionReason["code"], path: string, message: string): RejectionReason => ({
  code,
  path: boundedText(path, PATH_MAX, "…"),
  message: boundedText(message, 1000),
});

/**
 * `subjectAgency` is the NATS identity that published: server permissions pin it to the user.
 * `storedAtMs`: when the stream stored the submission (wall ms).
 */
export function checkSubmission(data: Uint8Array, subjectAgency: string, subjectKind: string, registry: Registry, storedAtMs: number): Checked {
  if (data.byteLength > MAX_MESSAGE_BYTES)
    return { ok: false, reasons: [reason("too-large", "", `message of ${data.byteLength} bytes, expected at most ${MAX_MESSAGE_BYTES}`)] };
  const decoded = decodeUtf8(data);
  if (!decoded.ok) return { ok: false, reasons: [reason("malformed", "", decoded.problems[0]!.message)], ...readableFieldsOf(data) };
  const text = decoded.value;
  const json = parseJson(text);
  if (!json.ok) return { ok: false, reasons: [reason("malformed", json.problems[0]!.path, json.problems[0]!.message)], ...readableFieldsOf(text) };
  const raw = json.value;
  const ref = readableFields(raw);
  const fail = (...reasons: RejectionReason[]): Checked => ({ ok: false, reasons, ...ref });

  const parsed = parseMessage(raw);
  if (!parsed.ok) return fail(...parsed.problems.slice(0, 50).map((p) => reason(p.path === "" ? "malformed" : "invalid", p.path, p.message)));
  const m = parsed.value;
  if (m.sender !== subjectAgency)
    return fail(reason("sender-mismatch", "sender", `expected ${subjectAgency}: the NATS identity that published this message`));
  if (m.kind !== subjectKind)
    return fail(reason("invalid", "kind", `expected ${subjectKind}: the kind named by the subject it was published on`));
  if (!(AGENCY_KINDS as string[]).includes(m.kind))
    return fail(reason("unauthorised", "kind", `expected a kind agencies may send; ${m.kind} is issued by the coordinator only`));
  const entry = registry.get(m.sender);
  if (!entry) return fail(reason("unknown-sender", "sender", `expected an agency of the registry; ${m.sender} is not one`));
  if (!m.signature) return fail(reason("unsigned", "signature", "expected a signature: every submission must be signed"));
  const key = keyOf(entry, m.signature.key);
  if (!key)
    return fail(reason("bad-signature", "signature.key", `expected signature.key to be ${m.sender}'s registered public key ${entry.publicKey}; ${m.signature.key} is not a key of ${m.sender}`));
  if (key.validFrom || key.validUntil) {
    const valid = validAt(m.sender, key, storedAtMs);
    if (!valid.ok) return fail(reason("bad-signature", "signature.key", valid.reason));
  }
  // Verified on the message exactly as sent: parsing must not add or drop anything signed.
  const v = verify(raw as object, m.signature.key);
  if (!v.ok) return fail(reason("bad-signature", v.reason.includes("key") ? "signature.key" : "signature.value", v.reason));
  return key.validUntil ? { ok: true, message: m, keyEnds: key.validUntil } : { ok: true, message: m };
}

