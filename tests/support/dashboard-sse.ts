// Reads a Server-Sent Events stream the way a browser's EventSource does, for tests.
export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
  /** Wall time it arrived. */
  at: number;
}

export interface SseReader {
  events: SseEvent[];
  /** The first event (already received or still to come) that matches, within `timeoutMs`. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export async function readSse(url: string): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: { accept: "text/event-stream" } });
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) throw new Error(`${url}: not an event stream`);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    let buf = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const fields = new Map<string, string>();
          for (const line of block.split("\n")) {
            const m = /^([a-z]+): ?(.*)$/.exec(line);
            if (m) fields.set(m[1]!, (fields.has(m[1]!) ? `${fields.get(m[1]!)}\n` : "") + m[2]);
          }
          if (!fields.has("data")) continue;
          events.push({ event: fields.get("event") ?? "message", ...(fields.has("id") ? { id: fields.get("id")! } : {}), data: JSON.parse(fields.get("data")!), at: Date.now() });
          for (const w of waiters) w();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    waitFor(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(match);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event on ${url} within ${timeoutMs} ms (got: ${events.map((e) => e.event).join(", ")})`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
}
