// `.atix/exchange.json`: how the other commands find a running exchange without flags.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { ClockState } from "../clock.ts";
import { LANGS } from "../i18n/lang.ts";

export const ExchangeFile = z
  .object({
    version: z.literal(1),
    natsUrl: z.string().min(1).meta({ description: "The broker's URL; several comma-separated for a cluster." }),
    credentialsDir: z.string().min(1),
    registryFile: z.string().min(1),
    roster: z.string().min(1),
    coordinatorPublicKey: z.string(),
    embeddedServer: z.object({ pid: z.number(), port: z.number(), storeDir: z.string(), configFile: z.string() }).optional(),
    // `atix up --cluster N`: the nodes behind natsUrl (which lists every node's URL, comma-separated).
    cluster: z
      .object({
        name: z.string(),
        replicas: z.number().int().positive(),
        nodes: z.array(z.object({ name: z.string(), url: z.string(), pid: z.number().optional(), clusterPort: z.number(), storeDir: z.string(), configFile: z.string() })).min(1),
      })
      .optional(),
    // Absent when `atix init` wrote the file for a broker and services run elsewhere (Docker).
    pid: z.number().optional().meta({ description: "The `atix up` process, when one runs the exchange." }),
    startedAt: z.string(),
    clock: ClockState,
    /** How commands show this exchange to a room (`atix up --lang --anonymise`): watch, send's summary, the dashboard. */
    presentation: z
      .object({ lang: z.enum(LANGS), anonymise: z.boolean(), seed: z.number().int().meta({ description: "Fixes the anonymised labels for the exchange's life." }) })
      .strict()
      .optional(),
  })
  .strict();
export type ExchangeFile = z.infer<typeof ExchangeFile>;

export const atixHome = (cwd = process.cwd()) => resolve(process.env.ATIX_HOME ?? join(cwd, ".atix"));
export const exchangeFilePath = (home = atixHome()) => join(home, "exchange.json");

export async function writeExchangeFile(file: string, data: ExchangeFile) {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
}

export async function readExchangeFile(file = exchangeFilePath()): Promise<ExchangeFile> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new Error(`no running exchange found: ${file} is missing (start one with \`atix up\`, or pass --nats URL)`);
  });
  const r = ExchangeFile.safeParse(JSON.parse(text));
  if (!r.success) throw new Error(`${file} is not an exchange file: ${r.error.issues[0]?.message}`);
  return r.data;
}
