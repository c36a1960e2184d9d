// Hash-chain arithmetic, shared by the writer and every verifier.
import { createHash } from "node:crypto";
import { canonicalize } from "../contracts/canonical.ts";
import { type AuditEntry, AuditRecord, GENESIS_HASH } from "../contracts/audit.ts";
import { toProblems, formatProblem } from "../contracts/problems.ts";

export const recordHash = (record: Omit<AuditRecord, "hash">): string =>
  createHash("sha256").update(canonicalize(record)).digest("hex");

export interface ChainHead {
  seq: number;
  hash: string;
}
export const GENESIS: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The record that follows `head`. */
export function chainRecord(head: ChainHead, entry: AuditEntry, recordedAt: string): AuditRecord {
  const body = { ...entry, data: entry.data ?? {}, seq: head.seq + 1, prevHash: head.hash, recordedAt };
  return { ...body, hash: recordHash(body) };
}

export type VerifyFailure = { ok: false; records: number; at: number; line?: number; reason: string };
export type ChainVerdict = { ok: true; records: number; head: ChainHead } | VerifyFailure;

/**
 * Checks records in order. Stops at the first fault and says where: a record that was edited
 * (hash), removed or reordered (seq, prevHash), or that is not a record at all.
 */
export class ChainVerifier {
  private head: ChainHead = GENESIS;
  private count = 0;
  private failure: VerifyFailure | undefined;

  push(value: unknown, line?: number): boolean {
    if (this.failure) return false;
    const where = line === undefined ? {} : { line };
    const parsed = AuditRecord.safeParse(value);
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
    const { hash, ...rest } = r;
    if (recordHash(rest) !== hash) return fail(`record ${r.seq} was edited: its hash does not match its content`);
    this.head = { seq: r.seq, hash };
    this.count++;
    return true;
  }

  result(): ChainVerdict {
    return this.failure ?? { ok: true, records: this.count, head: this.head };
  }
}
