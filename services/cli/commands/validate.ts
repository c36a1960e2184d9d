// `atix validate FILE...`: checks message files against the contracts.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { formatProblem, parseMessageText, type Problem, readableFieldsOf } from "../../../shared/contracts/index.ts";
import { CliError } from "../errors.ts";

export interface FileVerdict {
  file: string;
  valid: boolean;
  kind?: string;
  id?: string;
  problems: Problem[];
}

export async function validateFile(file: string): Promise<FileVerdict> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, expected a file" : (e as Error).message;
    return { file, valid: false, problems: [{ path: "", message: `cannot read: ${why}` }] };
  }
  const r = parseMessageText(text);
  if (r.ok) return { file, valid: true, kind: r.value.kind, id: r.value.id, problems: [] };
  // Name the kind when it is readable, so the problems are read against the right contract.
  const { kind } = readableFieldsOf(text);
  return { file, valid: false, ...(kind ? { kind } : {}), problems: r.problems };
}

function printHuman(v: FileVerdict) {
  const label = v.kind ? ` (${v.kind})` : "";
  if (v.valid) return process.stdout.write(`ok    ${v.file}${label}\n`);
  // A file that cannot be read or parsed at all gets one line.
  if (v.problems.length === 1 && !v.problems[0]!.path)
    return process.stdout.write(`FAIL  ${v.file}${label}: ${v.problems[0]!.message}\n`);
  process.stdout.write(`FAIL  ${v.file}${label}: ${v.problems.length} problem${v.problems.length > 1 ? "s" : ""}\n`);
  for (const p of v.problems) process.stdout.write(`        ${formatProblem(p)}\n`);
}

export function registerValidate(program: Command) {
  program
    .command("validate")
    .description("check message files against the contracts; exit 0 when all are valid, 1 otherwise")
    .argument("<file...>", "JSON message files")
    .option("--json", "print one JSON object per file instead of text")
    .action(async (files: string[], opts: { json?: boolean }) => {
      const verdicts = [];
      for (const f of files) verdicts.push(await validateFile(f));
      for (const v of verdicts) opts.json ? process.stdout.write(`${JSON.stringify(v)}\n`) : printHuman(v);
      const bad = verdicts.filter((v) => !v.valid).length;
      if (bad) throw new CliError(`${bad} of ${verdicts.length} file${verdicts.length > 1 ? "s" : ""} invalid`, 1);
    });
}
