// The front door: every command a person runs goes through here. Failures end as one line
// on stderr and a non-zero exit code, never a stack trace.
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.ts";

type Register = (program: Command) => void;

/**
 * Each command's module, in the order a person meets them (help lists them so). Only the one a
 * command line names is loaded: each pulls in what its work needs (the coordinator, the scenario
 * runner, the dashboard, the bench), and loading every one of them cost every `atix` process
 * (services the launcher starts among them) about half a second before it did anything.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  up: async () => (await import("./commands/up.ts")).registerUp,
  init: async () => (await import("./commands/init.ts")).registerInit,
  run: async () => (await import("./commands/run.ts")).registerRun,
  send: async () => (await import("./commands/send.ts")).registerSend,
  watch: async () => (await import("./commands/watch.ts")).registerWatch,
  status: async () => (await import("./commands/status.ts")).registerStatus,
  settings: async () => (await import("./commands/settings.ts")).registerSettings,
  dashboard: async () => (await import("./commands/dashboard.ts")).registerDashboard,
  audit: async () => (await import("./commands/audit.ts")).registerAudit,
  coordinator: async () => (await import("./commands/coordinator.ts")).registerCoordinator,
  agency: async () => (await import("./commands/agency.ts")).registerAgency,
  keys: async () => (await import("./commands/keys.ts")).registerKeys,
  onboard: async () => (await import("./commands/onboard.ts")).registerOnboard,
  validate: async () => (await import("./commands/validate.ts")).registerValidate,
  contracts: async () => (await import("./commands/contracts.ts")).registerContracts,
  roster: async () => (await import("./commands/roster.ts")).registerRoster,
  bench: async () => (await import("./commands/bench.ts")).registerBench,
};

/**
 * The program with the command `argv` names, or with every command when it names none of them
 * (help, the version, a mistyped command: commander then lists them or suggests the nearest).
 */
export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
  const program = new Command("atix")
    .description("ATIX: a simulated 24/7 antiterror information exchange between security services over NATS")
    .version("0.1.0", "-V, --version")
    .showSuggestionAfterError()
    .exitOverride()
    // One line: commander's "(Did you mean --from?)" joins the error instead of a second line.
    .configureOutput({ outputError: (text, write) => write(`${text.trim().split("\n").map((l) => l.trim()).filter(Boolean).join(" ")}\n`) });
  const named = argv[2];
  const loading = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!()] : Object.values(COMMANDS).map((load) => load());
  for (const register of await Promise.all(loading)) register(program);
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
  await (await buildProgram()).parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitFor(err);
}
// A command is finished when its action returns (long-running ones return after their own clean
// shutdown); a connection left open by a failure must not keep the process alive.
process.stdout.write("", () => process.stderr.write("", () => process.exit()));
