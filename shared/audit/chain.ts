// Hash-chain arithmetic and record signatures, shared by the writer and every verifier.
import { createHash } from "node:crypto";
import { canonicalize } from "../contracts/canonical.ts";
import { type AuditEntry, type AuditHead, type AuditRecord, GENESIS_HASH, StoredAuditRecord } from "../contracts/audit.ts";
import type { Signature } from "../contracts/envelope.ts";
import { toProblems, formatProblem } from "../contracts/problems.ts";
import { signValue, verifyValue } from "../contracts/signing.ts";

const encoder = new TextEncoder();

/** SHA-256 (hex) of the canonical form of the record without `hash` and `signature`. */
export function recordHash(record: object): string {
  const { hash: _h, signature: _s, ...rest } = record as { hash?: unknown; signature?: unknown };
  return createHash("sha256").update(canonicalize(rest)).digest("hex");
}

/** What a record's signature covers: the UTF-8 bytes of its hash (64 hex characters). */
export const signRecordHash = (hash: string, seed: string): Signature => signValue(seed, encoder.encode(hash));
export const recordSignatureValid = (hash: string, signature: Signature): boolean => verifyValue(signature.key, encoder.encode(hash), signature.value);

export interface ChainHead {
  seq: number;
  hash: string;
}
export const GENESIS: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The record that follows `head`, signed with `seed` (the writing instance's key). */
export function chainRecord(head: ChainHead, entry: AuditEntry, recordedAt: string, seed: string): AuditRecord {
  const body = { ...entry, seq: head.seq + 1, prevHash: head.hash, recordedAt };
  const hash = recordHash(body);
  return { ...body, hash, signature: signRecordHash(hash, seed) } as AuditRecord;
}

/** The head a record makes: what `atix audit head` prints and coordinators publish. */
export function headOf(r: AuditRecord, signer?: string): AuditHead {
  return { seq: r.seq, hash: r.hash, at: r.at, recordedAt: r.recordedAt, ...(signer ? { signer } : {}), signature: r.signature };
}

/** The coordinator keys a verifier trusts: the registry's (shared/exchange/coordinator-keys.ts). */
export interface TrustedKeys {
  has(publicKey: string): boolean;
}

export type VerifyFailure = { ok: false; records: number; at: number; line?: number; reason: string };
export type ChainVerdict = { ok: true; records: number; head: ChainHead; last?: AuditRecord } | VerifyFailure;

/** Why a record's signature does not stand, or undefined when it does. */
export function signatureProblem(r: StoredAuditRecord, trusted: TrustedKeys): string | undefined {
  const s = r.signature;
  if (!s)
    return `record ${r.seq} has no signature: it was written before ATIX signed its audit records, so the chain cannot be verified from it on (export a chain written by a coordinator that signs)`;
  if (!trusted.has(s.key)) return `record ${r.seq} is signed with ${s.key}, which is not a coordinator key of the registry`;
  if (!recordSignatureValid(r.hash, s)) return `record ${r.seq}'s signature does not match its hash: the record was changed after its coordinator signed it`;
  return undefined;
}

/**
 * Checks records in order. Stops at the first fault and says where: a record that was edited
 * (hash, or its signature when the hash was recomputed), removed or reordered (seq, prevHash),
 * not signed by a coordinator key of the registry, or not a record at all.
 */
export class ChainVerifier {
  private head: ChainHead = GENESIS;
  private lastRecord: AuditRecord | undefined;
  private count = 0;
  private failure: VerifyFailure | undefined;

  constructor(private readonly trusted: TrustedKeys) {}

  push(value: unknown, line?: number): boolean {
    if (this.failure) return false;
    const where = line === undefined ? {} : { line };
    const parsed = StoredAuditRecord.safeParse(value);
    const expectSeq = this.head.seq + 1;
    const fail = (reason: string) => {
      this.failure = { ok: false, records: this.count, at: expectSeq, ...where, reason };
      return false;
    };
    if (!parsed.success) return fail(`record ${expectSeq} is malformed: ${toProblems(parsed.error, value).map(formatProblem).join("; ")}`);
    const r = parsed.data;
    if (r.seq !== expectSeq)
      return fail(`expected record ${expectSeq} but found record ${r.seq}: ${r.seq > expectSeq ? "records removed or reordered" : "records reordered or repeated"}`);
    if (r.prevHash !== this.head.hash) return fail(`record ${r.seq} does not follow record ${this.head.seq}: prevHash differs (removed or reordered)`);
    if (recordHash(r) !== r.hash) return fail(`record ${r.seq} was edited: its hash does not match its content`);
    const unsigned = signatureProblem(r, this.trusted);
    if (unsigned) return fail(unsigned);
    this.head = { seq: r.seq, hash: r.hash };
    this.lastRecord = r as AuditRecord;
    this.count++;
    return true;
  }

  result(): ChainVerdict {
    return this.failure ?? { ok: true, records: this.count, head: this.head, ...(this.lastRecord ? { last: this.lastRecord } : {}) };
  }
}
