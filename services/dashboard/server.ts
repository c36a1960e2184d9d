// The dashboard's HTTP side (Node's http module, nothing else): the page and its assets, all
// served from this package so it works without internet, the page's words (/api/i18n), the JSON
// snapshot, the event stream, an alert's journey, the finished run's report, and the
// facilitator's clock controls when the owner of the clock gave any.
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { OKABE_ITO, TLP_COLOURS } from "../../shared/presentation/palette.ts";
import { type ClockControls, ClockRefusal, MAX_SPEED, MIN_SPEED } from "./clock-control.ts";
import type { SseHub } from "./sse-hub.ts";
import type { PageLanguage } from "./presentation.ts";
import type { DashboardState, JourneyView } from "./types.ts";

const PUBLIC = new URL("./public/", import.meta.url);
const INTERPOLATE = new URL("../../shared/i18n/interpolate.js", import.meta.url);
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The report's palette, so the dashboard and the after-action report speak one visual language. */
const PALETTE_CSS = [
  ":root {",
  ...Object.entries(OKABE_ITO).map(([k, v]) => `  --oi-${k}: ${v};`),
  ...Object.entries(TLP_COLOURS).map(([k, v]) => `  --tlp-${k.toLowerCase().replace("+", "-")}: ${v};`),
  "}",
  ...Object.keys(TLP_COLOURS).map((k) => `.tlp-${k.toLowerCase().replace("+", "-")} { color: var(--tlp-${k.toLowerCase().replace("+", "-")}); }`),
].join("\n");

/** Every asset is read once at start: a fixed list, so no request can name another file. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(PUBLIC)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(new URL(name, PUBLIC)) });
  }
  assets.set("palette.css", { type: TYPES[".css"]!, body: Buffer.from(PALETTE_CSS) });
  // The one implementation of placeholders and plurals, shared with the server's catalogues.
  assets.set("interpolate.js", { type: TYPES[".js"]!, body: readFileSync(INTERPOLATE) });
  return assets;
}

export interface ServerParts {
  state(): DashboardState;
  journey(id: string): JourneyView | undefined;
  control(): ClockControls | undefined;
  /** The finished run's report folder, served under /report/. */
  reportDir(): string | undefined;
  /** The page's words, locale and anonymity (/api/i18n). */
  language: PageLanguage;
  hub: SseHub;
  hello(): [string, unknown][];
}

const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
};
const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, "application/json; charset=utf-8", JSON.stringify(value));

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error("request body too large");
  }
  return JSON.parse(text);
}

/** The report files a finished run's dashboard serves, with their types: a fixed list, nothing else. */
const REPORT_FILES: Record<string, string> = {
  "report.html": "text/html; charset=utf-8",
  "report.md": "text/markdown; charset=utf-8",
  "metrics.json": "application/json; charset=utf-8",
};

/**
 * The clock controls change the exchange: only a JSON POST from the page itself is taken (a form
 * or a script on another site cannot send JSON here without a CORS pre-flight, which is refused),
 * addressed to this machine by its loopback name (a DNS-rebound site would name its own host).
 */
async function clockRequest(req: IncomingMessage, res: ServerResponse, control: ClockControls | undefined) {
  if (!control) return json(res, 403, { error: "the clock is controlled only where the dashboard runs inside `atix run --dashboard` or `atix up --dashboard`" });
  const origin = req.headers.origin;
  const loopback = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(req.headers.host ?? "");
  if (!loopback || !/^application\/json\b/.test(req.headers["content-type"] ?? "") || (origin && origin !== `http://${req.headers.host}`))
    return json(res, 415, { error: "expected a JSON request from the dashboard page" });
  const body = (await readJson(req).catch(() => undefined)) as { pause?: unknown; speed?: unknown; next?: unknown } | undefined;
  const speed = body?.speed;
  const valid =
    body && (body.next === undefined ? body.pause !== undefined || speed !== undefined : body.next === true && body.pause === undefined && speed === undefined) &&
    (body.pause === undefined || typeof body.pause === "boolean") && (speed === undefined || (typeof speed === "number" && speed >= MIN_SPEED && speed <= MAX_SPEED));
  if (!valid) return json(res, 400, { error: `expected {"pause": true|false}, {"speed": ${MIN_SPEED}..${MAX_SPEED}} or {"next": true}` });
  try {
    if (body.next === true) {
      if (!control.nextInject) return json(res, 409, { error: "there is no scenario here to step through: next inject works inside `atix run --dashboard`" });
      return json(res, 200, await control.nextInject());
    }
    const state = await control.change({ ...(body.pause !== undefined ? { pause: body.pause as boolean } : {}), ...(speed !== undefined ? { speed: speed as number } : {}) });
    json(res, 200, { clock: state });
  } catch (e) {
    if (e instanceof ClockRefusal) return json(res, 409, { error: e.message });
    throw e;
  }
}

/**
 * /report/<file> of a finished run; 404 until the run has written it. An anonymised room gets the
 * (anonymised) report only: metrics.json keeps the real ids.
 */
async function reportRequest(res: ServerResponse, dir: string | undefined, name: string, anonymised: boolean) {
  const type = anonymised && name === "metrics.json" ? undefined : REPORT_FILES[name];
  if (!dir || !type) return json(res, 404, { error: dir ? `no such report file: ${name}` : "the report is written when the run ends" });
  const body = await readFile(join(dir, name)).catch(() => undefined);
  return body ? send(res, 200, type, body) : json(res, 404, { error: `${name} was not written` });
}

export function createDashboardServer(parts: ServerParts): { listen(port: number): Promise<string>; close(): Promise<void> } {
  const assets = loadAssets();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const asset = (name: string) => {
      const a = assets.get(name);
      return a ? send(res, 200, a.type, a.body) : json(res, 404, { error: `no such asset: ${name}` });
    };
    if (req.method === "POST" && path === "/api/clock") return clockRequest(req, res, parts.control());
    if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: `${req.method} is not supported here` });
    if (path === "/" || path === "/index.html") return asset("index.html");
    if (path === "/favicon.ico") return asset("favicon.svg");
    if (path.startsWith("/assets/")) return asset(path.slice("/assets/".length));
    if (path === "/api/state") return json(res, 200, parts.state());
    if (path === "/api/i18n") return json(res, 200, parts.language);
    if (path === "/report" || path === "/report/") return reportRequest(res, parts.reportDir(), "report.html", parts.language.anonymised);
    if (path.startsWith("/report/")) return reportRequest(res, parts.reportDir(), path.slice("/report/".length), parts.language.anonymised);
    if (path === "/api/stream") return parts.hub.open(req, res, parts.hello);
    const j = /^\/api\/journey\/([0-9a-f-]{36})$/i.exec(path);
    if (j) {
      const journey = parts.journey(j[1]!.toLowerCase());
      return journey ? json(res, 200, journey) : json(res, 404, { error: `no message ${j[1]} seen on this exchange` });
    }
    json(res, 404, { error: `nothing at ${path}; try / or /api/state` });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) json(res, 500, { error: e.message });
      else res.destroy();
    });
  });
  return {
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once("error", (e: NodeJS.ErrnoException) =>
          reject(new Error(e.code === "EADDRINUSE" ? `port ${port} is already in use: choose another with --dashboard PORT (or --port)` : e.message)),
        );
        // Loopback only: the page shows the exchange's traffic, and the controls change it.
        server.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
      }),
    close: () =>
      new Promise((resolve) => {
        parts.hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
