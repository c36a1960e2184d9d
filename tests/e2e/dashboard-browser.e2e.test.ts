// The workshop dashboard as the room sees it: `atix run --dashboard --hold` of a short exercise
// (tests/support/scenarios/dashboard-story.yaml, two hours at x300) in headless Chromium. The inject
// ticker shows the first inject; a journey says who is missing and marks the recipients on the map;
// a clicked escalation opens its alert's journey at that step; the picture holds while paused;
// "next inject" moves the clock to just before the next one; a withdrawn scripted alert stays
// reachable; the debrief shows the verdict and a working link to the report; the dashboard's final
// counters equal the report's metrics.json; no console errors. Then the same exercise in Russian,
// anonymised: no English catalogue string and no agency of the roster on the page.
// Screenshots go to reports/dashboard-e2e/ (the README's come from tests/support/dashboard-screenshot.ts).
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardState, MselInjectView } from "../../services/dashboard/index.ts";
import { en } from "../../shared/i18n/catalogue-en.ts";
import { Metrics } from "../../simulations/report/metrics.ts";
import { type AtixProcess, launchChromium, startAtixWithDashboard, watchPage } from "../support/dashboard-browser.ts";

const STORY = new URL("../support/scenarios/dashboard-story.yaml", import.meta.url).pathname;
const SHOTS = new URL("../../reports/dashboard-e2e/", import.meta.url).pathname;
let browser: Browser;
let atix: AtixProcess;
let page: Page;
let problems: string[];
let dir: string;

const state = async () => (await (await fetch(new URL("/api/state", atix.url))).json()) as DashboardState;
const inject = async (n: number) => (await state()).exercise!.injects.find((i) => i.inject === n)!;
const played = async (n: number) => {
  await expect.poll(async () => (await inject(n)).state, { timeout: 30_000 }).toBe("played");
  return (await inject(n)) as MselInjectView & { messageId: string };
};
const hhmmss = (iso: string | number) => new Date(iso).toISOString().slice(11, 19);

beforeAll(async () => {
  // First, so a machine without chromium fails at once with the way to fix it.
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), "atix-dashboard-e2e-"));
  await mkdir(SHOTS, { recursive: true });
  atix = await startAtixWithDashboard(["run", STORY, "--dashboard", "0", "--speed", "300", "--hold", "--report", join(dir, "report")], dir);
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  problems = watchPage(page);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await atix?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe("dashboard in a browser", () => {
  it("shows the first inject in the ticker, then who is still missing on its journey and on the map", async () => {
    await page.goto(atix.url);
    await page.waitForFunction(() => document.querySelectorAll("#world .tile").length === 6, null, { timeout: 20_000 });
    expect(await page.locator("#title").textContent()).toContain("Dashboard story");
    // Before it plays it is next; once played, now.
    await expect.poll(() => page.locator("#ticker").textContent(), { timeout: 20_000 }).toMatch(/Inject 1.*Armed suspects may leave Baku by Caspian ferry/);
    const first = await played(1);
    await expect.poll(() => page.locator("#tick-now").textContent(), { timeout: 5_000 }).toContain("Inject 1");

    // Kyrgyzstan's node is offline: its FLASH is not acknowledged, and the journey says so.
    const row = page.locator(`#script .row[data-id="${first.messageId}"]`);
    await row.click();
    await page.locator("#journey").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#journey-title").textContent(), { timeout: 5_000 }).toBe("Armed suspects may leave Baku by Caspian ferry");
    await expect.poll(() => page.locator("#journey-missing").textContent(), { timeout: 10_000 }).toMatch(/Still missing \(1\)\s*KG/);
    // On the map: KG outlined as missing, AZ as the sender, the others acknowledged (or waiting).
    expect(await page.locator('.tile[data-id="KG"]').getAttribute("class")).toContain("m-wait");
    expect(await page.locator('.tile[data-id="AZ"]').getAttribute("class")).toContain("m-origin");
    await page.screenshot({ path: join(SHOTS, "journey.png") });
    // Legible on a projector at 1280x720: no visible text under 14 px, and a row's counts never cut.
    const small = await page.evaluate(() =>
      [...document.querySelectorAll("body *")].flatMap((el) => {
        const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
        const px = parseFloat(getComputedStyle(el).fontSize);
        return own && el.getClientRects().length && px < 13.95 ? [`${el.tagName}.${el.className}: ${px}px "${el.textContent!.trim().slice(0, 30)}"`] : [];
      }),
    );
    expect(small).toEqual([]);
    const cut = await page.evaluate(() => [...document.querySelectorAll("#script .counts")].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent));
    expect(cut).toEqual([]);
    await page.keyboard.press("Escape");
    await page.locator("#journey").waitFor({ state: "hidden" });
    await page.locator("#side").waitFor({ state: "visible" });
    expect(problems.join("\n")).toBe("");
  }, 90_000);

  it("holds the picture while paused, and moves the clock to just before the next inject", async () => {
    await page.keyboard.press("Space");
    await expect.poll(() => page.locator("#run-state").textContent(), { timeout: 5_000 }).toBe("paused");
    await expect.poll(async () => (await state()).clock?.state.paused, { timeout: 5_000 }).toBe(true);
    const frozen = await page.locator("#sim-time").textContent();
    // Every animation on the map is paused (or done): nothing fades while the room looks.
    const running = await page.evaluate(() => document.getAnimations().filter((a) => a.playState === "running" && (a.effect as KeyframeEffect | null)?.target instanceof Element && ((a.effect as KeyframeEffect).target as Element).closest("#world-wrap")).length);
    expect(running).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(await page.locator("#sim-time").textContent()).toBe(frozen);

    // Down to x10 (300, 120, 60, 30, 10): there "just before" is a simulated minute.
    for (let i = 0; i < 4; i++) await page.keyboard.press("-");
    await expect.poll(async () => (await state()).clock?.state.speed, { timeout: 5_000 }).toBe(10);
    const next = (await state()).exercise!.injects.find((i) => i.state === "upcoming")!;
    await page.keyboard.press("n");
    // The larger of a simulated minute and three wall seconds at x10; still paused.
    const lead = 60_000;
    await expect.poll(async () => (await state()).clock?.state.simAnchor, { timeout: 5_000 }).toBe(Date.parse(next.at) - lead);
    await expect.poll(() => page.locator("#sim-time").textContent(), { timeout: 5_000 }).toBe(hhmmss(Date.parse(next.at) - lead));
    expect(await page.locator("#control-note").textContent()).toContain(`just before inject ${next.inject}`);
    expect(await page.locator("#run-state").textContent()).toBe("paused");

    for (let i = 0; i < 4; i++) await page.keyboard.press("=");
    await expect.poll(async () => (await state()).clock?.state.speed, { timeout: 5_000 }).toBe(300);
    await page.click("#pause");
    await expect.poll(() => page.locator("#run-state").textContent(), { timeout: 5_000 }).toBe("running");
    await played(next.inject);
    await expect.poll(() => page.locator("#tick-now").textContent(), { timeout: 5_000 }).toContain(`Inject ${next.inject}`);
    expect(problems.join("\n")).toBe("");
  }, 60_000);

  it("opens a clicked escalation's journey at that step", async () => {
    const esc = page.locator('#escalations .esc:has(.s-backup-contact)').first();
    await esc.waitFor({ timeout: 30_000 });
    const seq = await esc.getAttribute("data-seq");
    await esc.click();
    await page.locator("#journey").waitFor({ state: "visible" });
    const step = page.locator(`#journey-escalations li.hl[data-seq="${seq}"]`);
    await step.waitFor();
    expect(await step.textContent()).toMatch(/KG late: .* told/);
    // Scrolled into view in the journey's body.
    const [body, box] = [await page.locator("#journey-body").boundingBox(), await step.boundingBox()];
    expect(box!.y).toBeGreaterThanOrEqual(body!.y - 1);
    expect(box!.y + box!.height).toBeLessThanOrEqual(body!.y + body!.height + 1);
    await page.locator("#journey-close").click();
    await page.locator("#journey").waitFor({ state: "hidden" });
  }, 60_000);

  it("keeps a withdrawn scripted alert reachable in the script", async () => {
    const first = await played(1);
    await played(3);
    const row = page.locator(`#script .row[data-id="${first.messageId}"]`);
    await expect.poll(() => row.getAttribute("data-state"), { timeout: 10_000 }).toBe("retracted");
    await row.click();
    await page.locator("#journey").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#journey-linked").textContent(), { timeout: 5_000 }).toMatch(/withdrawal/);
    await page.keyboard.press("Escape");
    await page.locator("#journey").waitFor({ state: "hidden" });
  }, 60_000);

  it("ends on the debrief: the verdict, a working link to the report, and the report's figures as its counters", async () => {
    await page.locator("#debrief").waitFor({ state: "visible", timeout: 90_000 });
    const metrics = Metrics.parse(JSON.parse(await readFile(join(dir, "report", "metrics.json"), "utf8")));
    expect(await page.locator("#debrief-verdict").textContent()).toMatch(metrics.pass ? /^PASS/ : /^FAIL/);
    expect(await page.locator("#sim-time").textContent()).toBe("08:00:00");
    expect(await page.locator("#day-note").textContent()).toBe("end of the exercise day");
    await page.screenshot({ path: join(SHOTS, "debrief.png") });
    const [report] = await Promise.all([page.waitForEvent("popup"), page.click("#debrief-report")]);
    await report.waitForLoadState();
    expect(report.url()).toBe(new URL("/report/report.html", atix.url).href);
    expect(await report.title()).toContain("Dashboard story");
    await report.close();

    // The dashboard counted the run itself, from the chain: the same figures as the report.
    await expect.poll(async () => (await state()).auditSeq, { timeout: 10_000 }).toBe(metrics.audit.records);
    const s = await state();
    expect(s.counters.figures).toEqual(metrics.figures);
    const card = (id: string) => page.locator(`#${id} .value`).textContent();
    await page.click("#debrief-close");
    await expect.poll(() => card("f-messages"), { timeout: 5_000 }).toBe(metrics.figures.messagesAccepted.toLocaleString("en-GB"));
    expect(await card("f-deliveries")).toBe(metrics.figures.deliveries.toLocaleString("en-GB"));
    expect(await card("f-acknowledged")).toBe(metrics.figures.acknowledged.toLocaleString("en-GB"));
    expect(await card("f-escalations")).toBe(metrics.figures.escalations.toLocaleString("en-GB"));
    expect(await page.locator("#f-messages .label").textContent()).toBe("Messages accepted");
    expect(problems.join("\n")).toBe("");
  }, 120_000);

  it("opens the journey of the row pressed even when the list is redrawn before the release", async () => {
    // A busy run redraws the list several times a second. Chromium sends no click at all when the
    // row pressed is replaced before the release (CI lost a click that way).
    const row = page.locator("#script .row[data-id]").first();
    const id = await row.getAttribute("data-id");
    // (The list may have been scrolled to a row clicked earlier.)
    await row.scrollIntoViewIfNeeded();
    const box = (await row.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.evaluate(() => {
      const list = document.getElementById("script")!;
      list.innerHTML = list.innerHTML;
    });
    await page.mouse.up();
    await page.locator("#journey").waitFor({ state: "visible", timeout: 5_000 });
    const j = (await (await fetch(new URL(`/api/journey/${id}`, atix.url))).json()) as { alert: { title: string } };
    await expect.poll(() => page.locator("#journey-title").textContent(), { timeout: 5_000 }).toBe(j.alert.title);
    await page.keyboard.press("Escape");
    await page.locator("#journey").waitFor({ state: "hidden" });
    expect(problems.join("\n")).toBe("");
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
    expect(problems.join("\n")).toBe("");
    expect(result).toEqual({ texts: ["C1", "B2", "D1"], sameB: true, sameC: true, aGone: true, classes: ["r", "r", "r"] });
  }, 30_000);
});

describe("a Russian, anonymised dashboard", () => {
  // The same exercise at x1000 (its scenario has Russian words of its own): what the room sees in
  // the live view, a journey and the debrief is Russian and names no agency of the roster.
  let ru: AtixProcess;
  let ruPage: Page;
  let ruProblems: string[];
  const roster = ["AZ", "KZ", "KG", "UZ", "RU", "TR"];
  const names = ["Azerbaijan", "Kazakhstan", "Kyrgyz", "Uzbek", "Russia", "Türkiye", "Turkey", "KNB", "GKNB", "SGB", "FSB", "MIT", "State Security Service", "Федеральная служба безопасности", "Азербайджан", "Казахстан", "Киргиз", "Узбек", "Росси", "Турци"];
  const leaks = (text: string) => [
    ...roster.filter((id) => new RegExp(`(?<![A-Za-z0-9])${id}(?![A-Za-z0-9])`).test(text)),
    ...names.filter((n) => text.includes(n)),
  ];

  beforeAll(async () => {
    ru = await startAtixWithDashboard(["run", STORY, "--dashboard", "0", "--speed", "1000", "--lang", "ru", "--anonymise", "--hold", "--report", join(dir, "report-ru")], dir);
    ruPage = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    ruProblems = watchPage(ruPage);
  }, 90_000);
  afterAll(async () => {
    await ru?.stop();
  }, 60_000);

  it("speaks Russian, names no agency of the roster, and says it is anonymised and illustrative, live and at the debrief", async () => {
    const given = (await (await fetch(new URL("/api/i18n", ru.url))).json()) as { lang: string; anonymised: boolean; catalogue: Record<string, unknown> };
    expect(given).toMatchObject({ lang: "ru", anonymised: true });
    // The English of every entry the page was handed, in pieces long enough to be words (not codes).
    const pieces = Object.entries(en)
      .filter(([k]) => k in given.catalogue)
      .flatMap(([k, v]) => (typeof v === "string" ? [v] : Object.values(v)).flatMap((f) => f.split(/\{\w+\}/)).map((part) => [k, part.trim()] as const))
      .filter(([, part]) => part.length >= 12 && /[a-z]{3}/.test(part));
    expect(pieces.length).toBeGreaterThan(100);
    const check = async (where: string) => {
      const text = await ruPage.evaluate(() => document.body.innerText);
      expect(leaks(text), `${where}: ${text.slice(0, 400)}`).toEqual([]);
      for (const [k, part] of pieces) expect(text.includes(part), `${where}: ${k} "${part}"`).toBe(false);
      expect(text).toMatch(/[А-Яа-яЁё]{4}/);
      return text;
    };

    await ruPage.goto(ru.url);
    await ruPage.waitForFunction(() => document.querySelectorAll("#world .tile").length === 6, null, { timeout: 20_000 });
    expect(await ruPage.evaluate(() => document.documentElement.lang)).toBe("ru");
    await expect.poll(() => ruPage.locator("#tick-now").textContent(), { timeout: 20_000 }).toContain("Вводная 1");
    const live = await check("live");
    expect(live).toContain("Обезличено");
    expect(live).toContain("условные параметры моделирования");
    // Tiles carry regional labels; the server relabels ids in all it sends, the snapshot included.
    expect(await ruPage.locator("#world .tile .id").allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^[A-Z]{3}-\d{2}$/)]));
    const state = await (await fetch(new URL("/api/state", ru.url))).text();
    expect(leaks(state)).toEqual([]);

    // A journey: who is missing, by label.
    const row = ruPage.locator("#script .row[data-id]").last();
    await row.click();
    await ruPage.locator("#journey").waitFor({ state: "visible" });
    await expect.poll(() => ruPage.locator("#journey-title").textContent(), { timeout: 5_000 }).toMatch(/[А-Яа-я]/);
    await check("journey");
    await ruPage.keyboard.press("Escape");

    // The debrief, and only the anonymised report is served (metrics.json keeps the real ids).
    await ruPage.locator("#debrief").waitFor({ state: "visible", timeout: 90_000 });
    expect(await ruPage.locator("#debrief-verdict").textContent()).toMatch(/^(ЗАЧЁТ|НЕЗАЧЁТ)/);
    await check("debrief");
    expect((await fetch(new URL("/report/metrics.json", ru.url))).status).toBe(404);
    const report = await (await fetch(new URL("/report/report.html", ru.url))).text();
    expect(leaks(report.replace(/<style>[^]*?<\/style>/, ""))).toEqual([]);
    expect(ruProblems.join("\n")).toBe("");
  }, 120_000);
});
