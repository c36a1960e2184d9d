// The dashboard's eyes on the exchange, as the read-only observer: the config bucket (registry,
// clock), signed presence, coordinator heartbeats, and the audit chain from its first record,
// verified as it is read and then followed live.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { chainEnd, followAudit } from "../../shared/audit/reader.ts";
import { subjects } from "../../shared/contracts/index.ts";
import { KvWatchInclude } from "@nats-io/kv";
import { Heartbeat, safeJson, verifiedPresence } from "../../shared/exchange/observe.ts";
import { CONFIG_KEYS, openStore } from "../../shared/exchange/store.ts";
import type { DashboardModel } from "./model.ts";
import type { AuditEventView } from "./types.ts";

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

export async function followExchange(nc: NatsConnection, model: DashboardModel, on: SourceEvents): Promise<Source> {
  const store = await openStore(nc);
  const jsm = await jetstreamManager(nc);
  const registry = await store.registry.get(CONFIG_KEYS.registry);
  if (!registry) throw new Error("no registry in the exchange's config bucket (is the exchange up?)");
  model.setRegistry(registry.value);
  model.clock = (await store.clock.get(CONFIG_KEYS.clock))?.value;
  model.connected = true;
  const keys = new Map(registry.value.agencies.map((a) => [a.id, a.publicKey]));

  // Callbacks stay synchronous (NATS rule); all they do is update memory.
  const subs: Subscription[] = [
    nc.subscribe(subjects.presenceAll, {
      callback: (_e, m) => {
        const p = verifiedPresence(m.subject, m.data, (id) => keys.get(id));
        if (p) model.presence(p);
      },
    }),
    nc.subscribe(subjects.coordinatorHeartbeatAll, {
      callback: (_e, m) => {
        const h = Heartbeat.safeParse(safeJson(m.data));
        if (h.success) model.heartbeat(h.data.instance);
      },
    }),
  ];

  // Clock and registry changes: the coordinators apply them from this bucket, so do we.
  const config = await store.config.watch({ key: ">", include: KvWatchInclude.UpdatesOnly });
  const configDone = (async () => {
    for await (const e of config) {
      if (e.key === CONFIG_KEYS.clock) {
        const c = store.clock.decode(e);
        if (c) (model.clock = c), on.clock();
      } else if (e.key === CONFIG_KEYS.registry) {
        const r = store.registry.decode(e);
        if (r) {
          model.setRegistry(r);
          keys.clear();
          for (const a of r.agencies) keys.set(a.id, a.publicKey);
          on.reset();
        }
      }
    }
  })();

  const lastSeq = await chainEnd(jsm);
  const follow = await followAudit(nc, { fromSeq: 1 });
  let markCaughtUp = () => {};
  const caughtUp = new Promise<void>((r) => (markCaughtUp = r));
  const finishCatchUp = () => {
    if (!model.chain.catchingUp) return;
    model.chain = { ...model.chain, catchingUp: false };
    markCaughtUp();
    on.reset();
  };
  if (lastSeq === 0) finishCatchUp();
  const auditDone = (async () => {
    for await (const { streamSeq, record } of follow) {
      for (const view of model.applyAudit(record)) {
        // An RFI's question and the alert it follows up are in the coordinator's record of it
        // (written alongside the audit record: asked again a little later when not there yet).
        if (view.event === "submitted" && view.kind === "rfi" && view.messageId) {
          const id = view.messageId;
          const describe = (tries: number): void =>
            void store.messages.get(id).then(
              (r) => (r ? model.book.describe(id, r.value) : tries > 1 && setTimeout(() => describe(tries - 1), 500).unref()),
              () => undefined,
            );
          describe(3);
        }
        if (!model.chain.catchingUp) on.audit(view);
      }
      if (streamSeq >= lastSeq) finishCatchUp();
    }
  })();

  const statusDone = (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") model.connected = false;
      if (s.type === "reconnect") model.connected = true;
    }
  })();

  return {
    caughtUp,
    async stop() {
      follow.stop();
      config.stop();
      for (const s of subs) s.unsubscribe();
      await Promise.allSettled([auditDone, configDone]);
      void statusDone;
    },
  };
}
