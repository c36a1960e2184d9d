// The issue's "done when", as a person does it: `atix up --start … --lang ru --anonymise
// --dashboard PORT` serves the page in Russian, /api/state lists the agencies by regional labels
// only, the clock starts at the simulated time asked for and the page may pause and speed it (up
// owns its exchange's clock), and an alert sent with `atix send` (real ids on the command line)
// is on /api/stream within a second or two, relabelled. `atix dashboard` on its own reads the same
// exchange in the language and anonymity `atix up` chose.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardState } from "../../services/dashboard/index.ts";
import { type AtixProcess, startAtixWithDashboard } from "../support/dashboard-browser.ts";
import { readSse } from "../support/dashboard-sse.ts";
import { runAtix } from "../support/run-cli.ts";

const ROSTER = new URL("../../simulations/rosters/smoke-6.yaml", import.meta.url).pathname;
const START = "2026-09-21T07:00:00Z";
const IDS = ["AZ", "KG", "KZ", "RU", "TR", "UZ"];
/** Any agency id of the roster as a whole word. */
const realIds = (text: string) => IDS.filter((id) => new RegExp(`(?<![A-Za-z0-9])${id}(?![A-Za-z0-9])`).test(text));
const LABEL = /^[A-Z]{3}-\d{2}$/;
let dir: string;
let up: AtixProcess;
let port: number;
let launchedAt: number;

/** A port that was free a moment ago: the flag is given a number, as a facilitator would. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "atix-up-dashboard-"));
  port = await freePort();
  launchedAt = Date.now();
  up = await startAtixWithDashboard(["up", "--roster", ROSTER, "--speed", "1000", "--start", START, "--lang", "ru", "--anonymise", "--dashboard", String(port)], dir, 90_000);
}, 100_000);

afterAll(async () => {
  await up?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 40_000);

describe("atix up --dashboard", () => {
  it("prints the dashboard's URL on 127.0.0.1 and serves the page", async () => {
    expect(up.url).toBe(`http://127.0.0.1:${port}/`);
    const page = await fetch(up.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/assets/app.js">');
  });

  it("lists the agencies in /api/state; its clock started at --start, and the page may pause and speed it", async () => {
    const state = async () => (await (await fetch(new URL("/api/state", up.url))).json()) as DashboardState;
    const s = await state();
    expect(s.agencies).toHaveLength(6);
    for (const a of s.agencies) expect(a.id).toMatch(LABEL);
    expect(realIds(JSON.stringify(s))).toEqual([]);
    expect(s.names.regions.caucasus).toBe("Кавказ");
    expect(await (await fetch(new URL("/api/i18n", up.url))).json()).toMatchObject({ lang: "ru", locale: "ru-RU", anonymised: true });
    expect(s.controls).toEqual({ clock: true, next: false });
    expect(s.exercise).toBeUndefined();
    expect(s.exchange.name).toBe("smoke-6");
    // Set at --start when the exchange was launched, and running at x1000 since.
    const c = s.clock!.state;
    expect(c.simAnchor).toBeGreaterThanOrEqual(Date.parse(START));
    expect(c.simAnchor + (Date.now() - c.wallAnchor) * c.speed).toBeLessThanOrEqual(Date.parse(START) + (Date.now() - launchedAt) * 1000);
    expect(up.output()).toContain(`simulated start ${START}, anonymised, ru`);
    const post = (body: unknown) => fetch(new URL("/api/clock", up.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post({ pause: true })).status).toBe(200);
    await expect.poll(async () => (await state()).clock?.state.paused, { timeout: 5_000 }).toBe(true);
    expect((await post({ speed: 300 })).status).toBe(200);
    expect((await post({ next: true })).status).toBe(409);
    expect((await post({ pause: false })).status).toBe(200);
    await expect.poll(async () => (await state()).clock?.state, { timeout: 5_000 }).toMatchObject({ paused: false, speed: 300 });
  });

  it("puts an alert sent with `atix send` on /api/stream within two seconds", async () => {
    const sse = await readSse(new URL("/api/stream", up.url).href);
    try {
      await sse.waitFor((e) => e.event === "snapshot");
      const sent = await runAtix(["send", "--from", "AZ", "--to", "all", "--precedence", "FLASH", "--category", "terrorism", "--tlp", "AMBER", "--title", "Planned attack on the Mingachevir dam"], { cwd: dir });
      const done = Date.now();
      expect(sent.stderr).toBe("");
      // In the exchange's language (atix up --lang ru), as the room reads it.
      const id = /принято ([0-9a-f-]{36})/.exec(sent.stdout)?.[1];
      expect(id).toBeDefined();
      const e = await sse.waitFor((x) => x.event === "audit" && (x.data as { messageId?: string }).messageId === id, 2_000);
      // Usually before `atix send` has even exited; never more than two seconds after.
      expect(e.at - done).toBeLessThan(2_000);
      expect(e.data).toMatchObject({ event: "submitted", precedence: "FLASH", title: "Planned attack on the Mingachevir dam" });
      expect((e.data as { actor: string }).actor).toMatch(LABEL);
      expect(realIds(JSON.stringify(e.data))).toEqual([]);
    } finally {
      sse.close();
    }
  });

  it("`atix dashboard` on its own shows the same exchange, and stops on Ctrl-C", async () => {
    const d = await startAtixWithDashboard(["dashboard", "--port", "0"], dir);
    try {
      const s = (await (await fetch(new URL("/api/state", d.url))).json()) as DashboardState;
      expect(s.agencies).toHaveLength(6);
      // As `atix up` chose (kept in exchange.json), with the same labels.
      expect(await (await fetch(new URL("/api/i18n", d.url))).json()).toMatchObject({ lang: "ru", anonymised: true });
      const first = (await (await fetch(new URL("/api/state", up.url))).json()) as DashboardState;
      expect(s.agencies.map((a) => a.id).sort()).toEqual(first.agencies.map((a) => a.id).sort());
      expect(s.alerts.map((a) => a.title)).toContain("Planned attack on the Mingachevir dam");
      expect(s.chain).toMatchObject({ ok: true, catchingUp: false });
    } finally {
      expect(await d.stop(10_000)).toBe(0);
    }
  });
});
