// Makes the README's pictures of the workshop dashboard: the default demonstration (baku-247,
// ninety agencies) at speed 300 with --hold, photographed when the simulated clock reaches each
// chosen time (07:05: the FLASH about a stolen radiography source, with the services still to
// acknowledge it) and, with "end", on the debrief screen after the run. Then stops the run.
//
//   npx tsx tests/support/dashboard-screenshot.ts                      # docs/img/dashboard.png (07:05) and docs/img/debrief.png
//   npx tsx tests/support/dashboard-screenshot.ts --shot 07:02=a.png --shot end=b.png [--size 1280x720] [--speed 300] [--lang ru] [--anonymise]
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { DashboardState } from "../../services/dashboard/index.ts";
import { launchChromium, startAtixWithDashboard, watchPage } from "./dashboard-browser.ts";

const root = new URL("../../", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    shot: { type: "string", multiple: true, default: [`07:05=${join(root, "docs/img/dashboard.png")}`, `end=${join(root, "docs/img/debrief.png")}`] },
    size: { type: "string", multiple: true, default: ["1920x1080"] },
    speed: { type: "string", default: "300" },
    scenario: { type: "string", default: join(root, "simulations/scenarios/baku-247.yaml") },
    lang: { type: "string" },
    anonymise: { type: "boolean", default: false },
  },
});
const shots = values.shot!.map((s) => {
  const [at, out] = s.split("=");
  if (!at || !out || !/^(\d\d:\d\d|end)$/.test(at)) throw new Error(`--shot expects HH:MM=FILE or end=FILE, got "${s}"`);
  return { at, out: resolve(out) };
});
const sizes = values.size!.map((s) => s.split("x").map(Number) as [number, number]);

const browser = await launchChromium();
const dir = await mkdtemp(join(tmpdir(), "atix-screenshot-"));
const room = [...(values.lang ? ["--lang", values.lang] : []), ...(values.anonymise ? ["--anonymise"] : [])];
const atix = await startAtixWithDashboard(["run", values.scenario!, "--dashboard", "0", "--speed", values.speed!, "--hold", "--report", join(dir, "report"), ...room], dir);
try {
  const pages = await Promise.all(sizes.map(async ([width, height]) => {
    const page = await browser.newPage({ viewport: { width, height } });
    const problems = watchPage(page);
    await page.goto(atix.url);
    return { page, problems, suffix: sizes.length > 1 ? `-${width}` : "" };
  }));
  for (const { at, out } of shots) {
    process.stdout.write(`dashboard ${atix.url}; waiting for ${at}…\n`);
    if (at === "end") await pages[0]!.page.locator("#debrief").waitFor({ state: "visible", timeout: 15 * 60_000 });
    else {
      const [h, m] = at.split(":").map(Number);
      for (;;) {
        const s = (await (await fetch(new URL("/api/state", atix.url))).json()) as DashboardState;
        const c = s.clock?.state;
        const now = c ? (c.paused ? c.simAnchor : c.simAnchor + (Date.now() - c.wallAnchor) * c.speed) : 0;
        const start = s.exercise ? Date.parse(s.exercise.start) : now;
        if (now && now - start >= (h! * 60 + m!) * 60_000) break;
        if (atix.child.exitCode !== null) throw new Error(`the run ended early:\n${atix.output().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await mkdir(dirname(out), { recursive: true });
    // One after the other: two pages drawing a FLASH fan-out at once on a busy machine lag behind.
    for (const { page, suffix } of pages) await page.screenshot({ path: out.replace(/\.png$/, `${suffix}.png`) });
    process.stdout.write(`saved ${out}\n`);
  }
  const problems = pages.flatMap((p) => p.problems);
  if (problems.length) throw new Error(`the page had problems:\n${problems.join("\n")}`);
} finally {
  await browser.close();
  await atix.stop();
  await rm(dir, { recursive: true, force: true });
}
