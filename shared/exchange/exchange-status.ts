// What `atix status` reads of a live exchange, as the observer may (direct gets and live subjects,
// no consumer): coordinator instances and agencies as heard for a moment, the exchange's figures
// (from the newest checkpoint and the chain after it), the audit chain's end and each stream's use.
// The CLI prints it (services/cli/commands/status.ts); the history bench times it.
import { type NatsConnection, PermissionViolationError, TimeoutError } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import { ChainReader, readChain } from "../audit/chain-read.ts";
import { SimClock } from "../clock.ts";
import { type AgencyRegistryEntry, DUTY_STATUSES, StoredAuditRecord, streams, subjects } from "../contracts/index.ts";
import { DirectReader, StreamMissing } from "../nats/direct.ts";
import { type CoordinatorKeys, readCheckpoint } from "./checkpoints.ts";
import { ExchangeReader } from "./config-read.ts";
import { signerOf } from "./coordinator-keys.ts";
import { ExchangeFigures } from "./figures.ts";
import { type DutyStatus, Heartbeat, safeJson, verifiedPresence } from "./observe.ts";
import type { InvalidValue } from "./store.ts";
import { followLive } from "../nats/live.ts";

interface Heard {
  coordinators: Map<string, Heartbeat>;
  presence: Map<string, DutyStatus>;
}

/** Listens to heartbeats and (signature-checked) presence for `ms`. */
async function listen(nc: NatsConnection, ms: number, entryOf: (agency: string) => AgencyRegistryEntry | undefined): Promise<Heard> {
  const heard: Heard = { coordinators: new Map(), presence: new Map() };
  const beats = followLive(nc, subjects.coordinatorHeartbeatAll, (m) => {
    const h = Heartbeat.safeParse(safeJson(m.data));
    if (h.success) heard.coordinators.set(h.data.instance, h.data);
  });
  const presence = followLive(nc, subjects.presenceAll, (m) => {
    // Only what the agency itself said, on its own subject, counts.
    const p = verifiedPresence(m.subject, m.data, entryOf);
    if (p) heard.presence.set(p.sender, p.body.status);
  });
  await sleep(ms);
  beats.unsubscribe();
  presence.unsubscribe();
  return heard;
}

/** The chain's last record, when it is one. */
async function lastRecord(chain: ChainReader) {
  const end = await chain.end();
  const m = end ? await chain.at(end) : undefined;
  const r = StoredAuditRecord.safeParse(m?.record);
  return r.success ? r.data : undefined;
}

export async function exchangeStatus(nc: NatsConnection, url: string, listenMs: number) {
  // Everything read without a consumer: the observer may create none.
  const config = await ExchangeReader.of(nc);
  const chain = await ChainReader.of(nc);
  const clockState = await config.clock();
  const registry = await config.registry();
  await config.settings(); // only checked: a bad value is shown below
  const keys = new Map(registry?.agencies.map((a) => [a.id, a]));
  const heardP = listen(nc, listenMs, (a) => keys.get(a));
  const [counted, auditState, head, storage] = await Promise.all([
    countFigures(nc, chain, registry ?? { coordinators: [] }),
    chain.state(),
    lastRecord(chain),
    streamStorage(await DirectReader.of(nc)),
  ]);
  const heard = await heardP;
  // Bad values this read met, and the last each coordinator reports having met.
  const invalid: (InvalidValue & { seenBy: string })[] = config.problems.map((p) => ({ ...p, seenBy: "status" }));
  for (const h of heard.coordinators.values()) if (h.lastInvalid) invalid.push({ ...h.lastInvalid, seenBy: h.instance });
  const clock = clockState ? new SimClock(clockState) : undefined;
  const simNowMs = clock?.nowMs() ?? Date.now();
  const byStatus = Object.fromEntries(DUTY_STATUSES.map((s) => [s, 0])) as Record<DutyStatus, number>;
  for (const s of heard.presence.values()) byStatus[s]++;
  const now = Date.now();
  return {
    url,
    simNow: new Date(simNowMs).toISOString(),
    clock: clock ? { speed: clock.speed, paused: clock.paused } : null,
    listenedMs: listenMs,
    coordinators: [...heard.coordinators.values()]
      .sort((a, b) => a.instance.localeCompare(b.instance))
      .map((h) => ({ ...h, uptimeMs: now - Date.parse(h.startedAt), lastSeenMs: now - Date.parse(h.at) })),
    agencies: { registered: registry?.agencies.length ?? 0, heard: heard.presence.size, online: heard.presence.size - byStatus.offline, byStatus },
    figures: counted.figures.at(simNowMs),
    audit: {
      records: head?.seq ?? 0, stored: auditState.messages, bytes: storage.audit?.bytes ?? 0, head: head?.hash ?? null,
      signer: head?.signature ? (signerOf(registry, head.signature.key) ?? head.signature.key) : null,
      followedLive: auditState.republishes,
      counted: counted.from,
    },
    streams: storage,
    invalidStored: invalid,
  };
}

/**
 * The exchange's figures, counted from the audit chain as every view counts them: from the newest
 * checkpoint and the records after it, or from the whole chain when there is none or it is refused.
 */
async function countFigures(nc: NatsConnection, chain: ChainReader, keys: CoordinatorKeys) {
  const read = await readCheckpoint(nc, chain, keys).catch((e: Error) => ({ found: "unreadable" as const, reason: whyUnreadable(e) }));
  const checkpoint = read.found === "usable" ? read.checkpoint : undefined;
  const usable = checkpoint?.manifest;
  const figures = usable ? new ExchangeFigures(1, undefined, { snapshot: checkpoint.snapshot, throughSeq: usable.position.seq, signer: usable.signature.key }) : new ExchangeFigures();
  let records = 0;
  for await (const { record } of readChain(nc, { fromSeq: (usable?.position.streamSeq ?? 0) + 1 })) {
    figures.applyStored(record);
    records++;
  }
  const from = usable
    ? { checkpoint: { seq: usable.position.seq, writtenBy: usable.instance, writtenAt: usable.writtenAt }, recordsAfter: records }
    : { checkpoint: null, recordsAfter: records, ...(read.found === "refused" ? { refused: read.reason } : {}), ...(read.found === "unreadable" ? { unreadable: read.reason } : {}) };
  return { figures, from };
}

/** Why the checkpoints could not be read at all (not a checkpoint refused: none was read). */
function whyUnreadable(e: Error): string {
  const denied = (x: unknown) => x instanceof PermissionViolationError;
  if (denied(e) || denied(e.cause))
    return "this exchange's server configuration predates checkpoints, so the observer may not read them (run `atix up` again to write a new one)";
  // A direct get of a stream that does not exist goes unanswered across the observer's import.
  if (e instanceof StreamMissing || e instanceof TimeoutError || e.cause instanceof TimeoutError)
    return "the exchange's checkpoints stream did not answer: it does not exist yet (coordinators of this version create it) or its server is down";
  return `they could not be read: ${e.message}`;
}

/** What each stream of the exchange holds, against its limit (docs/operations.md): their info is among the observer's reads. */
async function streamStorage(direct: DirectReader) {
  const out: Record<"submissions" | "deliveries" | "audit", { messages: number; bytes: number; maxBytes: number | null; maxAgeDays: number | null }> = {} as never;
  for (const key of ["submissions", "deliveries", "audit"] as const) {
    const info = await direct.streamInfo(streams[key].name).catch(() => undefined);
    if (!info) continue;
    const { max_bytes, max_age } = info.config;
    out[key] = {
      messages: info.state.messages, bytes: info.state.bytes,
      maxBytes: max_bytes > 0 ? max_bytes : null, maxAgeDays: max_age > 0 ? Math.round((max_age / 86_400e9) * 10) / 10 : null,
    };
  }
  return out;
}
export type ExchangeStatus = Awaited<ReturnType<typeof exchangeStatus>>;
