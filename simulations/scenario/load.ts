// Loads a scenario file and its roster; mistakes name the path in the file and the line.
import { dirname, resolve } from "node:path";
import { Roster } from "../../shared/contracts/index.ts";
import { loadRoster } from "../../shared/exchange/registry.ts";
import { loadYamlFile } from "../../shared/yaml-file.ts";
import { crossCheck } from "./cross-check.ts";
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
  const problems = crossCheck(scenario, roster);
  if (problems.length) throw new Error(`scenario ${path} does not fit its roster:\n${problems.slice(0, 20).map((p) => `  ${p}`).join("\n")}`);
  return { file: path, scenario, roster };
}
