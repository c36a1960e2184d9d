// `atix audit export | verify | head`: the audit chain as an auditor handles it. The chain is read
// as the read-only observer (no consumer), written one record per line, and verified record by
// record: its hashes, and each record's signature against the registry's coordinator keys. The
// live chain's signed head can be kept, and an export checked against it later.
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { NatsConnection } from "@nats-io/transport-node";
import { ChainReader, readChain } from "../../../shared/audit/chain-read.ts";
import { headOf, recordSignatureValid, type TrustedKeys } from "../../../shared/audit/chain.ts";
import { checkpointLine, verifyNewestCheckpoint } from "../../../shared/exchange/checkpoint-check.ts";
import { type AuditVerdict, checkHead, fileItems, streamItems, verdictLine, verifyItems } from "../../../shared/audit/verify.ts";
import { type AuditHead, StoredAuditRecord } from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { ExchangeReader } from "../../../shared/exchange/config-read.ts";
import { signerOf, trustedKeys } from "../../../shared/exchange/coordinator-keys.ts";
import { exchangeFilePath, readExchangeFile } from "../../../shared/exchange/exchange-file.ts";
import { RegistryData } from "../../../shared/exchange/registry.ts";
import { CliError } from "../errors.ts";

export { type AuditVerdict, verdictLine } from "../../../shared/audit/verify.ts";

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${what} ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what} ${file} is not JSON: ${(e as Error).message}`);
  }
}

/**
 * The registry whose coordinator keys an export is checked against: `--registry FILE`, else the
 * exchange folder's registry.json (written by `atix up`/`atix init`, kept current by coordinators).
 */
export async function registryForFile(file?: string): Promise<RegistryData> {
  const path = file ?? (await readExchangeFile(exchangeFilePath()).then((e) => e.registryFile, () => undefined));
  if (!path) throw new CliError("no registry to check the records' signatures against: pass --registry FILE (the exchange's registry.json), or run in the exchange's folder");
  const r = RegistryData.safeParse(await readJson(path, "registry"));
  if (!r.success) throw new CliError(`${path} is not a registry: ${r.error.issues[0]?.message}`);
  return r.data;
}

async function headFrom(file: string, trusted: TrustedKeys): Promise<AuditHead> {
  const value = await readJson(file, "head");
  try {
    return checkHead(value, trusted);
  } catch (e) {
    throw new CliError(`--head ${file}: ${(e as Error).message}`);
  }
}

export async function verifyFile(file: string, trusted: TrustedKeys, head?: AuditHead): Promise<AuditVerdict> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  if (st.isDirectory()) throw new CliError(`cannot read ${file}: is a folder, expected a file`);
  return verifyItems(fileItems(file), trusted, head);
}

/** The live registry's coordinator keys, as the observer reads them. */
async function liveRegistry(nc: NatsConnection): Promise<RegistryData> {
  const registry = await (await ExchangeReader.of(nc)).registry();
  if (!registry) throw new CliError("no registry in the exchange's config bucket: the records' signatures cannot be checked (is the exchange up?)");
  return registry;
}

/**
 * The live chain up to its end now, against the registry read after that end was: every key that
 * signed a record up to there was registered before the record was written, so it is in it.
 */
export async function verifyLive(nc: NatsConnection, opts: { registry?: RegistryData; head?: string } = {}): Promise<AuditVerdict> {
  const chain = await ChainReader.of(nc);
  const end = await chain.end();
  const trusted = trustedKeys(opts.registry ?? (await liveRegistry(nc)));
  return verifyItems(streamItems(chain, end), trusted, opts.head ? await headFrom(opts.head, trusted) : undefined);
}

/** Writes the stored chain to `file` (via a temporary file, so a partial export never looks whole). */
export async function exportAudit(nc: NatsConnection, file: string): Promise<number> {
  const tmp = `${file}.partial-${process.pid}`;
  const out = await open(tmp, "w").catch((e: Error) => {
    throw new CliError(`cannot write ${file}: ${e.message}`);
  });
  let n = 0;
  try {
    let buf = "";
    for await (const s of readChain(nc)) {
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

/** The live chain's head: its last record, signed, with the instance the registry names for its key. */
export async function liveHead(nc: NatsConnection): Promise<AuditHead & { signatureValid: boolean }> {
  const chain = await ChainReader.of(nc);
  const end = await chain.end();
  if (!end) throw new CliError("the audit chain is empty: there is no head yet");
  const r = StoredAuditRecord.safeParse((await chain.at(end))?.record);
  if (!r.success) throw new CliError(`the chain's last message (stream seq ${end}) is not an audit record`);
  if (!r.data.signature) throw new CliError(`the chain's last record (${r.data.seq}) is not signed: written by an ATIX before signed records`);
  const registry = await liveRegistry(nc);
  const keyed = registry.coordinators.some((k) => k.publicKey === r.data.signature!.key);
  return { ...headOf(r.data as Parameters<typeof headOf>[0], signerOf(registry, r.data.signature.key)), signatureValid: keyed && recordSignatureValid(r.data.hash, r.data.signature) };
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
  const audit = program.command("audit").description("export and verify the exchange's signed audit hash chain, and read its signed head");
  audit
    .command("export")
    .description("write the audit chain to a file, one JSON record per line, and verify what was written")
    .requiredOption("--out <file>", "file to write (JSON Lines)")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .action(async (opts: { out: string; nats?: string }) => {
      const file = resolve(opts.out);
      const { n, registry } = await observe(opts.nats, async (nc) => ({ n: await exportAudit(nc, file), registry: await liveRegistry(nc) }));
      const v = await verifyFile(file, trustedKeys(registry));
      const upTo = v.ok ? v.records : v.at - 1;
      process.stdout.write(`exported ${n} records to ${opts.out} (chain verified up to record ${upTo}, head ${v.head})\n`);
      if (!v.ok) {
        process.stdout.write(`${verdictLine(v)}\n`);
        process.exitCode = 1;
      }
    });
  audit
    .command("verify")
    .description("verify the live audit chain, or an export of it: hashes, order and every record's signature (and, live, that the newest checkpoint says what the chain says); exit 0 when intact, 1 naming the first broken record or difference")
    .argument("[file]", "an export written by `atix audit export` (default: the live chain)")
    .option("--registry <file>", "with FILE: the registry whose coordinator keys sign the records (default: the exchange folder's registry.json)")
    .option("--head <head.json>", "a signed head kept earlier (`atix audit head --json`): the chain must reach it and agree with it")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .option("--json", "print the verdict as one JSON object")
    .action(async (file: string | undefined, opts: { registry?: string; head?: string; nats?: string; json?: boolean }) => {
      let v: AuditVerdict;
      if (file) {
        const trusted = trustedKeys(await registryForFile(opts.registry));
        v = await verifyFile(file, trusted, opts.head ? await headFrom(opts.head, trusted) : undefined);
      } else {
        // The live exchange: the chain, then (when it holds) whether the newest checkpoint says what it says.
        const { chain, checkpoint } = await observe(opts.nats, async (nc) => {
          const registry = opts.registry ? await registryForFile(opts.registry) : await liveRegistry(nc);
          const chain = await verifyLive(nc, { registry, ...(opts.head ? { head: opts.head } : {}) });
          return { chain, checkpoint: chain.ok ? await verifyNewestCheckpoint(nc, registry) : undefined };
        });
        process.stdout.write(opts.json ? `${JSON.stringify({ ...chain, ...(checkpoint ? { checkpoint } : {}) })}\n` : `${verdictLine(chain)}\n${checkpoint ? `${checkpointLine(checkpoint)}\n` : ""}`);
        if (!chain.ok || checkpoint?.checkpoint === "differs") process.exitCode = 1;
        return;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(v)}\n` : `${verdictLine(v)}\n`);
      if (!v.ok) process.exitCode = 1;
    });
  audit
    .command("head")
    .description("print the live chain's signed head: sequence, hash, signer and key, signature, simulated and wall time")
    .option("--json", "print it as one JSON object (keep it: `atix audit verify FILE --head HEAD.json`)")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .action(async (opts: { json?: boolean; nats?: string }) => {
      const { signatureValid, ...head } = await observe(opts.nats, liveHead);
      if (!signatureValid) throw new CliError(`the head (record ${head.seq}) is not signed by a coordinator key of the registry`, 1);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(head)}\n`);
      process.stdout.write(
        [
          `record     ${head.seq}`,
          `hash       ${head.hash}`,
          `simulated  ${head.at}`,
          `written    ${head.recordedAt}`,
          `signer     ${head.signer ?? "(not named in the registry)"}`,
          `key        ${head.signature.key}`,
          `signature  ${head.signature.value}`,
        ].join("\n") + "\n",
      );
    });
}
