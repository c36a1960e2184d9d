// `atix agency`: one agency's node (or every agency of the exchange in one process).
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { AgencyHost } from "../../agency/index.ts";
import { exchangeFilePath, readExchangeFile } from "../../../shared/exchange/exchange-file.ts";
import { readIdentity } from "../../../shared/exchange/identities.ts";
import { RegistryData } from "../../../shared/exchange/registry.ts";
import { CliError } from "../errors.ts";
import { onShutdown } from "../shutdown.ts";

interface AgencyOptions {
  id?: string[];
  all?: boolean;
  nats?: string;
  rngSeed?: string;
  hitProbability?: string;
}

export function registerAgency(program: Command) {
  program
    .command("agency")
    .description("run agency nodes: receive what is addressed to them, receipt at once, a simulated duty officer acknowledges")
    .option("--id <ids...>", "agency id(s) of the running exchange, e.g. --id AZ KZ")
    .option("--all", "every agency of the exchange's registry, in this one process")
    .option("--nats <url>", "NATS server (default: the exchange in .atix/exchange.json)")
    .option("--rng-seed <seed>", "seed of the duty officers' randomness (same seed, same behaviour)")
    .option("--hit-probability <p>", "chance that an alert produces a hit report (default 0.03)")
    .action(async (opts: AgencyOptions) => {
      if (!opts.all && !opts.id?.length) throw new CliError("expected --id ID [ID…] or --all");
      const exchange = await readExchangeFile(exchangeFilePath()).catch((e: Error) => {
        throw new CliError(`${e.message}; an agency node needs the exchange's credentials`);
      });
      const registry = RegistryData.parse(JSON.parse(await readFile(exchange.registryFile, "utf8")));
      const ids = opts.all ? registry.agencies.map((a) => a.id) : opts.id!.map((i) => i.toUpperCase());
      const unknown = ids.filter((i) => !registry.agencies.some((a) => a.id === i));
      if (unknown.length) throw new CliError(`--id: not agencies of this exchange: ${unknown.join(", ")}`);
      const hit = opts.hitProbability === undefined ? undefined : Number(opts.hitProbability);
      if (hit !== undefined && !(hit >= 0 && hit <= 1)) throw new CliError(`--hit-probability expects a number from 0 to 1, got "${opts.hitProbability}"`);
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
