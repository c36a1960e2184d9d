// What observers read of the exchange's buckets, without a consumer: the registry, settings and
// clock in the config bucket and the coordinator's message records, each by a direct get of its
// key's last value. A value that fails its contract is reported (`problems`, which `atix status`
// shows) and counts as absent; in the config bucket, which keeps a few revisions per key, the
// newest revision that passes stands in for it.
import type { NatsConnection } from "@nats-io/transport-node";
import type { StoredMsg } from "@nats-io/jetstream";
import type { z } from "zod";
import { ClockState } from "../clock.ts";
import { buckets, kvStream, kvSubject } from "../contracts/subjects.ts";
import { DirectReader } from "../nats/direct.ts";
import { MessageRecord } from "./records.ts";
import { RegistryData } from "./registry.ts";
import { Settings } from "./settings.ts";
import { checkValue, CONFIG_KEYS, type InvalidValue } from "./store.ts";

/** A KV entry that is a value (not a delete or purge marker). */
const isPut = (m: StoredMsg) => m.data.length > 0 && !m.header?.get("KV-Operation");

function json(m: StoredMsg): unknown {
  try {
    return m.json();
  } catch {
    return undefined;
  }
}

export class ExchangeReader {
  /** Values found failing their contract, once each. */
  readonly problems: InvalidValue[] = [];

  private constructor(private readonly direct: DirectReader) {}

  static async of(nc: NatsConnection): Promise<ExchangeReader> {
    return new ExchangeReader(await DirectReader.of(nc));
  }

  registry(): Promise<RegistryData | undefined> {
    return this.config(CONFIG_KEYS.registry, RegistryData);
  }
  settings(): Promise<Settings | undefined> {
    return this.config(CONFIG_KEYS.settings, Settings);
  }
  clock(): Promise<ClockState | undefined> {
    return this.config(CONFIG_KEYS.clock, ClockState);
  }

  /** The coordinator's record of an accepted message. */
  async message(id: string): Promise<MessageRecord | undefined> {
    const m = await this.direct.get(kvStream(buckets.messages), { last_by_subj: kvSubject(buckets.messages, id) });
    return m && isPut(m) ? this.check(buckets.messages, id, m, MessageRecord) : undefined;
  }

  private async config<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S> | undefined> {
    const stream = kvStream(buckets.config);
    const subject = kvSubject(buckets.config, key);
    const last = await this.direct.get(stream, { last_by_subj: subject });
    if (!last || !isPut(last)) return undefined;
    const value = this.check(buckets.config, key, last, schema);
    if (value !== undefined) return value;
    // The revisions kept before it, oldest first: the newest that passes stands in.
    let good: z.infer<S> | undefined;
    for (let m = await this.direct.get(stream, { next_by_subj: subject, seq: 1 }); m && m.seq < last.seq; m = await this.direct.get(stream, { next_by_subj: subject, seq: m.seq + 1 })) {
      const c = isPut(m) ? checkValue(schema, json(m)) : undefined;
      if (c?.ok) good = c.value;
    }
    return good;
  }

  private check<S extends z.ZodType>(bucket: string, key: string, m: StoredMsg, schema: S): z.infer<S> | undefined {
    const c = checkValue(schema, json(m));
    if (c.ok) return c.value;
    if (!this.problems.some((p) => p.bucket === bucket && p.key === key && p.revision === m.seq)) this.problems.push({ bucket, key, revision: m.seq, problem: c.problem });
    return undefined;
  }
}
