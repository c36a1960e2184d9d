// `atix status`: is the exchange healthy right now? Coordinator instances and agencies as heard
// live for a moment, open deliveries against their deadlines, and the audit chain's length.
import type { NatsConnection } from "@nats-io/transport-node";
import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { ChainReader } from "../../../shared/audit/chain-read.ts";
import { SimClock } from "../../../shared/clock.ts";
import { type AgencyRegistryEntry, DUTY_STATUSES, PRECEDENCES, StoredAuditRecord, subjects } from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { ExchangeReader } from "../../../shared/exchange/config-read.ts";
import { signerOf } from "../../../shared/exchange/coordinator-keys.ts";
import type { InvalidValue } from "../../../shared/exchange/store.ts";
import { type DutyStatus, Heartbeat, safeJson, summariseTracking, verifiedPresence } from "../../../shared/exchange/observe.ts";
import { readTrackingView } from "../../../shared/exchange/tracking-read.ts";
import { CliError } from "../errors.ts";
import { positiveNumber } from "../options.ts";

// Defined with the other observers' readings; re-exported for existing callers.
export { summariseTracking, type TrackingSummary } from "../../../shared/exchange/observe.ts";

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
  const [tracking, auditState, head] = await Promise.all([
    // Deliveries as the audit chain tells them (it is their one record).
    readTrackingView(nc),
    chain.state(),
    lastRecord(chain),
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
    deliveries: summariseTracking(tracking.all(), simNowMs),
    audit: {
      records: head?.seq ?? 0, stored: auditState.messages, head: head?.hash ?? null,
      signer: head?.signature ? (signerOf(registry, head.signature.key) ?? head.signature.key) : null,
      followedLive: auditState.republishes,
    },
    invalidStored: invalid,
  };
}
export type ExchangeStatus = Awaited<ReturnType<typeof exchangeStatus>>;

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
    lines.push(table([["INSTANCE", "PID", "PROCESSED", "ESCALATED", "OPEN", "UP", "LAST SEEN"],
      ...s.coordinators.map((c) => [c.instance, c.pid, c.processed, c.escalated, c.openDeliveries, duration(c.uptimeMs), `${(c.lastSeenMs / 1000).toFixed(1)} s ago`])]));
  const a = s.agencies;
  const statuses = DUTY_STATUSES.filter((d) => a.byStatus[d]).map((d) => `${d} ${a.byStatus[d]}`).join(", ");
  lines.push("", `agencies      ${a.online} of ${a.registered} online${statuses ? ` (${statuses})` : ""}, heard within ${secs}`);
  const d = s.deliveries;
  lines.push("", `deliveries    ${d.open} open, ${d.overdue} overdue (of ${d.deliveries} tracked)`);
  lines.push(table([["PRECEDENCE", "OPEN", "OVERDUE"], ...PRECEDENCES.map((p) => [p, d.byPrecedence[p].open, d.byPrecedence[p].overdue])]));
  lines.push(`  acknowledged ${d.acknowledged.withinDeadline} within deadline, ${d.acknowledged.afterDeadline} after; ${d.closed} closed by retraction`);
  lines.push("", `audit chain   ${s.audit.records} records${s.audit.head ? `, head ${s.audit.head}` : ""}${s.audit.signer ? `, signed by ${s.audit.signer}` : ""}`);
  if (!s.audit.followedLive) lines.push("  (its stream was made by an earlier ATIX and does not republish records: live views poll it every second)");
  if (s.invalidStored.length) {
    lines.push("", `invalid stored values (each treated as absent, or replaced by its last good revision):`);
    for (const v of s.invalidStored) lines.push(`  ${v.bucket} ${v.key} (revision ${v.revision}, seen by ${v.seenBy}): ${v.problem}`);
  }
  return `${lines.join("\n")}\n`;
}

export function registerStatus(program: Command) {
  program
    .command("status")
    .description("coordinator instances, agencies online, open and overdue deliveries, audit chain length")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .option("--json", "print one JSON object")
    .option("--listen <seconds>", "how long to listen for heartbeats and presence", positiveNumber("--listen"), 2.5)
    .action(async (opts: { nats?: string; json?: boolean; listen: number }) => {
      const { nc, url } = await attach({ ...(opts.nats ? { nats: opts.nats } : {}), as: "observer", name: "atix-status" }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      try {
        const s = await exchangeStatus(nc, url, opts.listen * 1000).catch((e: Error) => {
          throw new CliError(/stream not found|bucket not found|does not exist here/i.test(e.message) ? `no exchange at ${url}: its streams and buckets do not exist (is the exchange up?)` : e.message);
        });
        process.stdout.write(opts.json ? `${JSON.stringify(s)}\n` : formatStatus(s));
      } finally {
        await nc.close();
      }
    });
}
