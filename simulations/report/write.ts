// Writes a run's report directory: metrics.json (checked against the contract first; real ids),
// report.md and report.html (in the reader's language, anonymised when asked) and, when given,
// audit.jsonl and the registry whose coordinator keys signed it
// (`atix audit verify audit.jsonl --registry registry.json`).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReportOptions } from "./context.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import { Metrics } from "./metrics.ts";

export async function writeReport(dir: string, m: Metrics, auditJsonl?: string, opts: ReportOptions = {}, registry?: unknown): Promise<{ files: string[] }> {
  const metrics = Metrics.parse(m);
  const contents: [string, string][] = [
    ["metrics.json", `${JSON.stringify(metrics, null, 2)}\n`],
    ["report.md", renderMarkdown(metrics, opts)],
    ["report.html", renderHtml(metrics, opts)],
  ];
  if (auditJsonl !== undefined) contents.push(["audit.jsonl", auditJsonl.length && !auditJsonl.endsWith("\n") ? `${auditJsonl}\n` : auditJsonl]);
  if (registry !== undefined) contents.push(["registry.json", `${JSON.stringify(registry, null, 2)}\n`]);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, text] of contents) {
    const file = join(dir, name);
    await writeFile(file, text, "utf8");
    files.push(file);
  }
  return { files };
}
