// Typed access to the exchange's key-value buckets: every read is validated, every write is JSON.
import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { z } from "zod";
import { ClockState } from "../clock.ts";
import { buckets } from "../contracts/subjects.ts";
import { MessageRecord, SeenRecord, TrackingRecord } from "./records.ts";
import { RegistryData } from "./registry.ts";
import { Settings } from "./settings.ts";

export class Bucket<S extends z.ZodType> {
  constructor(
    readonly kv: KV,
    private readonly schema: S,
  ) {}

  decode(e: KvEntry | null | undefined): z.infer<S> | undefined {
    if (!e || e.operation !== "PUT" || e.length === 0) return undefined;
    return this.schema.parse(e.json());
  }
  async get(key: string): Promise<{ value: z.infer<S>; revision: number } | undefined> {
    const e = await this.kv.get(key);
    const value = this.decode(e);
    return value === undefined ? undefined : { value, revision: e!.revision };
  }
  put(key: string, value: z.infer<S>): Promise<number> {
    return this.kv.put(key, JSON.stringify(value));
  }
  /** Creates the key only if absent; false when it already existed. */
  async create(key: string, value: z.infer<S>): Promise<boolean> {
    try {
      await this.kv.create(key, JSON.stringify(value));
      return true;
    } catch (e) {
      if (/wrong last sequence|key exists/i.test((e as Error).message)) return false;
      throw e;
    }
  }
  /** Compare-and-set; false when someone else changed the key first. */
  async update(key: string, value: z.infer<S>, revision: number): Promise<boolean> {
    try {
      await this.kv.update(key, JSON.stringify(value), revision);
      return true;
    } catch (e) {
      if (/wrong last sequence/i.test((e as Error).message)) return false;
      throw e;
    }
  }
  /** Every current value, read in one pass through the bucket (not one request per key). */
  async all(): Promise<z.infer<S>[]> {
    if ((await this.kv.status()).values === 0) return [];
    const out: z.infer<S>[] = [];
    const w = await this.kv.watch({ key: ">", ignoreDeletes: true });
    for await (const e of w) {
      const v = this.decode(e);
      if (v !== undefined) out.push(v);
      if (!e.delta) break; // the last of the values present when the watch began
    }
    w.stop();
    return out;
  }

  /** Read-modify-write with retries on conflict; `change` returns undefined to leave it as is. */
  async modify(key: string, change: (v: z.infer<S>) => z.infer<S> | undefined): Promise<z.infer<S> | undefined> {
    for (let i = 0; i < 20; i++) {
      const cur = await this.get(key);
      if (!cur) return undefined;
      const next = change(cur.value);
      if (next === undefined) return undefined;
      if (await this.update(key, next, cur.revision)) return next;
    }
    throw new Error(`could not update ${key}: too many concurrent changes`);
  }
}

export const CONFIG_KEYS = { clock: "clock", settings: "settings", registry: "registry" } as const;

export async function openStore(nc: NatsConnection) {
  const kvm = new Kvm(nc);
  const open = (name: string) => kvm.open(name);
  const config = await open(buckets.config);
  return {
    config,
    clock: new Bucket(config, ClockState),
    settings: new Bucket(config, Settings),
    registry: new Bucket(config, RegistryData),
    seen: new Bucket(await open(buckets.seen), SeenRecord),
    messages: new Bucket(await open(buckets.messages), MessageRecord),
    tracking: new Bucket(await open(buckets.tracking), TrackingRecord),
  };
}
export type Store = Awaited<ReturnType<typeof openStore>>;
