// An exchange on a broker run elsewhere, as docker-compose.yml sets one up, through the real CLI:
// `atix init` writes the folder, a nats-server runs with the accounts it wrote, `atix init
// --publish` sets the broker up, then a coordinator and the agencies run there from exchange.json
// alone and an alert is delivered to every recipient.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExchangeFile } from "../../shared/exchange/exchange-file.ts";
import { COORDINATOR_USER, identityFromSeed, OBSERVER_USER, readIdentity } from "../../shared/exchange/identities.ts";
import { readTrackingView } from "../../shared/exchange/tracking-read.ts";
import { RegistryData } from "../../shared/exchange/registry.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { type NatsServer, startNatsServer } from "../support/nats-server.ts";
import { ATIX_BIN, runAtix } from "../support/run-cli.ts";

const ROSTER = new URL("../../simulations/rosters/smoke-6.yaml", import.meta.url).pathname;
const USERS = [COORDINATOR_USER, OBSERVER_USER, "AZ", "KG", "KZ", "RU", "TR", "UZ"];

let dir: string;
let home: string;
let server: NatsServer | undefined;
const services: { proc: ChildProcess; output: string }[] = [];

// Every command runs in its own folder with ATIX_HOME pointing at the exchange, as in compose.
const atix = (args: string[]) => runAtix(args, { cwd: dir, env: { ATIX_HOME: home } });
const exchangeFile = async () => ExchangeFile.parse(JSON.parse(await readFile(join(home, "exchange.json"), "utf8")));
const seeds = () => Promise.all(USERS.map(async (u) => (await readIdentity(join(home, "keys"), u)).seed));

function startService(args: string[]) {
  const proc = spawn(process.execPath, [ATIX_BIN, ...args], { cwd: dir, env: { ...process.env, ATIX_HOME: home, ATIX_LOG_PRETTY: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  const s = { proc, output: "" };
  proc.stdout!.on("data", (d) => (s.output += d));
  proc.stderr!.on("data", (d) => (s.output += d));
  services.push(s);
  return s;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "atix-init-"));
  home = join(dir, "exchange");
});

afterAll(async () => {
  for (const { proc } of services) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("atix init, offline", () => {
  it("writes keys for every identity, registry.json, nats-auth.conf and exchange.json", async () => {
    const r = await atix(["init", "--roster", ROSTER]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("6 agencies");

    expect((await readdir(join(home, "keys"))).sort()).toEqual([...USERS.map((u) => `${u}.nk`), "instances"].sort());
    for (const u of USERS) expect((await stat(join(home, "keys", `${u}.nk`))).mode & 0o777, u).toBe(0o600);
    // A signing key for each coordinator instance docker-compose.yml runs, registered with the exchange's own.
    expect((await readdir(join(home, "keys", "instances"))).sort()).toEqual(["coordinator-1.nk", "coordinator-2.nk"]);
    const registry = RegistryData.parse(JSON.parse(await readFile(join(home, "registry.json"), "utf8")));
    expect(registry.coordinators.map((k) => k.id)).toEqual(["ATIX", "coordinator-1", "coordinator-2"]);
    expect(registry.coordinators[1]!.publicKey).toBe(identityFromSeed("c", (await readFile(join(home, "keys", "instances", "coordinator-1.nk"), "utf8")).trim()).publicKey);
    const auth = await readFile(join(home, "nats-auth.conf"), "utf8");
    for (const a of registry.agencies) {
      expect(a.publicKey).toBe((await readIdentity(join(home, "keys"), a.id)).publicKey);
      expect(auth).toContain(`AGENCY_${a.id}: {`);
      expect(auth).toContain(a.publicKey);
    }
    const ex = await exchangeFile();
    expect(ex.natsUrl).toBe("nats://127.0.0.1:4222");
    expect(ex.pid, "no process of init runs the exchange").toBeUndefined();
    expect(ex.registryFile).toBe(join(home, "registry.json"));
    expect(ex.coordinatorPublicKey).toBe((await readIdentity(join(home, "keys"), COORDINATOR_USER)).publicKey);
  });

  it("a re-run keeps every key and the clock, and takes the new broker URL", async () => {
    const [before, clock] = [await seeds(), (await exchangeFile()).clock];
    server = await startNatsServer({ config: await readFile(join(home, "nats-auth.conf"), "utf8") });
    const r = await atix(["init", "--roster", ROSTER, "--nats", server.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(await seeds()).toEqual(before);
    expect((await exchangeFile()).natsUrl).toBe(server.url);
    expect((await exchangeFile()).clock).toEqual(clock);
  });

  it("registers an agency by the public key it made (--agency-keys): the folder holds no seed of it", async () => {
    const other = join(dir, "with-own-keys");
    const made = await runAtix(["keys", "new", "--agency", "KG", "--out", join(dir, "kg-side")]);
    expect(made.code, made.stderr).toBe(0);
    const r = await runAtix(["init", "--roster", ROSTER, "--agency-keys", join(dir, "kg-side")], { cwd: dir, env: { ATIX_HOME: other } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/external +KG: registered by their public keys/);
    expect(await readdir(join(other, "keys"))).not.toContain("KG.nk");
    const kg = RegistryData.parse(JSON.parse(await readFile(join(other, "registry.json"), "utf8"))).agencies.find((a) => a.id === "KG")!;
    expect(kg).toMatchObject({ external: true, publicKey: JSON.parse(await readFile(join(dir, "kg-side", "KG.pub"), "utf8")).publicKey });
    expect(await readFile(join(other, "nats-auth.conf"), "utf8")).toContain(kg.publicKey);
  });

  it("asks for what to do, and refuses --replicas without --publish", async () => {
    const none = await atix(["init"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--roster FILE");
    const stray = await atix(["init", "--roster", ROSTER, "--replicas", "3"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--replicas applies to --publish");
  });
});

describe("atix init --publish, then a coordinator and the agencies", () => {
  it("sets the broker up, and again (idempotent)", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await atix(["init", "--publish", "--replicas", "1", "--nats", server!.url]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("4 streams and 4 buckets with 1 replica, 12 agency consumers (own and broadcast)");
    }
  });

  it("keeps a running exchange's clock and settings when run again; the registry is refreshed", async () => {
    const nc = await connectAs({ servers: server!.url, user: COORDINATOR_USER, seed: (await readIdentity(join(home, "keys"), COORDINATOR_USER)).seed });
    try {
      const store = await openStore(nc);
      const clock = (await store.clock.get(CONFIG_KEYS.clock))!.value;
      await store.clock.put(CONFIG_KEYS.clock, { ...clock, speed: 7 });
      await store.registry.put(CONFIG_KEYS.registry, { ...(await store.registry.get(CONFIG_KEYS.registry))!.value, agencies: [] });
      const r = await atix(["init", "--publish", "--nats", server!.url]);
      expect(r.code, r.stderr).toBe(0);
      expect((await store.clock.get(CONFIG_KEYS.clock))!.value.speed).toBe(7);
      expect((await store.registry.get(CONFIG_KEYS.registry))!.value.agencies).toHaveLength(6);
    } finally {
      await nc.close();
    }
  });

  it("sets the clock's speed and simulated time when asked (--speed, --start), on the broker and in exchange.json", async () => {
    const r = await atix(["init", "--publish", "--nats", server!.url, "--speed", "500", "--start", "2026-09-21T06:00:00Z"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("clock         500x from simulated 2026-09-21T06:00:00.000Z");
    const nc = await connectAs({ servers: server!.url, user: COORDINATOR_USER, seed: (await readIdentity(join(home, "keys"), COORDINATOR_USER)).seed });
    try {
      const clock = (await (await openStore(nc)).clock.get(CONFIG_KEYS.clock))!.value;
      expect(clock).toMatchObject({ speed: 500, simAnchor: Date.parse("2026-09-21T06:00:00Z") });
      expect((await exchangeFile()).clock).toEqual(clock);
    } finally {
      await nc.close();
    }
    const stray = await atix(["init", "--roster", ROSTER, "--speed", "2"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--speed and --start apply to --publish");
  });

  it("refuses another replica count than the streams have, naming the stream and both counts", async () => {
    const r = await atix(["init", "--publish", "--replicas", "3", "--nats", server!.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--replicas 3: stream ATIX_\w+ exists with 1 replica, not the 3 asked for/);
  });

  it("refuses a replica count a cluster cannot use, naming the flag", async () => {
    const r = await atix(["coordinator", "--replicas", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--replicas expects 1, 3, 5`);
  });

  it("runs a coordinator and every agency from exchange.json alone; an alert reaches every recipient; the chain verifies", async () => {
    startService(["coordinator", "--instance", "coordinator-1", "--replicas", "1"]);
    // An instance no init named: it makes its key and registers it, in registry.json too. It sets the clock's speed.
    const night = startService(["coordinator", "--instance", "night-shift", "--replicas", "1", "--speed", "300"]);
    startService(["agency", "--all"]);
    const sent = await atix(["send", "--from", "AZ", "--to", "all", "--precedence", "FLASH", "--category", "terrorism", "--tlp", "AMBER", "--title", "Convoy seen near the border post"]);
    expect(sent.code, `${sent.stderr}\n${services.map((s) => s.output).join("\n")}`).toBe(0);
    const [, id] = /^accepted (\S+): FLASH alert from AZ to 5 agencies/m.exec(sent.stdout) ?? [];
    expect(id, sent.stdout).toBeDefined();

    // Delivered: each recipient's node took it in and sent its receipt (the audit chain says so).
    const nc = await connectAs({ servers: server!.url, user: OBSERVER_USER, seed: (await readIdentity(join(home, "keys"), OBSERVER_USER)).seed });
    try {
      const recipients = ["KG", "KZ", "RU", "TR", "UZ"];
      let received: string[] = [];
      for (const until = Date.now() + 15_000; received.length < recipients.length && Date.now() < until; await sleep(200))
        received = (await readTrackingView(nc)).ofMessage(id!).flatMap((t) => (t.receiptAt ? [t.recipient] : []));
      expect(received.sort()).toEqual(recipients);
    } finally {
      await nc.close();
    }
    const ids = async () => RegistryData.parse(JSON.parse(await readFile(join(home, "registry.json"), "utf8"))).coordinators.map((k) => k.id);
    for (const until = Date.now() + 15_000; !(await ids()).includes("night-shift") && Date.now() < until; ) await sleep(200);
    expect(await ids()).toEqual(["ATIX", "coordinator-1", "coordinator-2", "night-shift"]);
    for (const until = Date.now() + 15_000; !night.output.includes("exchange clock set") && Date.now() < until; ) await sleep(200);
    expect(night.output).toContain("exchange clock set: 300x");
    const verified = await atix(["audit", "verify"]);
    expect(verified.code, verified.stdout).toBe(0);
    const out = join(dir, "audit.jsonl");
    expect((await atix(["audit", "export", "--out", out])).code).toBe(0);
    expect((await atix(["audit", "verify", out])).code).toBe(0); // against the folder's registry.json
  });
});
