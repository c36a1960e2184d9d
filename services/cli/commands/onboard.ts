// `atix onboard`: on the operator's side, the connection file for one agency's engineer: the
// servers, the agency's subjects, consumers and prefixes, the presence interval and the exchange's
// public keys (never a private key). With the agency's own seed it is all a node needs
// (docs/onboarding.md; ATIX's node: `atix agency --id ID --key ID.nk --connection FILE`).
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { attach } from "../../../shared/exchange/attach.ts";
import { ExchangeReader } from "../../../shared/exchange/config-read.ts";
import { connectionFileFor } from "../../../shared/exchange/connection-file.ts";
import { exchangeFilePath, readExchangeFile } from "../../../shared/exchange/exchange-file.ts";
import { RegistryData } from "../../../shared/exchange/registry.ts";
import { serverList } from "../../../shared/nats/connect.ts";
import { CliError } from "../errors.ts";
import { agencyIds } from "../options.ts";

export function registerOnboard(program: Command) {
  program
    .command("onboard")
    .description("write the connection file for an agency whose node runs elsewhere: servers, subjects, consumers and the exchange's public keys (no private key)")
    .requiredOption("--agency <id>", "the agency, registered with a key it made itself (atix up/init --external ID --agency-keys DIR)", agencyIds("--agency"))
    .requiredOption("--out <file>", "where to write it (JSON); give it to the agency's engineer")
    .option("--nats <urls>", "the server URL(s) the agency connects to, comma-separated, when it reaches the exchange under another address (default: the exchange's)")
    .action(async (opts: { agency: string[]; out: string; nats?: string }) => {
      if (opts.agency.length !== 1) throw new CliError("--agency expects one agency id");
      const agency = opts.agency[0]!;
      const exchange = await readExchangeFile(exchangeFilePath()).catch((e: Error) => {
        throw new CliError(`${e.message}; run it in the exchange's folder`);
      });
      const { registry, clock } = await current(exchange.registryFile);
      const entry = registry.agencies.find((a) => a.id === agency);
      if (!entry) throw new CliError(`--agency ${agency}: not an agency of this exchange (${registry.name})`);
      if (!entry.external)
        throw new CliError(
          `--agency ${agency}: this exchange runs its node with a key it holds; an agency that runs its own node registers its own key (\`atix keys new\` on its side, then \`atix up --external ${agency} --agency-keys DIR\`)`,
        );
      const file = connectionFileFor(registry, agency, serverList(opts.nats ?? exchange.natsUrl), clock ?? exchange.clock);
      await writeFile(resolve(opts.out), `${JSON.stringify(file, null, 2)}\n`);
      process.stdout.write(`${agency}: connection file ${opts.out} (servers ${file.servers.join(", ")}; its key ${file.publicKey}); no private key in it\n`);
    });
}

/** The live registry and clock when the exchange is up; else the folder's registry. */
async function current(registryFile: string) {
  const fromFile = async () => RegistryData.parse(JSON.parse(await readFile(registryFile, "utf8")));
  try {
    const { nc } = await attach({ as: "observer", name: "atix-onboard" });
    try {
      const reader = await ExchangeReader.of(nc);
      return { registry: (await reader.registry()) ?? (await fromFile()), clock: await reader.clock() };
    } finally {
      await nc.close();
    }
  } catch {
    return { registry: await fromFile(), clock: undefined };
  }
}
