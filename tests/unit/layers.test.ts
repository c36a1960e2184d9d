// Layers point one way: services and simulations use shared/, never the other way round, and the
// dashboard and the simulations never reach into the CLI. Read from the sources' import lines.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|js)$/.test(f) && !f.includes("node_modules"))
    .map((f) => join(dir, f));
}

/** Every relative module a file imports (static, type-only, re-exported or dynamic), as a path from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
}

function crossings(dirs: string[], forbidden: string[]): string[] {
  return dirs.flatMap((d) => sources(d).flatMap((f) => importsOf(f).filter((i) => forbidden.some((x) => i === x || i.startsWith(`${x}/`))).map((i) => `${f} -> ${i}`)));
}

describe("layers", () => {
  it("the dashboard, the simulations and the bench import nothing from the CLI", () => {
    expect(crossings(["services/dashboard", "simulations", "services/bench"], ["services/cli"])).toEqual([]);
  });

  it("shared/ imports nothing from services/ or simulations/", () => {
    expect(crossings(["shared"], ["services", "simulations"])).toEqual([]);
  });

  it("finds a crossing when there is one (the check reads imports as written)", () => {
    expect(crossings(["services/cli"], ["shared"]).length).toBeGreaterThan(0);
  });
});
