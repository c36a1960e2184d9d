// Keeps the broker's accounts in step with the registry while `atix up` runs: when an agency's key
// is registered (`atix keys register`) or a replaced key's overlap ends, nats-auth.conf is written
// anew and every server of this exchange reloads it (SIGHUP). A new key may log in at once; a
// retired one is cut off when its validity ends. nats-server 2.9.10 applies such user changes on
// reload without dropping anyone else's connection, and closes the connections of a key removed
// (tested in tests/e2e/agency-keys.e2e.test.ts).
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { buckets } from "../../shared/contracts/subjects.ts";
import { nextKeyEnd } from "../../shared/exchange/agency-keys.ts";
import { type ExchangeIdentities, serverAuthorization } from "../../shared/exchange/bootstrap.ts";
import { RegistryData } from "../../shared/exchange/registry.ts";
import { CONFIG_KEYS } from "../../shared/exchange/store.ts";
import type { Logger } from "../../shared/log.ts";
import { followKv } from "../../shared/nats/kv-follow.ts";
import { retryTransient } from "../../shared/nats/retry.ts";
import { writeFileAtomically } from "./prepare.ts";

/** Past a key's end before the accounts are rewritten: the coordinators refuse it from its end already. */
const AFTER_END_MS = 50;
/** A timer far ahead is re-armed at most this far out (setTimeout's limit is ~24.8 days). */
const MAX_TIMER_MS = 24 * 3_600_000;

export interface AuthKeeperOptions {
  /** A coordinator connection: it reads the registry's revisions. */
  nc: NatsConnection;
  ids: Pick<ExchangeIdentities, "coordinator" | "observer">;
  authFile: string;
  /** The text nats-auth.conf holds now. */
  written: string;
  /** The running servers' pids (a cluster's nodes that are up). */
  servers: () => number[];
  log: Logger;
}

export interface AuthKeeper {
  ready: Promise<void>;
  stop(): void;
}

export async function keepAuthInStep(opts: AuthKeeperOptions): Promise<AuthKeeper> {
  const config = await retryTransient(() => new Kvm(opts.nc).open(buckets.config));
  let written = opts.written;
  let registry: RegistryData | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let applying = Promise.resolve();
  // One change at a time, in order; a failure is logged and the next change tries again.
  const again = () =>
    (applying = applying.then(apply).catch((err) => opts.log.error({ err }, "could not bring the broker's accounts in step with the registry")));

  const apply = async () => {
    if (stopped || !registry) return;
    const now = Date.now();
    const text = serverAuthorization(opts.ids, registry, now);
    if (text !== written) {
      await writeFileAtomically(opts.authFile, text);
      written = text;
      const pids = opts.servers();
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGHUP");
        } catch (err) {
          opts.log.warn({ err, pid }, "could not signal a nats-server to reload its accounts");
        }
      }
      if (pids.length) opts.log.info({ servers: pids.length }, "agency keys changed: the broker's accounts reloaded");
      else opts.log.warn({ authFile: opts.authFile }, "agency keys changed: nats-auth.conf rewritten; reload the broker this exchange uses (nats-server --signal reload)");
    }
    clearTimeout(timer);
    const next = nextKeyEnd(registry.agencies, now);
    if (next !== undefined) {
      timer = setTimeout(again, Math.min(next - now + AFTER_END_MS, MAX_TIMER_MS));
      timer.unref?.();
    }
  };

  const follower = followKv(config, { key: CONFIG_KEYS.registry }, (e) => {
    if (e.operation !== "PUT") return;
    let value: unknown;
    try {
      value = e.json();
    } catch {
      value = undefined;
    }
    const r = RegistryData.safeParse(value);
    if (!r.success) return void opts.log.warn({ revision: e.revision }, "a registry revision that fails its contract: the broker's accounts stay as they are");
    registry = r.data;
    return again();
  }, opts.log);
  return {
    ready: follower.ready,
    stop() {
      stopped = true;
      clearTimeout(timer);
      follower.stop();
    },
  };
}
