// `atix run SCENARIO`: play a scenario on a real exchange and write its after-action report.
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { loadScenario } from "../../../simulations/scenario/load.ts";
import { collectMetrics } from "../../../simulations/runner/collect.ts";
import { progressPrinter } from "../../../simulations/runner/progress.ts";
import { playScenario } from "../../../simulations/runner/run.ts";
import type { Metrics } from "../../../simulations/report/metrics.ts";
import { writeReport } from "../../../simulations/report/write.ts";
import { FIGURES } from "../../../shared/exchange/figures.ts";
import { CliError } from "../errors.ts";
import { positiveNumber, wholeNumber } from "../options.ts";
import { DASHBOARD_OPTION_HELP, dashboardPort, runDashboard } from "./dashboard.ts";

interface RunFlags {
  speed?: number;
  seed?: number;
  report?: string;
  nats?: string;
  dashboard?: number | true;
  hold?: boolean;
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
        process.stderr.write("\ninterrupted: stopping and writing what was measured (Ctrl-C again to quit at once)\n");
        abort.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const printer = progressPrinter();
      process.stdout.write(`${loaded.scenario.title}\n  ${loaded.roster.agencies.length} agencies, ${loaded.scenario.duration / 3_600_000} h at ${flags.speed ?? loaded.scenario.speed}x, seed ${flags.seed ?? loaded.scenario.seed}\n`);
      const dashboard = flags.dashboard !== undefined ? await runDashboard(flags.dashboard, loaded) : undefined;
      const run = await playScenario(loaded, {
        ...(flags.speed ? { speed: flags.speed } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.nats ? { nats: flags.nats } : {}),
        onProgress: (p) => printer.update(p),
        onJump: (j) => printer.note(`facilitator: next inject, the clock moved from ${j.from.slice(11, 16)} to ${new Date(j.clock.simAnchor).toISOString().slice(11, 16)}, just before inject ${j.inject} (${j.skipped} background messages passed over)`),
        signal: abort.signal,
        ...(dashboard ? { onStarted: dashboard.onStarted, onInject: dashboard.onInject } : {}),
      });
      printer.done();
      let metrics: Metrics | undefined;
      try {
        const collected = await collectMetrics(run);
        metrics = collected.metrics;
        const { auditJsonl } = collected;
        await writeReport(dir, metrics, auditJsonl);
        const d = metrics.deliveries;
        const f = metrics.figures;
        const F = FIGURES;
        process.stdout.write(
          `${metrics.pass ? "PASS" : "FAIL"}  ${f.messagesAccepted} ${F.messagesAccepted.label} (${f.alertsAndRfis} ${F.alertsAndRfis.label}), ${f.rejected} ${F.rejected.label}; ` +
            `${f.deliveries} ${F.deliveries.label}, ${f.acknowledged} ${F.acknowledged.label} (${f.withinDeadline} ${F.withinDeadline.label}); ${f.escalations} ${F.escalations.label}; ` +
            `the scenario's own messages: ${d.delivered} of ${d.expected} expected deliveries received, ${d.lost} lost, ${d.duplicated} duplicated; ` +
            `audit ${metrics.audit.verified ? "verified" : "BROKEN"} (${metrics.audit.records} records)\n`,
        );
        if (metrics.traffic.skipped) process.stdout.write(`  (${metrics.traffic.skipped} background messages were passed over by "next inject")\n`);
        for (const e of metrics.expectations) process.stdout.write(`  ${e.pass ? "✓" : "✗"} ${e.description}: ${e.detail}\n`);
        process.stdout.write(`report: ${relative(process.cwd(), dir) || "."}/report.html\n`);
        if (!metrics.pass) throw new CliError(metrics.run.interrupted ? "interrupted before the end" : "expectations not met", 1);
      } finally {
        dashboard?.finish(`Scenario finished. Report: ${relative(process.cwd(), dir) || "."}/report.html`, metrics, dir);
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
