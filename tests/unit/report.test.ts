// The after-action report: the sections in HSEEP order (the same in report.md and report.html),
// one target per precedence from the scenario, the MSEL with thread and recipients, areas for
// improvement grouped by capability, a plan with owners and dates; self-contained, escaped HTML;
// Russian and anonymised renderings; writeReport writes and validates.
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { figureLabel } from "../../shared/i18n/figure-labels.ts";
import { translator } from "../../shared/i18n/translator.ts";
import { reportContext } from "../../simulations/report/context.ts";
import { deriveFindings } from "../../simulations/report/findings.ts";
import { renderHtml } from "../../simulations/report/html.ts";
import { renderMarkdown } from "../../simulations/report/markdown.ts";
import { Metrics } from "../../simulations/report/metrics.ts";
import { responsivenessTable, targets } from "../../simulations/report/views.ts";
import { writeReport } from "../../simulations/report/write.ts";
import { metrics6, metrics90 } from "../support/metrics-fixture.ts";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function externalReferences(html: string): string[] {
  const patterns = [/\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//gi, /@import/gi, /url\(\s*["']?\s*(?:https?:)?\/\//gi, /<link\b/gi, /<script\b[^>]*\bsrc\s*=/gi, /<iframe\b/gi];
  return patterns.flatMap((p) => html.match(p) ?? []);
}
const sectionOrder = (md: string) => [...md.matchAll(/^## (.+)$/gm)].map((x) => x[1]);
const htmlSectionOrder = (html: string) => [...html.matchAll(/<section id="[^"]+"[^>]*><h2>([^<]+)<\/h2>/g)].map((x) => x[1]);

describe("the fixtures", () => {
  it("satisfy the metrics contract", () => {
    expect(() => Metrics.parse(metrics90())).not.toThrow();
    expect(() => Metrics.parse(metrics6())).not.toThrow();
  });
});

describe("the report's order", () => {
  const m = metrics90();
  const md = renderMarkdown(m);
  const html = renderHtml(m);
  it("is the after-action report's, the same in both renderers", () => {
    const expected = ["Executive summary", "Scenario", "Objectives and capabilities", "MSEL evaluation", "Strengths", "Areas for improvement", "Improvement plan", "Timeline of the day", "Acknowledgement against the deadline", "Agencies", "Hits reported", "Deliveries never acknowledged", "Escalations", "Reconciliation", "Audit chain"];
    expect(sectionOrder(md)).toEqual(expected);
    expect(htmlSectionOrder(html)).toEqual(expected);
  });
  it("opens with the verdict and the disclaimer", () => {
    expect(md).toMatch(/^# After-Action Report: Forum day/);
    expect(md).toContain("**✘ FAIL**");
    expect(md.indexOf("not assessments of real services")).toBeLessThan(md.indexOf("## Executive summary"));
    expect(html.indexOf("not assessments of real services")).toBeLessThan(html.indexOf(`id="summary"`));
  });
});

describe("the key figures", () => {
  it("are the exchange's figures from metrics.json, under the names every view gives them, in both languages", () => {
    const m = metrics90();
    for (const lang of ["en", "ru"] as const) {
      const t = translator(lang);
      const html = renderHtml(m, { lang });
      const cards = [...html.matchAll(/<div class="label">([^<]+)<\/div><div class="value">([^<]+)<\/div>/g)].map((x) => [x[1], x[2]]);
      for (const key of ["messagesAccepted", "deliveries", "acknowledged", "escalations"] as const)
        expect(cards, `${lang} ${key}`).toContainEqual([figureLabel(t, key), t.int(m.figures[key])]);
      expect(cards, lang).toContainEqual([t.t("figure.flash"), t.pct(m.figures.byPrecedence.FLASH.inTime)]);
    }
    // The scenario's own messages, reconciled, as the deliveries card's note.
    expect(renderMarkdown(m)).toContain(`the scenario's own: ${translator("en").int(m.deliveries.delivered)} of ${translator("en").int(m.deliveries.expected)} expected received`);
  });
});

describe("targets", () => {
  it("come from the scenario's objectives, one per precedence, and nowhere else", () => {
    const m = metrics90();
    m.expectations[0] = { ...m.expectations[0]!, precedence: "FLASH", target: 0.75, measured: 0.937, pass: true };
    expect(targets(m)).toEqual({ FLASH: 0.75 });
    const md = renderMarkdown(m);
    expect(md).not.toMatch(/below 95%|target 95%/);
    expect(md).toMatch(/\| \*\*FLASH\*\* \| 10 mins \| 612 \|.*\| 93\.7% \| 75% \| ✓ met \|/);
    expect(md).toMatch(/\| \*\*IMMEDIATE\*\* \|.*\| none \| — \|/);
  });
});

describe("the MSEL evaluation", () => {
  const m = metrics90();
  m.injects[0] = { ...m.injects[0]!, thread: "A", audience: { all: true }, expectation: { by: "all", atLeast: 1 }, observed: { inTime: ["AZ"], late: ["KG"], missing: ["TM"] } };
  m.injects[4] = { ...m.injects[4]!, titled: false, matched: "wallet bc1q…", refersTo: 1 };
  const md = renderMarkdown(m);
  it("has number, thread, time, from, to, expected, observed and met for every inject", () => {
    expect(md).toContain("| # | Thread | Time | From | To | Inject | Expected outcome | Observed | Met |");
    const row = md.split("\n").find((l) => l.startsWith("| **1** | A |"))!;
    expect(row).toContain("all agencies");
    expect(row).toContain("1 of 3 acknowledged within the precedence deadline; late: KG; no acknowledgement: TM");
    for (const i of m.injects) expect(md).toMatch(new RegExp(`^\\| \\*\\*${i.inject}\\*\\* \\|`, "m"));
  });
  it("titles an untitled hit from what matched and sends it to the alert's originator", () => {
    const row = md.split("\n").find((l) => l.startsWith("| **5** |"))!;
    expect(row).toContain("Hit reported: wallet bc1q…");
    expect(row).toContain("| AZ |");
  });
});

describe("findings", () => {
  const c = reportContext(metrics90());
  const f = deriveFindings(c);
  it("group the agencies that missed FLASH deadlines in one row, with an owner, priority and target date", () => {
    const flash = f.areas.filter((a) => a.capability === "duty-coverage");
    expect(flash).toHaveLength(1);
    const missers = c.m.agencyStats.filter((a) => a.missedFlash > 0).map((a) => a.id);
    expect(flash[0]!.agencies.sort()).toEqual(missers.sort());
    expect(flash[0]!.owner).toBeTruthy();
    expect(flash[0]!.days).toBeGreaterThan(0);
  });
  it("put high priority first and never repeat a capability row per agency", () => {
    const order = { high: 0, medium: 1, low: 2 };
    expect(f.areas.map((a) => order[a.priority])).toEqual([...f.areas.map((a) => order[a.priority])].sort());
    const md = renderMarkdown(metrics90());
    expect(md).toMatch(/\| # \| Capability \| Corrective action \| Owner \| Priority \| Target date \|/);
    expect(md).toMatch(/E\+30 d \(/);
  });
});

describe("the agencies", () => {
  it("rank the least responsive 1..n without gaps and name the other FLASH missers apart", () => {
    const { ranked, alsoMissedFlash } = responsivenessTable(metrics90(), 3);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(alsoMissedFlash.every((a) => a.missedFlash > 0)).toBe(true);
  });
});

describe("report.html", () => {
  const html = renderHtml(metrics90());
  it("is one self-contained page that prints on A4 with a page per section", () => {
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("@page { size: A4 portrait");
    expect(html).toMatch(/section \{ margin: 0; break-before: page; \}/);
  });
  it("marks every inject and fault on the timeline, and draws no empty rejection row", () => {
    const m = metrics90();
    const svg = /<figure class="chart"><svg[^]*?<\/svg>/.exec(renderHtml(m))![0];
    for (const i of m.injects) expect(svg).toContain(`>${i.inject}</text>`);
    expect(svg).toContain(">F1</text>");
    m.timeline.forEach((x) => (x.rejected = 0));
    expect(renderHtml(m)).not.toContain(">Rejected</text>");
  });
  it("escapes strings from scenario files", () => {
    const evil = `<script>alert("x")</script>`;
    const m = metrics90();
    m.scenario.title = `Night drill ${evil}`;
    m.injects[0]!.title = `${evil}<img src=x onerror=alert(1)>`;
    m.expectations[0]!.description = evil;
    const out = renderHtml(m);
    expect(out).not.toContain("<script");
    expect(out).not.toContain("<img");
    expect(out).toContain("Night drill &lt;script&gt;");
    const md = renderMarkdown(m);
    expect(md).not.toMatch(/(?<!\\)<script/);
  });
});

describe("in Russian", () => {
  it("uses the Russian catalogue and Intl formats throughout", () => {
    const md = renderMarkdown(metrics90(), { lang: "ru" });
    expect(sectionOrder(md)[0]).toBe("Краткие итоги");
    expect(md).toContain("НЕЗАЧЁТ");
    expect(md).toMatch(/\d[\u00a0\u202f]\d{3}/); // Intl's grouping: a no-break space
    expect(md).toContain("не оценка реальных служб");
  });
});

describe("writeReport", () => {
  it("writes metrics.json with real ids and reports in the language asked", async () => {
    const dir = await mkdtemp(join(tmpdir(), "atix-report-"));
    dirs.push(dir);
    const m = metrics6();
    await writeReport(dir, m, "", { lang: "ru" });
    expect((await readdir(dir)).sort()).toEqual(["audit.jsonl", "metrics.json", "report.html", "report.md"]);
    expect(JSON.parse(await readFile(join(dir, "metrics.json"), "utf8")).agencyStats[0].id).toBe(m.agencyStats[0]!.id);
    expect(await readFile(join(dir, "report.html"), "utf8")).toContain(`<html lang="ru">`);
  });
  it("rejects metrics that break the contract and writes nothing", async () => {
    const parent = await mkdtemp(join(tmpdir(), "atix-report-"));
    dirs.push(parent);
    const dir = join(parent, "out");
    await expect(writeReport(dir, { ...metrics6(), agencies: -1.5 } as never)).rejects.toThrow();
    await expect(readdir(dir)).rejects.toThrow();
  });
});

describe("under load", () => {
  // A run with a flood: its fate, the others' waits, rejections by reason, late deliveries against escalation messages.
  const m: Metrics = {
    ...metrics90(),
    escalations: { ...metrics90().escalations, deliveries: 38_460, lateDeliveries: 45_076 },
    rejections: { byReason: { "rate-limited": 7_528, malformed: 12 } },
    flood: {
      agencies: ["KZ"],
      submissions: { valid: 5_000, malformed: 3_000, accepted: 500, rateLimited: 7_300, rejectedOtherwise: 200, refusedByBroker: 0, unanswered: 0 },
      wallSeconds: 51.1,
      othersAcceptance: {
        quiet: { count: 54, answered: 54, p50Ms: 24, p99Ms: 810, maxMs: 810 },
        flood: { count: 200, answered: 200, p50Ms: 188, p99Ms: 2_915, maxMs: 3_022 },
        after: { count: 0, answered: 0, p50Ms: null, p99Ms: null, maxMs: null },
      },
    },
  };

  it("satisfies the metrics contract", () => expect(() => Metrics.parse(m)).not.toThrow());

  it.each([["report.md", renderMarkdown(m)], ["report.html", renderHtml(m)]])("%s shows the flood, the others' waits, rejections by reason and escalations against late deliveries", (_, text) => {
    for (const s of ["5,000 valid FLASH alerts to all, 3,000 malformed", "500 accepted, 7,300 rate-limited, 200 rejected otherwise", "p50 188 ms, p99 2,915 ms, max 3,022 ms (200 of 200 answered)",
      "p50 24 ms, p99 810 ms", "Late deliveries (acknowledged after the deadline, or not at all): 45,076", "Escalation messages that chased them: 96, covering 38,460 delivery steps", "rate-limited"]) expect(text).toContain(s);
  });

  it("says it in Russian too", () => {
    const md = renderMarkdown(m, { lang: "ru" });
    for (const s of ["## Нагрузка", "корректных сообщений FLASH всем: 5", "отклонено по квоте 7", "Запоздавших доставок", "Сообщений эскалации по ним: 96", "rate-limited"]) expect(md).toContain(s);
  });

  it("names a coordinator that died on its own as an area for improvement, in either language", () => {
    const died: Metrics = { ...m, faults: [...m.faults, { kind: "coordinator-exited", at: m.faults[0]?.at ?? m.scenario.start, detail: "unplanned: coordinator-1 exited (JavaScript heap out of memory)", instance: "coordinator-1" }] };
    const areas = deriveFindings(reportContext(died)).areas;
    expect(areas.find((a) => a.capability === "resilience" && a.issue.includes("coordinator-1") && a.issue.includes("heap out of memory"))?.priority).toBe("high");
    expect(renderMarkdown(died, { lang: "ru" })).toContain("Координатор (coordinator-1) завершился без команды");
    expect(renderMarkdown(died)).toContain("coordinator-1 exited on its own and was started again");
  });
});
