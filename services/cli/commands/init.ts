// `atix init`: an exchange for a broker run elsewhere (a NATS cluster, docker-compose.yml).
// Offline, from a roster, it prepares the folder `atix up` would (keys, the public keys agencies
// registered themselves, registry.json, nats-auth.conf for the servers to include) and an
// exchange.json naming the broker, so every other command runs there without flags. With
// --publish it sets the broker up: streams and buckets with their replicas, every agency's
// consumer, the registry, settings and clock (at the speed and simulated start time asked for).
import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { type ClockState, retimed, SimClock } from "../../../shared/clock.ts";
import { atixHome, type ExchangeFile, exchangeFilePath, readExchangeFile, writeExchangeFile } from "../../../shared/exchange/exchange-file.ts";
import { COORDINATOR_USER, readIdentity } from "../../../shared/exchange/identities.ts";
import { RegistryData } from "../../../shared/exchange/registry.ts";
import { DEFAULT_SETTINGS } from "../../../shared/exchange/settings.ts";
import { buckets, streams } from "../../../shared/contracts/subjects.ts";
import { connectAs } from "../../../shared/nats/connect.ts";
import { ReplicaMismatch } from "../../../shared/nats/replicas.ts";
import { retryTransient } from "../../../shared/nats/retry.ts";
import { exchangeFileFor, prepareHome, publishExchange, refuseIfRunning } from "../../launcher/prepare.ts";
import { CliError } from "../errors.ts";
import { agencyIds, isoTime, positiveInt, positiveNumber, replicaCount } from "../options.ts";
import { coordinatorName } from "../../launcher/launch.ts";
import { instanceKeysDir } from "../../../shared/exchange/coordinator-keys.ts";

/** NATS's standard client port on this machine: where an exchange.json points without --nats. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
/** A cluster just started elects its JetStream leader first; until then its API answers "unavailable". */
const PUBLISH_PATIENCE_MS = 30_000;

interface InitOptions {
  roster?: string;
  coordinators: number;
  nats?: string;
  home?: string;
  publish?: boolean;
  replicas?: number;
  agencyKeys?: string;
  external?: string[];
  speed?: number;
  start?: number;
}

const say = (s: string) => process.stdout.write(`${s}\n`);
const shown = (file: string) => relative(process.cwd(), file) || ".";

async function writeHome(home: string, opts: InitOptions & { roster: string }) {
  await refuseIfRunning(home);
  // A re-run keeps what an earlier `atix init` chose (its broker, its clock); a file left by
  // `atix up` (it has a pid) named that run's own server and is replaced.
  const earlier = await readExchangeFile(exchangeFilePath(home)).catch(() => undefined);
  const kept = earlier?.pid === undefined ? earlier : undefined;
  const instances = Array.from({ length: opts.coordinators }, (_, i) => coordinatorName(i + 1));
  const prepared = await prepareHome(home, resolve(opts.roster), {
    instances,
    ...(opts.agencyKeys ? { agencyKeys: resolve(opts.agencyKeys) } : {}),
    ...(opts.external ? { external: opts.external } : {}),
  });
  const natsUrl = opts.nats ?? kept?.natsUrl ?? DEFAULT_NATS_URL;
  // No process of ours runs this exchange (no pid). A first init starts the clock now, at real speed.
  await writeExchangeFile(exchangeFilePath(home), exchangeFileFor(prepared, { natsUrl, clock: kept?.clock ?? SimClock.start(1).snapshot() }));
  say(`ATIX exchange prepared in ${shown(home)} for ${natsUrl} (roster ${prepared.registry.name}: ${prepared.registry.agencies.length} agencies)`);
  say(`  credentials   ${shown(prepared.keysDir)}/  (one nkey per agency run here, coordinator, observer; existing ones kept)`);
  for (const n of prepared.notes) say(`  keys          ${n}`);
  if (prepared.external.length) say(`  external      ${prepared.external.join(" ")}: registered by their public keys; no seed of theirs here (\`atix onboard --agency ID\` for each)`);
  say(`  signing keys  ${shown(instanceKeysDir(prepared.keysDir))}/  (one per coordinator instance: ${instances.join(", ")}; \`atix coordinator --instance NAME\` makes others)`);
  say(`  registry      ${shown(prepared.registryFile)}`);
  say(`  accounts      ${shown(prepared.authFile)}  (include it in every nats-server's config)`);
  say(`  exchange file ${shown(exchangeFilePath(home))}`);
}

async function publish(home: string, exchange: ExchangeFile, url: string, opts: InitOptions) {
  const { replicas } = opts;
  const registry = RegistryData.parse(JSON.parse(await readFile(exchange.registryFile, "utf8")));
  const { seed } = await readIdentity(exchange.credentialsDir, COORDINATOR_USER);
  // A speed or start time asked for sets the clock (also on an exchange already running); the
  // other commands read it from exchange.json too.
  const setClock = opts.speed !== undefined || opts.start !== undefined;
  const clock: ClockState = setClock ? retimed(exchange.clock, { ...(opts.speed ? { speed: opts.speed } : {}), ...(opts.start !== undefined ? { simStart: opts.start } : {}) }) : exchange.clock;
  if (setClock) await writeExchangeFile(exchangeFilePath(home), { ...exchange, clock });
  const inEffect = await retryTransient(
    async () => {
      const nc = await connectAs({ servers: url, user: COORDINATOR_USER, seed, name: "atix-init" });
      try {
        return await publishExchange(nc, { registry, settings: DEFAULT_SETTINGS, clock, ...(replicas ? { replicas } : {}), keepRunning: true, setClock });
      } finally {
        await nc.close();
      }
    },
    { forMs: PUBLISH_PATIENCE_MS },
  ).catch((e: Error) => {
    throw new CliError(e instanceof ReplicaMismatch ? `--replicas ${replicas}: ${e.message}` : `cannot set up the exchange at ${url}: ${e.message}`);
  });
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  say(
    `ATIX exchange published at ${url} from ${shown(home)}: ${count(Object.keys(streams).length, "stream")} and ${count(Object.keys(buckets).length, "bucket")} with ${count(inEffect, "replica")}, ${count(registry.agencies.length * 2, "agency consumer")} (own and broadcast), the registry, and settings and clock unless already set`,
  );
  if (setClock) say(`  clock         ${clock.speed}x from simulated ${new Date(clock.simAnchor).toISOString()}`);
}

export function registerInit(program: Command) {
  program
    .command("init")
    .description("prepare an exchange for a broker run elsewhere (keys, registry, NATS accounts, exchange.json); --publish sets the broker up")
    .option("--roster <file>", "roster of agencies: write keys, registry.json, nats-auth.conf and exchange.json (offline)")
    .option("--nats <url>", `the broker: written to exchange.json (default: the earlier init's, else ${DEFAULT_NATS_URL}); with --publish, the one to set up (default: exchange.json's)`)
    .option("--home <dir>", "the exchange's folder (default $ATIX_HOME, else ./.atix)")
    .option("--coordinators <n>", "with --roster: signing keys for this many coordinator instances, coordinator-1 … coordinator-N (default 2)", positiveInt("--coordinators"), 2)
    .option("--publish", "on the running broker: streams and buckets, every agency's consumer, registry, settings and clock (idempotent)")
    .option("--replicas <n>", "with --publish: replicas of every stream and bucket, 1, 3 or 5 (default 1)", replicaCount("--replicas"))
    .option("--agency-keys <dir>", "with --roster: register the public keys agencies made themselves (one ID.pub each, from `atix keys new`); no seed of theirs is kept here")
    .option("--external <ids>", "with --roster: agencies whose nodes run elsewhere (comma-separated); each needs its ID.pub, now or from an earlier init", agencyIds("--external"))
    .option("--speed <n>", "with --publish: simulated time per wall time, set on the exchange's clock (1000: a 24 h day in ~86 s)", positiveNumber("--speed"))
    .option("--start <time>", "with --publish: the simulated time the clock runs from now, such as 2026-09-21T06:00:00Z", isoTime("--start"))
    .action((opts: InitOptions) =>
      init(opts).catch((e: Error) => {
        throw e instanceof CliError ? e : new CliError(e.message);
      }),
    );
}

async function init(opts: InitOptions) {
  if (!opts.roster && !opts.publish) throw new CliError("expected --roster FILE (prepare the folder), --publish (set up the broker), or both");
  if (opts.replicas !== undefined && !opts.publish) throw new CliError("--replicas applies to --publish (the streams are created there)");
  if ((opts.speed !== undefined || opts.start !== undefined) && !opts.publish) throw new CliError("--speed and --start apply to --publish (the clock is set there)");
  if ((opts.agencyKeys || opts.external) && !opts.roster) throw new CliError("--agency-keys and --external apply to --roster (the folder is prepared there)");
  const home = resolve(opts.home ?? atixHome());
  if (opts.roster) await writeHome(home, { ...opts, roster: opts.roster });
  if (!opts.publish) return;
  const exchange = await readExchangeFile(exchangeFilePath(home)).catch((e: Error) => {
    throw new CliError(`${e.message}; run \`atix init --roster FILE\` first`);
  });
  await publish(home, exchange, opts.nats ?? exchange.natsUrl, opts);
}
