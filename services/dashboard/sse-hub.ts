// Server-Sent Events to every open page. A page that cannot keep up (a sleeping laptop, a
// frozen tab) is dropped rather than buffered without end: its EventSource reconnects and
// reloads the snapshot, which is always complete.
import type { IncomingMessage, ServerResponse } from "node:http";

const KEEPALIVE_MS = 15_000;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class SseHub {
  private clients = new Set<ServerResponse>();
  private keepalive: NodeJS.Timeout;

  constructor() {
    // A comment line keeps proxies and idle connections from closing a quiet stream.
    this.keepalive = setInterval(() => this.write(": keepalive\n\n"), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  open(req: IncomingMessage, res: ServerResponse, hello: () => [event: string, data: unknown][]) {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // Reconnect quickly: the room should not stare at a stale screen.
    res.write("retry: 1500\n\n");
    for (const [event, data] of hello()) res.write(frame(event, data));
    this.clients.add(res);
    req.on("close", () => this.clients.delete(res));
  }

  send(event: string, data: unknown, id?: number) {
    if (this.clients.size) this.write(frame(event, data, id));
  }

  private write(text: string) {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  close() {
    clearInterval(this.keepalive);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

const frame = (event: string, data: unknown, id?: number) =>
  `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
