// Reads a YAML file against a zod schema; a mistake is reported with its path in the file and
// the line, so a person can go straight to it.
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { formatProblem, toProblems } from "./contracts/problems.ts";

export async function loadYamlFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.infer<S>> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${what} ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length) throw new Error(`${what} ${file}: ${doc.errors[0]!.message.split("\n")[0]}`);
  const value = doc.toJS();
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lines = toProblems(parsed.error, value).slice(0, 10).map((p) => {
    const path = p.path.split(/\.|\[|\]/).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    // The nearest node that exists: a missing field is reported where its parent is.
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number] } | undefined;
      if (node?.range) line = text.slice(0, node.range[0]).split("\n").length;
    }
    return `  ${line ? `line ${line}: ` : ""}${formatProblem(p)}`;
  });
  throw new Error(`${what} ${file} is not valid:\n${lines.join("\n")}`);
}
