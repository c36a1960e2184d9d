// How the CLI's commands reach an exchange: from `.atix/exchange.json` (written by `atix up`)
// or from an explicit --nats URL, connecting as the identity the command acts as.
import type { NatsConnection } from "@nats-io/transport-node";
import { connectAs } from "../nats/connect.ts";
import { type ExchangeFile, exchangeFilePath, readExchangeFile } from "./exchange-file.ts";
import { readIdentity } from "./identities.ts";

export interface Attached {
  nc: NatsConnection;
  /** The exchange file, when the exchange was found through it. */
  exchange?: ExchangeFile;
  url: string;
}

export interface AttachOptions {
  /** An explicit server URL; credentials still come from the exchange folder when there is one. */
  nats?: string;
  /** "observer", "coordinator" or an agency id. */
  as: string;
  /** Path of the exchange file (default .atix/exchange.json, or $ATIX_HOME). */
  exchangeFile?: string;
  name?: string;
}

export async function attach(opts: AttachOptions): Promise<Attached> {
  let exchange: ExchangeFile | undefined;
  try {
    exchange = await readExchangeFile(opts.exchangeFile ?? exchangeFilePath());
  } catch (e) {
    if (!opts.nats) throw e;
  }
  const url = opts.nats ?? exchange!.natsUrl;
  const seed = exchange ? (await readIdentity(exchange.credentialsDir, opts.as)).seed : undefined;
  try {
    const nc = await connectAs({ servers: url, user: opts.as, ...(seed ? { seed } : {}), ...(opts.name ? { name: opts.name } : {}) });
    return { nc, url, ...(exchange ? { exchange } : {}) };
  } catch (e) {
    throw new Error(`cannot reach the exchange at ${url} as ${opts.as}: ${(e as Error).message}`);
  }
}
