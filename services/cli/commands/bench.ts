// `atix bench`: ATIX's FLASH fan-out measured against raw NATS core, raw JetStream and the protocol floor in one run.
import type { Command } from "commander";
import { DELIVERY_PULL_BATCH } from "../../agency/delivery-loop.ts";
import { formatTable } from "../../bench/report.ts";
import { runBench, writeBenchJson } from "../../bench/run.ts";
import { MAX_AGENCIES } from "../../bench/roster.ts";
import { CliError } from "../errors.ts";
import { positiveInt } from "../options.ts";

interface BenchFlags {
  agencies: number;
  rounds: number;
  burst: number;
  floorPull: number;
  json?: string;
}

export function registerBench(program: Command) {
  program
    .command("bench")
    .description("benchmark a FLASH broadcast: raw NATS core and JetStream fan-out, the protocol floor, then ATIX end to end, each on a broker of its own")
    .option("--agencies <n>", "agencies (connections) in the fan-out", positiveInt("--agencies"), 90)
    .option("--rounds <n>", "broadcasts timed for the latencies", positiveInt("--rounds"), 100)
    .option("--burst <n>", "messages in each sustained burst: FLASH alerts for ATIX, as many broadcasts for the floor and raw messages for JetStream", positiveInt("--burst"), 400)
    .option("--floor-pull <n>", "deliveries each of the protocol floor's agencies pulls at once (default: as ATIX's agency nodes)", positiveInt("--floor-pull"), DELIVERY_PULL_BATCH)
    .option("--json <file>", "also write the figures as JSON (the floor's under \"floor\", ATIX's under \"atix\")")
    .action(async (flags: BenchFlags) => {
      if (flags.agencies < 2 || flags.agencies > MAX_AGENCIES) throw new CliError(`--agencies expects 2 to ${MAX_AGENCIES}, got ${flags.agencies}`);
      const result = await runBench({
        agencies: flags.agencies,
        rounds: flags.rounds,
        burst: flags.burst,
        floorPull: flags.floorPull,
        onStep: (s) => process.stderr.write(`… ${s}\n`),
      }).catch((e: Error) => {
        throw new CliError(`benchmark failed: ${e.message}`);
      });
      process.stdout.write(`${formatTable(result)}\n`);
      if (flags.json) {
        await writeBenchJson(flags.json, result);
        process.stdout.write(`figures: ${flags.json}\n`);
      }
    });
}
