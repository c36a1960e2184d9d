// `atix dashboard`, and the `--dashboard [PORT]` option of `atix up` and `atix run`: the live
// workshop view in a browser at http://127.0.0.1:PORT/.
import { InvalidArgumentError, type Command } from "commander";
import type { NatsConnection } from "@nats-io/transport-node";
import { attach } from "../../../shared/exchange/attach.ts";
import { readIdentity } from "../../../shared/exchange/identities.ts";
import { connectAs } from "../../../shared/nats/connect.ts";
import { join } from "node:path";
import type { Metrics } from "../../../simulations/report/metrics.ts";
import type { LoadedScenario } from "../../../simulations/scenario/load.ts";
import { debriefView, exerciseView } from "../../../simulations/runner/exercise-view.ts";
import type { RunOptions } from "../../../simulations/runner/run.ts";
import { type ClockControls, type Dashboard, type DashboardPresentation, DEFAULT_DASHBOARD_PORT, type ExerciseView, type InjectPlayed, openDashboard } from "../../dashboard/index.ts";
import { LANGS, type Lang } from "../../../shared/i18n/lang.ts";
import type { ReportOptions } from "../../../simulations/report/context.ts";
import { CliError } from "../errors.ts";
import { oneOf } from "../options.ts";
import { presentationFor, readRegistry } from "../presentation.ts";
import { onShutdown } from "../shutdown.ts";

const say = (s: string) => process.stdout.write(`${s}\n`);

/** `--dashboard` alone means the default port; `--dashboard 0` picks a free one. */
export const dashboardPort = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError(`expects a port number from 0 to 65535, got "${v}" (put other arguments before --dashboard, or write --dashboard=PORT)`);
  return n;
};
export const DASHBOARD_OPTION_HELP = `serve the live workshop dashboard on 127.0.0.1 (default port ${DEFAULT_DASHBOARD_PORT})`;
const portOf = (flag: number | true) => (flag === true ? DEFAULT_DASHBOARD_PORT : flag);

async function open(port: number, title: string | undefined, presentation: DashboardPresentation): Promise<Dashboard> {
  const tryPort = (p: number) => openDashboard({ port: p, presentation, ...(title ? { title } : {}) });
  return tryPort(port)
    .catch((e: NodeJS.ErrnoException) => {
      // The default port taken (another dashboard?): any free port will do; a chosen one will not.
      if (e.code === "EADDRINUSE" && port === DEFAULT_DASHBOARD_PORT) return tryPort(0);
      throw e;
    })
    .catch((e: Error) => {
      throw new CliError(`dashboard: ${e.message}`);
    });
}

/**
 * A dashboard on the exchange found through .atix/exchange.json (or --nats), as the observer.
 * `control` (`atix up`, which owns its exchange's clock): the clock controls it offers. In the
 * language and anonymity `atix up --lang --anonymise` kept in exchange.json, unless `lang` /
 * `anonymise` say otherwise (the same labels as `watch` and `send`'s summary).
 */
export async function serveDashboard(opts: {
  port: number | true; nats?: string; exchangeFile?: string; title?: string; control?: ClockControls; lang?: Lang; anonymise?: boolean;
}): Promise<Pick<Dashboard, "url" | "close">> {
  const { nc, url } = await attach({ as: "observer", name: "atix-dashboard", ...(opts.nats ? { nats: opts.nats } : {}), ...(opts.exchangeFile ? { exchangeFile: opts.exchangeFile } : {}) }).catch((e: Error) => {
    throw new CliError(`dashboard: ${e.message}`);
  });
  let dash: Dashboard | undefined;
  try {
    // The registry first: the anonymiser labels its agencies.
    const { t, anonymiser } = await presentationFor(await readRegistry(nc), { ...(opts.lang ? { lang: opts.lang } : {}), ...(opts.anonymise !== undefined ? { anonymise: opts.anonymise } : {}) });
    dash = await open(portOf(opts.port), opts.title, { lang: t.lang, anonymiser });
    await dash.attach(nc, url);
    if (opts.control) dash.setControl(opts.control);
    const opened = dash;
    return {
      url: opened.url,
      async close() {
        await opened.close();
        await nc.close().catch(() => undefined);
      },
    };
  } catch (e) {
    await dash?.close();
    await nc.close().catch(() => undefined);
    throw e instanceof CliError ? e : new CliError(`dashboard: ${(e as Error).message}`);
  }
}

/**
 * For `atix run`: the page is served at once; the runner calls `onStarted` when its exchange is
 * up, and the dashboard then attaches as the observer, takes the runner's clock controls and
 * shows the scenario's MSEL; `onInject` tells it each inject as it plays; `finish` shows the result.
 */
export async function runDashboard(port: number | true, loaded: LoadedScenario, view: { presentation: DashboardPresentation; report: ReportOptions }) {
  const translation = view.report.translation;
  const dash = await open(portOf(port), translation?.title ?? loaded.scenario.title, view.presentation);
  say(`  dashboard  ${dash.url}`);
  let nc: NatsConnection | undefined;
  let exercise: ExerciseView | undefined;
  const onStarted: NonNullable<RunOptions["onStarted"]> = async ({ launched, plan, controls, fromSeq }) => {
    try {
      exercise = exerciseView(loaded, plan, translation);
      dash.play(exercise);
      const { seed } = await readIdentity(launched.exchange.credentialsDir, "observer");
      nc = await connectAs({ servers: launched.exchange.natsUrl, user: "observer", seed, name: "atix-dashboard" });
      await dash.attach(nc, launched.exchange.natsUrl, { fromSeq });
      dash.setControl(controls);
    } catch (e) {
      // The run matters more than its picture: carry on without it.
      process.stderr.write(`dashboard: cannot show this run: ${(e as Error).message}\n`);
    }
  };
  return {
    onStarted,
    onInject: (p: InjectPlayed) => dash.injectPlayed(p),
    /** The run is over: the debrief (with the report, served by the dashboard) or just a note. */
    finish(note: string, metrics?: Metrics, reportDir?: string) {
      const result = metrics && exercise && reportDir
        ? { debrief: debriefView(metrics, exercise, { path: join(reportDir, "report.html"), url: new URL("/report/report.html", dash.url).href }, view.report), reportDir }
        : undefined;
      dash.finish(note, result);
    },
    /** After the report: the final picture stays up for the debrief until Ctrl-C. */
    async linger() {
      say(`dashboard still shows the result at ${dash.url} (Ctrl-C to exit)`);
      await onShutdown(async () => undefined);
    },
    async close() {
      await dash.close();
      await nc?.close().catch(() => undefined);
    },
  };
}

export function registerDashboard(program: Command) {
  program
    .command("dashboard")
    .description("the live workshop view of a running exchange in a browser (read-only observer)")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .option("--port <n>", `port on 127.0.0.1 (0: any free port)`, dashboardPort, DEFAULT_DASHBOARD_PORT)
    .option("--lang <lang>", `language of the page: ${LANGS.join(" | ")} (default: the exchange's, from atix up --lang)`, oneOf("--lang", LANGS))
    .option("--anonymise", "show agencies by neutral regional labels (default: as atix up --anonymise chose)")
    .action(async (opts: { nats?: string; port: number; lang?: Lang; anonymise?: boolean }) => {
      const dash = await serveDashboard({ port: opts.port, ...(opts.nats ? { nats: opts.nats } : {}), ...(opts.lang ? { lang: opts.lang } : {}), ...(opts.anonymise ? { anonymise: true } : {}) });
      say(`ATIX dashboard: ${dash.url}  (Ctrl-C to stop)`);
      await onShutdown(() => dash.close());
    });
}
