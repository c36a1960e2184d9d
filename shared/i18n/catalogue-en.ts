// The English catalogue: every string ATIX shows a room or a reader, by key. It defines the keys
// and placeholders (see catalogue.ts); the Russian catalogue must give the same keys.
import { enCli } from "./en-cli.ts";
import { enDashboard } from "./en-dashboard.ts";
import { enFigures } from "./en-figures.ts";
import { enReport } from "./en-report.ts";

export const en = { ...enReport, ...enFigures, ...enCli, ...enDashboard } as const;
