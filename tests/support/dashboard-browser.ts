// What the dashboard's browser tests and the README screenshot share: Debian's chromium driven by
// playwright-core (its own browser download needs the internet, so it is never used), a page
// watched for console errors and failed requests, and an `atix` process that serves a dashboard.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { ATIX_BIN } from "./run-cli.ts";

export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Fails loudly (never skips) when the browser is missing: the test is part of the suite. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the dashboard's browser test needs Debian's chromium. Run \`bash .ci/setup\` (it installs it with apt-get), or point CHROMIUM_BIN at one.`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Everything that went wrong on the page: console errors, script errors, failed or refused requests. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
  page.on("pageerror", (e) => void problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => void problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`)));
  return problems;
}

export interface AtixProcess {
  child: ChildProcess;
  output(): string;
  /** The dashboard URL it printed. */
  url: string;
  /** Ctrl-C, as a person would; killed if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `atix ARGS` and waits until it prints the dashboard's URL. */
export async function startAtixWithDashboard(args: string[], cwd: string, timeoutMs = 60_000): Promise<AtixProcess> {
  const child = spawn(process.execPath, [ATIX_BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const until = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!(url = /dashboard:?\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1])) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`atix ${args.join(" ")} did not serve a dashboard:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    output: () => out,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGINT");
      const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
