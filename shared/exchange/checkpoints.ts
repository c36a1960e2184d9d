// Checkpoints of the tracking view in JetStream: what lets a coordinator restart, and `atix status`
// answer, without reading the whole audit chain. A checkpoint is trusted no more than the chain:
// its manifest is signed by a coordinator key of the registry, its data must match the manifest's
// digest, and the chain's record at its position must be the very record it names (seq and hash,
// so the chain up to there is the one it was made from). One that fails any of these is refused
// with the reason, and its reader reads the whole chain instead.
//
// Written by coordinators only (the exchange's account); read by direct gets, so the observer
// reads it through its imports like the chain (shared/exchange/server-config.ts).
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip as gunzipCb, gzip as gzipCb } from "node:zlib";
import { type ChainReader } from "../audit/chain-read.ts";
import { recordSignatureValid, signRecordHash } from "../audit/chain.ts";
import { canonicalize } from "../contracts/canonical.ts";
import { StoredAuditRecord } from "../contracts/audit.ts";
import { PRECEDENCES, type Precedence } from "../contracts/primitives.ts";
import { formatProblem, toProblems } from "../contracts/problems.ts";
import { streams, subjects } from "../contracts/subjects.ts";
import { DirectReader } from "../nats/direct.ts";
import { CHECKPOINT_CHUNK_BYTES } from "../nats/streams.ts";
import { CHECKPOINT_VERSION, CheckpointManifest, type ChainPosition, SNAPSHOT_LIMITS, TrackingSnapshot } from "./checkpoint-contract.ts";
import type { RegistryData } from "./registry.ts";

/** The registry's coordinator keys, each with the instance it was registered for. */
export type CoordinatorKeys = Pick<RegistryData, "coordinators">;

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);
const STREAM = streams.checkpoints.name;
const MIB = 1024 * 1024;
/**
 * The most a checkpoint's data may unpack to: well above the coordinator's own bounds (120,000 open
 * and 20,000 settled deliveries make about 14 MiB), far below what would exhaust a reader's memory.
 */
const MAX_SNAPSHOT_BYTES = 128 * MIB;
/** Chunks read at once. */
const CHUNKS_IN_FLIGHT = 16;
/** Checkpoints kept: the newest, and the one before it (a reader may be reading it as the newest is written). */
const KEEP = 2;

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");
/** What the manifest's signature covers: the SHA-256 of its canonical form without the signature. */
const manifestHash = (m: Omit<CheckpointManifest, "signature">) => sha256(canonicalize(m));

export type Verdict = { accept: true } | { accept: false; reason: string };
const refuse = (reason: string): Verdict => ({ accept: false, reason });
const ACCEPT: Verdict = { accept: true };

/**
 * Whether a manifest may be used: signed by a coordinator key of the registry (the key of the
 * instance it names), and naming the record the chain holds at its position. `atPosition` is what
 * the chain stores there (undefined: nothing).
 */
export function judgeManifest(m: CheckpointManifest, keys: CoordinatorKeys, atPosition: unknown): Verdict {
  const { signature, ...rest } = m;
  const registered = keys.coordinators.filter((k) => k.publicKey === signature.key);
  if (!registered.length) return refuse(`its manifest is signed with ${signature.key}, which is not a coordinator key of the registry`);
  if (!recordSignatureValid(manifestHash(rest), signature)) return refuse("its manifest's signature does not match the manifest: it was changed after it was signed");
  if (!registered.some((k) => k.id === m.instance))
    return refuse(`its manifest says it was written by ${m.instance} but is signed with the key of ${registered.map((k) => k.id).join(", ")}`);
  if (m.bytes > MAX_SNAPSHOT_BYTES || m.chunks.length !== Math.max(1, Math.ceil(m.bytes / CHECKPOINT_CHUNK_BYTES)))
    return refuse(`its manifest lists ${m.chunks.length} chunks for ${m.bytes} bytes (expected chunks of ${CHECKPOINT_CHUNK_BYTES} bytes, at most ${MAX_SNAPSHOT_BYTES} bytes in all)`);
  const p = m.position;
  if (atPosition === undefined) return refuse(`the audit chain holds no record at stream sequence ${p.streamSeq}, where the checkpoint stands`);
  const r = StoredAuditRecord.safeParse(atPosition);
  if (!r.success) return refuse(`the audit stream's message at ${p.streamSeq} is not an audit record`);
  if (r.data.seq !== p.seq || r.data.hash !== p.hash)
    return refuse(`it does not match the audit chain: it names record ${p.seq} (hash ${p.hash.slice(0, 12)}…) at stream sequence ${p.streamSeq}, where the chain holds record ${r.data.seq} (hash ${r.data.hash.slice(0, 12)}…)`);
  return ACCEPT;
}

/** One simulated hour: how far a checkpoint's times may run past its position (records it applied ahead of it). */
const AHEAD_SLACK_MS = 3_600_000;

/** The deliveries a snapshot holds, and the open ones among them by precedence. */
function held(s: TrackingSnapshot) {
  let deliveries = 0;
  const open = Object.fromEntries(PRECEDENCES.map((p) => [p, 0])) as Record<Precedence, number>;
  for (const g of s.deliveries)
    for (const r of g.to) {
      deliveries++;
      if (r.state === "delivered" || r.state === "receipted") open[g.precedence]++;
    }
  return { deliveries, open, openAll: Object.values(open).reduce((a, b) => a + b, 0) };
}

/**
 * Whether a snapshot is one a coordinator could have made at its position: within a coordinator's
 * bounds, its counters consistent with each other and with the deliveries it holds, nothing
 * timed after its position. A checkpoint is signed, but it is not part of the chain: these checks
 * refuse what no honest writer produces (a reader then reads the whole chain), and
 * `atix audit verify` compares its content with the chain (checkpoint-check.ts).
 */
export function snapshotProblem(s: TrackingSnapshot, m: CheckpointManifest): string | undefined {
  const limit = Date.parse(m.position.at) + AHEAD_SLACK_MS;
  const early = s.deliveries.find((g) => Date.parse(g.deliveredAt) > limit);
  if (early) return `a delivery of ${early.messageId} is dated ${early.deliveredAt}, after the checkpoint's position (${m.position.at})`;
  const { deliveries, open, openAll } = held(s);
  if (deliveries > SNAPSHOT_LIMITS.deliveries) return `it holds ${deliveries} deliveries, more than a coordinator keeps (${SNAPSHOT_LIMITS.deliveries})`;
  if (deliveries !== m.deliveries || openAll !== m.open) return `it holds ${deliveries} deliveries (${openAll} open) where its manifest says ${m.deliveries} (${m.open} open)`;
  if (s.settled.some((i) => i >= deliveries)) return "its list of settled deliveries names deliveries it does not hold";
  const c = s.counts;
  if (c.alertsAndRfis > c.messagesAccepted) return "its counters say more alerts and RFIs than messages accepted";
  for (const p of PRECEDENCES) {
    const x = c.byPrecedence[p];
    if (x.withinDeadline > x.acknowledged) return `its ${p} counters say more acknowledged in time than acknowledged`;
    if (x.deliveries - x.acknowledged - x.withdrawn !== open[p])
      return `its ${p} counters (${x.deliveries} delivered, ${x.acknowledged} acknowledged, ${x.withdrawn} withdrawn) do not match the ${open[p]} open deliveries it holds`;
  }
  const late = (ms: number | null) => ms !== null && ms > limit;
  if (late(s.knownBeforeMs) || late(s.prunedBeforeMs) || s.known.some(([, ms]) => ms > limit) || s.escalationBatches.some((b) => b.atMs > limit))
    return `it holds times after its position (${m.position.at})`;
  return undefined;
}

/** Whether the data read for a manifest is the data it vouches for. */
export function judgeData(m: CheckpointManifest, data: Uint8Array): Verdict {
  if (data.length !== m.bytes) return refuse(`its data is ${data.length} bytes where its manifest says ${m.bytes} (chunks missing or changed)`);
  if (sha256(data) !== m.sha256) return refuse("its data does not match its manifest's digest (changed after it was written)");
  return ACCEPT;
}

export interface Checkpoint {
  manifest: CheckpointManifest;
  snapshot: TrackingSnapshot;
  /** The record at the checkpoint's position, as stored (a reader's last record until it reads more). */
  record: StoredAuditRecord;
}

/** What reading the newest checkpoint found: none, one refused (and why), or one to use. */
export type CheckpointRead = { found: "none" } | { found: "refused"; reason: string; position?: ChainPosition } | { found: "usable"; checkpoint: Checkpoint };

/** The newest checkpoint, judged (see the header); `keys`: the registry's coordinator keys. */
export async function readCheckpoint(nc: NatsConnection, chain: ChainReader, keys: CoordinatorKeys): Promise<CheckpointRead> {
  const direct = await DirectReader.of(nc);
  const stored = await direct.get(STREAM, { last_by_subj: subjects.checkpointManifest });
  if (!stored) return { found: "none" };
  const raw = parseJson(stored.data);
  const parsed = CheckpointManifest.safeParse(raw);
  if (!parsed.success) return { found: "refused", reason: `its manifest is malformed: ${toProblems(parsed.error, raw).map(formatProblem).join("; ")}` };
  const m = parsed.data;
  const position = m.position;
  const at = await chain.at(position.streamSeq);
  const verdict = judgeManifest(m, keys, at?.record);
  if (!verdict.accept) return { found: "refused", reason: verdict.reason, position };
  if (m.chunks.some((seq, i) => i > 0 && seq <= m.chunks[i - 1]!)) return { found: "refused", reason: "its manifest lists its chunks out of order", position };
  const parts: Uint8Array[] = [];
  let read = 0;
  for (let i = 0; i < m.chunks.length; i += CHUNKS_IN_FLIGHT) {
    const seqs = m.chunks.slice(i, i + CHUNKS_IN_FLIGHT);
    const got = await Promise.all(seqs.map((seq) => direct.get(STREAM, { seq })));
    for (const [j, c] of got.entries()) {
      if (!c || c.subject !== subjects.checkpointData) return { found: "refused", reason: `its data chunk at stream sequence ${seqs[j]} is gone`, position };
      read += c.data.length;
      if (c.data.length > CHECKPOINT_CHUNK_BYTES || read > m.bytes) return { found: "refused", reason: `its data chunks hold more than the ${m.bytes} bytes its manifest says`, position };
      parts.push(c.data);
    }
  }
  const data = Buffer.concat(parts);
  const dataVerdict = judgeData(m, data);
  if (!dataVerdict.accept) return { found: "refused", reason: dataVerdict.reason, position };
  let json: unknown;
  try {
    json = JSON.parse((await gunzip(data, { maxOutputLength: MAX_SNAPSHOT_BYTES })).toString("utf8"));
  } catch (e) {
    const tooLarge = (e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
    return { found: "refused", reason: tooLarge ? `its data unpacks to more than ${MAX_SNAPSHOT_BYTES / MIB} MiB` : "its data is not gzipped JSON", position };
  }
  const snapshot = TrackingSnapshot.safeParse(json);
  if (!snapshot.success) return { found: "refused", reason: `its data is not a tracking snapshot: ${toProblems(snapshot.error, json).slice(0, 3).map(formatProblem).join("; ")}`, position };
  const problem = snapshotProblem(snapshot.data, m);
  if (problem) return { found: "refused", reason: problem, position };
  return { found: "usable", checkpoint: { manifest: m, snapshot: snapshot.data, record: StoredAuditRecord.parse(at!.record) } };
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString("utf8"));
  } catch {
    return undefined;
  }
}

export interface CheckpointToWrite {
  position: ChainPosition;
  snapshot: TrackingSnapshot;
  instance: string;
  /** The instance's signing seed: its key is a coordinator key of the registry. */
  seed: string;
}

/**
 * Stores a checkpoint (its data, then its signed manifest) and removes all but the newest KEEP.
 * The snapshot is serialised by the caller's event loop; compressing runs off it.
 */
export async function writeCheckpoint(nc: NatsConnection, c: CheckpointToWrite, js: JetStreamClient = jetstream(nc)): Promise<CheckpointManifest> {
  const data = await gzip(JSON.stringify(c.snapshot));
  const chunks: number[] = [];
  for (let at = 0; at < data.length || !chunks.length; at += CHECKPOINT_CHUNK_BYTES)
    chunks.push((await js.publish(subjects.checkpointData, data.subarray(at, at + CHECKPOINT_CHUNK_BYTES))).seq);
  const { deliveries, openAll: open } = held(c.snapshot);
  const unsigned = {
    version: CHECKPOINT_VERSION,
    position: c.position,
    chunks,
    bytes: data.length,
    sha256: sha256(data),
    deliveries,
    open,
    instance: c.instance,
    writtenAt: new Date().toISOString(),
  } satisfies Omit<CheckpointManifest, "signature">;
  const manifest: CheckpointManifest = { ...unsigned, signature: signRecordHash(manifestHash(unsigned), c.seed) };
  await js.publish(subjects.checkpointManifest, JSON.stringify(manifest));
  await removeOlder(nc);
  return manifest;
}

/** Keeps the newest KEEP manifests and the data from the oldest of those on. */
async function removeOlder(nc: NatsConnection) {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.purge(STREAM, { filter: subjects.checkpointManifest, keep: KEEP });
  const oldest = await jsm.direct.getMessage(STREAM, { next_by_subj: subjects.checkpointManifest, seq: 1 });
  const kept = oldest && CheckpointManifest.safeParse(parseJson(oldest.data)).data;
  // A purge "up to" sequence 1 (or 0) purges the whole subject: there is nothing before it anyway.
  const from = kept?.chunks[0] ?? 0;
  if (from > 1) await jsm.streams.purge(STREAM, { filter: subjects.checkpointData, seq: from });
}
