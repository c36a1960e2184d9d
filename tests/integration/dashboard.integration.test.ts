// The dashboard server against a real exchange (nats-server with the generated permissions, a
// coordinator), reading as the observer: the snapshot, the live stream, journeys (an RFI linked to
// the alert it follows up), local assets, the clock controls that only the owner of the clock can
// hand it, and a finished run's report.
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertMessage } from "../../shared/contracts/index.ts";
import { AGENCY_JS_API, buckets, jsApi, kvStream, sign, subjects } from "../../shared/contracts/index.ts";
import { CONFIG_KEYS } from "../../shared/exchange/store.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { connectAs } from "../../shared/nats/connect.ts";
import { ClockFeed } from "../../services/agency/clock-feed.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Dashboard, type DashboardState, exchangeClock, type JourneyView, openDashboard } from "../../services/dashboard/index.ts";
import { readSse } from "../support/dashboard-sse.ts";
import { openStore, startTestExchange, type TestExchange } from "../support/exchange.ts";
import { eventually } from "../support/streams-read.ts";

let ex: TestExchange;
let observer: NatsConnection;
let dash: Dashboard;
const get = (path: string) => fetch(new URL(path, dash.url));
const state = async () => (await (await get("/api/state")).json()) as DashboardState;

const alertBody = (title: string) =>
  ({
    precedence: "FLASH", category: "terrorism", evaluation: { reliability: "B", credibility: 2 }, title, tlp: "AMBER", handling: "H2",
    distribution: { agencies: ["KZ", "RU", "TR"] },
  }) as AlertMessage["body"];

beforeAll(async () => {
  ex = await startTestExchange({ auth: true, speed: 60 });
  await ex.startCoordinator("c1");
  // Before the dashboard starts: it must read the chain from its first record.
  await ex.send("AZ", "alert", alertBody("Sent before the dashboard started"));
  observer = await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed, name: "dashboard-test" });
  dash = await openDashboard({ port: 0, title: "Integration test" });
  await dash.attach(observer, ex.url);
}, 30_000);

afterAll(async () => {
  await dash?.close();
  await observer?.close();
  await ex?.stop();
});

describe("dashboard server", () => {
  it("serves on 127.0.0.1 and lists the agencies with their ids in /api/state", async () => {
    expect(dash.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const s = await state();
    expect(s.agencies.map((a) => a.id).sort()).toEqual(["AZ", "KG", "KZ", "RU", "TR", "UZ"]);
    expect(s.agencies[0]).toMatchObject({ name: expect.any(String), region: expect.any(String), status: expect.any(String) });
    expect(s.exchange).toMatchObject({ name: "test", title: "Integration test", connected: true });
    expect(s.controls).toEqual({ clock: false, next: false });
    expect(s.clock?.state.speed).toBe(60);
    expect(s.alerts.map((a) => a.title)).toContain("Sent before the dashboard started");
    expect(s.chain).toMatchObject({ ok: true, catchingUp: false });
    // "submitted" and one "delivered" record standing for the three deliveries.
    expect(s.chain.verified).toBeGreaterThanOrEqual(2);
    expect(s.counters.figures).toMatchObject({ deliveries: 3, messagesAccepted: 1, alertsAndRfis: 1 });
  });

  it("serves the page and every asset it names from this package: nothing from elsewhere", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    const texts = [html];
    for (const a of assets) {
      expect(a.startsWith("/assets/"), a).toBe(true);
      const r = await get(a);
      expect(r.status, a).toBe(200);
      texts.push(await r.text());
    }
    // The modules the page imports, one level down.
    for (const m of texts.join("\n").matchAll(/from "\.\/([a-z-]+\.js)"/g)) expect((await get(`/assets/${m[1]}`)).status).toBe(200);
    expect(texts.join("\n")).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect((await get("/assets/../server.ts")).status).toBe(404);
    expect((await get("/favicon.ico")).status).toBe(200);
  });

  it("puts an alert on /api/stream within 2 s of sending it, carrying its message id", async () => {
    const sse = await readSse(new URL("/api/stream", dash.url).href);
    try {
      const first = await sse.waitFor(() => true);
      expect(first.event).toBe("snapshot");
      const sentAt = Date.now();
      const m = await ex.send("AZ", "alert", alertBody("Armed suspects on the Alat ferry"));
      const submitted = await sse.waitFor((e) => e.event === "audit" && (e.data as { messageId?: string; event: string }).messageId === m.id, 2_000);
      expect(submitted.at - sentAt).toBeLessThan(2_000);
      expect(submitted.id).toBe(String((submitted.data as { seq: number }).seq));
      const delivered = await sse.waitFor((e) => e.event === "audit" && (e.data as { event: string; messageId?: string }).event === "delivered" && (e.data as { messageId?: string }).messageId === m.id, 2_000);
      expect(delivered.data).toMatchObject({ from: "AZ", precedence: "FLASH", agency: expect.stringMatching(/^(KZ|RU|TR)$/) });
      const row = await sse.waitFor((e) => e.event === "alert" && (e.data as { id: string; delivered: number }).id === m.id && (e.data as { delivered: number }).delivered === 3, 3_000);
      expect(row.data).toMatchObject({ originator: "AZ", precedence: "FLASH", tlp: "AMBER", recipients: 3, state: "open", title: "Armed suspects on the Alat ferry" });

      const journey = (await (await get(`/api/journey/${m.id}`)).json()) as { alert: { id: string }; records: { seq: number; part?: number; event: string; agency?: string }[] };
      expect(journey.alert.id).toBe(m.id);
      expect(journey.records.map((r) => r.event)).toEqual(["submitted", "delivered", "delivered", "delivered"]);
      const seqs = journey.records.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      // One "delivered" record for the three deliveries: an event each, told apart by part.
      const deliveries = journey.records.filter((r) => r.event === "delivered");
      expect(new Set(deliveries.map((r) => r.seq)).size).toBe(1);
      expect(deliveries.map((r) => r.part)).toEqual([0, 1, 2]);
      expect(deliveries.map((r) => r.agency).sort()).toEqual(["KZ", "RU", "TR"]);
      expect((await get(`/api/journey/01990000-0000-7000-8000-000000000000`)).status).toBe(404);
    } finally {
      sse.close();
    }
  });

  it("shows an agency on duty from its signed presence", async () => {
    const { nc } = await ex.connectAgency("KZ");
    const p = sign(compose("presence", { status: "reduced", officer: "KZ-DO-2" }, { sender: "KZ", sentAt: ex.clock.iso() }), ex.ids.agencies.get("KZ")!.seed);
    const kz = await eventually(async () => {
      nc.publish(subjects.presence("KZ"), JSON.stringify(p));
      const a = (await state()).agencies.find((x) => x.id === "KZ");
      return a?.status === "reduced" ? a : undefined;
    }, 5_000, "KZ's presence");
    expect(kz.officer).toBe("KZ-DO-2");
    // Unsigned, it does not count.
    nc.publish(subjects.presence("KZ"), JSON.stringify({ ...p, body: { status: "offline" }, signature: undefined }));
    await new Promise((r) => setTimeout(r, 500));
    expect((await state()).agencies.find((x) => x.id === "KZ")?.status).toBe("reduced");
  });

  it("refuses clock changes unless the owner of the clock gave a controller", async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(new URL("/api/clock", dash.url), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    expect((await post({ pause: true })).status).toBe(403);

    const feed = new ClockFeed(ex.clock.snapshot());
    dash.setControl(await exchangeClock(ex.admin, feed));
    expect((await state()).controls).toEqual({ clock: true, next: false });
    expect((await post({ speed: 1e9 })).status).toBe(400);
    expect((await post({ pause: "yes" })).status).toBe(400);
    expect((await post({ next: true, pause: true })).status).toBe(400);
    // No scenario is played here: nothing to step to.
    const next = await post({ next: true });
    expect(next.status).toBe(409);
    expect(((await next.json()) as { error: string }).error).toMatch(/atix run/);
    expect((await post({ pause: true }, { origin: "http://evil.example" })).status).toBe(415);

    const before = feed.clock.nowMs();
    const paused = await post({ pause: true });
    expect(paused.status).toBe(200);
    const store = await openStore(ex.admin);
    const kv = (await store.clock.get(CONFIG_KEYS.clock))!.value;
    expect(kv.paused).toBe(true);
    expect(feed.clock.paused).toBe(true);
    // Re-anchored at the simulated time of the change: nothing jumps.
    expect(Math.abs(kv.simAnchor - before)).toBeLessThan(60 * 2_000);
    await post({ speed: 600 });
    await post({ pause: false });
    const after = (await store.clock.get(CONFIG_KEYS.clock))!.value;
    expect(after).toMatchObject({ paused: false, speed: 600 });
    expect(feed.clock.snapshot()).toEqual(after);
    // The dashboard follows the bucket like the coordinators do.
    await eventually(async () => ((await state()).clock?.state.speed === 600 ? true : undefined), 3_000, "the new speed on the dashboard");
    dash.setControl(undefined);
  });

  it("links an RFI to the alert it follows up and shows its question, from the coordinator's record", async () => {
    const alert = await ex.send("AZ", "alert", alertBody("Planned attack on the Mingachevir dam"));
    const rfi = await ex.send("KZ", "rfi", {
      precedence: "IMMEDIATE", category: "terrorism", tlp: "AMBER", handling: "H2", question: "EXERCISE. Did TASHEV and NAZAROV enter Kazakhstan? When and where?",
      respondBy: new Date(ex.clock.nowMs() + 3_600_000).toISOString(), distribution: { agencies: ["AZ"] }, aboutAlert: alert.id,
    });
    const j = await eventually(async () => {
      const r = (await (await get(`/api/journey/${alert.id}`)).json()) as JourneyView;
      return r.linked.some((l) => l.id === rfi.id) ? r : undefined;
    }, 5_000, "the RFI linked to the alert's journey");
    expect(j.linked.find((l) => l.id === rfi.id)).toMatchObject({ relation: "rfi", from: "KZ", kind: "rfi" });
    expect(j.alert).toMatchObject({ rfis: 1 });
    const r = (await (await get(`/api/journey/${rfi.id}`)).json()) as JourneyView;
    expect(r.alert).toMatchObject({ question: "EXERCISE. Did TASHEV and NAZAROV enter Kazakhstan? When and where?", title: "Did TASHEV and NAZAROV enter Kazakhstan?", refersTo: alert.id });
    expect(r.recipients).toEqual([expect.objectContaining({ agency: "AZ" })]);
  });

  it("serves a finished run's report files under /report/ and nothing else", async () => {
    expect((await get("/report/report.html")).status).toBe(404);
    const dir = await mkdtemp(join(tmpdir(), "atix-dash-report-"));
    try {
      await writeFile(join(dir, "report.html"), "<!doctype html><title>report</title>");
      await writeFile(join(dir, "secret.txt"), "no");
      const debrief = { pass: true, interrupted: false, objectives: [], injects: [], figures: (await state()).counters.figures, reconciliation: { expected: 0, delivered: 0, lost: 0, duplicated: 0 }, audit: { verified: true, records: 1 }, reportPath: join(dir, "report.html"), simulatedUntil: ex.clock.iso() };
      const sse = await readSse(new URL("/api/stream", dash.url).href);
      try {
        await sse.waitFor((e) => e.event === "snapshot");
        dash.finish("Scenario finished", { debrief, reportDir: dir });
        expect((await sse.waitFor((e) => e.event === "debrief", 2_000)).data).toMatchObject({ pass: true });
      } finally {
        sse.close();
      }
      const report = await get("/report/report.html");
      expect(report.status).toBe(200);
      expect(report.headers.get("content-type")).toMatch(/text\/html/);
      expect(await report.text()).toContain("<title>report</title>");
      expect((await get("/report/")).status).toBe(200);
      for (const bad of ["/report/secret.txt", "/report/../server.ts", "/report/%2e%2e%2fserver.ts", "/report/metrics.json"]) expect((await get(bad)).status, bad).toBe(404);
      expect((await state()).debrief).toMatchObject({ pass: true, reportPath: join(dir, "report.html") });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps its clock when the observer credential steers an old stored clock onto the live clock subject", async () => {
    const store = await openStore(ex.admin);
    const now = ex.clock.snapshot();
    // An older revision of the clock in the config bucket (speed 7), then the current one again.
    const old = await store.clock.put(CONFIG_KEYS.clock, { ...now, speed: 7 });
    await eventually(async () => ((await state()).clock?.state.speed === 7 ? true : undefined), 10_000, "the dashboard on speed 7");
    await store.clock.put(CONFIG_KEYS.clock, now);
    await eventually(async () => ((await state()).clock?.state.speed === now.speed ? true : undefined), 10_000, "the dashboard back on the current speed");
    // Another holder of the observer credential asks for the old revision, again and again, and
    // names the clock subject as the reply; the dashboard and a clock feed share its account.
    const steerer = await connectAs({ servers: ex.url, user: "observer", seed: ex.ids.observer.seed, name: "steerer" });
    const adopted: number[] = [];
    const feed = new ClockFeed({ ...now, speed: 3 });
    feed.onChange((c) => adopted.push(c.speed));
    const feedSub = feed.attach(observer);
    let steering: NodeJS.Timeout | undefined;
    try {
      const ask = jsApi.directGet(kvStream(buckets.config), AGENCY_JS_API);
      const arrived = new Promise<void>((resolve) => {
        const sub = steerer.subscribe(subjects.clock, { callback: (_e, m) => void (m.headers?.get("Nats-Stream") && (sub.unsubscribe(), resolve())) });
      });
      steering = setInterval(() => steerer.publish(ask, JSON.stringify({ seq: old }), { reply: subjects.clock }), 20);
      // The stored copies do reach the account's clock subject ...
      await arrived;
      // ... and are passed over: the dashboard shows the current clock all along, the feed adopts only broadcasts.
      const seen = new Set<number>();
      for (let i = 0; i < 20; i++) seen.add((await state()).clock?.state.speed ?? -1);
      await eventually(() => (adopted.includes(now.speed) ? true : undefined), 10_000, "a broadcast adopted by the feed");
      expect([...seen]).toEqual([now.speed]);
      expect(adopted).not.toContain(7);
    } finally {
      clearInterval(steering);
      feedSub.unsubscribe();
      await steerer.close();
    }
  });
});
