// The `atix` front door as a person meets it: help, mistakes, validate and contracts export.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MESSAGE_KINDS } from "../../shared/contracts/index.ts";
import { examplePath } from "../support/examples.ts";
import { runAtix } from "../support/run-cli.ts";
import { useTempDir } from "../support/temp-dir.ts";

const inTemp = useTempDir("atix-cli-");

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe("atix help and mistakes", () => {
  it("--help lists the commands", async () => {
    const r = await runAtix(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["validate", "contracts"]) expect(r.stdout).toContain(c);
  });

  it.each([["validate"], ["contracts", "export"]])("%s has its own --help", async (...cmd) => {
    const r = await runAtix([...cmd, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: atix/);
  });

  it.each([[["frobnicate"]], [["validate", "--frobnicate", "x.json"]], [["contracts", "export"]]])(
    "%j fails with one line and a non-zero exit",
    async (args) => {
      const r = await runAtix(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      noStack(r.stderr);
    },
  );

  it("`atix up --start` says what a simulated start time looks like", async () => {
    const r = await runAtix(["up", "--start", "21.09.2026"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--start expects a date-time such as 2026-09-21T07:00:00Z .*got "21\.09\.2026"/);
  });
});

describe("atix validate", () => {
  it("exits 0 on every shipped example", async () => {
    const r = await runAtix(["validate", ...MESSAGE_KINDS.map(examplePath)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(MESSAGE_KINDS.length);
  });

  it("on {} names each missing field and what was expected", async () => {
    const f = inTemp("empty.json");
    await writeFile(f, "{}");
    const r = await runAtix(["validate", f]);
    expect(r.code).toBe(1);
    for (const field of ["kind", "id", "sentAt", "sender", "body"]) expect(r.stdout).toMatch(new RegExp(`\\b${field}: .*expected`));
  });

  it("gives truncated JSON and a missing file one line each, and goes on to the next file", async () => {
    const truncated = inTemp("truncated.json");
    const text = await readFile(examplePath("alert"), "utf8");
    await writeFile(truncated, text.slice(0, text.length / 2));
    const r = await runAtix(["validate", truncated, inTemp("absent.json"), examplePath("rfi")]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/truncated\.json: not valid JSON/);
    expect(lines[1]).toMatch(/absent\.json: cannot read: no such file/);
    expect(lines[2]).toMatch(/^ok/);
    noStack(r.stdout + r.stderr);
  });

  it("reports a damaged alert's problem at its field path", async () => {
    const m = JSON.parse(await readFile(examplePath("alert"), "utf8"));
    m.body.tlp = "RED";
    m.body.distribution = { all: true };
    const f = inTemp("red.json");
    await writeFile(f, JSON.stringify(m));
    const r = await runAtix(["validate", "--json", f]);
    expect(r.code).toBe(1);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems.map((p: { path: string }) => p.path)).toContain("body.distribution.agencies");
  });
});

describe("atix contracts export", () => {
  it("writes one schema per kind, message.json, the audit record's, head's, registry's, connection file's and .pub's schemas and asyncapi.json", async () => {
    const out = inTemp("export");
    const r = await runAtix(["contracts", "export", "--out", out]);
    expect(r.code).toBe(0);
    const files = await readdir(join(out, "schemas"));
    expect(files.sort()).toEqual(
      [...MESSAGE_KINDS.map((k) => `${k}.json`), "message.json", "audit-record.json", "audit-head.json", "registry.json", "connection.json", "agency-public-key.json"].sort(),
    );
    const api = JSON.parse(await readFile(join(out, "asyncapi.json"), "utf8"));
    expect(api.asyncapi).toBe("3.0.0");
    expect(Object.keys(api.components.messages).sort()).toEqual([...MESSAGE_KINDS, "clock", "auditHead", "registry"].sort());
  });
});
