// `atix status`: is the exchange healthy right now? Coordinator instances and agencies as heard
// live for a moment, open deliveries against their deadlines, and the audit chain's length.
import type { Command } from "commander";
import { DUTY_STATUSES, PRECEDENCES } from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { exchangeStatus, type ExchangeStatus } from "../../../shared/exchange/exchange-status.ts";
import type { FigureKey } from "../../../shared/exchange/figures.ts";
import { figureInline, figureLabel } from "../../../shared/i18n/figure-labels.ts";
import { translator } from "../../../shared/i18n/translator.ts";
import { StreamMissing } from "../../../shared/nats/direct.ts";
import { isStreamNotFound } from "../../../shared/nats/errors.ts";
import { CliError } from "../errors.ts";
import { positiveNumber } from "../options.ts";

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
