// Loads a scenario file and its roster; mistakes name the path in the file and the line.
import { dirname, resolve } from "node:path";
import { Roster } from "../../shared/contracts/index.ts";
import { loadRoster } from "../../shared/exchange/registry.ts";
import { loadYamlFile } from "../../shared/yaml-file.ts";
import { Scenario } from "./schema.ts";

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  roster: Roster;
}

export async function loadScenario(file: string): Promise<LoadedScenario> {
  const path = resolve(file);
  const scenario = await loadYamlFile(path, Scenario, "scenario");
  const roster = scenario.roster
    ? await loadRoster(resolve(dirname(path), scenario.roster))
    : Roster.parse({ name: scenario.name, agencies: scenario.agencies, organisations: scenario.organisations ?? [], sharingGroups: scenario.sharingGroups ?? [] });
  const ids = new Set(roster.agencies.map((a) => a.id));
  const unknown = [
    ...scenario.timeline.map((t, i) => [t.from, `timeline[${i}].from`] as const),
    ...scenario.faults.map((f, i) => ["agency" in f ? f.agency : "from" in f ? f.from : undefined, `faults[${i}]`] as const),
  ].filter(([id]) => id !== undefined && !ids.has(id));
  if (unknown.length)
    throw new Error(`scenario ${path} is not valid:\n${unknown.map(([id, p]) => `  ${p}: expected an agency of the roster; ${id} is not one`).join("\n")}`);
  return { file: path, scenario, roster };
}
