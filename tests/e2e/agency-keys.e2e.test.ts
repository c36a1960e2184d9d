// Agencies hold their own keys, end to end, as two member services and an operator would: each
// agency makes its key in a folder of its own (`atix keys new`), sends only its .pub, and runs its
// node from that key and the operator's connection file (`atix onboard`) against `atix up
// --external`: KG runs ATIX's own node as a separate process outside the operator's folder, TJ a
// node written in Go (docs/examples/go-agency, built here). The operator's folder never holds a
// seed of theirs. KG then rotates its key while its node runs: its node switches by itself, the
// broker lets the new key in and cuts the old one off after the overlap, a message signed with the
// retired key is refused, and the audit chain over both keys verifies.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { compose } from "../../shared/messaging/compose.ts";
import { attach } from "../../shared/exchange/attach.ts";
import { readTrackingView } from "../../shared/exchange/tracking-read.ts";
import { loadRoster } from "../../shared/exchange/registry.ts";
import { type Message, RejectionMessage, sign, subjects } from "../../shared/contracts/index.ts";
import { agencyJetStream, connectAs } from "../../shared/nats/connect.ts";
import { ATIX_BIN, runAtix } from "../support/run-cli.ts";
import { useTempDir } from "../support/temp-dir.ts";

const path = useTempDir("atix-keys-");
const FORUM = new URL("../../simulations/rosters/forum-90.yaml", import.meta.url).pathname;
const GO_AGENCY = new URL("../../docs/examples/go-agency", import.meta.url).pathname;
const IDS = ["AZ", "KZ", "KG", "TJ", "RU"];
/** Wall seconds of overlap given to KG's replaced key. */
const OVERLAP_S = 4;

let up: ChildProcess;
let upOut = "";
const nodes: ChildProcess[] = [];
const output = new Map<ChildProcess, string>();
const op = () => path("operator");
const exchangeFile = () => join(op(), ".atix", "exchange.json");

function start(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  // The agencies' processes see nothing of the operator's: no ATIX_HOME, another working folder.
  const { ATIX_HOME: _h, ...rest } = process.env;
  const p = spawn(cmd, args, { cwd, env: { ...rest, ATIX_LOG_PRETTY: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  output.set(p, "");
  const add = (d: Buffer) => output.set(p, output.get(p)! + d.toString());
  p.stdout!.on("data", add);
  p.stderr!.on("data", add);
  return p;
}
const outOf = (p: ChildProcess) => output.get(p) ?? "";

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A small roster from forum-90 whose officers answer within a minute or two. */
async function writeRoster(file: string) {
  const forum = await loadRoster(FORUM);
  const agencies = forum.agencies.filter((a) => IDS.includes(a.id));
  const organisations = forum.organisations.filter((o) => IDS.includes(o.hub));
  const orgIds = new Set(organisations.map((o) => o.id));
  const sharingGroups = forum.sharingGroups
    .map((g) => ({ ...g, members: g.members.filter((m) => IDS.includes(m)) }))
    .filter((g) => g.members.length);
  const groupIds = new Set(sharingGroups.map((g) => g.id));
  const roster = {
    name: "keys-test",
    organisations,
    sharingGroups,
    agencies: agencies.map((a) => ({
      ...a,
      organisations: a.organisations.filter((o) => orgIds.has(o)),
      sharingGroups: a.sharingGroups.filter((g) => groupIds.has(g)),
      duty: { profile: "24/7", ackDelay: { medianMinutes: 1, p95Minutes: 2 }, nightFactor: 1, nightHours: { from: 22, to: 7 } },
    })),
  };
  await writeFile(file, stringify(roster));
}

/** Every file under `dir`, with its bytes. */
async function* filesUnder(dir: string): AsyncGenerator<{ file: string; data: Buffer }> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const f = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(f);
    else if (e.isFile()) yield { file: f, data: await readFile(f) };
  }
}

/** The operator's folder holds none of these seeds, in any file (keys, logs, the broker's store). */
async function expectNoSeeds(seeds: string[]) {
  const found: string[] = [];
  for await (const { file, data } of filesUnder(join(op(), ".atix"))) for (const s of seeds) if (data.includes(s)) found.push(file);
  expect(found).toEqual([]);
}

const seedOf = async (file: string) => (await readFile(file, "utf8")).trim();

/** The shipped example alert's body, without its validUntil (which lies in the example's past). */
async function alertBody() {
  const { validUntil: _v, ...body } = JSON.parse(await readFile(new URL("../../shared/contracts/examples/alert.json", import.meta.url), "utf8")).body;
  return body;
}

async function deliveries(messageId: string) {
  const { nc } = await attach({ as: "observer", exchangeFile: exchangeFile() });
  try {
    return (await readTrackingView(nc)).ofMessage(messageId);
  } finally {
    await nc.close();
  }
}
const allAcknowledged = async (messageId: string, count: number) => {
  const d = await deliveries(messageId);
  return d.length === count && d.every((r) => r.state === "acknowledged") ? d : undefined;
};

const send = (args: string[]) =>
  runAtix(["send", "--precedence", "FLASH", "--category", "terrorism", "--tlp", "AMBER", ...args], { cwd: op(), timeoutMs: 60_000 });
const idOf = (stdout: string) => /accepted ([0-9a-f-]{36})/.exec(stdout)?.[1];

let goBinary: string;
let kgNode: ChildProcess;
let tjNode: ChildProcess;
const startKg = () => {
  kgNode = start(process.execPath, [ATIX_BIN, "agency", "--id", "KG", "--key", path("kg", "KG.nk"), "--connection", path("kg", "KG-connection.json")], path("kg-node"));
  nodes.push(kgNode);
  return kgNode;
};

beforeAll(async () => {
  for (const d of ["operator", "kg", "tj", "kg-node", "tj-node", "inbox"]) await mkdir(path(d), { recursive: true });
  // The Go node builds while the exchange starts (standard library, Debian's nats.go and nkeys).
  goBinary = path("tj-node", "go-agency");
  const built = promisify(execFile)("go", ["build", "-o", goBinary, "."], {
    cwd: GO_AGENCY,
    env: { ...process.env, GOPATH: "/usr/share/gocode", GO111MODULE: "off", GOFLAGS: "" },
  }).catch((e: Error) => {
    throw new Error(`could not build docs/examples/go-agency (bash .ci/setup installs golang-go and Debian's nats.go and nkeys): ${e.message}`);
  });
  built.catch(() => undefined);
  // Each agency makes its key on its side and sends only the .pub.
  for (const [id, dir] of [["KG", "kg"], ["TJ", "tj"]] as const) {
    const made = await runAtix(["keys", "new", "--agency", id, "--out", path(dir)]);
    expect(made.code, made.stderr).toBe(0);
    await copyFile(path(dir, `${id}.pub`), path("inbox", `${id}.pub`));
  }
  expect((await stat(path("kg", "KG.nk"))).mode & 0o777).toBe(0o600);
  await writeRoster(path("operator", "roster.yaml"));
  up = start(process.execPath, [ATIX_BIN, "up", "--roster", "roster.yaml", "--external", "KG,TJ", "--agency-keys", path("inbox"), "--speed", "60"], op());
  await until("atix up to be ready", () => (up.exitCode !== null ? Promise.reject(new Error(outOf(up))) : outOf(up).includes("ready.")), 60_000);
  upOut = outOf(up);
  for (const id of ["KG", "TJ"]) {
    const r = await runAtix(["onboard", "--agency", id, "--out", path(id.toLowerCase(), `${id}-connection.json`)], { cwd: op() });
    expect(r.code, r.stderr).toBe(0);
  }
  await built;
  startKg();
  tjNode = start(goBinary, ["-key", path("tj", "TJ.nk"), "-connection", path("tj", "TJ-connection.json"), "-alert", "Go node FLASH: vehicle-borne device near Dushanbe", "-head", path("tj-node", "head.json")], path("tj-node"));
  nodes.push(tjNode);
  await until("both external nodes online", () => outOf(kgNode).includes("agency node running") && outOf(tjNode).includes("connected as TJ"));
}, 120_000);

/** Ctrl-C, as a person stops it (atix up then stops its broker and services); killed if it hangs. True when killed. */
async function stop(p: ChildProcess | undefined): Promise<boolean> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return false;
  const exited = new Promise((r) => p.once("exit", r));
  p.kill("SIGINT");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (p.exitCode !== null || p.signalCode !== null) return false;
  p.kill("SIGKILL");
  return true;
}

afterAll(async () => {
  const broker = await readFile(exchangeFile(), "utf8").then((t) => JSON.parse(t).embeddedServer?.pid as number | undefined, () => undefined);
  await Promise.all(nodes.map(stop));
  // atix up killed would leave its broker running: that one is stopped too.
  if ((await stop(up)) && broker) process.kill(broker, "SIGTERM");
}, 40_000);

describe("agencies with keys of their own, on atix up --external", () => {
  it("registers KG and TJ by their public keys; the operator's folder holds no seed of theirs", async () => {
    expect(upOut).toMatch(/keys +KG: registered its own key U[A-Z2-7]{55}/);
    expect(upOut).toContain("external      KG TJ");
    expect(upOut).toContain("3/3 online");
    const keys = await readdir(join(op(), ".atix", "keys"));
    expect(keys.filter((f) => /^(KG|TJ)\./.test(f))).toEqual([]);
    await expectNoSeeds([await seedOf(path("kg", "KG.nk")), await seedOf(path("tj", "TJ.nk"))]);
    const conn = JSON.parse(await readFile(path("tj", "TJ-connection.json"), "utf8"));
    expect(JSON.stringify(conn)).not.toMatch(/"S[A-Z2-7]{57}"/);
    expect(conn.publicKey).toBe(JSON.parse(await readFile(path("tj", "TJ.pub"), "utf8")).publicKey);
  });

  it("delivers to both external nodes, which verify, receipt and acknowledge within the deadline", async () => {
    const r = await send(["--from", "AZ", "--to", "all", "--title", "Planned attack on the Nurek dam", "--wait"]);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const id = idOf(r.stdout)!;
    const d = await deliveries(id);
    for (const a of ["KG", "TJ"]) expect(d.find((x) => x.recipient === a)).toMatchObject({ state: "acknowledged", withinDeadline: true });
    expect(outOf(tjNode)).toMatch(new RegExp(`verified alert ${id} from AZ`));
    expect(outOf(tjNode)).toMatch(new RegExp(`acknowledged alert ${id}`));
    expect(outOf(kgNode)).toContain(id);
  });

  it("takes the Go node's own alert: accepted, delivered to every other agency and acknowledged by all", async () => {
    const line = await until("the Go node's alert accepted", () => /accepted ([0-9a-f-]{36}) for (\d+) recipients/.exec(outOf(tjNode)) ?? undefined);
    expect(Number(line[2])).toBe(IDS.length - 1);
    const acked = await until("every recipient acknowledged the Go node's alert", () => allAcknowledged(line[1]!, IDS.length - 1));
    expect(acked.map((r) => r.recipient).sort()).toEqual(["AZ", "KG", "KZ", "RU"]);
    expect(outOf(tjNode)).not.toMatch(/rejected|REFUSED|MALFORMED/);
  });

  it("the Go node refuses a delivery whose signature is not AZ's, and never receipts it", async () => {
    const home = JSON.parse(await readFile(exchangeFile(), "utf8"));
    const nc = await connectAs({ servers: home.natsUrl, user: "coordinator", seed: await seedOf(join(home.credentialsDir, "coordinator.nk")) });
    try {
      const forged = compose("alert", await alertBody(), { sender: "AZ", sentAt: new Date().toISOString() });
      const signed = sign(forged, await seedOf(path("kg", "KG.nk"))); // a real key, but not AZ's
      await jetstream(nc).publish(subjects.deliver("TJ", "alert"), JSON.stringify(signed), { msgID: `forged:${forged.id}` });
      await until("the Go node to refuse it", () => new RegExp(`REFUSED alert ${forged.id} from AZ: .*not a key the registry lists for AZ`).test(outOf(tjNode)));
      expect(outOf(tjNode)).not.toMatch(new RegExp(`receipted alert ${forged.id}`));
    } finally {
      await nc.close();
    }
  });

  it("KG's own node, stopped, catches up on what came meanwhile when it is back", async () => {
    kgNode.kill("SIGINT");
    await until("KG's node to stop", () => kgNode.exitCode !== null);
    const r = await send(["--from", "KZ", "--to", "agency:KG,AZ", "--title", "Sent while KG is offline"]);
    expect(r.code, r.stderr).toBe(0);
    const id = idOf(r.stdout)!;
    expect((await deliveries(id)).find((x) => x.recipient === "KG")?.state).toBe("delivered");
    startKg();
    const d = await until("KG to acknowledge after catching up", async () => (await deliveries(id)).find((x) => x.recipient === "KG" && x.state === "acknowledged"));
    expect(d.ackBy).toBeDefined();
  });

  it("rotates KG's key while its node runs: the node switches, the old key is cut off and refused after the overlap", async () => {
    const oldSeed = await seedOf(path("kg", "KG.nk"));
    const rotated = await runAtix(["keys", "rotate", "--agency", "KG", "--out", path("kg")]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newSeed = await seedOf(path("kg", "KG.nk"));
    await mkdir(path("inbox2"));
    await copyFile(path("kg", "KG.pub"), path("inbox2", "KG.pub"));
    const reg = await runAtix(["keys", "register", "--agency-keys", path("inbox2"), "--overlap", `${OVERLAP_S}s`], { cwd: op() });
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toMatch(/KG: U[A-Z2-7]{55} registered; U[A-Z2-7]{55} valid until/);
    await until("KG's node to sign with its new key", () => outOf(kgNode).includes("signing with the key the registry lists now"));

    // After the overlap: the broker lets only the new key in, and KG keeps working.
    await new Promise((r) => setTimeout(r, OVERLAP_S * 1000 + 1500));
    const home = JSON.parse(await readFile(exchangeFile(), "utf8"));
    await expect(connectAs({ servers: home.natsUrl, user: "KG", seed: oldSeed })).rejects.toThrow(/Authorization/i);
    const after = await send(["--from", "AZ", "--to", "agency:KG,TJ", "--title", "After KG's rotation", "--wait"]);
    expect(after.code, `${after.stdout}${after.stderr}`).toBe(0);
    // KG's node submits with its new key: its officer answers an RFI; AZ's node (run by the
    // exchange) verifies the answer against KG's new key, read live from the registry, and acknowledges it.
    const rfi = await runAtix(["send", "rfi", "--from", "AZ", "--to", "agency:KG", "--question", "Did the suspects cross at Kyzyl-Art?", "--respond-by", "5m"], { cwd: op() });
    expect(rfi.code, rfi.stderr).toBe(0);
    const rfiId = idOf(rfi.stdout) ?? /([0-9a-f]{8}-[0-9a-f-]{27})/.exec(rfi.stdout)![1]!;
    await until("KG's answer acknowledged by AZ", async () => {
      const { nc } = await attach({ as: "observer", exchangeFile: exchangeFile() });
      try {
        return [...(await readTrackingView(nc)).all()].find((d) => d.kind === "rfi-response" && d.originator === "KG" && d.recipient === "AZ" && d.state === "acknowledged");
      } finally {
        await nc.close();
      }
    });
    expect(outOf(kgNode)).toContain(rfiId);

    // A new message signed with the retired key is refused, saying so.
    const nc = await connectAs({ servers: home.natsUrl, user: "KG", seed: newSeed });
    try {
      const m = compose("alert", await alertBody(), { sender: "KG", sentAt: new Date().toISOString() }) as Message;
      const outcome = nc.subscribe(subjects.outcome("KG", m.id), { max: 1 });
      await nc.flush();
      await agencyJetStream(nc).publish(subjects.submit("KG", "alert"), JSON.stringify(sign(m, oldSeed)), { msgID: m.id });
      let reply: unknown;
      for await (const r of outcome) reply = r.json();
      const rejection = RejectionMessage.parse(reply);
      expect(rejection.body.reasons[0]).toMatchObject({ code: "bad-signature", path: "signature.key" });
      expect(rejection.body.reasons[0]!.message).toContain("was retired at");
    } finally {
      await nc.close();
    }
    await expectNoSeeds([oldSeed, newSeed]);
    // Every delivery KG's node read verified, before and after its own key changed.
    expect(outOf(kgNode)).not.toMatch(/does not verify|unverified/);
    // The broker reloaded its accounts twice (KG's new key in, its old one out) without dropping TJ.
    expect(outOf(tjNode)).not.toMatch(/disconnected|reconnected/);
    // Its presence, signed with the new key, counts: every agency is online.
    const status = await runAtix(["status", "--json"], { cwd: op() });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).agencies).toMatchObject({ registered: IDS.length, online: IDS.length });
  });

  it("verifies the audit chain over messages signed with both of KG's keys, and the Go node's kept head", async () => {
    const live = await runAtix(["audit", "verify"], { cwd: op() });
    expect(live.code, `${live.stdout}${live.stderr}`).toBe(0);
    const exported = await runAtix(["audit", "export", "--out", path("audit.jsonl")], { cwd: op() });
    expect(exported.code, exported.stderr).toBe(0);
    const records = (await readFile(path("audit.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { event: string; actor: string });
    expect(records.filter((r) => r.actor === "KG" && r.event === "acknowledged").length).toBeGreaterThanOrEqual(3);
    const head = await runAtix(["audit", "verify", path("audit.jsonl"), "--registry", join(op(), ".atix", "registry.json"), "--head", path("tj-node", "head.json")], { cwd: op() });
    expect(head.code, `${head.stdout}${head.stderr}`).toBe(0);
    expect(head.stdout).toContain("reaches the signed head");
  });
});
