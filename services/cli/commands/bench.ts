// `atix bench`: ATIX's FLASH fan-out measured against raw NATS core, raw JetStream and the protocol floor in one run;
// with --history, instead, what a long audit chain costs a restarted coordinator and `atix status`; with
// --message-cost, what accepting one message costs the coordinator and the broker.
import { type Command, InvalidArgumentError } from "commander";
import { DELIVERY_PULL_BATCH } from "../../agency/delivery-loop.ts";
import { formatHistoryTable } from "../../bench/history-report.ts";
import { runHistoryBench } from "../../bench/history-run.ts";
import { formatMessageCostTable } from "../../bench/message-cost-report.ts";
import { MessageCostRefused, runMessageCost } from "../../bench/message-cost.ts";
import { formatRunsSummary, formatTable } from "../../bench/report.ts";
import { type BenchResult, runBench } from "../../bench/run.ts";
import { writeFigures } from "../../bench/stats.ts";
import { summariseRuns } from "../../bench/runs-summary.ts";
import { MAX_AGENCIES } from "../../bench/roster.ts";
import { CliError } from "../errors.ts";
import { positiveInt } from "../options.ts";

/** The most runs one `--runs` makes (each full run takes about half a minute on two cores). */
const MAX_RUNS = 50;

interface BenchFlags {
  agencies: number;
  rounds: number;
  burst: number;
  floorPull: number;
  runs: number;
  json?: string;
  history?: number[];
  tail: number;
  messageCost?: number[];
}

/** Counts, comma-separated: `--history 100000,1000000`, `--message-cost 3,89`. */
const counts = (flag: string, what: string, example: string) => (v: string) => {
  const parts = v.split(",").map((p) => p.trim());
  if (!parts.every((p) => /^[1-9]\d*$/.test(p) && Number.isSafeInteger(Number(p))))
    throw new InvalidArgumentError(`${flag} expects ${what} above 0 separated by commas, such as ${example}, got "${v}"`);
  return parts.map(Number);
};

/** The modes each flag shapes: named with another mode, a flag is a mistake, not ignored. */
const FLAG_MODES: Record<string, readonly string[]> = {
  agencies: ["the fan-out", "--history"],
  rounds: ["the fan-out"],
  burst: ["the fan-out", "--message-cost"],
  floorPull: ["the fan-out"],
  runs: ["the fan-out"],
  tail: ["--history"],
};
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The first flag given on the command line that `mode` does not use, said as a one-line error. */
function notForMode(cmd: Command, mode: string): string | undefined {
  const key = Object.keys(FLAG_MODES).find((k) => cmd.getOptionValueSource(k) === "cli" && !FLAG_MODES[k]!.includes(mode));
  return key && `${flagName(key)} applies to ${FLAG_MODES[key]!.join(" and ")}, not to ${mode}: leave one of them out`;
}

export function registerBench(program: Command) {
  program
    .command("bench")
    .description("benchmark a FLASH broadcast: raw NATS core and JetStream fan-out, the protocol floor, then ATIX end to end, each on a broker of its own")
    .option("--agencies <n>", "agencies (connections) in the fan-out", positiveInt("--agencies"), 90)
    .option("--rounds <n>", "broadcasts timed for the latencies", positiveInt("--rounds"), 100)
    .option("--burst <n>", "messages in each sustained burst: FLASH alerts for ATIX, as many broadcasts for the floor and raw messages for JetStream; with --message-cost, the measured broadcasts", positiveInt("--burst"), 400)
    .option("--floor-pull <n>", "deliveries each of the protocol floor's agencies pulls at once (default: as ATIX's agency nodes)", positiveInt("--floor-pull"), DELIVERY_PULL_BATCH)
    .option("--runs <n>", `measure everything this many times (1 to ${MAX_RUNS}), the floor and ATIX taking turns at going first, then judge the targets over all the runs`, positiveInt("--runs"), 1)
    .option("--json <file>", "also write the figures as JSON (the floor's under \"floor\", ATIX's under \"atix\"; with --runs above 1, each run under \"runs\" and their summary under \"summary\"; with --history or --message-cost, that mode's figures)")
    .option("--history <sizes>", "instead of the fan-out: audit chains of these many records (comma-separated, e.g. 100000,1000000), each on an exchange of its own; times a coordinator's first start, its restart until it accepts a submission, and `atix status`", counts("--history", "record counts", "100000,1000000"))
    .option("--tail <n>", "with --history: records appended after the first coordinator's checkpoint, before the restart", positiveInt("--tail"), 5_000)
    .option("--message-cost <recipients>", "instead of the fan-out: the coordinator's and the broker's CPU per accepted message, for FLASH broadcasts to these many recipients (comma-separated, e.g. 3,89; a burst of --burst each), nobody reading them", counts("--message-cost", "recipient counts", "3,89"))
    .action(async (flags: BenchFlags, cmd: Command) => {
      if (flags.history && flags.messageCost) throw new CliError("--history and --message-cost are two different measurements: leave one of them out");
      const mode = flags.history ? "--history" : flags.messageCost ? "--message-cost" : "the fan-out";
      const misplaced = notForMode(cmd, mode);
      if (misplaced) throw new CliError(misplaced);
      if (flags.agencies < 2 || flags.agencies > MAX_AGENCIES) throw new CliError(`--agencies expects 2 to ${MAX_AGENCIES}, got ${flags.agencies}`);
      // A full run takes about half a minute: a mistyped count must not run for hours.
      if (flags.runs > MAX_RUNS) throw new CliError(`--runs expects 1 to ${MAX_RUNS}, got ${flags.runs}`);
      if (flags.history) return history(flags, flags.history);
      if (flags.messageCost) return messageCost(flags, flags.messageCost, cmd.getOptionValueSource("burst") === "cli");
      const results: BenchResult[] = [];
      for (let i = 1; i <= flags.runs; i++) {
        // Taking turns: on a shared machine whichever goes first may find it quieter.
        const atixFirst = i % 2 === 0;
        const which = flags.runs > 1 ? `run ${i} of ${flags.runs}: ` : "";
        const step = (s: string) => process.stderr.write(`… ${which}${s}\n`);
        let result: BenchResult;
        try {
          result = await runBench({ agencies: flags.agencies, rounds: flags.rounds, burst: flags.burst, floorPull: flags.floorPull, atixFirst, onStep: step });
        } catch (e) {
          const kept = results.length ? await report(flags, results, { run: i, error: (e as Error).message }) : "";
          throw new CliError(`benchmark failed${flags.runs > 1 ? ` in run ${i} of ${flags.runs}` : ""}: ${(e as Error).message}${kept}`);
        }
        results.push(result);
        process.stdout.write(`${flags.runs > 1 ? `run ${i} of ${flags.runs}, ${atixFirst ? "ATIX" : "the floor"} measured first\n` : ""}${formatTable(result)}\n${flags.runs > 1 ? "\n" : ""}`);
      }
      await report(flags, results);
    });
}

/**
 * The summary of several runs, and the JSON: one run's figures, or every run's and their summary.
 * After a failed run, what the runs before it measured (said in the returned words).
 */
async function report(flags: BenchFlags, results: BenchResult[], failed?: { run: number; error: string }): Promise<string> {
  const several = flags.runs > 1;
  const summary = several ? summariseRuns(results) : undefined;
  if (summary) process.stdout.write(`${formatRunsSummary(results, summary)}\n`);
  if (!flags.json) return failed ? `; the ${results.length} run${results.length > 1 ? "s" : ""} before it ${results.length > 1 ? "are" : "is"} printed above` : "";
  await writeFigures(flags.json, summary ? { runs: results, summary, ...(failed ? { failed } : {}) } : results[0]!);
  process.stdout.write(`figures: ${flags.json}\n`);
  return failed ? `; the figures of the ${results.length} run${results.length > 1 ? "s" : ""} before it are in ${flags.json}` : "";
}

async function messageCost(flags: BenchFlags, recipients: number[], burstGiven: boolean) {
  const result = await runMessageCost({ recipients, burst: flags.burst, burstGiven, onStep: (s) => process.stderr.write(`… ${s}\n`) }).catch((e: Error) => {
    throw new CliError(e instanceof MessageCostRefused ? e.message : `message cost benchmark failed: ${e.message}`);
  });
  process.stdout.write(`${formatMessageCostTable(result)}\n`);
  if (flags.json) {
    await writeFigures(flags.json, result);
    process.stdout.write(`figures: ${flags.json}\n`);
  }
}

async function history(flags: BenchFlags, sizes: number[]) {
  const result = await runHistoryBench({
    sizes,
    agencies: flags.agencies,
    tail: flags.tail,
    onStep: (s) => process.stderr.write(`… ${s}\n`),
  }).catch((e: Error) => {
    throw new CliError(`history benchmark failed: ${e.message}`);
  });
  process.stdout.write(`${formatHistoryTable(result)}\n`);
  if (flags.json) {
    await writeFigures(flags.json, result);
    process.stdout.write(`figures: ${flags.json}\n`);
  }
}
