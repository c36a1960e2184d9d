// Makes the README's screenshot of the workshop dashboard: the default demonstration (baku-247,
// ninety agencies) at speed 300, photographed at 1920x1080 when the simulated clock reaches a
// chosen time (default 07:01 UTC, just after the FLASH alert to every service about a stolen
// radioactive source, while the Americas are on night shifts). Then stops the run.
//
//   npx tsx tests/support/dashboard-screenshot.ts [--at HH:MM] [--out docs/img/dashboard.png]
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { DashboardState } from "../../services/dashboard/index.ts";
import { launchChromium, startAtixWithDashboard, watchPage } from "./dashboard-browser.ts";

const root = new URL("../../", import.meta.url).pathname;
const { values } = parseArgs({ options: { at: { type: "string", default: "07:01" }, out: { type: "string", default: join(root, "docs/img/dashboard.png") }, speed: { type: "string", default: "300" } } });
const [h, m] = values.at!.split(":").map(Number);
const out = resolve(values.out!);

const browser = await launchChromium();
const dir = await mkdtemp(join(tmpdir(), "atix-screenshot-"));
const atix = await startAtixWithDashboard(["run", join(root, "simulations/scenarios/baku-247.yaml"), "--dashboard", "0", "--speed", values.speed!, "--report", join(dir, "report")], dir);
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const problems = watchPage(page);
  await page.goto(atix.url);
  process.stdout.write(`dashboard ${atix.url}; waiting for ${values.at} simulated…\n`);
  for (;;) {
    const s = (await (await fetch(new URL("/api/state", atix.url))).json()) as DashboardState;
    const c = s.clock?.state;
    const now = c ? (c.paused ? c.simAnchor : c.simAnchor + (Date.now() - c.wallAnchor) * c.speed) : 0;
    const d = new Date(now);
    if (now && d.getUTCHours() * 60 + d.getUTCMinutes() >= h! * 60 + m!) break;
    if (atix.child.exitCode !== null) throw new Error(`the run ended early:\n${atix.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await mkdir(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  process.stdout.write(`saved ${out}\n`);
  if (problems.length) throw new Error(`the page had problems:\n${problems.join("\n")}`);
} finally {
  await browser.close();
  await atix.stop();
  await rm(dir, { recursive: true, force: true });
}
