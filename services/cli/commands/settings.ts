// `atix settings`: the exchange's settings (deadlines, escalation, quotas), shown or changed live.
// Every coordinator follows the config bucket and applies a change at once; a value that does not
// fit the contract is refused with its field, and nothing is written.
import type { Command } from "commander";
import { attach } from "../../../shared/exchange/attach.ts";
import { DEFAULT_SETTINGS, Settings } from "../../../shared/exchange/settings.ts";
import { CONFIG_KEYS, openStore } from "../../../shared/exchange/store.ts";
import { CliError } from "../errors.ts";

/** `quotas.perMinute=1200` → the settings with that field changed (a number, or JSON for anything else). */
export function applyAssignment(settings: Settings, assignment: string): Settings {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new CliError(`--set expects FIELD=VALUE such as quotas.perMinute=1200, got "${assignment}"`);
  const path = assignment.slice(0, eq).split(".");
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  const next = structuredClone(settings) as Record<string, unknown>;
  let at = next;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== "object" || at[key] === null) throw new CliError(`--set ${assignment}: ${path.join(".")}: no such setting (see \`atix settings\`)`);
    at = at[key] as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (!(last in at)) throw new CliError(`--set ${assignment}: ${path.join(".")}: no such setting (see \`atix settings\`)`);
  at[last] = value;
  const parsed = Settings.safeParse(next);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--set ${assignment}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export function registerSettings(program: Command) {
  program
    .command("settings")
    .description("show the exchange's settings (deadlines, escalation, quotas), or change them live with --set")
    .option("--set <field=value...>", "change a setting, such as quotas.perMinute=1200 or escalationWindowMinutes=5 (repeatable)")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .action(async (opts: { set?: string[]; nats?: string }) => {
      // The operator's, as the coordinator: the observer reads without the bucket API and may change nothing.
      const { nc } = await attach({ ...(opts.nats ? { nats: opts.nats } : {}), as: "coordinator", name: "atix-settings" }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      try {
        const store = await openStore(nc);
        // Checked when read: a stored value that fails the contract counts as its last good revision, else the defaults.
        const cur = await store.settings.get(CONFIG_KEYS.settings);
        const next = (opts.set ?? []).reduce(applyAssignment, cur?.value ?? DEFAULT_SETTINGS);
        if (opts.set) {
          // Compare-and-set: a change made meanwhile (another operator, `atix up`) is not overwritten.
          const written = cur ? await store.settings.update(CONFIG_KEYS.settings, next, cur.revision) : await store.settings.create(CONFIG_KEYS.settings, next);
          if (!written) throw new CliError("the settings were changed by someone else meanwhile: nothing written; run the command again");
        }
        process.stdout.write(`${JSON.stringify(next, null, 2)}\n`);
      } finally {
        await nc.close();
      }
    });
}
