// Reading what the exchange stored, straight from the streams, as an auditor would.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { readChain } from "../../shared/audit/chain-read.ts";
import { type Message, StoredAuditRecord, streams, subjects } from "../../shared/contracts/index.ts";

/** Every message of `stream` on `filter` stored now, raw, in stream order. */
type Stored = { subject: string; seq: number; data: Uint8Array; headers?: { get(k: string): string } | undefined };

export async function readAll(nc: NatsConnection, stream: string, filter: string): Promise<Stored[]> {
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  // How many match now: read exactly those, so no fetch waits for its expiry.
  const total = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  const out: Stored[] = [];
  if (!total) return out;
  const c = await js.consumers.get(stream, { filter_subjects: filter });
  while (out.length < total) {
    const batch = await c.fetch({ max_messages: Math.min(1000, total - out.length), expires: 5000 });
    let n = 0;
    for await (const m of batch) {
      out.push({ subject: m.subject, seq: m.seq, data: m.data, headers: m.headers });
      n++;
    }
    if (n === 0) break;
  }
  await c.delete().catch(() => undefined);
  return out;
}

const decoded = (stored: { data: Uint8Array }[]): Message[] => stored.map((m) => JSON.parse(new TextDecoder().decode(m.data)));

/** What `agency` is given: its own deliveries, then the broadcasts of every other agency. */
export const deliveriesTo = async (nc: NatsConnection, agency: string): Promise<Message[]> => [
  ...decoded(await readAll(nc, streams.deliveries.name, subjects.deliverOf(agency))),
  ...(await broadcasts(nc)).filter((m) => m.sender !== agency),
];

/** Every broadcast stored, once each (every agency but its sender reads it). */
export const broadcasts = async (nc: NatsConnection): Promise<Message[]> => decoded(await readAll(nc, streams.deliveries.name, subjects.broadcastAll));

/** The audit chain as stored now, read without a consumer (as the observer may), each record checked against its contract. */
export async function auditRecords(nc: NatsConnection): Promise<StoredAuditRecord[]> {
  const out: StoredAuditRecord[] = [];
  for await (const { record } of readChain(nc)) out.push(StoredAuditRecord.parse(record));
  return out;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
