// `atix run SCENARIO`: play a scenario on a real exchange and write its after-action report.
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { loadScenario } from "../../../simulations/scenario/load.ts";
import { collectMetrics } from "../../../simulations/runner/collect.ts";
import { progressPrinter } from "../../../simulations/runner/progress.ts";
import { playScenario } from "../../../simulations/runner/run.ts";
import type { Metrics } from "../../../simulations/report/metrics.ts";
import { writeReport } from "../../../simulations/report/write.ts";
import { runSummary } from "../../../simulations/report/summary.ts";
import { LANGS, type Lang } from "../../../shared/i18n/lang.ts";
import { translator } from "../../../shared/i18n/translator.ts";
import { Anonymiser } from "../../../shared/presentation/anonymiser.ts";
import { CliError } from "../errors.ts";
import { oneOf, positiveNumber, wholeNumber } from "../options.ts";
import { DASHBOARD_OPTION_HELP, dashboardPort, runDashboard } from "./dashboard.ts";

interface RunFlags {
  speed?: number;
  seed?: number;
  report?: string;
  nats?: string;
  dashboard?: number | true;
  hold?: boolean;
  lang?: Lang;
  anonymise?: boolean;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");

export function registerRun(program: Command) {
  program
    .command("run")
    .description("play a scenario in accelerated time on a real exchange and write the after-action report")
    .argument("<scenario>", "scenario file, e.g. simulations/scenarios/baku-247.yaml")
    .option("--speed <n>", "simulated time per wall time (default: the scenario's)", positiveNumber("--speed"))
    .option("--seed <n>", "random seed of the traffic and the duty officers (default: the scenario's)", wholeNumber("--seed"))
    .option("--report <dir>", "report folder (default: reports/<scenario>-<time>/)")
    .option("--nats <url>", "use this NATS server instead of starting one")
    .option("--dashboard [port]", `${DASHBOARD_OPTION_HELP}, with pause/resume/speed for the facilitator`, dashboardPort)
    .option("--hold", "with --dashboard: keep showing the final state after the run, for the debrief (Ctrl-C to exit)")
    .option("--lang <lang>", `language of the report, progress line, summary and dashboard: ${LANGS.join(" | ")} (default: the scenario's, else en)`, oneOf("--lang", LANGS))
    .option("--anonymise", "show agencies by neutral regional labels (EUR-07) in the report, progress, summary and dashboard; metrics.json keeps real ids")
    .action(async (file: string, flags: RunFlags) => {
      const loaded = await loadScenario(file).catch((e: Error) => {
        throw new CliError(e.message);
      });
      if (flags.nats && loaded.scenario.cluster)
        throw new CliError(`${loaded.scenario.name} runs on a cluster of its own (cluster: ${loaded.scenario.cluster}), which --nats would replace: drop --nats`);
      const dir = resolve(flags.report ?? `reports/${loaded.scenario.name}-${stamp()}`);
      const abort = new AbortController();
      const onSignal = () => {
        if (abort.signal.aborted) process.exit(130);
        process.stderr.write(`\n${translator(flags.lang ?? "en").t("run.interrupted")}\n`);
        abort.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const lang = flags.lang ?? loaded.scenario.lang ?? "en";
      const t = translator(lang);
      const seed = flags.seed ?? loaded.scenario.seed;
      // One mapping for the whole run: progress, summary and report show the same labels.
      const anonymiser = flags.anonymise || loaded.scenario.anonymise ? Anonymiser.of(loaded.roster.agencies, seed, { redacted: t.t("anon.redacted") }) : Anonymiser.none();
      const translation = loaded.scenario.translations[lang];
      const printer = progressPrinter(process.stdout, t);
      const title = anonymiser.text(translation?.title ?? loaded.scenario.title);
      process.stdout.write(`${title}\n  ${t.t("run.header", { n: loaded.roster.agencies.length, hours: loaded.scenario.duration / 3_600_000, speed: t.int(flags.speed ?? loaded.scenario.speed), seed: String(seed) })}\n`);
      const reportOptions = { lang, anonymiser, ...(translation ? { translation } : {}), names: { sharingGroups: loaded.roster.sharingGroups } };
      // The room sees what the report says: the same language, the same labels.
      const dashboard = flags.dashboard !== undefined ? await runDashboard(flags.dashboard, loaded, { presentation: { lang, anonymiser }, report: reportOptions }) : undefined;
      const run = await playScenario(loaded, {
        ...(flags.speed ? { speed: flags.speed } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.nats ? { nats: flags.nats } : {}),
        onProgress: (p) => printer.update(p),
        onJump: (j) => printer.note(t.t("run.nextInject", { from: j.from.slice(11, 16), to: new Date(j.clock.simAnchor).toISOString().slice(11, 16), inject: j.inject, n: j.skipped })),
        signal: abort.signal,
        ...(dashboard ? { onStarted: dashboard.onStarted, onInject: dashboard.onInject } : {}),
      });
      printer.done();
      let metrics: Metrics | undefined;
      try {
        const collected = await collectMetrics(run);
        metrics = collected.metrics;
        const { auditJsonl, registry } = collected;
        await writeReport(dir, metrics, auditJsonl, reportOptions, registry);
        process.stdout.write(runSummary(metrics, reportOptions, relative(process.cwd(), dir) || "."));
        if (!metrics.pass) throw new CliError(metrics.run.interrupted ? "interrupted before the end" : "expectations not met", 1);
      } finally {
        dashboard?.finish(t.t("run.report", { path: `${relative(process.cwd(), dir) || "."}/report.html` }), metrics, dir);
        if (dashboard && flags.hold && !abort.signal.aborted) {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          await dashboard.linger();
        }
        await dashboard?.close();
        await run.close();
      }
    });
}
