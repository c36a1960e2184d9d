// The Russian catalogue: the same keys as the English one (a missing key fails to compile),
// written for Russian-speaking duty officers and evaluators.
import type { Catalogue } from "./catalogue.ts";
import { ruCli } from "./ru-cli.ts";
import { ruDashboard } from "./ru-dashboard.ts";
import { ruFigures } from "./ru-figures.ts";
import { ruReport } from "./ru-report.ts";

export const ru: Catalogue = { ...ruReport, ...ruFigures, ...ruCli, ...ruDashboard };
