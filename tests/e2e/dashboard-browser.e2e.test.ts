// The workshop dashboard as the room sees it: `atix run smoke --dashboard` in headless Chromium.
// The page loads without console errors or failed requests, a delivered alert appears, a click
// shows its journey, and the facilitator can pause, resume and speed up the run.
// Screenshots go to reports/dashboard-e2e/ (the README's comes from tests/support/dashboard-screenshot.ts).
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardState } from "../../services/dashboard/index.ts";
import { type AtixProcess, launchChromium, startAtixWithDashboard, watchPage } from "../support/dashboard-browser.ts";

const SMOKE = new URL("../../simulations/scenarios/smoke.yaml", import.meta.url).pathname;
const SHOTS = new URL("../../reports/dashboard-e2e/", import.meta.url).pathname;
let browser: Browser;
let atix: AtixProcess;
let page: Page;
let problems: string[];
let dir: string;

const state = async () => (await (await fetch(new URL("/api/state", atix.url))).json()) as DashboardState;

beforeAll(async () => {
  // First, so a machine without chromium fails at once with the way to fix it.
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), "atix-dashboard-e2e-"));
  await mkdir(SHOTS, { recursive: true });
  atix = await startAtixWithDashboard(["run", SMOKE, "--dashboard", "0", "--speed", "500", "--report", join(dir, "report")], dir);
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  problems = watchPage(page);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await atix?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe("dashboard in a browser", () => {
  it("shows the live exchange; a delivered alert appears and a click shows its journey", async () => {
    await page.goto(atix.url);
    await page.waitForFunction(() => document.querySelectorAll("#world .tile").length === 6, null, { timeout: 15_000 });
    expect(await page.locator("#title").textContent()).toContain("Smoke run");

    // An alert that reached at least one recipient.
    const first = page.locator("#alerts .alert").filter({ has: page.locator(".counts b", { hasText: /^[1-9]/ }) }).first();
    await first.waitFor({ timeout: 30_000 });
    const id = await first.getAttribute("data-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // That row by its id: a newer alert may take the first place before the click.
    const row = page.locator(`#alerts .alert[data-id="${id}"]`);
    const title = await row.locator(".title").textContent();
    await row.click();
    await page.locator("#journey").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#journey-title").textContent()).toBe(title);
    await expect.poll(() => page.locator("#journey-rows tr").count(), { timeout: 5_000 }).toBeGreaterThan(1);
    const events = await page.locator("#journey-rows .ev").allTextContents();
    expect(events[0]).toBe("sent");
    expect(events).toContain("delivered");
    const seqs = (await page.locator("#journey-rows td.num:first-child").allTextContents()).map(Number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await page.screenshot({ path: join(SHOTS, "journey.png") });
    await page.keyboard.press("Escape");
    await page.locator("#journey").waitFor({ state: "hidden" });

    // Every agency's presence heard, the chain verified, the clock running.
    await page.waitForFunction(() => [...document.querySelectorAll("#world .tile")].every((t) => !t.classList.contains("unknown")), null, { timeout: 10_000 });
    await expect.poll(() => page.locator("#chain").textContent()).toMatch(/^Audit chain verified up to record [\d,]+$/);
    expect(await page.locator("#run-state").textContent()).toBe("running");
    await page.screenshot({ path: join(SHOTS, "smoke.png") });
    expect(problems).toEqual([]);
  }, 90_000);

  it("lets the facilitator pause, resume and speed up the run", async () => {
    await page.locator("#control-buttons").waitFor({ state: "visible" });
    await page.click("#pause");
    await expect.poll(() => page.locator("#run-state").textContent()).toBe("paused");
    expect((await state()).clock?.state.paused).toBe(true);
    const frozen = await page.locator("#sim-time").textContent();
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await page.locator("#sim-time").textContent()).toBe(frozen);

    await page.click("#faster");
    await expect.poll(() => page.locator("#speed").textContent()).toBe("×600");
    await expect.poll(async () => (await state()).clock?.state.speed).toBe(600);
    await page.click("#pause");
    await expect.poll(() => page.locator("#run-state").textContent()).toBe("running");
    expect((await state()).clock?.state.paused).toBe(false);
    await expect.poll(() => page.locator("#sim-time").textContent()).not.toBe(frozen);
    expect(problems).toEqual([]);
  }, 60_000);

  it("opens the journey of the row pressed even when the list is redrawn before the release", async () => {
    // A busy run redraws the list several times a second. Chromium sends no click at all when the
    // row pressed is replaced before the release (CI lost a click that way).
    const row = page.locator("#alerts .alert").first();
    const id = await row.getAttribute("data-id");
    const title = await row.locator(".title").textContent();
    const box = (await row.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.evaluate(() => {
      const list = document.getElementById("alerts")!;
      list.innerHTML = list.innerHTML;
    });
    await page.mouse.up();
    await page.locator("#journey").waitFor({ state: "visible", timeout: 5_000 });
    expect(await page.locator("#journey").getAttribute("hidden")).toBeNull();
    await expect.poll(() => page.locator("#journey-title").textContent()).toBe(title);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await page.keyboard.press("Escape");
    await page.locator("#journey").waitFor({ state: "hidden" });
    expect(problems).toEqual([]);
  }, 30_000);

  it("updates the rows of a list in place: a row that stays is the same element", async () => {
    // The page's own module, through a module script (vitest rewrites an import() inside evaluate).
    await page.addScriptTag({ type: "module", content: `import { renderKeyedList } from "/assets/keyed-list.js"; window.renderKeyedList = renderKeyedList;` });
    await page.waitForFunction(() => "renderKeyedList" in window);
    const result = await page.evaluate(`(() => {
      const renderKeyedList = window.renderKeyedList;
      const list = document.createElement("ul");
      const li = (key, text) => ({ key, html: '<li data-id="' + key + '" class="r">' + text + '</li>' });
      renderKeyedList(list, [li("a", "A1"), li("b", "B1"), li("c", "C1")], '<li class="more">+1</li>');
      const [a, b, c] = [...list.children];
      // b changes, c moves first, a goes, d arrives, the tail goes.
      renderKeyedList(list, [li("c", "C1"), li("b", "B2"), li("d", "D1")]);
      const after = [...list.children];
      return { texts: after.map((e) => e.textContent), sameB: after[1] === b, sameC: after[0] === c, aGone: !a.isConnected, classes: after.map((e) => e.className) };
    })()`);
    expect(problems).toEqual([]);
    expect(result).toEqual({ texts: ["C1", "B2", "D1"], sameB: true, sameC: true, aGone: true, classes: ["r", "r", "r"] });
  }, 30_000);
});
