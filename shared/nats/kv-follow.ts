// A key-value watch that outlives broker trouble: nats.js re-creates a watch's ordered consumer
// after missed heartbeats, but if the watch ends anyway (its consumer gone with a dead node) it is
// opened again from the revision after the last one seen, so no change is missed.
import type { KV, KvEntry, KvWatchOptions } from "@nats-io/kv";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log.ts";

export interface KvFollower {
  /** Resolves once the first watch is open (its current values are on their way). */
  ready: Promise<void>;
  /** Resolves once following has stopped. */
  done: Promise<void>;
  stop(): void;
}

export function followKv(kv: KV, opts: Pick<KvWatchOptions, "key">, onEntry: (e: KvEntry) => void | Promise<void>, log: Logger): KvFollower {
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  let opened!: () => void;
  const ready = new Promise<void>((r) => (opened = r));
  const done = (async () => {
    let lastRevision = 0;
    while (!stopped) {
      try {
        const w = await kv.watch({ ...opts, ...(lastRevision ? { resumeFromRevision: lastRevision + 1 } : {}) });
        stopWatch = () => w.stop();
        opened();
        if (stopped) w.stop();
        for await (const e of w) {
          lastRevision = Math.max(lastRevision, e.revision);
          await onEntry(e);
        }
      } catch (e) {
        if (!stopped) log.warn({ err: e }, "key-value watch failed; opening it again");
      }
      if (!stopped) await sleep(500);
    }
    opened();
  })();
  return {
    ready,
    done,
    stop() {
      stopped = true;
      stopWatch?.();
    },
  };
}
