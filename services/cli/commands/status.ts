// `atix status`: is the exchange healthy right now? Coordinator instances and agencies as heard
// live for a moment, open deliveries against their deadlines, and the audit chain's length.
import { type NatsConnection, PermissionViolationError, TimeoutError } from "@nats-io/transport-node";
import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { ChainReader } from "../../../shared/audit/chain-read.ts";
import { SimClock } from "../../../shared/clock.ts";
import { type AgencyRegistryEntry, DUTY_STATUSES, PRECEDENCES, StoredAuditRecord, streams, subjects } from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { readChain } from "../../../shared/audit/chain-read.ts";
import { ExchangeReader } from "../../../shared/exchange/config-read.ts";
import { signerOf } from "../../../shared/exchange/coordinator-keys.ts";
import { type CoordinatorKeys, readCheckpoint } from "../../../shared/exchange/checkpoints.ts";
import { ExchangeFigures, type FigureKey } from "../../../shared/exchange/figures.ts";
import type { InvalidValue } from "../../../shared/exchange/store.ts";
import { type DutyStatus, Heartbeat, safeJson, verifiedPresence } from "../../../shared/exchange/observe.ts";
import { figureInline, figureLabel } from "../../../shared/i18n/figure-labels.ts";
import { translator } from "../../../shared/i18n/translator.ts";
import { DirectReader, StreamMissing } from "../../../shared/nats/direct.ts";
import { isStreamNotFound } from "../../../shared/nats/errors.ts";
import { CliError } from "../errors.ts";
import { positiveNumber } from "../options.ts";

interface Heard {
  coordinators: Map<string, Heartbeat>;
  presence: Map<string, DutyStatus>;
}

/** Listens to heartbeats and (signature-checked) presence for `ms`. */
async function listen(nc: NatsConnection, ms: number, entryOf: (agency: string) => AgencyRegistryEntry | undefined): Promise<Heard> {
  const heard: Heard = { coordinators: new Map(), presence: new Map() };
  const beats = nc.subscribe(subjects.coordinatorHeartbeatAll, {
    callback: (_e, m) => {
      const h = Heartbeat.safeParse(safeJson(m.data));
      if (h.success) heard.coordinators.set(h.data.instance, h.data);
    },
  });
  const presence = nc.subscribe(subjects.presenceAll, {
    callback: (_e, m) => {
      // Only what the agency itself said, on its own subject, counts.
      const p = verifiedPresence(m.subject, m.data, entryOf);
      if (p) heard.presence.set(p.sender, p.body.status);
    },
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
  const usable = read.found === "usable" ? read.checkpoint.manifest : undefined;
  const figures = read.found === "usable" ? new ExchangeFigures(1, undefined, { snapshot: read.checkpoint.snapshot, throughSeq: usable!.position.seq, signer: usable!.signature.key }) : new ExchangeFigures();
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

const mb = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);
const duration = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
};
const table = (rows: (string | number)[][], indent = "  ") => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => indent + r.map((c, i) => String(c).padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
};

export function formatStatus(s: ExchangeStatus): string {
  const secs = `${(s.listenedMs / 1000).toFixed(1)} s`;
  const clock = s.clock ? ` (x${s.clock.speed}${s.clock.paused ? ", paused" : ""})` : " (no exchange clock published)";
  const lines = [`exchange      ${s.url}`, `simulated     ${s.simNow.replace("T", " ").replace(/\.\d+Z$/, " UTC")}${clock}`, ""];
  lines.push(`coordinators  ${s.coordinators.length ? s.coordinators.length : `none heard in ${secs}`}`);
  if (s.coordinators.length)
    lines.push(table([["INSTANCE", "PID", "PROCESSED", "RATE-LIMITED", "ESCALATED", "OPEN", "MEMORY", "RESTARTS", "UP", "LAST SEEN"],
      ...s.coordinators.map((c) => [
        c.instance, c.pid, c.processed, c.rateLimited, c.escalated, c.openDeliveries,
        c.rssMb !== undefined ? `${c.rssMb} MB${c.heapUsedMb !== undefined ? ` (heap ${c.heapUsedMb})` : ""}` : "-",
        c.restarts, duration(c.uptimeMs), `${(c.lastSeenMs / 1000).toFixed(1)} s ago`,
      ])]));
  const a = s.agencies;
  const statuses = DUTY_STATUSES.filter((d) => a.byStatus[d]).map((d) => `${d} ${a.byStatus[d]}`).join(", ");
  lines.push("", `agencies      ${a.online} of ${a.registered} online${statuses ? ` (${statuses})` : ""}, heard within ${secs}`);
  const f = s.figures;
  const t = translator("en");
  const n = (k: Exclude<FigureKey, "inTime">) => figureInline(t, k, f[k]);
  lines.push("", `messages      ${n("messagesAccepted")} (${n("alertsAndRfis")}), ${n("rejected")}, ${n("escalations")}`);
  lines.push(`deliveries    ${n("deliveries")}: ${n("acknowledged")} (${n("withinDeadline")}, ${n("late")}), ${n("awaiting")}, ${n("overdue")}, ${n("withdrawn")}`);
  const head = (["deliveries", "awaiting", "overdue", "inTime"] as const).map((k) => figureLabel(t, k).toUpperCase());
  lines.push(table([["PRECEDENCE", ...head], ...PRECEDENCES.map((p) => {
    const x = f.byPrecedence[p];
    return [p, x.deliveries, x.awaiting, x.overdue, t.pct(x.inTime)];
  })]));
  lines.push("", `audit chain   ${s.audit.records} records, ${mb(s.audit.bytes)} (kept whole)${s.audit.head ? `, head ${s.audit.head}` : ""}${s.audit.signer ? `, signed by ${s.audit.signer}` : ""}`);
  const c = s.audit.counted;
  if (c.checkpoint) lines.push(`  figures from the checkpoint at record ${c.checkpoint.seq} (by ${c.checkpoint.writtenBy}) and the ${c.recordsAfter} records after it`);
  else if (c.refused) lines.push(`  checkpoint refused: ${c.refused}; figures counted from the whole chain`);
  else if (c.unreadable) lines.push(`  figures counted from the whole chain: ${c.unreadable}`);
  if (!s.audit.followedLive) lines.push("  (its stream was made by an earlier ATIX and does not republish records: live views poll it every second)");
  const st = s.streams;
  const use = (x: (typeof st)[keyof typeof st] | undefined) => (x ? `${x.messages} messages, ${mb(x.bytes)}${x.maxBytes ? ` of ${mb(x.maxBytes)}` : ""}${x.maxAgeDays ? `, kept ${x.maxAgeDays} days` : ""}` : "-");
  lines.push(`streams       submissions ${use(st.submissions)}; deliveries ${use(st.deliveries)}`);
  if (s.invalidStored.length) {
    lines.push("", `invalid stored values (each treated as absent, or replaced by its last good revision):`);
    for (const v of s.invalidStored) lines.push(`  ${v.bucket} ${v.key} (revision ${v.revision}, seen by ${v.seenBy}): ${v.problem}`);
  }
  return `${lines.join("\n")}\n`;
}

export function registerStatus(program: Command) {
  program
    .command("status")
    .description("coordinator instances, agencies online, the exchange's figures (deliveries awaiting and overdue), audit chain length")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .option("--json", "print one JSON object")
    .option("--listen <seconds>", "how long to listen for heartbeats and presence", positiveNumber("--listen"), 2.5)
    .action(async (opts: { nats?: string; json?: boolean; listen: number }) => {
      const { nc, url } = await attach({ ...(opts.nats ? { nats: opts.nats } : {}), as: "observer", name: "atix-status" }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      try {
        const s = await exchangeStatus(nc, url, opts.listen * 1000).catch((e: Error) => {
          throw new CliError(isStreamNotFound(e) || e instanceof StreamMissing ? `no exchange at ${url}: its streams and buckets do not exist (is the exchange up?)` : e.message);
        });
        process.stdout.write(opts.json ? `${JSON.stringify(s)}\n` : formatStatus(s));
      } finally {
        await nc.close();
      }
    });
}
