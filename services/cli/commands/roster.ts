// `atix roster generate`: a realistic roster of any size (for scale runs), the same for a seed.
import { writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { loadRoster } from "../../../shared/exchange/registry.ts";
import { DEFAULT_ROSTER } from "../../launcher/launch.ts";
import { generateRoster, MAX_GENERATED_AGENCIES, rosterYaml } from "../../../simulations/rosters/generate.ts";
import { CliError } from "../errors.ts";
import { positiveInt, wholeNumber } from "../options.ts";

interface GenerateFlags {
  agencies: number;
  seed: number;
  base?: string;
  out?: string;
}

export function registerRoster(program: Command) {
  const roster = program.command("roster").description("agency rosters");
  roster
    .command("generate")
    .description("generate a roster of N agencies from the states of a base roster (default forum-90): several services per state, deterministic for a seed")
    .requiredOption("--agencies <n>", `number of agencies (1 to ${MAX_GENERATED_AGENCIES})`, positiveInt("--agencies"))
    .option("--seed <n>", "random seed (same seed, same roster)", wholeNumber("--seed"), 1)
    .option("--base <file>", "roster whose states, organisations and sharing groups are used (default: forum-90)")
    .option("--out <file>", "write the roster here (default: standard output)")
    .action(async (flags: GenerateFlags) => {
      if (flags.agencies > MAX_GENERATED_AGENCIES) throw new CliError(`--agencies expects 1 to ${MAX_GENERATED_AGENCIES}, got ${flags.agencies}`);
      const baseFile = resolve(flags.base ?? DEFAULT_ROSTER);
      const base = await loadRoster(baseFile).catch((e: Error) => {
        throw new CliError(e.message);
      });
      const generated = generateRoster({ agencies: flags.agencies, seed: flags.seed, base });
      const text = rosterYaml(generated, { seed: flags.seed, ...(flags.base ? { base: flags.base } : {}) });
      if (!flags.out) return void process.stdout.write(text);
      await writeFile(flags.out, text).catch((e: Error) => {
        throw new CliError(`cannot write ${flags.out}: ${e.message}`);
      });
      const states = new Set(generated.agencies.map((a) => a.id.slice(0, 2))).size;
      process.stdout.write(`wrote ${relative(process.cwd(), resolve(flags.out))}: ${generated.agencies.length} agencies of ${states} states, ${generated.organisations.length} organisations, ${generated.sharingGroups.length} sharing groups\n`);
    });
}
