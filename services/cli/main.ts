// The front door: every command a person runs goes through here. Failures end as one line
// on stderr and a non-zero exit code, never a stack trace.
import { Command, CommanderError } from "commander";
import { registerAudit } from "./commands/audit.ts";
import { registerBench } from "./commands/bench.ts";
import { registerContracts } from "./commands/contracts.ts";
import { registerDashboard } from "./commands/dashboard.ts";
import { registerStatus } from "./commands/status.ts";
import { registerCoordinator } from "./commands/coordinator.ts";
import { registerUp } from "./commands/up.ts";
import { registerInit } from "./commands/init.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerOnboard } from "./commands/onboard.ts";
import { registerRun } from "./commands/run.ts";
import { registerRoster } from "./commands/roster.ts";
import { registerSend } from "./commands/send.ts";
import { registerSettings } from "./commands/settings.ts";
import { registerAgency } from "./commands/agency.ts";
import { registerValidate } from "./commands/validate.ts";
import { registerWatch } from "./commands/watch.ts";
import { CliError } from "./errors.ts";

export function buildProgram(): Command {
  const program = new Command("atix")
    .description("ATIX: a simulated 24/7 antiterror information exchange between security services over NATS")
    .version("0.1.0", "-V, --version")
    .showSuggestionAfterError()
    .exitOverride()
    // One line: commander's "(Did you mean --from?)" joins the error instead of a second line.
    .configureOutput({ outputError: (text, write) => write(`${text.trim().split("\n").map((l) => l.trim()).filter(Boolean).join(" ")}\n`) });
  // In the order a person meets them.
  registerUp(program);
  registerInit(program);
  registerRun(program);
  registerSend(program);
  registerWatch(program);
  registerStatus(program);
  registerSettings(program);
  registerDashboard(program);
  registerAudit(program);
  registerCoordinator(program);
  registerAgency(program);
  registerKeys(program);
  registerOnboard(program);
  registerValidate(program);
  registerContracts(program);
  registerRoster(program);
  registerBench(program);
  unknownOptionsFirst(program);
  return program;
}

/**
 * Commander checks required options before unknown ones, so `--form AZ` said "required option
 * --from not specified". Required options are checked here after the unknown ones instead (a
 * preAction hook runs after that check), so a typo is named with its "did you mean".
 */
function unknownOptionsFirst(cmd: Command) {
  const required = cmd.options.filter((o) => o.mandatory);
  for (const o of required) o.makeOptionMandatory(false);
  if (required.length)
    cmd.hook("preAction", (_self, action) => {
      for (const o of required)
        if (action.getOptionValue(o.attributeName()) === undefined) action.error(`error: required option '${o.flags}' not specified`, { code: "commander.missingMandatoryOptionValue" });
    });
  cmd.commands.forEach(unknownOptionsFirst);
}

// Commander's own errors (unknown command or flag) are already printed; ours are printed here.
function exitFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : err.code === "commander.help" ? 0 : 2;
  if (err instanceof CliError) {
    process.stderr.write(`atix: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`atix: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.ATIX_DEBUG) console.error(err);
  return 1;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitFor(err);
}
// A command is finished when its action returns (long-running ones return after their own clean
// shutdown); a connection left open by a failure must not keep the process alive.
process.stdout.write("", () => process.stderr.write("", () => process.exit()));
