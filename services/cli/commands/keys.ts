// `atix keys`: an agency's own keys. `new` and `rotate` run on the agency's side and make the pair
// there (the seed never leaves that folder; the `.pub` is what goes to the exchange's operator);
// `register` runs on the operator's side and registers the public keys it received.
import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_OVERLAP_MS } from "../../../shared/exchange/agency-keys.ts";
import { atixHome, exchangeFilePath, readExchangeFile } from "../../../shared/exchange/exchange-file.ts";
import { makeAgencyKeys, readPublicKeyFiles, rotateAgencyKeys } from "../../../shared/exchange/key-files.ts";
import { processAlive } from "../../launcher/prepare.ts";
import { registerOnExchange } from "../../launcher/register-keys.ts";
import { CliError } from "../errors.ts";
import { wallDuration } from "../options.ts";

const say = (s: string) => process.stdout.write(`${s}\n`);
const fail = (e: Error): never => {
  throw e instanceof CliError ? e : new CliError(e.message);
};

export function registerKeys(program: Command) {
  const keys = program.command("keys").description("an agency's own keys: make them on its side (new, rotate), register their public keys at the exchange (register)");

  /** `new` and `rotate`: a key pair made on the agency's side, in --out, and what was made said. */
  const agencySide = <T>(name: string, description: string, agencyHelp: string, outHelp: string, make: (dir: string, agency: string) => Promise<T>, report: (agency: string, made: T) => string[]) =>
    keys
      .command(name)
      .description(description)
      .requiredOption("--agency <id>", agencyHelp)
      .option("--out <dir>", outHelp, ".")
      .action(async (opts: { agency: string; out: string }) => {
        const agency = opts.agency.toUpperCase();
        const made = await make(resolve(opts.out), agency).catch(fail);
        for (const line of report(agency, made)) say(line);
      });
  const sendPublic = (file: string) => `  public key  ${file}  (send this file to the exchange's operator)`;

  agencySide(
    "new",
    "on the agency's side: a new key pair, ID.nk (the seed, mode 0600, never sent anywhere) and ID.pub (send it to the exchange's operator)",
    "the agency the key is for, such as TJ or DE-BKA",
    "the folder for the key files (default: the current folder)",
    makeAgencyKeys,
    (agency, made) => [`${agency}: new key ${made.publicKey}`, `  seed        ${made.seedFile}  (mode 0600: keep it here, it never leaves this folder)`, sendPublic(made.publicFile)],
  );

  agencySide(
    "rotate",
    "on the agency's side: a new key pair; the replaced one moves to previous/ (your node signs with it until the exchange registers the new one)",
    "the agency whose key is replaced",
    "the folder holding ID.nk and ID.pub (default: the current folder)",
    rotateAgencyKeys,
    (agency, made) => [
      `${agency}: new key ${made.publicKey} (replaces ${made.previous.publicKey})`,
      `  seed        ${made.seedFile}`,
      sendPublic(made.publicFile),
      `  previous    ${made.previous.seedFile}  (keep it: ATIX's node signs with it until the registry lists the new key, then switches by itself)`,
    ],
  );

  keys
    .command("register")
    .description("on the operator's side: register the public keys agencies sent (one ID.pub each) on this exchange; each replaces the agency's key after an overlap")
    .requiredOption("--agency-keys <dir>", "the folder of ID.pub files received")
    .option("--overlap <duration>", `how long (wall time) each replaced key stays valid beside the new one: 0, 30s, 10m, 1h, 1d (default ${DEFAULT_OVERLAP_MS / 3_600_000}h)`, wallDuration("--overlap"), DEFAULT_OVERLAP_MS)
    .option("--home <dir>", "the exchange's folder (default $ATIX_HOME, else ./.atix)")
    .action(async (opts: { agencyKeys: string; overlap: number; home?: string }) => {
      const home = resolve(opts.home ?? atixHome());
      const exchange = await readExchangeFile(exchangeFilePath(home)).catch((e: Error) => fail(new Error(`${e.message}; register keys in the exchange's folder`)));
      const pubs = await readPublicKeyFiles(resolve(opts.agencyKeys)).catch(fail);
      const r = await registerOnExchange(exchange, resolve(home, "nats-auth.conf"), pubs, { overlapMs: opts.overlap }).catch(fail);
      if (!r.notes.length) return void say(`nothing to register: every key in ${opts.agencyKeys} is registered already`);
      for (const n of r.notes) say(n);
      if (!r.live) say(`the exchange at ${exchange.natsUrl} did not answer: registry.json and nats-auth.conf are updated; publish with \`atix init --publish\` and reload the servers`);
      else if (exchange.pid !== undefined && processAlive(exchange.pid) && (exchange.embeddedServer || exchange.cluster)) say(`registered live: coordinators and nodes use it now; \`atix up\` (pid ${exchange.pid}) reloads the broker's accounts${r.retiringUntil ? `, and again at ${r.retiringUntil} to cut the replaced key off` : ""}`);
      else
        say(
          `registered live: coordinators and nodes use it now. Reload every nats-server (nats-server --signal reload) so the new key may log in${r.retiringUntil ? `; after ${r.retiringUntil} run \`atix init --roster FILE\` again (it writes nats-auth.conf without the replaced key) and reload them again` : ""}`,
        );
    });
}
