// `atix contracts export`: the JSON Schemas and the AsyncAPI document for integrators.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { MESSAGE_KINDS, type MessageKind } from "../../../shared/contracts/index.ts";
import { asyncApiDocument, withExamples } from "../../../shared/contracts/export/asyncapi.ts";
import { allKindSchemas, auditHeadSchema, auditRecordSchema, exchangeSchemas, messageSchema } from "../../../shared/contracts/export/json-schema.ts";
import { examplesDir } from "../../../shared/contracts/examples/location.ts";
import { fail } from "../errors.ts";

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

async function loadExamples(): Promise<Partial<Record<MessageKind, unknown>>> {
  const out: Partial<Record<MessageKind, unknown>> = {};
  for (const kind of MESSAGE_KINDS) {
    const text = await readFile(join(examplesDir, `${kind}.json`), "utf8").catch(() => undefined);
    if (text) out[kind] = JSON.parse(text);
  }
  return out;
}

export async function exportContracts(outDir: string): Promise<string[]> {
  const dir = resolve(outDir);
  await mkdir(join(dir, "schemas"), { recursive: true }).catch((e: Error) => fail(`cannot create ${dir}: ${e.message}`));
  const written: string[] = [];
  const write = async (path: string, value: unknown) => {
    await writeFile(path, json(value));
    written.push(path);
  };
  for (const [kind, schema] of Object.entries(allKindSchemas())) await write(join(dir, "schemas", `${kind}.json`), schema);
  await write(join(dir, "schemas", "message.json"), messageSchema());
  await write(join(dir, "schemas", "audit-record.json"), auditRecordSchema());
  await write(join(dir, "schemas", "audit-head.json"), auditHeadSchema());
  for (const [name, schema] of Object.entries(exchangeSchemas())) await write(join(dir, "schemas", `${name}.json`), schema);
  await write(join(dir, "asyncapi.json"), withExamples(asyncApiDocument(), await loadExamples()));
  return written;
}

export function registerContracts(program: Command) {
  const contracts = program.command("contracts").description("the message contracts for integrators");
  contracts
    .command("export")
    .description("write JSON Schemas (draft 2020-12) per message kind, of audit records and heads, the registry, connection files and agency public key files, and an AsyncAPI 3.0 document")
    .requiredOption("--out <dir>", "folder to write schemas/<kind>.json, schemas/message.json, schemas/audit-record.json, schemas/audit-head.json, schemas/registry.json, schemas/connection.json, schemas/agency-public-key.json and asyncapi.json into")
    .action(async (opts: { out: string }) => {
      const files = await exportContracts(opts.out);
      process.stdout.write(`wrote ${files.length} files to ${resolve(opts.out)}\n`);
    });
}
