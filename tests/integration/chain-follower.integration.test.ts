// The audit chain followed through what a cluster does to a follower: its ordered consumer gone
// from under it (as when the consumer's node dies) stalls it without an error; the watchdog opens
// it again from the next record, so every record still comes once, in order, within seconds.
// And followed without a consumer, as observers do: the records stored so far read by direct
// gets, then the stream's republished copies; a stream made without republishing (an earlier
// ATIX) is followed by checking its end.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainFollower, followChain } from "../../shared/audit/chain-follower.ts";
import { AuditWriter } from "../../shared/audit/writer.ts";
import { streams, subjects } from "../../shared/contracts/index.ts";
import { followTracking } from "../../shared/exchange/tracking-read.ts";
import { ensureLayout } from "../../shared/nats/streams.ts";
import { followChainLive } from "../../shared/audit/chain-live.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { eventually } from "../support/streams-read.ts";
import { type NatsServer, startNatsServer } from "../support/nats-server.ts";

// The audit stream's name is fixed: this file has a server of its own, not the run's shared one.
let server: NatsServer;
let nc: NatsConnection;
let writer: AuditWriter;
const warnings: string[] = [];
const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  await ensureLayout(nc);
  writer = new AuditWriter(nc, log, newIdentity("c1").seed);
});
afterAll(async () => {
  await nc?.drain();
  await server?.stop();
});

const delivered = (messageId: string, recipients: string[]) =>
  writer.append({
    eventId: `delivered:${messageId}`, event: "delivered", actor: "ATIX", messageId, kind: "alert", at: new Date().toISOString(),
    data: { recipients, deadline: new Date(Date.now() + 600_000).toISOString(), precedence: "FLASH", originator: "AZ" },
  });
const appendDeliveries = async (n: number) => {
  const ids = Array.from({ length: n }, () => uuidv7());
  for (const id of ids) await delivered(id, ["KZ"]);
  return ids;
};
const lastSeq = async () => (await (await jetstreamManager(nc)).streams.info(streams.audit.name)).state.last_seq;
/** Deletes every consumer on the audit stream: the follower's ordered consumer stops delivering, without an error. */
async function deleteAuditConsumers(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const names: string[] = [];
  for await (const ci of jsm.consumers.list(streams.audit.name)) names.push(ci.name);
  for (const name of names) await jsm.consumers.delete(streams.audit.name, name);
  return names.length;
}

describe("followChain", () => {
  it("after its consumer is deleted, opens the chain again from the next record: every record once, in order", async () => {
    const before = await lastSeq();
    await appendDeliveries(5);
    const seen: number[] = [];
    const chain: ChainFollower = await followChain(nc, { fromSeq: before + 1 }, (seq) => void seen.push(seq), { log, stallCheckMs: 200 });
    try {
      await eventually(() => (seen.length === 5 ? true : undefined), 5_000, "the first 5 records");
      expect(chain.next()).toBe(before + 6);
      expect(await chain.current(0)).toBe(true);

      warnings.length = 0;
      expect(await deleteAuditConsumers()).toBeGreaterThan(0);
      await appendDeliveries(5);
      const started = Date.now();
      await eventually(() => (seen.length >= 10 ? true : undefined), 5_000, "the records appended after the consumer was deleted");
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(warnings).toContain("the audit chain grew but nothing came; following it again");
      // Nothing skipped, nothing twice: exactly the stream's sequences, consecutive.
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => before + 1 + i));
      expect(chain.next()).toBe((await lastSeq()) + 1);
      expect(chain.failure).toBeUndefined();
    } finally {
      await chain.stop();
    }
    // Stopped: nothing more comes.
    await appendDeliveries(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(10);
  });

  it("passes over undecoded the records its reader says it knows by msgID, and still moves past them", async () => {
    const before = await lastSeq();
    const ids = await appendDeliveries(4);
    const knownIds = new Set([`delivered:${ids[1]}`, `delivered:${ids[3]}`]);
    const handed: string[] = [];
    const passed: number[] = [];
    const chain = await followChain(nc, { fromSeq: before + 1 }, (_seq, record) => void handed.push((record as { messageId: string }).messageId), {
      known: (msgId, seq, data) => {
        if (!knownIds.has(msgId)) return false;
        passed.push(seq);
        expect(JSON.parse(new TextDecoder().decode(data)).eventId).toBe(msgId); // the stored bytes, for a reader that needs them
        return true;
      },
    });
    try {
      await chain.caughtUp;
      expect(handed).toEqual([ids[0], ids[2]]);
      expect(passed).toEqual([before + 2, before + 4]);
      expect(chain.next()).toBe(before + 5);
      expect(await chain.current(0)).toBe(true);
    } finally {
      await chain.stop();
    }
  });

  it("`fromNow` is the chain's end when it started, also after a reopen: what was appended while stalled still comes", async () => {
    await appendDeliveries(3); // before: never handed on
    const start = await lastSeq();
    const seen: number[] = [];
    const chain = await followChain(nc, { fromNow: true }, (seq) => void seen.push(seq), { stallCheckMs: 200 });
    try {
      expect(chain.next()).toBe(start + 1);
      await appendDeliveries(1);
      await eventually(() => (seen.length === 1 ? true : undefined), 5_000, "the first record (its consumer is up)");
      expect(await deleteAuditConsumers()).toBeGreaterThan(0);
      await appendDeliveries(4); // while stalled: a follower reopened "from now" would skip these
      await eventually(() => (seen.length >= 5 ? true : undefined), 5_000, "the records appended while stalled");
      await appendDeliveries(2);
      await eventually(() => (seen.length >= 7 ? true : undefined), 5_000, "the records appended after the reopen");
      expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => start + 1 + i));
    } finally {
      await chain.stop();
    }
  });
});

describe("followChainLive (no consumer)", () => {
  it("reads what is stored by direct gets, then takes the republished copies: every record once, in order", async () => {
    const own = await connect({ servers: server.url });
    const first = await lastSeq();
    const jsm = await jetstreamManager(nc);
    const consumerNames = async () => (await jsm.consumers.list(streams.audit.name).next()).map((c) => c.name).sort();
    const before = await consumerNames();
    const seen: number[] = [];
    const chain = await followChainLive(own, { fromSeq: 1 }, (seq) => void seen.push(seq));
    try {
      await eventually(() => (seen.length === first ? true : undefined), 5_000, "the records stored before");
      await appendDeliveries(4);
      await eventually(() => (seen.length === first + 4 ? true : undefined), 5_000, "the records appended since");
      expect(seen).toEqual(Array.from({ length: first + 4 }, (_, i) => i + 1));
      expect(await chain.current(0)).toBe(true);
      expect((await consumerNames()).filter((n) => !before.includes(n))).toEqual([]); // nothing was created to read
    } finally {
      await chain.stop();
      await own.close();
    }
  });

  it("takes from the republished subject only the audit stream's own copies", async () => {
    const own = await connect({ servers: server.url });
    const first = await lastSeq();
    const seen: [number, unknown][] = [];
    const chain = await followChainLive(own, { fromSeq: first + 1 }, (seq, record) => void seen.push([seq, record]));
    try {
      // What a member could steer onto the subject in its own account: another stream's answer, numbered next.
      const steered = headers();
      steered.set("Nats-Stream", "KV_ATIX_MESSAGES");
      steered.set("Nats-Subject", "$KV.ATIX_MESSAGES.x");
      steered.set("Nats-Sequence", String(first + 1));
      own.publish(subjects.auditStored, JSON.stringify({ forged: true }), { headers: steered });
      await own.flush();
      await appendDeliveries(1);
      await eventually(() => (seen.length ? true : undefined), 5_000, "the next record");
      expect(seen).toHaveLength(1);
      expect(seen[0]![1]).toMatchObject({ event: "delivered" });
    } finally {
      await chain.stop();
      await own.close();
    }
  });

  it("follows a chain whose stream does not republish (made by an earlier ATIX) by checking its end", async () => {
    const jsm = await jetstreamManager(nc);
    const { config } = await jsm.streams.info(streams.audit.name);
    const { republish: _r, ...without } = config;
    await jsm.streams.delete(streams.audit.name);
    await jsm.streams.add(without);
    // Setting the layout up again keeps it running (nats-server 2.9 cannot add republishing to it).
    await ensureLayout(nc);
    expect((await jsm.streams.info(streams.audit.name)).config.republish).toBeUndefined();
    writer = new AuditWriter(nc, log, newIdentity("c1").seed);
    const own = await connect({ servers: server.url });
    const seen: number[] = [];
    const chain = await followChainLive(own, { fromNow: true }, (seq) => void seen.push(seq), { checkMs: 200 });
    try {
      await appendDeliveries(3);
      await eventually(() => (seen.length === 3 ? true : undefined), 5_000, "the records appended");
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      await chain.stop();
      await own.close();
    }
    await jsm.streams.delete(streams.audit.name);
    await ensureLayout(nc); // as it was, for the next test
    writer = new AuditWriter(nc, log, newIdentity("c1").seed);
  });
});

describe("followTracking", () => {
  it("keeps its view current, and reports a failure only when the connection closed", async () => {
    const own = await connect({ servers: server.url });
    const [earlier] = await appendDeliveries(1);
    const tracking = await followTracking(own, { fromNow: true }, { checkMs: 200 });
    try {
      const later = await appendDeliveries(3);
      await eventually(() => (later.every((id) => tracking.view.get(id, "KZ")) ? true : undefined), 5_000, "the later deliveries in the view");
      expect(tracking.view.get(earlier!, "KZ")).toBeUndefined(); // stored before it started
      expect(later.map((id) => tracking.view.ofMessage(id).map((t) => t.recipient))).toEqual([["KZ"], ["KZ"], ["KZ"]]);
      expect(tracking.failure).toBeUndefined();

      await own.close();
      const failure = await eventually(() => tracking.failure, 5_000, "the failure after the connection closed");
      expect(failure.message).toMatch(/following the audit chain failed: the connection closed/);
    } finally {
      tracking.stop();
      await own.close().catch(() => undefined);
    }
  });
});
