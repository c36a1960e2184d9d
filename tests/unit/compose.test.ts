// docker-compose.yml cannot run here (no Docker on our machines), so it is checked instead:
// the NATS cluster it describes, every `atix` command and flag its services run against the real
// CLI, and every file it builds from or mounts against the repository.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findNatsServerBinary } from "../../shared/nats/embedded-server.ts";
import { type CliRun, runAtix } from "../support/run-cli.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ATIX_DOCKERFILE = "deploy/atix/Dockerfile";

/**
 * What the compose file needs and the CLI does not have yet. Their checks are `it.fails`, so the
 * gap stays visible, and the check turns red (remove the entry) the day the command exists.
 */
const GAPS: Record<string, string> = {};
const gapOf = (cmd: string, flag?: string) => GAPS[cmd] ?? (flag ? GAPS[`${cmd} ${flag}`] : undefined);

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  network_mode?: string;
  environment?: Record<string, string | number | null> | string[];
  ports?: (string | { published?: string | number; target?: number; host_ip?: string })[];
}

const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);
const argv = (s: Service) => (typeof s.command === "string" ? s.command.trim().split(/\s+/) : (s.command ?? []).map(String));
const flagsOf = (args: string[]) => args.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0]!);
const flagValue = (args: string[], flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
};
const envOf = (s: Service): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((e) => [e.split("=")[0]!, e.slice(e.indexOf("=") + 1)]))
    : Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? "")]));
const dockerfileOf = (s: Service) => (typeof s.build === "object" ? s.build.dockerfile : undefined);

const atixServices = services.filter(([, s]) => dockerfileOf(s) === ATIX_DOCKERFILE);
const natsServices = services.filter(([, s]) => /^nats:/.test(s.image ?? ""));
const natsNames = natsServices.map(([name]) => name);
const running = (cmd: string) => atixServices.filter(([, s]) => argv(s)[0] === cmd);

/** Mounts as { source, target, bind }: a bind mount's source is a path on the host (the repo). */
function mounts(s: Service) {
  return (s.volumes ?? []).map((v) => {
    if (typeof v === "object") return { source: v.source ?? "", target: v.target ?? "", bind: v.type === "bind" };
    const [source = "", target = ""] = v.split(":");
    return { source, target, bind: /^[./~]/.test(source) };
  });
}

/** A nats service's config file in the repository (what it mounts at its --config path). */
function natsConfigOf(s: Service) {
  const configPath = flagValue(argv(s), "--config") ?? flagValue(argv(s), "-c");
  const mount = mounts(s).find((m) => m.bind && m.target === configPath);
  return mount ? join(ROOT, mount.source) : undefined;
}

// `atix <cmd> --help`, once per command. For a command that does not exist, commander prints the
// program's help instead, which has no "Usage: atix <cmd>" line.
const helps = new Map<string, Promise<CliRun>>();
const helpOf = (cmd: string) => {
  if (!helps.has(cmd)) helps.set(cmd, runAtix([cmd, "--help"], { cwd: ROOT }));
  return helps.get(cmd)!;
};
async function expectCommand(cmd: string) {
  const r = await helpOf(cmd);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^Usage: atix ${cmd}\\b`, "m"));
  return r.stdout;
}
const flagPattern = (flag: string) => new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, "\\-")}(?![\\w-])`, "m");

describe("docker-compose.yml: the NATS cluster", () => {
  it("has three nats nodes on the official image, 2.10 or later (sync_interval needs 2.10)", () => {
    expect(natsNames).toHaveLength(3);
    for (const [name, s] of natsServices) {
      const m = /^nats:(\d+)\.(\d+)(\.\d+)?(-[\w.-]+)?$/.exec(s.image!);
      expect(m, `${name}: image ${s.image} should be nats:<major>.<minor>[…]`).not.toBeNull();
      const [major, minor] = [Number(m![1]), Number(m![2])];
      expect(major > 2 || (major === 2 && minor >= 10), `${name}: ${s.image} is older than 2.10`).toBe(true);
    }
  });

  const tmp = mkdtempSync(join(tmpdir(), "atix-compose-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  // The init service's volume: where its ATIX_HOME is mounted.
  const [, initService] = atixServices.find(([, x]) => argv(x)[0] === "init") ?? [];
  const homeVolume = () => mounts(initService!).find((m) => !m.bind && m.target === envOf(initService!).ATIX_HOME)?.source;
  // What the init service writes there: its own command, run once with ATIX_HOME in a temp dir.
  let initRun: Promise<string> | undefined;
  const initWrote = () =>
    (initRun ??= runAtix(argv(initService!), { cwd: ROOT, env: { ATIX_HOME: join(tmp, "atix-home") } }).then((r) => {
      expect(r.code, r.stderr).toBe(0);
      return join(tmp, "atix-home");
    }));

  for (const [name, s] of natsServices) {
    describe(name, () => {
      const file = natsConfigOf(s);
      const text = () => readFileSync(file!, "utf8");

      it("runs a config file of the repository", () => {
        expect(file, `${name} should mount its --config file from the repository`).toBeDefined();
        expect(existsSync(file!), `${file} is missing`).toBe(true);
      });

      it("fsyncs every JetStream write before acknowledging it (sync_interval: always)", () => {
        const js = /^jetstream\s*\{([^}]*)\}/m.exec(text());
        expect(js, "a jetstream { … } block").not.toBeNull();
        expect(js![1]).toMatch(/^\s*sync_interval:\s*"?always"?\s*$/m);
        expect(js![1]).toMatch(/^\s*store_dir:/m);
        // The store is on a volume of its own, not in the container.
        const store = /store_dir:\s*"?([^"\s]+)/.exec(js![1]!)![1]!;
        expect(mounts(s).some((m) => !m.bind && store.startsWith(m.target))).toBe(true);
      });

      it("is a member of the cluster, routed to every node", () => {
        expect(text()).toMatch(new RegExp(`^server_name:\\s*"?${name}"?\\s*$`, "m"));
        const cluster = /^cluster\s*\{([\s\S]*?)^\}/m.exec(text());
        expect(cluster, "a cluster { … } block").not.toBeNull();
        expect(cluster![1]).toMatch(/^\s*name:/m);
        for (const node of natsNames) expect(cluster![1]).toContain(`nats-route://${node}:6222`);
      });

      it("includes the accounts `init` generates, from the volume `init` writes (its ATIX_HOME)", () => {
        const inc = /^include\s+"?([^"\s]+)"?/m.exec(text());
        expect(inc, "an include of nats-auth.conf").not.toBeNull();
        expect(inc![1]).toMatch(/nats-auth\.conf$/);
        const configTarget = flagValue(argv(s), "--config")!;
        const included = resolve(dirname(configTarget), inc![1]!);
        const [initName] = atixServices.find(([, x]) => argv(x)[0] === "init")!;
        const home = mounts(s).find((m) => !m.bind && included.startsWith(`${m.target}/`));
        expect(home, `${included} should be in a volume`).toBeDefined();
        expect(homeVolume(), `${initName} should have its ATIX_HOME in that volume`).toBe(home!.source);
        expect(included, "the file init writes at the root of its ATIX_HOME").toBe(join(home!.target, "nats-auth.conf"));
        expect(s.depends_on).toMatchObject({ [initName]: { condition: "service_completed_successfully" } });
      });

      it("is a valid configuration for nats-server, with the volume as the init service writes it", async () => {
        const bin = findNatsServerBinary();
        const version = /v(\d+)\.(\d+)/.exec(execFileSync(bin, ["--version"], { encoding: "utf8" }))!;
        // The container's paths laid out under dir: the config file and the volume at their mount points.
        const dir = join(tmp, name);
        const configTarget = flagValue(argv(s), "--config")!;
        const local = (target: string) => join(dir, relative(dirname(configTarget), target));
        const home = mounts(s).find((m) => !m.bind && m.source === homeVolume())!;
        cpSync(await initWrote(), local(home.target), { recursive: true });
        let conf = text().replace(/store_dir:.*/, `store_dir: ${JSON.stringify(join(dir, "js"))}`);
        // This machine's nats-server may be older than the image (2.9 has no sync_interval).
        if (Number(version[1]) === 2 && Number(version[2]) < 10) conf = conf.replace(/^\s*sync_interval:.*$/m, "");
        writeFileSync(local(configTarget), conf);
        expect(() => execFileSync(bin, ["-t", "-c", local(configTarget)], { stdio: "pipe" })).not.toThrow();
      });
    });
  }
});

describe("docker-compose.yml: the ATIX services", () => {
  it("builds the services image from this repository: node:20, npm ci, entrypoint node bin/atix.js", () => {
    expect(existsSync(join(ROOT, ATIX_DOCKERFILE))).toBe(true);
    const dockerfile = readFileSync(join(ROOT, ATIX_DOCKERFILE), "utf8");
    expect(dockerfile).toMatch(/^FROM node:20\b/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/atix\.js"\]/m);
    for (const [, s] of atixServices) expect(existsSync(resolve(ROOT, typeof s.build === "object" ? (s.build.context ?? ".") : "."))).toBe(true);
    // Whatever the image copies is in the repository.
    for (const [, src] of dockerfile.matchAll(/^COPY (\S+)/gm)) if (!src!.startsWith("--")) expect(existsSync(join(ROOT, src!)), `COPY ${src}`).toBe(true);
  });

  it("runs init, two coordinators, the agencies and the dashboard", () => {
    expect(running("init").length).toBeGreaterThanOrEqual(1);
    const coordinators = running("coordinator");
    expect(coordinators).toHaveLength(2);
    const instances = coordinators.map(([, s]) => flagValue(argv(s), "--instance"));
    expect(new Set(instances).size, "each coordinator its own --instance").toBe(2);
    expect(running("agency").length).toBeGreaterThanOrEqual(1);
    expect(running("agency").some(([, s]) => argv(s).includes("--all"))).toBe(true);
    expect(running("dashboard")).toHaveLength(1);
  });

  it("points every --nats at a node of the cluster", () => {
    for (const [name, s] of atixServices) {
      const url = flagValue(argv(s), "--nats");
      if (!url) continue;
      const { hostname, port } = new URL(url);
      if (s.network_mode === "host") {
        // On the host's network: a node's client port published on the host.
        const published = natsServices.flatMap(([, n]) => (n.ports ?? []).map(String)).map((p) => p.split(":").slice(-2).join(":"));
        expect(published, `${name}: ${url}`).toContain(`${port}:4222`);
        expect(["127.0.0.1", "localhost"]).toContain(hostname);
      } else {
        expect(natsNames, `${name}: ${url}`).toContain(hostname);
      }
    }
  });

  it("starts each service after what it needs, all named in the file", () => {
    for (const [name, s] of services) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(compose.services, `${name} depends on ${d}`).toHaveProperty(d);
    }
    for (const cmd of ["coordinator", "agency", "dashboard"])
      for (const [name, s] of running(cmd)) expect(Object.keys(s.depends_on ?? {}).length, `${name} waits for the exchange`).toBeGreaterThan(0);
  });

  it("mounts only files of the repository and declared volumes", () => {
    for (const [name, s] of services)
      for (const m of mounts(s)) {
        if (m.bind) expect(existsSync(join(ROOT, m.source)), `${name} mounts ${m.source}`).toBe(true);
        else expect(compose.volumes ?? {}, `${name} mounts volume ${m.source}`).toHaveProperty(m.source);
      }
  });

  it("gives init a roster of the repository (the image's working directory is the repository)", () => {
    for (const [, s] of running("init")) {
      const roster = flagValue(argv(s), "--roster");
      if (roster) expect(existsSync(join(ROOT, roster)), roster).toBe(true);
    }
  });

  // Every command and flag the services run, against the CLI itself.
  const used = new Map<string, Set<string>>();
  for (const [, s] of atixServices) {
    const [cmd, ...rest] = argv(s);
    if (!cmd) continue;
    const flags = used.get(cmd) ?? new Set<string>();
    flagsOf(rest).forEach((f) => flags.add(f));
    used.set(cmd, flags);
  }
  for (const [cmd, flags] of used) {
    const gap = gapOf(cmd);
    (gap ? it.fails : it)(`atix ${cmd} exists${gap ? ` (fails ${gap})` : ""}`, async () => {
      await expectCommand(cmd);
    });
    for (const flag of flags) {
      const flagGap = gapOf(cmd, flag);
      (flagGap ? it.fails : it)(`atix ${cmd} ${flag} exists${flagGap ? ` (fails ${flagGap})` : ""}`, async () => {
        expect(await expectCommand(cmd)).toMatch(flagPattern(flag));
      });
    }
  }
});
