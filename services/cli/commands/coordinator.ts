// `atix coordinator`: one coordinator instance; run several for sharing the work and failover.
import type { Command } from "commander";
import { Coordinator, defaultInstanceName } from "../../coordinator/coordinator.ts";
import { addKeysToRegistryFile, checkInstanceName, instanceKey, keyEntry } from "../../../shared/exchange/coordinator-keys.ts";
import { readExchangeFile, exchangeFilePath } from "../../../shared/exchange/exchange-file.ts";
import { COORDINATOR_USER, newIdentity, readIdentity } from "../../../shared/exchange/identities.ts";
import { CliError } from "../errors.ts";
import { isoTime, positiveNumber, replicaCount } from "../options.ts";
import { retimed } from "../../../shared/clock.ts";
import { CONFIG_KEYS } from "../../../shared/exchange/store.ts";
import { onShutdown } from "../shutdown.ts";

export function registerCoordinator(program: Command) {
  program
    .command("coordinator")
    .description("run a coordinator instance: validates, routes, tracks, escalates and audits")
    .option("--nats <url>", "NATS server (default: the exchange in .atix/exchange.json)")
    .option("--instance <name>", "instance name shown by `atix status`; its audit signing key is keys/instances/NAME.nk, made if missing (default: c-<pid>-<random>, with a key for this run only)")
    .option("--replicas <n>", "replicas of the streams and buckets it ensures, 1, 3 or 5: as the exchange was set up with (default 1)", replicaCount("--replicas"))
    .option("--speed <n>", "set the exchange's clock to this speed once started (simulated time per wall time; every service follows)", positiveNumber("--speed"))
    .option("--start <time>", "set the exchange's simulated time to this once started, such as 2026-09-21T06:00:00Z", isoTime("--start"))
    .action(async (opts: { nats?: string; instance?: string; replicas?: number; speed?: number; start?: number }) => {
      const exchange = await readExchangeFile(exchangeFilePath()).catch((e: Error) => {
        if (!opts.nats) throw new CliError(e.message);
        return undefined;
      });
      const seed = exchange ? (await readIdentity(exchange.credentialsDir, COORDINATOR_USER)).seed : undefined;
      const instance = opts.instance ?? defaultInstanceName();
      try {
        checkInstanceName(instance);
      } catch (e) {
        throw new CliError(`--instance: ${(e as Error).message}`);
      }
      // A named instance keeps its key across restarts; an unnamed one signs with a key of its own
      // run. Either is registered in the folder's registry.json (and, at start, in the live registry).
      const signer = exchange && opts.instance ? (await instanceKey(exchange.credentialsDir, instance)).identity : newIdentity(instance);
      if (exchange) await addKeysToRegistryFile(exchange.registryFile, [keyEntry(instance, signer.publicKey)]);
      const coordinator = new Coordinator({
        servers: opts.nats ?? exchange!.natsUrl,
        ...(seed ? { seed } : {}),
        signingSeed: signer.seed,
        instance,
        ...(opts.replicas ? { replicas: opts.replicas } : {}),
        // Set by the supervisor that started this instance again (services/launcher/supervise.ts).
        restarts: Number(process.env.ATIX_RESTARTS ?? 0) || 0,
      });
      await coordinator.start().catch((e: Error) => {
        throw new CliError(`coordinator could not start: ${e.message}`);
      });
      if (opts.speed !== undefined || opts.start !== undefined) {
        // Through the config bucket: every coordinator adopts and broadcasts it, the agencies follow.
        const { store, clock } = coordinator.context;
        const next = retimed(clock.snapshot(), { ...(opts.speed ? { speed: opts.speed } : {}), ...(opts.start !== undefined ? { simStart: opts.start } : {}) });
        await store.clock.put(CONFIG_KEYS.clock, next);
        process.stderr.write(`exchange clock set: ${next.speed}x from simulated ${new Date(next.simAnchor).toISOString()}\n`);
      }
      await onShutdown(() => coordinator.stop());
    });
}
