// Verifying the audit chain as an auditor does: an export (one JSON record per line) or the live
// chain, record by record (hash chain and each record's signature against the registry's
// coordinator keys), and optionally against a signed head kept from earlier, so that a chain cut
// short or rewritten since is caught. A fault is reported once, naming the record and where it was.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { AuditHead, type AuditRecord } from "../contracts/audit.ts";
import { findDuplicateKey } from "../contracts/json-keys.ts";
import { decodeUtf8 } from "../contracts/parse.ts";
import { formatProblem, toProblems } from "../contracts/problems.ts";
import { type ChainHead, ChainVerifier, GENESIS, recordSignatureValid, type TrustedKeys } from "./chain.ts";
import type { ChainReader } from "./chain-read.ts";

/** Where a record was found: a line of a file or a message of the stream. */
export type Where = { line: number } | { streamSeq: number };
/** One item to check: a parsed record, or a fault found before parsing (not JSON, blank line). */
export type Item = { where: Where; record: unknown } | { where: Where; fault: string };

export type AuditVerdict =
  | { ok: true; records: number; head: string; headChecked?: number }
  | { ok: false; records: number; head: string; at: number; line?: number; streamSeq?: number; reason: string };

const whereText = (w: Where) => ("line" in w ? `line ${w.line}` : `stream seq ${w.streamSeq}`);
const seqOf = (v: unknown) => (typeof v === "object" && v && typeof (v as { seq?: unknown }).seq === "number" ? (v as { seq: number }).seq : undefined);

/** A head to check a chain against: parsed, signed with a key of the registry. */
export function checkHead(value: unknown, trusted: TrustedKeys): AuditHead {
  const h = AuditHead.safeParse(value);
  if (!h.success) throw new Error(`not a signed head: ${toProblems(h.error, value).slice(0, 3).map(formatProblem).join("; ")}`);
  if (!trusted.has(h.data.signature.key)) throw new Error(`the head is signed with ${h.data.signature.key}, which is not a coordinator key of the registry`);
  if (!recordSignatureValid(h.data.hash, h.data.signature)) throw new Error("the head's signature does not match its hash: it is not a head a coordinator signed");
  return h.data;
}

/**
 * Checks items in order; after a fault it reads on only to tell a reordering from a removal. With
 * `head`, the chain must also reach the head's record and agree with it.
 */
export async function verifyItems(items: AsyncIterable<Item>, trusted: TrustedKeys, head?: AuditHead): Promise<AuditVerdict> {
  const verifier = new ChainVerifier(trusted);
  let last: ChainHead = GENESIS;
  let fault: Extract<AuditVerdict, { ok: false }> | undefined;
  // Set when a later record came first: is the missing one further on (reordered) or gone?
  let early: { missing: number; found: number } | undefined;
  for await (const item of items) {
    if (fault && early) {
      if ("record" in item && seqOf(item.record) === early.missing) {
        fault.reason = `expected record ${early.missing} but found record ${early.found}: record ${early.missing} comes later, at ${whereText(item.where)} (records reordered)`;
        break;
      }
      continue;
    }
    const line = "line" in item.where ? item.where.line : undefined;
    const at = last.seq + 1;
    if ("fault" in item) {
      fault = { ok: false, records: last.seq, head: last.hash, at, ...item.where, reason: item.fault };
      break;
    }
    if (verifier.push(item.record, line)) {
      const r = item.record as AuditRecord;
      last = { seq: at, hash: r.hash };
      if (head && r.seq === head.seq && r.hash !== head.hash) {
        fault = { ok: false, records: last.seq, head: last.hash, at, ...item.where, reason: `record ${at} disagrees with the head: its hash is ${r.hash}, the head's ${head.hash} (the chain was rewritten since the head was signed)` };
        break;
      }
      continue;
    }
    const r = verifier.result() as Extract<ReturnType<ChainVerifier["result"]>, { ok: false }>;
    fault = { ok: false, records: r.records, head: last.hash, at: r.at, ...item.where, reason: r.reason };
    const found = seqOf(item.record);
    if (found !== undefined && found > at && /records removed/.test(r.reason)) early = { missing: at, found };
    else break;
  }
  if (fault) return fault;
  if (head && last.seq < head.seq)
    return {
      ok: false, records: last.seq, head: last.hash, at: last.seq + 1,
      reason: `the chain ends at record ${last.seq}, before the head's record ${head.seq}: ${head.seq - last.seq} record${head.seq - last.seq === 1 ? " is" : "s are"} missing from its end (cut short)`,
    };
  return { ok: true, records: last.seq, head: last.hash, ...(head ? { headChecked: head.seq } : {}) };
}

/** An export, line by line: blank lines are allowed only at the end. */
export async function* fileItems(file: string): AsyncGenerator<Item> {
  // Lines read as bytes (latin1 keeps each byte one character) and decoded exactly: invalid UTF-8
  // or a byte-order mark is a fault, not replaced or dropped, so what verifies is the file as it is.
  const rl = createInterface({ input: createReadStream(file, { encoding: "latin1" }), crlfDelay: Infinity });
  let n = 0;
  let blank: number | undefined;
  for await (const raw of rl) {
    n++;
    const decoded = decodeUtf8(Buffer.from(raw, "latin1"));
    if (!decoded.ok) {
      yield { where: { line: n }, fault: `line ${n} is not valid UTF-8` };
      continue;
    }
    // JSON's own white space only (a CR of CRLF lines among it), not what String.trim also takes.
    const text = decoded.value.replace(/^[ \t\r]+|[ \t\r]+$/g, "");
    if (!text) {
      blank ??= n;
      continue;
    }
    if (blank !== undefined) yield { where: { line: blank }, fault: `line ${blank} is empty: expected a record` };
    blank = undefined;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (e) {
      yield { where: { line: n }, fault: `line ${n} is not JSON: ${(e as Error).message}` };
      continue;
    }
    // A record naming a key twice reads differently to different readers (JSON.parse keeps the
    // last), while its hash and signature hold for the one JSON.parse made of it.
    const twice = findDuplicateKey(text, record);
    if (twice === undefined) yield { where: { line: n }, record };
    else yield { where: { line: n }, fault: `line ${n} names ${twice} twice: readers disagree on which value counts (expected each key once, I-JSON)` };
  }
}

/** The live chain up to `toSeq` (default: its end when reading began), read without a consumer. */
export async function* streamItems(chain: ChainReader, toSeq?: number): AsyncGenerator<Item> {
  for await (const s of chain.read(toSeq === undefined ? {} : { toSeq })) {
    const where = { streamSeq: s.streamSeq };
    yield s.notJson ? { where, fault: `stream message ${s.streamSeq} is not JSON` } : { where, record: s.record };
  }
}

export function verdictLine(v: AuditVerdict): string {
  if (v.ok) return `audit chain verified: ${v.records} records, head ${v.head}${v.headChecked ? `; reaches the signed head (record ${v.headChecked}) and agrees with it` : ""}`;
  const where = v.line !== undefined ? ` (line ${v.line})` : v.streamSeq !== undefined ? ` (stream seq ${v.streamSeq})` : "";
  return `audit chain broken at record ${v.at}${where}: ${v.reason}`;
}
