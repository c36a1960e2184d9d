// The exchange as a new user meets it: `atix up`, a FLASH alert sent with --wait, the audit
// exported and verified (and a tampered copy refused), status, a coordinator killed and started
// again by `atix up`, then Ctrl-C stops everything.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATIX_BIN, runAtix } from "../support/run-cli.ts";
import { subjects } from "../../shared/contracts/index.ts";
import { attach } from "../../shared/exchange/attach.ts";
import { Heartbeat } from "../../shared/exchange/observe.ts";

const ROSTER = new URL("../../simulations/rosters/smoke-6.yaml", import.meta.url).pathname;
let dir: string;
let up: ChildProcess;
let upOutput = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "atix-up-"));
  up = spawn(process.execPath, [ATIX_BIN, "up", "--roster", ROSTER, "--speed", "1000"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  up.stdout!.on("data", (d) => (upOutput += d));
  up.stderr!.on("data", (d) => (upOutput += d));
  const until = Date.now() + 60_000;
  while (!upOutput.includes("ready.")) {
    if (Date.now() > until || up.exitCode !== null) throw new Error(`atix up did not get ready:\n${upOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 70_000);

afterAll(async () => {
  if (up.exitCode === null) up.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

describe("atix up, send, audit, status", () => {
  it("prints what runs where", () => {
    for (const s of ["nats-server", "coordinator-1", "agencies", "6/6 online", "exchange file .atix/exchange.json"]) expect(upOutput).toContain(s);
  });

  it("refuses a second exchange in a folder another one has claimed, running or still starting", async () => {
    const again = await runAtix(["up", "--roster", ROSTER], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`already running in ${join(dir, ".atix")} (pid ${up.pid}`);
    // Still starting: no exchange.json yet, only the claim of a live process.
    const other = await mkdtemp(join(tmpdir(), "atix-claimed-"));
    try {
      await mkdir(join(other, ".atix"));
      await writeFile(join(other, ".atix", "exchange.lock"), String(up.pid));
      const starting = await runAtix(["up", "--roster", ROSTER], { cwd: other });
      expect(starting.code).toBe(2);
      expect(starting.stderr).toContain(`an exchange is starting or running in ${join(other, ".atix")} (pid ${up.pid})`);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("send --wait --json reports every recipient acknowledged, with latency figures", async () => {
    const r = await runAtix(["send", "--from", "AZ", "--to", "all", "--precedence", "FLASH", "--category", "terrorism", "--tlp", "AMBER", "--title", "Planned attack on the Mingachevir dam", "--wait", "--json"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.recipients.sort()).toEqual(["KG", "KZ", "RU", "TR", "UZ"]);
    expect(s.delivered.sort()).toEqual(s.recipients.sort());
    expect(s.acknowledged.sort()).toEqual(s.recipients.sort());
    expect(s.latency.acknowledgementSimMinutes.p50).toBeGreaterThan(0);
    expect(Array.isArray(s.escalations)).toBe(true);
  });

  it("send --wait prints a short summary: delivered, acknowledged, escalations, who is missing", async () => {
    const r = await runAtix(["send", "--from", "KZ", "--to", "agency:AZ,UZ", "--precedence", "IMMEDIATE", "--category", "terrorism", "--tlp", "GREEN", "--title", "Border crossing", "--wait"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^accepted [0-9a-f-]{36}: IMMEDIATE alert from KZ to 2 agencies/m);
    for (const line of [/^delivered +2\/2$/m, /^acknowledged +2\/2, \d within the deadline$/m, /^escalations +\d/m, /^missing +nobody$/m]) expect(r.stdout).toMatch(line);
    expect(r.stdout.split("\n").length).toBeLessThan(12);
  });

  it("checks --to against the registry before sending, listing how to name agencies; names unknown flags", async () => {
    const r = await runAtix(["send", "--from", "AZ", "--to", "agency:ZZ", "--precedence", "FLASH", "--category", "terrorism", "--tlp", "AMBER", "--title", "x"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^atix: --to: agency ZZ is not in this exchange.*name agencies by id, agency:ID or agency:ID,ID, one of: AZ, KZ, KG, UZ, RU, TR\n$/);
    const org = await runAtix(["send", "--from", "AZ", "--to", "org:NATO", "--precedence", "FLASH", "--category", "terrorism", "--tlp", "AMBER", "--title", "x"], { cwd: dir });
    expect(org.code).toBe(2);
    expect(org.stderr).toContain("one of: SCO, CIS, CSTO, OTS");
    const typo = await runAtix(["send", "--form", "AZ"], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe("error: unknown option '--form' (Did you mean --from?)");
  });

  it("sends an RFI, an answer, a retraction and a shipped example without editing JSON", async () => {
    const alert = await runAtix(["send", "--from", "AZ", "--to", "agency:KZ,UZ", "--precedence", "PRIORITY", "--category", "terrorism", "--tlp", "AMBER", "--title", "Suspects at Aktau", "--json"], { cwd: dir });
    expect(alert.code, alert.stderr).toBe(0);
    const alertId = JSON.parse(alert.stdout).id as string;
    const rfi = await runAtix(["send", "rfi", "--from", "AZ", "--to", "agency:KZ", "--question", "Did they cross at Kuryk?", "--respond-by", "30m", "--about", alertId, "--json"], { cwd: dir });
    expect(rfi.code, rfi.stderr).toBe(0);
    const rfiId = JSON.parse(rfi.stdout).id as string;
    const answer = await runAtix(["send", "answer", "--from", "KZ", "--rfi", rfiId, "--answer", "Yes, on 18 Sep.", "--json"], { cwd: dir });
    expect(answer.code, answer.stderr).toBe(0);
    const retract = await runAtix(["send", "retract", "--from", "AZ", "--alert", alertId, "--reason", "Arrested", "--instruction", "disregard"], { cwd: dir });
    expect(retract.code, retract.stderr).toBe(0);
    expect(retract.stdout).toMatch(/^accepted [0-9a-f-]{36}: withdrawal from AZ to 2 agencies/m);
    // The shipped example, written for 2026-09-21 19:20, has its deadline moved to two hours after now.
    const example = await runAtix(["send", "rfi", "--from", "TR", "--file", new URL("../../shared/contracts/examples/rfi.json", import.meta.url).pathname], { cwd: dir });
    expect(example.code, example.stderr).toBe(0);
  });

  it("refuses a TLP:RED alert to everyone with the field path", async () => {
    const r = await runAtix(["send", "--from", "AZ", "--to", "all", "--precedence", "FLASH", "--category", "terrorism", "--tlp", "RED", "--title", "x"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("body.distribution.agencies");
  });

  it("exports an audit chain that verifies, and a copy with one record removed or edited does not", async () => {
    const out = join(dir, "audit.jsonl");
    expect((await runAtix(["audit", "export", "--out", out], { cwd: dir })).code).toBe(0);
    expect((await runAtix(["audit", "verify", out], { cwd: dir })).code).toBe(0);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines.length).toBeGreaterThan(10);
    await writeFile(join(dir, "removed.jsonl"), lines.filter((_, i) => i !== 3).join("\n"));
    const removed = await runAtix(["audit", "verify", join(dir, "removed.jsonl")], { cwd: dir });
    expect(removed.code).toBe(1);
    expect(removed.stdout + removed.stderr).toMatch(/record 4/);
    const edited = [...lines];
    edited[5] = edited[5]!.replace(/"at":"20/, '"at":"19');
    await writeFile(join(dir, "edited.jsonl"), edited.join("\n"));
    const e = await runAtix(["audit", "verify", join(dir, "edited.jsonl")], { cwd: dir });
    expect(e.code).toBe(1);
    expect(e.stdout + e.stderr).toMatch(/record 6.*edited/);
  });

  it("status shows the coordinator and the agencies online, and each stream's use against its limit", async () => {
    const r = await runAtix(["status", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(JSON.stringify(s)).toContain("coordinator-1");
    expect(s.streams.deliveries).toEqual(expect.objectContaining({ maxBytes: 20 * 1024 ** 3, maxAgeDays: 30 }));
    expect(s.audit.signer).toBe("coordinator-1");
  });

  it("settings changes a setting live, validated, and refuses one outside the contract writing nothing", async () => {
    const set = await runAtix(["settings", "--set", "quotas.perMinute=1200", "--set", "tlpRedMaxAgencies=5"], { cwd: dir });
    expect(set.code, set.stderr).toBe(0);
    const bad = await runAtix(["settings", "--set", "quotas.burst=0"], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/quotas\.burst/);
    const shown = JSON.parse((await runAtix(["settings"], { cwd: dir })).stdout);
    expect(shown).toMatchObject({ tlpRedMaxAgencies: 5, quotas: { perMinute: 1200, burst: 500 } });
  });

  it("starts a coordinator killed with SIGKILL again within seconds, says why, and status counts the restart", async () => {
    const { nc } = await attach({ as: "observer", exchangeFile: join(dir, ".atix", "exchange.json") });
    try {
      const beats: Heartbeat[] = [];
      nc.subscribe(subjects.coordinatorHeartbeatAll, { callback: (_e, m) => void beats.push(Heartbeat.parse(m.json())) });
      const heard = async (ok: (h: Heartbeat) => boolean, what: string, ms: number) => {
        for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
          const h = beats.find(ok);
          if (h) return h;
        }
        throw new Error(`no heartbeat ${what} within ${ms} ms`);
      };
      const before = await heard((h) => h.instance === "coordinator-1", "from coordinator-1", 5_000);
      const killedAt = Date.now();
      process.kill(before.pid, "SIGKILL");
      const after = await heard((h) => h.instance === "coordinator-1" && h.pid !== before.pid, "from a restarted coordinator-1", 20_000);
      // Back and beating (with its chain read and its queues open) within seconds.
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      expect(after.restarts).toBe(1);
      expect(upOutput).toMatch(new RegExp(`coordinator-1 \\(pid ${before.pid}\\) exited unexpectedly \\(signal SIGKILL.*starting it again in 0\\.5 s \\(restart 1\\)`));
    } finally {
      await nc.close();
    }
    const r = await runAtix(["status", "--json"], { cwd: dir });
    expect(JSON.parse(r.stdout).coordinators).toEqual([expect.objectContaining({ instance: "coordinator-1", restarts: 1 })]);
    // Started again under its name, it signs with the same key: the registry still names one key for it.
    const exchange = JSON.parse(await readFile(join(dir, ".atix", "exchange.json"), "utf8")) as { registryFile: string };
    const keys = (JSON.parse(await readFile(exchange.registryFile, "utf8")) as { coordinators: { id: string }[] }).coordinators.filter((k) => k.id === "coordinator-1");
    expect(keys).toHaveLength(1);
  });

  it("Ctrl-C drains and stops everything within a few seconds", async () => {
    const t0 = Date.now();
    up.kill("SIGINT");
    const code = await new Promise<number | null>((r) => up.once("exit", r));
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8_000);
    await expect(readFile(join(dir, ".atix", "exchange.json"))).rejects.toThrow();
  });
});
