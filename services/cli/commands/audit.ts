// `atix audit export` and `atix audit verify`: the audit chain as an auditor handles it. The
// chain is read in stream order, written one record per line, and verified record by record;
// a fault is reported once, naming the record and where it was found.
import { createReadStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import type { NatsConnection } from "@nats-io/transport-node";
import { type ChainHead, ChainVerifier, GENESIS } from "../../../shared/audit/chain.ts";
import { readAudit } from "../../../shared/audit/reader.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { CliError } from "../errors.ts";

/** Where a record was found: a line of a file or a message of the stream. */
type Where = { line: number } | { streamSeq: number };
/** One item to check: a parsed record, or a fault found before parsing (not JSON, blank line). */
type Item = { where: Where; record: unknown } | { where: Where; fault: string };

export type AuditVerdict =
  | { ok: true; records: number; head: string }
  | { ok: false; records: number; head: string; at: number; line?: number; streamSeq?: number; reason: string };

const whereText = (w: Where) => ("line" in w ? `line ${w.line}` : `stream seq ${w.streamSeq}`);
const seqOf = (v: unknown) => (typeof v === "object" && v && typeof (v as { seq?: unknown }).seq === "number" ? (v as { seq: number }).seq : undefined);

/** Checks items in order; after a fault it reads on only to tell a reordering from a removal. */
export async function verifyItems(items: AsyncIterable<Item>): Promise<AuditVerdict> {
  const verifier = new ChainVerifier();
  let head: ChainHead = GENESIS;
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
    const at = head.seq + 1;
    if ("fault" in item) {
      fault = { ok: false, records: head.seq, head: head.hash, at, ...item.where, reason: item.fault };
      break;
    }
    if (verifier.push(item.record, line)) {
      head = { seq: at, hash: (item.record as { hash: string }).hash };
      continue;
    }
    const r = verifier.result() as Extract<ReturnType<ChainVerifier["result"]>, { ok: false }>;
    fault = { ok: false, records: r.records, head: head.hash, at: r.at, ...item.where, reason: r.reason };
    const found = seqOf(item.record);
    if (found !== undefined && found > at && /records removed/.test(r.reason)) early = { missing: at, found };
    else break;
  }
  return fault ?? { ok: true, records: head.seq, head: head.hash };
}

/** An export, line by line: blank lines are allowed only at the end. */
async function* fileItems(file: string): AsyncGenerator<Item> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  let blank: number | undefined;
  for await (const raw of rl) {
    n++;
    const text = raw.trim();
    if (!text) {
      blank ??= n;
      continue;
    }
    if (blank !== undefined) yield { where: { line: blank }, fault: `line ${blank} is empty: expected a record` };
    blank = undefined;
    try {
      yield { where: { line: n }, record: JSON.parse(text) };
    } catch (e) {
      yield { where: { line: n }, fault: `line ${n} is not JSON: ${(e as Error).message}` };
    }
  }
}

async function* streamItems(nc: NatsConnection): AsyncGenerator<Item> {
  for await (const s of readAudit(nc)) {
    const where = { streamSeq: s.streamSeq };
    yield s.notJson ? { where, fault: `stream message ${s.streamSeq} is not JSON` } : { where, record: s.record };
  }
}

export async function verifyFile(file: string): Promise<AuditVerdict> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  if (st.isDirectory()) throw new CliError(`cannot read ${file}: is a folder, expected a file`);
  return verifyItems(fileItems(file));
}

export const verifyLive = (nc: NatsConnection) => verifyItems(streamItems(nc));

/** Writes the stored chain to `file` (via a temporary file, so a partial export never looks whole). */
export async function exportAudit(nc: NatsConnection, file: string): Promise<number> {
  const tmp = `${file}.partial-${process.pid}`;
  const out = await open(tmp, "w").catch((e: Error) => {
    throw new CliError(`cannot write ${file}: ${e.message}`);
  });
  let n = 0;
  try {
    let buf = "";
    for await (const s of readAudit(nc)) {
      buf += `${JSON.stringify(s.record)}\n`;
      n++;
      if (buf.length > 1 << 20) {
        await out.write(buf);
        buf = "";
      }
    }
    await out.write(buf);
    await out.sync();
  } catch (e) {
    await out.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await out.close();
  await rename(tmp, file);
  return n;
}

export function verdictLine(v: AuditVerdict): string {
  if (v.ok) return `audit chain verified: ${v.records} records, head ${v.head}`;
  const where = v.line !== undefined ? `line ${v.line}` : `stream seq ${v.streamSeq}`;
  return `audit chain broken at record ${v.at} (${where}): ${v.reason}`;
}

async function observe<T>(nats: string | undefined, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const { nc } = await attach({ ...(nats ? { nats } : {}), as: "observer", name: "atix-audit" }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  try {
    return await work(nc);
  } catch (e) {
    throw e instanceof CliError ? e : new CliError((e as Error).message);
  } finally {
    await nc.close();
  }
}

export function registerAudit(program: Command) {
  const audit = program.command("audit").description("export and verify the exchange's audit hash chain");
  audit
    .command("export")
    .description("write the audit chain to a file, one JSON record per line, and verify what was written")
    .requiredOption("--out <file>", "file to write (JSON Lines)")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .action(async (opts: { out: string; nats?: string }) => {
      const file = resolve(opts.out);
      const n = await observe(opts.nats, (nc) => exportAudit(nc, file));
      const v = await verifyFile(file);
      const upTo = v.ok ? v.records : v.at - 1;
      process.stdout.write(`exported ${n} records to ${opts.out} (chain verified up to record ${upTo}, head ${v.head})\n`);
      if (!v.ok) {
        process.stdout.write(`${verdictLine(v)}\n`);
        process.exitCode = 1;
      }
    });
  audit
    .command("verify")
    .description("verify the live audit chain, or an export of it; exit 0 when intact, 1 naming the first broken record")
    .argument("[file]", "an export written by `atix audit export` (default: the live chain)")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .option("--json", "print the verdict as one JSON object")
    .action(async (file: string | undefined, opts: { nats?: string; json?: boolean }) => {
      const v = file ? await verifyFile(file) : await observe(opts.nats, verifyLive);
      process.stdout.write(opts.json ? `${JSON.stringify(v)}\n` : `${verdictLine(v)}\n`);
      if (!v.ok) process.exitCode = 1;
    });
}
