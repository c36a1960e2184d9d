// The dashboard's eyes on the exchange, as the read-only observer: the registry and clock (from
// the config bucket, the clock then live), signed presence, coordinator heartbeats, and the audit
// chain from its first record, verified as it is read and then followed live. All of it read
// without a consumer (direct gets and what the exchange exports to the observer).
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { followChainLive } from "../../shared/audit/chain-live.ts";
import { ChainReader } from "../../shared/audit/chain-read.ts";
import { ClockState } from "../../shared/clock.ts";
import { subjects } from "../../shared/contracts/index.ts";
import { ExchangeReader } from "../../shared/exchange/config-read.ts";
import { Heartbeat, safeJson, verifiedPresence } from "../../shared/exchange/observe.ts";
import type { DashboardModel } from "./model.ts";
import type { AuditEventView } from "./types.ts";
import { followLive } from "../../shared/nats/live.ts";

export interface SourceEvents {
  /** A record written after the dashboard caught up with the chain. */
  audit(view: AuditEventView): void;
  clock(): void;
  /** Caught up with the chain, or the registry changed: pages should reload the snapshot. */
  reset(): void;
}

export interface Source {
  /** Resolves when every record stored at start has been read. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/** How often the registry is read again (it changes rarely; the clock comes live on atix.clock). */
const REGISTRY_EVERY_MS = 2_000;

export async function followExchange(nc: NatsConnection, model: DashboardModel, on: SourceEvents): Promise<Source> {
  // Read without a consumer: the observer may create none (shared/exchange/server-config.ts).
  const config = await ExchangeReader.of(nc);
  // The chain's end first: every record up to it was signed with a key the registry read next has.
  const chain = await ChainReader.of(nc);
  const lastSeq = await chain.end();
  const registry = await config.registry();
  if (!registry) throw new Error("no registry in the exchange's config bucket (is the exchange up?)");
  model.setRegistry(registry);
  model.clock = await config.clock();
  model.connected = true;
  let keys = new Map(registry.agencies.map((a) => [a.id, a]));
  let registryText = JSON.stringify(registry);

  // Callbacks stay synchronous (NATS rule); all they do is update memory.
  const subs: Subscription[] = [
    followLive(nc, subjects.presenceAll, (m) => {
      const p = verifiedPresence(m.subject, m.data, (id) => keys.get(id));
      if (p) model.presence(p);
    }),
    followLive(nc, subjects.coordinatorHeartbeatAll, (m) => {
      const h = Heartbeat.safeParse(safeJson(m.data));
      if (h.success) model.heartbeat(h.data.instance);
    }),
    // Coordinators broadcast the clock every second and at once on every change.
    followLive(nc, subjects.clock, (m) => {
      const c = ClockState.safeParse(safeJson(m.data));
      if (!c.success || (model.clock && sameClock(model.clock, c.data))) return;
      model.clock = c.data;
      on.clock();
    }),
  ];

  // Registry changes: read again now and then (a coordinator adopts them from the config bucket too).
  const refreshRegistry = () =>
    config.registry().then((r) => {
      const text = r && JSON.stringify(r);
      if (!r || text === registryText) return;
      registryText = text!;
      model.setRegistry(r);
      keys = new Map(r.agencies.map((a) => [a.id, a]));
      on.reset();
    }, () => undefined);
  const registryTimer = setInterval(() => void refreshRegistry(), REGISTRY_EVERY_MS);
  let markCaughtUp = () => {};
  const caughtUp = new Promise<void>((r) => (markCaughtUp = r));
  const finishCatchUp = () => {
    if (!model.chain.catchingUp) return;
    model.chain = { ...model.chain, catchingUp: false };
    markCaughtUp();
    on.reset();
  };
  if (lastSeq === 0) finishCatchUp();
  const apply = (streamSeq: number, record: unknown) => {
    for (const view of model.applyAudit(record)) {
      // An RFI's question and the alert it follows up are in the coordinator's record of it
      // (written alongside the audit record: asked again a little later when not there yet).
      if (view.event === "submitted" && view.kind === "rfi" && view.messageId) {
        const id = view.messageId;
        const describe = (tries: number): void =>
          void config.message(id).then(
            (r) => (r ? model.book.describe(id, r) : tries > 1 && setTimeout(() => describe(tries - 1), 500).unref()),
            () => undefined,
          );
        describe(3);
      }
      if (!model.chain.catchingUp) on.audit(view);
    }
    if (streamSeq >= lastSeq) finishCatchUp();
  };
  // A record signed with a key the registry read so far lacks (an instance started since) waits,
  // with those after it, until the registry is read again: it is registered before it signs.
  const waiting: [number, unknown][] = [];
  let refreshing = false;
  const follow = await followChainLive(nc, { fromSeq: 1 }, (streamSeq, record) => {
    const key = (record as { signature?: { key?: unknown } } | null)?.signature?.key;
    if (!waiting.length && (typeof key !== "string" || model.trusts(key))) return apply(streamSeq, record);
    waiting.push([streamSeq, record]);
    if (refreshing) return;
    refreshing = true;
    void refreshRegistry().finally(() => {
      refreshing = false;
      for (const [seq, r] of waiting.splice(0)) apply(seq, r);
    });
  });

  const statusDone = (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") model.connected = false;
      if (s.type === "reconnect") model.connected = true;
    }
  })();

  return {
    caughtUp,
    async stop() {
      clearInterval(registryTimer);
      for (const s of subs) s.unsubscribe();
      await follow.stop();
      void statusDone;
    },
  };
}

const sameClock = (a: ClockState, b: ClockState) => a.simAnchor === b.simAnchor && a.wallAnchor === b.wallAnchor && a.speed === b.speed && a.paused === b.paused;
