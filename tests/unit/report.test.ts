// The after-action report: report.md and report.html carry the run's key facts, the MSEL rows and
// the agencies; the HTML is self-contained and escapes what scenario files put in; the findings
// name the agencies whose night shifts missed FLASH deadlines; writeReport writes and validates.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deriveFindings } from "../../simulations/report/findings.ts";
import { clockAt, escapeHtml, escapeMd, minutesAfterStart, pct } from "../../simulations/report/format.ts";
import { renderHtml } from "../../simulations/report/html.ts";
import { renderMarkdown } from "../../simulations/report/markdown.ts";
import { Metrics } from "../../simulations/report/metrics.ts";
import { responsivenessTable } from "../../simulations/report/views.ts";
import { writeReport } from "../../simulations/report/write.ts";
import { metrics6, metrics90 } from "../support/metrics-fixture.ts";

const n = (x: number) => x.toLocaleString("en-US");
const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "atix-report-"));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function externalReferences(html: string): string[] {
  const patterns = [/\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//gi, /@import/gi, /url\(\s*["']?\s*(?:https?:)?\/\//gi, /<link\b/gi, /<script\b[^>]*\bsrc\s*=/gi, /<iframe\b/gi];
  return patterns.flatMap((p) => html.match(p) ?? []);
}

describe("the fixtures", () => {
  it("satisfy the metrics contract", () => {
    expect(() => Metrics.parse(metrics90())).not.toThrow();
    expect(() => Metrics.parse(metrics6())).not.toThrow();
    expect(metrics90().agencyStats).toHaveLength(90);
  });
});

describe("report.md", () => {
  const m = metrics90();
  const md = renderMarkdown(m);

  it("states the result, the scenario and the run facts", () => {
    expect(md).toMatch(/^# After-Action Report: Forum day/);
    expect(md).toContain("**Result: FAIL**");
    expect(md).toContain("`forum-day`");
    expect(md).toContain("×1,440");
    expect(md).toContain("1 min 3 s");
    expect(md).toContain(m.traffic.digest);
    expect(md).toMatch(/\| \*\*Seed\*\* \| 42 \|/);
    expect(md).toContain("2026-09-21 00:00 UTC+04:00 → 2026-09-22 00:00 UTC+04:00");
  });

  it("has the key figures, objectives, latency and reconciliation", () => {
    for (const v of [m.deliveries.delivered, m.deliveries.expected, m.alerts.submitted, m.audit.records]) expect(md).toContain(n(v));
    expect(md).toContain("| 1 | FLASH alerts acknowledged within 10 minutes by at least 95% of recipients | `acknowledged-within-deadline` | ✘ **not met** |");
    expect(md).toMatch(/\| \*\*FLASH\*\* \| 10 min \| 612 \| 3\.1 min \| 11\.8 min \| 19\.5 min \| 42 min \| 93\.7% \| ✘ below 95% \|/);
    expect(md).toContain("`01928f3a-9d44-7c01-8e21-5a6b7c8d9e01` → TJ");
    expect(md).not.toContain("Duplicated deliveries (");
    expect(md).toContain("**TLP:RED confinement:** held");
    expect(md).toContain("| Back to the originator | 6 |");
    expect(md).toMatch(/\| 2 \| 09:30 \| `coordinator-kill` \|/);
    expect(md).toContain("✔ **Verified** — 18,412 records");
  });

  it("has one MSEL row per inject with its status", () => {
    for (const i of m.injects) {
      const row = md.split("\n").find((l) => l.startsWith(`| ${i.inject} | `) && l.includes(escapeMd(i.title)));
      expect(row, `inject ${i.inject}`).toBeDefined();
      expect(row).toContain({ met: "✔ met", "partially-met": "◐ partially met", "not-met": "✘ **not met**", "no-expectation": "– no expectation" }[i.status]);
    }
    expect(md).toContain("| 4 | 03:40 (T+3:40) | IN | `alert` |");
  });

  it("lists the slowest agencies and every agency that missed a FLASH deadline", () => {
    const rows = responsivenessTable(m, 15);
    expect(rows.filter((r) => r.slowest)).toHaveLength(15);
    for (const r of rows) expect(md).toContain(`**${r.agency.id}** ${escapeMd(r.agency.name)}`);
    expect(rows.map((r) => r.agency.id)).toContain("FR"); // 96% in time, but missed a FLASH deadline
  });

  it("ends with strengths, areas for improvement and the Improvement Plan from the shared findings", () => {
    const f = deriveFindings(m);
    expect(md).toMatch(/## Strengths[\s\S]*## Areas for improvement[\s\S]*## Improvement Plan[\s\S]*## Audit chain/);
    for (const x of f.improvements) expect(md).toContain(escapeMd(x.action));
    for (const s of f.strengths) expect(md).toContain(escapeMd(s.text));
  });
});

describe("report.html", () => {
  const m = metrics90();
  const html = renderHtml(m);

  it("is one self-contained page: no external references, no scripts", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(externalReferences(html)).toEqual([]);
    for (const s of ['src="http', "href=\"http", "@import", "url(http", "<script"]) expect(html).not.toContain(s);
    expect(html).toContain("<style>");
    expect(html.match(/<svg /g)?.length).toBe(3);
  });

  it("shows the verdict and the key figures in the header", () => {
    expect(html).toContain("✗ FAIL");
    const header = html.slice(html.indexOf("<header"), html.indexOf("</header>"));
    for (const v of [n(m.agencies), n(m.alerts.submitted), n(m.deliveries.delivered), "98.8%", n(m.escalations.total), "verified"]) expect(header).toContain(`>${v}<`);
    expect(header).toMatch(/Lost<\/div><div class="value">2</);
    expect(header).toMatch(/Duplicated<\/div><div class="value">0</);
  });

  it("has a tile for every agency, grouped by region, and the slowest in a table", () => {
    for (const a of m.agencyStats) expect(html).toContain(`<span class="id">${a.id}</span>`);
    expect(html).toContain("Europe · 27");
    expect(html).toContain("Central Asia · 5");
    expect(html).toMatch(/<span class="id">KG<\/span><span class="v">81%<\/span><span class="flag">3<\/span>/);
    expect(html).toMatch(/class="tile offline"[^>]*title="TJ — /);
  });

  it("has one MSEL row per inject with its badge, and the faults on the timeline", () => {
    for (const i of m.injects) {
      expect(html).toContain(`<tr class="row-${i.status}"><td class="num"><b>${i.inject}</b></td>`);
      expect(html).toContain(escapeHtml(i.detail));
    }
    expect(html.match(/class="badge b-not-met"/g)).toHaveLength(2);
    expect(html.match(/class="badge b-partially-met"/g)).toHaveLength(1);
    expect(html).toContain('<span class="tlp tlp-red">TLP:RED</span>');
    for (const f of m.faults) expect(html).toContain(escapeHtml(f.detail));
    expect(html.match(/<circle /g)).toHaveLength(m.faults.length);
  });

  it("has the latency per precedence, escalations, reconciliation, objectives and the Improvement Plan", () => {
    for (const p of ["FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"]) expect(html).toContain(`>${p}</text>`);
    expect(html).toContain(">93.7%</text>");
    expect(html).toContain("deadline 10 min");
    expect(html).toContain("Back to the originator");
    expect(html).toContain("01928f3a-b012-7d55-9f02-1a2b3c4d5e02");
    for (const e of m.expectations) expect(html).toContain(escapeHtml(e.detail));
    for (const x of deriveFindings(m).improvements) expect(html).toContain(escapeHtml(x.action));
    expect(html).toContain("18,412 records");
  });
});

describe("strings from scenario files", () => {
  const evil = `<script>alert("x")</script>`;
  const m = metrics90();
  m.scenario.title = `Night drill ${evil} & "friends"`;
  m.injects[0]!.title = `${evil}<img src=x onerror=alert(1)>`;
  m.injects[0]!.expected = `ack | ${evil}`;
  m.agencyStats[4]!.name = `"><script>alert(2)</script>`;
  m.expectations[0]!.description = evil;
  m.faults[0]!.detail = evil;
  m.reconciliation.method = evil;

  it("are escaped in the HTML", () => {
    const html = renderHtml(m);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("KG — &quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("Night drill &lt;script&gt;");
    expect(externalReferences(html)).toEqual([]);
  });

  it("are neutralised in the Markdown (no raw tags, no broken table cells)", () => {
    const md = renderMarkdown(m);
    expect(md).not.toMatch(/(?<!\\)<script/);
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).toContain("\\<script\\>");
    const row = md.split("\n").find((l) => l.startsWith("| 1 | 00:20"))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(11); // 9 cells, the escaped pipe stays inside one
  });
});

describe("findings", () => {
  it("name each agency whose night shift missed FLASH deadlines, with a staffing action", () => {
    const m = metrics90();
    const f = deriveFindings(m);
    const missers = m.agencyStats.filter((a) => a.missedFlash > 0);
    expect(missers.map((a) => a.id).sort()).toEqual(["FR", "KG", "ML", "TJ", "TM"]);
    for (const a of missers) {
      const x = f.improvements.find((i) => i.agencies.includes(a.id) && /^(Night duty — FLASH|FLASH handling)$/.test(i.capability));
      expect(x, a.id).toBeDefined();
      expect(x!.issue).toContain(`${a.id} missed ${a.missedFlash} FLASH deadline`);
      if (a.profile !== "24/7") {
        expect(x!.capability).toBe("Night duty — FLASH");
        expect(x!.action).toMatch(/night duty officer|24\/7 on-call officer/);
        expect(x!.action).toContain("24/7 backup");
      }
    }
    const kg = f.improvements.find((i) => i.agencies.includes("KG") && i.capability === "Night duty — FLASH")!;
    expect(kg.priority).toBe("high");
    expect(kg.issue).toContain("night-shift gap");
  });

  it("derive escalation, catch-up, loss and inject actions from the data, most urgent first", () => {
    const f = deriveFindings(metrics90());
    const text = f.improvements.map((i) => `${i.issue} ${i.action}`).join("\n");
    expect(text).toContain("6 escalations reached the originator");
    expect(text).toContain("TJ was offline 2 h");
    expect(text).toContain("Confirm catch-up procedures at TJ");
    expect(text).toContain("2 deliveries lost: NG (1), TJ (1). A coordinator was killed at 09:30.");
    expect(text).toContain("Inject #4 (03:40, alert from IN)");
    expect(text).toContain("the inject was not played");
    expect(text).toContain("PY (56%)");
    const order = f.improvements.map((i) => i.priority);
    expect(order).toEqual([...order].sort((a, b) => ["high", "medium", "low"].indexOf(a) - ["high", "medium", "low"].indexOf(b)));
    expect(f.strengths.map((s) => s.capability)).toEqual(expect.arrayContaining(["Audit chain", "Acknowledgement — IMMEDIATE", "Message quality"]));
    expect(f.strengths.map((s) => s.capability)).not.toContain("Acknowledgement — FLASH");
  });

  it("group agencies beyond the first ten, naming every one", () => {
    const m = metrics90();
    m.agencyStats.slice(0, 14).forEach((a) => (a.missedFlash = 1 + (a.id.charCodeAt(0) % 2)));
    const f = deriveFindings(m);
    const named = new Set(f.improvements.filter((i) => /FLASH/.test(i.capability) && !i.capability.startsWith("Acknowledgement")).flatMap((i) => i.agencies));
    for (const a of m.agencyStats.filter((x) => x.missedFlash > 0)) expect(named.has(a.id), a.id).toBe(true);
    expect(f.improvements.filter((i) => i.capability === "Night duty — FLASH" || i.capability === "FLASH handling").length).toBe(11);
  });

  it("report lost, duplicated, RED, audit and interruption problems", () => {
    const m = metrics90();
    m.deliveries.duplicated = 1;
    m.reconciliation.duplicated = [{ messageId: "01928f3a-0000-7000-8000-000000000001", agency: "KZ", times: 2 }];
    m.reconciliation.redConfinementViolations = [{ messageId: "01928f3a-0000-7000-8000-000000000002", agency: "GE" }];
    m.audit = { records: 10, verified: false, problem: "record 7: hash mismatch" };
    m.run.interrupted = true;
    const f = deriveFindings(m);
    expect(f.improvements.map((i) => i.capability)).toEqual(expect.arrayContaining(["Delivery — no duplicates", "TLP:RED confinement", "Audit chain", "Exercise conduct"]));
    const html = renderHtml(m);
    expect(html).toContain("✗ violated");
    expect(html).toContain("The run was interrupted");
    expect(html).toContain("✗ not verified");
    const md = renderMarkdown(m);
    expect(md).toContain("**TLP:RED confinement: VIOLATED**");
    expect(md).toContain("`01928f3a-0000-7000-8000-000000000001` → KZ (×2)");
    expect(md).toContain("✘ **NOT verified** — 10 records: record 7: hash mismatch");
  });

  it("report a fault step that did not happen as scripted, with its reason", () => {
    const m = metrics90();
    const at = m.faults[0]?.at ?? m.scenario.start;
    m.faults.push({ kind: "broker-restart-failed", at, detail: "NATS cluster not healthy within 60000 ms: n2 (503 JetStream not current)" });
    const found = deriveFindings(m).improvements.filter((i) => i.capability === "Exercise conduct");
    expect(found).toHaveLength(1);
    expect(found[0]!.issue).toMatch(/^Fault step broker-restart at .+ did not happen as scripted: NATS cluster not healthy within 60000 ms: n2 \(503 JetStream not current\)\.$/);
    expect(renderMarkdown(m)).toContain(found[0]!.action);
  });
});

describe("a six-agency run", () => {
  const m = metrics6();

  it("renders both reports with every agency and the PASS verdict", () => {
    const md = renderMarkdown(m);
    const html = renderHtml(m);
    expect(md).toContain("**Result: PASS**");
    expect(html).toContain("✓ PASS");
    for (const a of m.agencyStats) {
      expect(html).toContain(`<span class="id">${a.id}</span>`);
      expect(md).toContain(`**${a.id}**`);
    }
    expect(html).toContain("no deliveries of this precedence");
    expect(md).toMatch(/\| \*\*IMMEDIATE\*\* \| 30 min \| 0 \| — \| — \| — \| — \| — \| — \|/);
    expect(html).toContain("No faults were injected.");
    expect(md).toContain("## Faults injected\n\nNone.");
    expect(externalReferences(html)).toEqual([]);
    expect(deriveFindings(m).improvements.some((i) => i.agencies.includes("KG") && i.capability === "Night duty — FLASH")).toBe(true);
  });

  it("copes with a run that measured nothing", () => {
    const empty: Metrics = { ...m, injects: [], agencyStats: [], timeline: [], faults: [], expectations: [], agencies: 0,
      deliveries: { expected: 0, delivered: 0, acknowledged: 0, lost: 0, duplicated: 0 },
      escalations: { total: 0, reminder: 0, "backup-contact": 0, originator: 0, duplicated: 0 },
      ackLatency: Object.fromEntries(Object.entries(m.ackLatency).map(([p, l]) => [p, { ...l, count: 0, p50: null, p95: null, p99: null, max: null, withinDeadline: null }])) as Metrics["ackLatency"] };
    expect(() => Metrics.parse(empty)).not.toThrow();
    expect(renderHtml(empty)).toContain("The scenario has no scripted injects.");
    expect(renderMarkdown(empty)).toContain("The scenario states no expectations.");
    expect(renderHtml(empty)).not.toContain("NaN");
    expect(renderMarkdown(empty)).not.toContain("NaN");
  });
});

describe("writeReport", () => {
  it("writes metrics.json, report.md, report.html and audit.jsonl into a new directory", async () => {
    const dir = join(await tempDir(), "runs", "forum-day");
    const m = metrics90();
    const audit = '{"seq":1,"hash":"a"}\n{"seq":2,"hash":"b"}\n';
    const { files } = await writeReport(dir, m, audit);
    expect(files).toEqual(["metrics.json", "report.md", "report.html", "audit.jsonl"].map((f) => join(dir, f)));
    expect((await readdir(dir)).sort()).toEqual(["audit.jsonl", "metrics.json", "report.html", "report.md"]);
    expect(Metrics.parse(JSON.parse(await readFile(join(dir, "metrics.json"), "utf8")))).toEqual(Metrics.parse(m));
    expect(await readFile(join(dir, "report.md"), "utf8")).toBe(renderMarkdown(m));
    expect(await readFile(join(dir, "report.html"), "utf8")).toBe(renderHtml(m));
    expect(await readFile(join(dir, "audit.jsonl"), "utf8")).toBe(audit);
  });

  it("writes no audit.jsonl when none is given", async () => {
    const dir = await tempDir();
    const { files } = await writeReport(dir, metrics6());
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(["metrics.json", "report.md", "report.html"]);
    expect(existsSync(join(dir, "audit.jsonl"))).toBe(false);
  });

  it("rejects metrics that break the contract and writes nothing", async () => {
    const dir = join(await tempDir(), "bad");
    const bad = { ...metrics90(), agencies: "ninety" } as unknown as Metrics;
    await expect(writeReport(dir, bad)).rejects.toThrow(/agencies/);
    const noStatus = metrics90();
    (noStatus.injects[0] as { status: string }).status = "half-done";
    await expect(writeReport(dir, noStatus)).rejects.toThrow();
    expect(existsSync(dir)).toBe(false);
  });
});

describe("formatting", () => {
  it("never rounds a shortfall up to 100%, and reads scenario times", () => {
    expect(pct(0.99996)).toBe("99.9%");
    expect(pct(1)).toBe("100%");
    expect(pct(null)).toBe("—");
    expect(minutesAfterStart("2026-09-21T00:00:00+04:00", "2026-09-20T23:30:00Z")).toBe(210);
    expect(minutesAfterStart("2026-09-21T00:00:00Z", "2h30m")).toBe(150);
    expect(clockAt("2026-09-21T00:00:00+04:00", 210)).toBe("03:30");
    expect(clockAt("2026-09-21T22:00:00Z", 180)).toBe("D2 01:00");
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
    for (const s of ["5,000 valid FLASH alerts to all, 3,000 malformed", "500 accepted, 7,300 rate-limited, 200 rejected otherwise", "p50 188 ms, p99 2.9 s, max 3.0 s (200 of 200 answered)",
      "p50 24 ms, p99 810 ms", "45,076 late deliveries", "96 escalation messages chased them, covering 38,460 delivery steps", "rate-limited"]) expect(text).toContain(s);
  });
});
