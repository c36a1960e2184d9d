// `atix bench`: ATIX's FLASH fan-out measured against raw NATS core and raw JetStream in one run.
import type { Command } from "commander";
import { formatTable, runBench, writeBenchJson } from "../../bench/run.ts";
import { MAX_AGENCIES } from "../../bench/roster.ts";
import { CliError } from "../errors.ts";
import { positiveInt } from "../options.ts";

interface BenchFlags {
  agencies: number;
  rounds: number;
  burst: number;
  json?: string;
}

export function registerBench(program: Command) {
  program
    .command("bench")
    .description("benchmark a FLASH broadcast: raw NATS core and JetStream fan-out, then ATIX end to end, on a broker of its own")
    .option("--agencies <n>", "agencies (connections) in the fan-out", positiveInt("--agencies"), 90)
    .option("--rounds <n>", "broadcasts timed for the latencies", positiveInt("--rounds"), 100)
    .option("--burst <n>", "messages in each sustained burst: FLASH alerts for ATIX, as many raw messages for JetStream", positiveInt("--burst"), 400)
    .option("--json <file>", "also write the figures as JSON (ATIX's under an \"atix\" key)")
    .action(async (flags: BenchFlags) => {
      if (flags.agencies < 2 || flags.agencies > MAX_AGENCIES) throw new CliError(`--agencies expects 2 to ${MAX_AGENCIES}, got ${flags.agencies}`);
      const result = await runBench({
        agencies: flags.agencies,
        rounds: flags.rounds,
        burst: flags.burst,
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
