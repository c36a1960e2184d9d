// `atix agency`: one agency's node (or every agency the exchange runs, in one process), from the
// exchange's folder; or, with --key and --connection, one agency's node from its own key and the
// operator's connection file alone, on the agency's own machine.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { AgencyHost } from "../../agency/index.ts";
import { startStandaloneNode } from "../../agency/standalone.ts";
import { exchangeFilePath, readExchangeFile } from "../../../shared/exchange/exchange-file.ts";
import { readIdentity } from "../../../shared/exchange/identities.ts";
import { RegistryData } from "../../../shared/exchange/registry.ts";
import { CliError } from "../errors.ts";
import { onShutdown } from "../shutdown.ts";

interface AgencyOptions {
  id?: string[];
  all?: boolean;
  nats?: string;
  key?: string;
  connection?: string;
  rngSeed?: string;
  hitProbability?: string;
}

export function registerAgency(program: Command) {
  program
    .command("agency")
    .description("run agency nodes: receive what is addressed to them, receipt at once, a simulated duty officer acknowledges")
    .option("--id <ids...>", "agency id(s) of the running exchange, e.g. --id AZ KZ")
    .option("--all", "every agency of the exchange's registry whose key the exchange holds, in this one process")
    .option("--key <file>", "with --connection: the agency's own seed (ID.nk from `atix keys new`); no exchange folder needed")
    .option("--connection <file>", "with --key: the connection file from the exchange's operator (`atix onboard`)")
    .option("--nats <url>", "NATS server (default: the exchange in .atix/exchange.json, or the connection file's)")
    .option("--rng-seed <seed>", "seed of the duty officers' randomness (same seed, same behaviour)")
    .option("--hit-probability <p>", "chance that an alert produces a hit report (default 0.03)")
    .action(async (opts: AgencyOptions) => {
      if (opts.key || opts.connection) return standalone(opts);
      if (!opts.all && !opts.id?.length) throw new CliError("expected --id ID [ID…] or --all");
      const exchange = await readExchangeFile(exchangeFilePath()).catch((e: Error) => {
        throw new CliError(`${e.message}; an agency node needs the exchange's credentials`);
      });
      const registry = RegistryData.parse(JSON.parse(await readFile(exchange.registryFile, "utf8")));
      // An external agency's node runs elsewhere, with the key the agency holds: there is none here.
      const ids = opts.all ? registry.agencies.filter((a) => !a.external).map((a) => a.id) : opts.id!.map((i) => i.toUpperCase());
      const unknown = ids.filter((i) => !registry.agencies.some((a) => a.id === i));
      if (unknown.length) throw new CliError(`--id: not agencies of this exchange: ${unknown.join(", ")}`);
      const external = ids.filter((i) => registry.agencies.find((a) => a.id === i)?.external);
      if (external.length)
        throw new CliError(`--id: ${external.join(", ")} run${external.length === 1 ? "s" : ""} its own node with its own key (external); on its machine: atix agency --id ID --key ID.nk --connection FILE`);
      if (!ids.length) throw new CliError("--all: every agency of this exchange is external; none to run here");
      const hit = hitProbability(opts);
      const agencies = await Promise.all(
        ids.map(async (id) => ({ agency: registry.agencies.find((a) => a.id === id)!, seed: (await readIdentity(exchange.credentialsDir, id)).seed })),
      );
      const host = new AgencyHost({
        servers: opts.nats ?? exchange.natsUrl,
        agencies,
        // Every delivery is verified against these keys (the folder's registry.json).
        registry,
        clock: exchange.clock,
        ...(opts.rngSeed ? { rngSeed: opts.rngSeed } : {}),
        ...(hit !== undefined ? { hitProbability: hit } : {}),
      });
      await host.start().catch((e: Error) => {
        throw new CliError(`agency nodes could not start: ${e.message}`);
      });
      process.stderr.write(`${ids.length} agency node${ids.length > 1 ? "s" : ""} running: ${ids.slice(0, 12).join(" ")}${ids.length > 12 ? " …" : ""}\n`);
      await onShutdown(() => host.stop());
    });
}

/** One agency's node from its own seed and the operator's connection file. */
async function standalone(opts: AgencyOptions) {
  if (!opts.key || !opts.connection) throw new CliError("--key and --connection go together: the agency's seed file and the operator's connection file");
  if (opts.all || opts.id?.length !== 1) throw new CliError("with --key and --connection: expected --id ID, the agency the key is for");
  const id = opts.id[0]!.toUpperCase();
  const hit = hitProbability(opts);
  const host = await startStandaloneNode({
    agency: id,
    keyFile: opts.key,
    connectionFile: opts.connection,
    ...(opts.nats ? { servers: opts.nats } : {}),
    ...(opts.rngSeed ? { rngSeed: opts.rngSeed } : {}),
    ...(hit !== undefined ? { hitProbability: hit } : {}),
  }).catch((e: Error) => {
    throw new CliError(`agency node could not start: ${e.message}`);
  });
  process.stderr.write(`agency node running: ${id} (own key, ${opts.connection})\n`);
  await onShutdown(() => host.stop());
}

function hitProbability(opts: AgencyOptions): number | undefined {
  const hit = opts.hitProbability === undefined ? undefined : Number(opts.hitProbability);
  if (hit !== undefined && !(hit >= 0 && hit <= 1)) throw new CliError(`--hit-probability expects a number from 0 to 1, got "${opts.hitProbability}"`);
  return hit;
}
