// How the CLI's commands show an exchange to a room: its registry (read in one place), and the
// language and anonymity `atix up --lang --anonymise` chose for it (kept in exchange.json), which
// a command's own --lang / --anonymise override.
import type { NatsConnection } from "@nats-io/transport-node";
import { exchangeFilePath, readExchangeFile } from "../../shared/exchange/exchange-file.ts";
import type { RegistryData } from "../../shared/exchange/registry.ts";
import { ExchangeReader } from "../../shared/exchange/config-read.ts";
import type { Lang } from "../../shared/i18n/lang.ts";
import { translator, type Translator } from "../../shared/i18n/translator.ts";
import { Anonymiser } from "../../shared/presentation/anonymiser.ts";

/** The exchange's registry as the observer reads it; undefined when none is published yet. */
export async function readRegistry(nc: NatsConnection): Promise<RegistryData | undefined> {
  return (await ExchangeReader.of(nc)).registry();
}

export interface Presentation {
  t: Translator;
  anonymiser: Anonymiser;
}

/** The language and anonymity for this exchange: flags first, then exchange.json, else English and real names. */
export async function presentationFor(registry: RegistryData | undefined, flags: { lang?: Lang; anonymise?: boolean }): Promise<Presentation> {
  const chosen = await readExchangeFile(exchangeFilePath()).then((x) => x.presentation, () => undefined);
  const t = translator(flags.lang ?? chosen?.lang ?? "en");
  const anonymise = flags.anonymise ?? chosen?.anonymise ?? false;
  const anonymiser = anonymise && registry ? Anonymiser.of(registry.agencies, chosen?.seed ?? 0, { redacted: t.t("anon.redacted") }) : Anonymiser.none();
  return { t, anonymiser };
}
