// Typed access to the exchange's key-value buckets: every read is validated, every write is JSON.
// Operations ride out a leader election or a node failing over (retried with back-off); a
// conditional write whose first attempt timed out but was applied still counts as done.
import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { z } from "zod";
import { retryTransient } from "../nats/retry.ts";
import { ClockState } from "../clock.ts";
import { buckets } from "../contracts/subjects.ts";
import { EscalationClaim, MessageRecord, SeenRecord } from "./records.ts";
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
    const e = await retryTransient(() => this.kv.get(key));
    const value = this.decode(e);
    return value === undefined ? undefined : { value, revision: e!.revision };
  }
  put(key: string, value: z.infer<S>): Promise<number> {
    const json = JSON.stringify(value);
    return retryTransient(() => this.kv.put(key, json));
  }
  /** Creates the key only if absent; false when it already existed. */
  create(key: string, value: z.infer<S>): Promise<boolean> {
    const json = JSON.stringify(value);
    return this.conditional(key, json, () => this.kv.create(key, json));
  }
  /** Compare-and-set; false when someone else changed the key first. */
  update(key: string, value: z.infer<S>, revision: number): Promise<boolean> {
    const json = JSON.stringify(value);
    return this.conditional(key, json, () => this.kv.update(key, json, revision));
  }

  /**
   * A conditional write, retried through transient failures. When an attempt failed without an
   * answer, a later "wrong last sequence" may be that attempt having been applied after all: if
   * the key now holds exactly what was written, it was (a compare-and-set done twice is done once).
   */
  private async conditional(key: string, json: string, write: () => Promise<number>): Promise<boolean> {
    let uncertain = false;
    try {
      await retryTransient(write, { onRetry: () => void (uncertain = true) });
      return true;
    } catch (e) {
      if (!/wrong last sequence|key exists/i.test((e as Error).message)) throw e;
      if (!uncertain) return false;
      const now = await retryTransient(() => this.kv.get(key));
      return now?.operation === "PUT" && now.string() === json;
    }
  }
  /** Every current value, read in one pass through the bucket (not one request per key). */
  all(): Promise<z.infer<S>[]> {
    return retryTransient(() => this.readAll());
  }

  private async readAll(): Promise<z.infer<S>[]> {
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
  const open = (name: string) => retryTransient(() => kvm.open(name));
  const config = await open(buckets.config);
  return {
    config,
    clock: new Bucket(config, ClockState),
    settings: new Bucket(config, Settings),
    registry: new Bucket(config, RegistryData),
    seen: new Bucket(await open(buckets.seen), SeenRecord),
    messages: new Bucket(await open(buckets.messages), MessageRecord),
    /** Escalation steps claimed (delivery state itself is the audit chain's: tracking-view.ts). */
    claims: new Bucket(await open(buckets.tracking), EscalationClaim),
  };
}
export type Store = Awaited<ReturnType<typeof openStore>>;
