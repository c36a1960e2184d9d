// A temporary folder for one test file: made before its tests, removed after them.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

/** Registers the folder's set-up and clean-up; returns a path maker inside it (usable in tests). */
export function useTempDir(prefix: string): (...parts: string[]) => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));
  return (...parts) => {
    if (!dir) throw new Error("the temporary folder exists only while the file's tests run");
    return join(dir, ...parts);
  };
}
