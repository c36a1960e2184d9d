// `atix up`: a live exchange on this machine — broker, coordinator(s), every agency of a roster.
import { readFile, rm } from "node:fs/promises";
import { relative } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { subjects } from "../../../shared/contracts/index.ts";
import { randomInt } from "node:crypto";
import { atixHome, exchangeFilePath, readExchangeFile, writeExchangeFile } from "../../../shared/exchange/exchange-file.ts";
import { LANGS, type Lang } from "../../../shared/i18n/lang.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import type { NatsConnection } from "@nats-io/transport-node";
import { readIdentity } from "../../../shared/exchange/identities.ts";
import { connectAs } from "../../../shared/nats/connect.ts";
import { exchangeClock } from "../../dashboard/index.ts";
import { DEFAULT_ROSTER, launch, type Launched } from "../../launcher/launch.ts";
import { CliError } from "../errors.ts";
import { agencyIds, oneOf, positiveNumber, positiveInt } from "../options.ts";
import { onShutdown } from "../shutdown.ts";
import { DASHBOARD_OPTION_HELP, dashboardPort, serveDashboard } from "./dashboard.ts";
import { followLive } from "../../../shared/nats/live.ts";

const say = (s: string) => process.stdout.write(`${s}\n`);

/** A simulated start time: an ISO 8601 date-time (with Z or an offset) or a date (its midnight UTC). */
export const simulatedStart = (v: string) => {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`--start expects a date-time such as 2026-09-21T07:00:00Z (or a date, 2026-09-21), got "${v}"`);
  return ms;
};

/** An odd number of nodes, so a majority survives a node lost (3) or two (5). */
const clusterSize = (v: string) => {
  if (v !== "3" && v !== "5") throw new InvalidArgumentError(`--cluster expects 3 or 5 (nodes), got "${v}"`);
  return Number(v);
};

/** Waits until the coordinators beat and the agencies announce themselves. */
async function waitReady(up: Launched, agencies: number, timeoutMs = 60_000) {
  const { nc } = await attach({ as: "observer", exchangeFile: exchangeFilePath(atixHome()) });
  const coords = new Set<string>();
  const online = new Set<string>();
  const subs = [
    followLive(nc, subjects.coordinatorHeartbeatAll, (m) => void coords.add(m.subject)),
    followLive(nc, subjects.presenceAll, (m) => void online.add(m.subject)),
  ];
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && (coords.size < up.coordinators.length || online.size < agencies)) {
    for (const c of [...up.coordinators, ...(up.agencies ? [up.agencies] : [])])
      if (c.proc.exitCode !== null) throw new CliError(`${c.name} exited during start-up (code ${c.proc.exitCode}); see ${c.logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  subs.forEach((s) => s.unsubscribe());
  await nc.drain();
  return { coordinators: coords.size, agencies: online.size };
}

export function registerUp(program: Command) {
  program
    .command("up")
    .description("run a live exchange: nats-server, the coordinator and every agency of the roster")
    .option("--roster <file>", "roster of agencies", relative(process.cwd(), DEFAULT_ROSTER))
    .option("--speed <n>", "simulated time per wall time (1000: a 24 h day in ~86 s)", positiveNumber("--speed"), 1)
    .option("--start <time>", "simulated time to start at, e.g. 2026-09-21T00:00:00Z (default: now)", simulatedStart)
    .option("--nats <url>", "use this NATS server instead of starting one (configure it with .atix/nats-auth.conf)")
    .option("--coordinators <n>", "coordinator instances (default 1, 2 with --cluster)", positiveInt("--coordinators"))
    .option("--cluster <nodes>", "run a NATS cluster of 3 or 5 nodes on this machine, every stream on each node", clusterSize)
    .option("--dashboard [port]", DASHBOARD_OPTION_HELP, dashboardPort)
    .option("--lang <lang>", `language the room sees (watch, send's summary, the dashboard): ${LANGS.join(" | ")}`, oneOf("--lang", LANGS), "en")
    .option("--anonymise", "show agencies by neutral regional labels (EUR-07) in watch, send's summary and the dashboard; the audit chain keeps real ids")
    .option("--external <ids>", "agencies whose nodes run elsewhere, with keys they made (comma-separated): everything else runs here", agencyIds("--external"))
    .option("--agency-keys <dir>", "register the public keys agencies made themselves (one ID.pub each, from `atix keys new`): the exchange holds no seed of theirs")
    .action(async (opts: {
      roster: string; speed: number; start?: number; nats?: string; coordinators?: number; cluster?: number; dashboard?: number | true; lang: Lang; anonymise?: boolean; external?: string[]; agencyKeys?: string;
    }) => {
      const home = atixHome();
      if (opts.cluster && opts.nats) throw new CliError("--cluster starts a cluster of its own; it cannot be combined with --nats");
      const coordinators = opts.coordinators ?? (opts.cluster ? 2 : 1);
      const up = await launch({
        home, roster: opts.roster, speed: opts.speed, coordinators, followKeys: true, ...(opts.start !== undefined ? { simStart: opts.start } : {}),
        ...(opts.nats ? { nats: opts.nats } : {}), ...(opts.cluster ? { cluster: opts.cluster } : {}),
        ...(opts.external ? { external: opts.external } : {}), ...(opts.agencyKeys ? { agencyKeys: opts.agencyKeys } : {}),
        // A coordinator that dies on its own is started again; say so where the exchange runs.
        onUnplanned: (u) => say(`${new Date().toISOString()}  ${u.line}`),
      }).catch(
        (e: Error) => {
          throw new CliError(e.message);
        },
      );
      let dashboard: Awaited<ReturnType<typeof serveDashboard>> | undefined;
      let admin: NatsConnection | undefined;
      const stop = async () => {
        await dashboard?.close();
        await admin?.close().catch(() => undefined);
        await up.stop();
        await rm(exchangeFilePath(home), { force: true });
      };
      try {
        // How the other commands show this exchange: one seed, so every command labels agencies alike.
        const file = exchangeFilePath(home);
        await writeExchangeFile(file, { ...(await readExchangeFile(file)), presentation: { lang: opts.lang, anonymise: !!opts.anonymise, seed: randomInt(2 ** 31) } });
        const count = (JSON.parse(await readFile(up.exchange.registryFile, "utf8")) as { agencies: unknown[] }).agencies.length;
        const simulatedFrom = new Date(up.exchange.clock.simAnchor).toISOString().replace(/\.000Z$/, "Z");
        const external = up.prepared.external;
        say(`ATIX exchange starting (roster ${relative(process.cwd(), up.exchange.roster)}: ${count} agencies, speed ${opts.speed}x, simulated start ${simulatedFrom}${opts.anonymise ? ", anonymised" : ""}${opts.lang !== "en" ? `, ${opts.lang}` : ""})`);
        for (const n of up.prepared.notes) say(`  keys          ${n}`);
        const ready = await waitReady(up, count - external.length);
        if (up.cluster)
          for (const n of up.cluster.nodes) say(`  nats ${n.name.padEnd(8)} ${n.url}  (pid ${n.pid}, route port ${n.clusterPort}, store ${relative(process.cwd(), n.storeDir)})`);
        else say(`  nats-server   ${up.exchange.natsUrl}${up.server ? `  (pid ${up.server.pid}, store ${relative(process.cwd(), up.server.storeDir)})` : "  (external)"}`);
        if (up.cluster) say(`  streams       ${up.exchange.cluster?.replicas} replicas each (cluster "${up.cluster.name}")`);
        for (const c of up.coordinators) say(`  ${c.name.padEnd(13)} pid ${c.proc.pid}  log ${relative(process.cwd(), c.logFile)}`);
        if (up.agencies) say(`  agencies      pid ${up.agencies.proc.pid}  ${ready.agencies}/${count - external.length} online  log ${relative(process.cwd(), up.agencies.logFile)}`);
        say(`  credentials   ${relative(process.cwd(), up.exchange.credentialsDir)}/  (one nkey per agency run here, coordinator, observer; instances/: each coordinator instance's audit signing key)`);
        if (external.length) {
          say(`  external      ${external.join(" ")}: their nodes run elsewhere, with their own keys (none of them is in this folder). Each needs:`);
          say(`                - its seed (ID.nk, from \`atix keys new\` on its side) and a connection file: atix onboard --agency ID --out ID-connection.json`);
          say(`                - then ATIX's node on its machine: atix agency --id ID --key ID.nk --connection ID-connection.json (or its own: docs/onboarding.md)`);
        }
        say(`  exchange file ${relative(process.cwd(), exchangeFilePath(home))}`);
        if (opts.dashboard !== undefined) {
          // This exchange's clock is ours: the dashboard offers pause/resume and speed.
          const { seed } = await readIdentity(up.exchange.credentialsDir, "coordinator");
          admin = await connectAs({ servers: up.exchange.natsUrl, user: "coordinator", seed, name: "atix-up-clock" });
          dashboard = await serveDashboard({ port: opts.dashboard, exchangeFile: exchangeFilePath(home), control: await exchangeClock(admin), lang: opts.lang, anonymise: !!opts.anonymise });
          say(`  dashboard     ${dashboard.url}`);
        }
        if (ready.coordinators < up.coordinators.length)
          say(`  warning: only ${ready.coordinators} of ${up.coordinators.length} coordinators answered in time: submissions wait until one runs; see its log above`);
        const someone = up.registry.agencies.find((a) => !external.includes(a.id))?.id ?? "AZ";
        say(`ready. Try: atix send --from ${someone} --to all --precedence FLASH --category terrorism --tlp AMBER --title "…" --wait`);
        say(`      atix watch   |   atix status   |   Ctrl-C stops everything`);
      } catch (e) {
        await stop();
        throw e;
      }
      await onShutdown(stop, (m) => say(m));
      say("stopped.");
    });
}
