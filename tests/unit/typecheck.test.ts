// The whole project type-checks (TypeScript strict, tsconfig.json), as a test beside the other
// unit tests rather than a step before the suite: the compiler's one core then overlaps with them.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

describe("types", () => {
  it("tsc --noEmit reports nothing for the project", async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((done) =>
      execFile(process.execPath, [TSC, "--noEmit", "-p", ROOT], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, output: stdout + stderr }),
      ),
    );
    // The diagnostics themselves are the failure's message.
    expect(output.trim()).toBe("");
    expect(code).toBe(0);
  }, 240_000);
});
