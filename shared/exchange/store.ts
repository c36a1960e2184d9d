// Typed access to the exchange's key-value buckets: every read is checked against its contract,
// every write is JSON. A stored value that fails its contract is never thrown at the caller: it
// counts as absent (or, in the config bucket, which keeps a few revisions, as the newest good
// revision), and is logged once and counted (coordinators report the count in their heartbeat,
// `atix status` shows it). Operations ride out a leader election or a node failing over (retried
// with back-off); a conditional write whose first attempt timed out but was applied still counts.
import { Bucket as KvBucket, Kvm, type KV, type KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { z } from "zod";
import { BoundedSet } from "../bounded.ts";
import { formatProblem, toProblems } from "../contracts/problems.ts";
import type { Logger } from "../log.ts";
import { isWrongLastSequence } from "../nats/errors.ts";
import { durablePublisher, type DurablePublisher } from "../nats/jetstream-publisher.ts";
import { retryTransient } from "../nats/retry.ts";
import { ClockState } from "../clock.ts";
import { buckets } from "../contracts/subjects.ts";
import { EscalationClaim, MessageRecord, SeenRecord } from "./records.ts";
import { RegistryData } from "./registry.ts";
import { Settings } from "./settings.ts";

/** A stored value that failed its contract. */
export interface InvalidValue {
  bucket: string;
  key: string;
  revision: number;
  problem: string;
}

/** Where invalid values are reported: logged once each, counted, the last one kept. */
export class StoreChecks {
  invalid = 0;
  last: InvalidValue | undefined;
  private readonly reported = new BoundedSet<string>(1_000);

  constructor(readonly log?: Logger) {}

  report(v: InvalidValue, fallback: string) {
    const id = `${v.bucket}/${v.key}@${v.revision}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.invalid++;
    this.last = v;
    this.log?.error({ bucket: v.bucket, key: v.key, revision: v.revision, problem: v.problem }, `stored value fails its contract; ${fallback}`);
  }
}

/** Why `value` fails `schema` (field paths and what was expected), or the parsed value. */
export function checkValue<S extends z.ZodType>(schema: S, value: unknown): { ok: true; value: z.infer<S> } | { ok: false; problem: string } {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, problem: toProblems(r.error, value).slice(0, 3).map(formatProblem).join("; ") };
}

function entryJson(e: KvEntry): unknown {
  try {
    return e.json();
  } catch {
    return undefined; // not JSON: fails any contract
  }
}

export class Bucket<S extends z.ZodType> {
  constructor(
    readonly kv: KV,
    private readonly schema: S,
    private readonly checks: StoreChecks,
    private readonly opts: { name: string; history?: boolean; publisher?: DurablePublisher },
  ) {}

  /** The entry's value; undefined when deleted, or (reported) when it fails the contract. */
  decode(e: KvEntry | null | undefined): z.infer<S> | undefined {
    if (!e || e.operation !== "PUT" || e.length === 0) return undefined;
    const c = checkValue(this.schema, entryJson(e));
    if (c.ok) return c.value;
    this.checks.report({ bucket: this.opts.name, key: e.key, revision: e.revision, problem: c.problem }, "treated as absent");
    return undefined;
  }

  /** The key's current entry: its value, or `invalid` (with the revision to overwrite it by). */
  async read(key: string): Promise<{ value: z.infer<S>; revision: number } | { invalid: true; revision: number } | undefined> {
    const e = await retryTransient(() => this.kv.get(key));
    if (!e || e.operation !== "PUT" || e.length === 0) return undefined;
    const value = this.decode(e);
    return value === undefined ? { invalid: true, revision: e.revision } : { value, revision: e.revision };
  }

  /**
   * The key's value with the current revision (for a compare-and-set). A value that fails its
   * contract is absent, or in a bucket with history the newest revision that passes.
   */
  async get(key: string): Promise<{ value: z.infer<S>; revision: number } | undefined> {
    const cur = await this.read(key);
    if (!cur || !("invalid" in cur)) return cur;
    const good = this.opts.history ? await this.lastGood(key, cur.revision) : undefined;
    return good === undefined ? undefined : { value: good, revision: cur.revision };
  }

  private async lastGood(key: string, below: number): Promise<z.infer<S> | undefined> {
    const entries: KvEntry[] = [];
    const it = await retryTransient(() => this.kv.history({ key }));
    for await (const e of it) entries.push(e);
    for (const e of entries.reverse()) {
      if (e.revision >= below || e.operation !== "PUT") continue;
      const c = checkValue(this.schema, entryJson(e));
      if (c.ok) {
        this.checks.log?.warn({ bucket: this.opts.name, key, revision: e.revision }, "using the newest stored value that passes its contract");
        return c.value;
      }
    }
    return undefined;
  }

  put(key: string, value: z.infer<S>): Promise<number> {
    const json = JSON.stringify(value);
    const { publisher } = this.opts;
    const kv = this.kv;
    if (!publisher || !(kv instanceof KvBucket)) return retryTransient(() => kv.put(key, json));
    // What kv.put publishes (key and value through the bucket's codecs), through the connection's
    // JetStreamPublisher: the coordinator writes two of these per accepted message, and js.publish
    // makes each a request of its own. A key kv.put refuses rejects the promise, as there.
    return retryTransient(async () => {
      const ek = kv.encodeKey(key);
      kv.validateKey(ek);
      return (await publisher.publish(kv.subjectForKey(ek, true), kv.codec.value.encode(json), {})).seq;
    });
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
      if (!isWrongLastSequence(e)) throw e;
      if (!uncertain) return false;
      const now = await retryTransient(() => this.kv.get(key));
      return now?.operation === "PUT" && now.string() === json;
    }
  }
  /** Every current value that passes its contract, read in one pass through the bucket (not one request per key). */
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

  /**
   * Read-modify-write with retries on conflict; `change` returns undefined to leave it as is. A
   * value that fails its contract is changed from its last good revision, or left when there is none.
   */
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

/** The buckets as a coordinator (or the runner, as the coordinator) uses them. `log` receives invalid values. */
export async function openStore(nc: NatsConnection, log?: Logger) {
  const kvm = new Kvm(nc);
  const open = (name: string) => retryTransient(() => kvm.open(name));
  const checks = new StoreChecks(log);
  const config = await open(buckets.config);
  const publisher = durablePublisher(nc);
  const bucket = <S extends z.ZodType>(kv: KV, schema: S, name: string, history = false) => new Bucket(kv, schema, checks, { name, history, publisher });
  return {
    config,
    checks,
    clock: bucket(config, ClockState, buckets.config, true),
    settings: bucket(config, Settings, buckets.config, true),
    registry: bucket(config, RegistryData, buckets.config, true),
    seen: bucket(await open(buckets.seen), SeenRecord, buckets.seen),
    messages: bucket(await open(buckets.messages), MessageRecord, buckets.messages),
    /** Escalation steps claimed (delivery state itself is the audit chain's: tracking-view.ts). */
    claims: bucket(await open(buckets.escalationClaims), EscalationClaim, buckets.escalationClaims),
  };
}
export type Store = Awaited<ReturnType<typeof openStore>>;
