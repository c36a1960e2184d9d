// `atix watch`: the exchange live, as the audit chain records it. A message's deliveries are one
// record and one line (naming its recipients), and so is an escalation (one message to one agency,
// naming how many overdue deliveries it lists and whose); a batched receipt or acknowledgement is
// a line per delivery it covers, since each is about another message and has its own latency.
import type { Command } from "commander";
import type { NatsConnection } from "@nats-io/transport-node";
import { perDelivery } from "../../../shared/audit/deliveries.ts";
import { followAudit } from "../../../shared/audit/reader.ts";
import { AuditRecord } from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { CliError } from "../errors.ts";
import { positiveInt } from "../options.ts";

type Paint = (code: number, s: string) => string;
const ansi: Paint = (code, s) => `\x1b[${code}m${s}\x1b[0m`;
const plain: Paint = (_code, s) => s;

const EVENT_COLOUR: Record<string, number> = {
  submitted: 36, updated: 36, retracted: 33, answered: 36, "hit-reported": 35,
  delivered: 90, receipted: 32, acknowledged: 32, escalated: 33, rejected: 31,
};
const PRECEDENCE_COLOUR: Record<string, number> = { FLASH: 31, IMMEDIATE: 33, PRIORITY: 36, ROUTINE: 0 };

/** "2026-09-21T08:03:12.345Z" → "09-21 08:03:12" (simulated time, UTC). */
const simTime = (iso: string) => (/^\d{4}-(\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso) ?? []).slice(1).join(" ") || iso;
/** UUID v7 begins with the time: the last digits tell messages apart. */
export const shortId = (id: string | undefined) => (id ? `…${id.replace(/-/g, "").slice(-8)}` : "");
const minutes = (ms: number) => `${(ms / 60_000).toFixed(ms < 600_000 ? 1 : 0)} min`;
/** Enough names to recognise a distribution on one line. */
const MAX_NAMES = 6;
const names = (ids: unknown[]) => `${ids.slice(0, MAX_NAMES).join(", ")}${ids.length > MAX_NAMES ? ` +${ids.length - MAX_NAMES}` : ""}`;

interface Reason {
  code?: string;
  path?: string;
  message?: string;
}

/** The data that matters for each event, in a few words. */
export function keyData(r: AuditRecord, paint: Paint = plain): string {
  const d = r.data as Record<string, unknown>;
  const out: string[] = [];
  const precedence = typeof d.precedence === "string" ? d.precedence : undefined;
  if (precedence) out.push(paint(PRECEDENCE_COLOUR[precedence] ?? 0, precedence));
  if (Array.isArray(d.recipients))
    out.push(`${d.recipients.length} recipient${d.recipients.length === 1 ? "" : "s"}${r.event === "delivered" ? `: ${names(d.recipients)}` : ""}`);
  if (typeof d.tlp === "string") out.push(`TLP:${d.tlp}`);
  if (typeof d.step === "string") out.push(`step ${d.step}`);
  const more = r.event === "escalated" && Array.isArray(d.more) ? (d.more as { recipient?: unknown; messageId?: unknown }[]) : [];
  if (more.length) {
    // A coalesced escalation: how many overdue deliveries, of how many messages, whose.
    const whose = [...new Set([d.recipient, ...more.map((x) => x.recipient)].filter((x) => typeof x === "string"))];
    const messages = new Set([r.messageId, ...more.map((x) => x.messageId)]).size;
    out.push(`${more.length + 1} overdue deliveries of ${messages} message${messages === 1 ? "" : "s"}, for ${names(whose)}`);
  } else if (typeof d.recipient === "string" && d.recipient !== r.agency) out.push(`for ${d.recipient}`);
  if (typeof d.latencyMs === "number") out.push(`after ${minutes(d.latencyMs)}${d.withinDeadline === false ? paint(31, " (late)") : d.withinDeadline ? " (in time)" : ""}`);
  if (typeof d.officer === "string") out.push(`by ${d.officer}`);
  const deadline = r.event === "delivered" ? d.deadline : undefined;
  if (typeof deadline === "string") out.push(`due ${simTime(deadline)}`);
  if (Array.isArray(d.reasons))
    out.push(paint(31, (d.reasons as Reason[]).map((x) => `${x.code ?? "?"}${x.path ? ` ${x.path}` : ""}: ${x.message ?? ""}`).join("; ")));
  if (typeof d.title === "string") out.push(`"${d.title}"`);
  return out.join("  ");
}

/** The lines for one record: one per delivery of a batched receipt or acknowledgement, else one. */
export function formatRecord(r: AuditRecord, paint: Paint = plain): string[] {
  return (r.event === "delivered" || r.event === "escalated" ? [r] : perDelivery(r)).map((e) => formatEvent(e, paint));
}

export function formatEvent(r: AuditRecord, paint: Paint = plain): string {
  const who = r.agency ? `${r.actor} → ${r.agency}` : r.actor;
  return [
    paint(90, `#${r.seq}`.padStart(6)),
    simTime(r.at),
    paint(EVENT_COLOUR[r.event] ?? 0, r.event.padEnd(12)),
    who.padEnd(9),
    (r.kind ?? "").padEnd(16),
    shortId(r.messageId).padEnd(9),
    keyData(r, paint),
  ].join("  ").trimEnd();
}

async function observer(nats: string | undefined): Promise<NatsConnection> {
  const { nc } = await attach({ ...(nats ? { nats } : {}), as: "observer", name: "atix-watch" }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  return nc;
}

export interface WatchOptions {
  json?: boolean;
  nats?: string;
  /** Start at this record of the chain instead of now. */
  since?: number;
}

export async function watch(opts: WatchOptions, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Promise<void> {
  const nc = await observer(opts.nats);
  const follow = await followAudit(nc, opts.since ? { fromSeq: opts.since } : { fromNow: true }).catch(async (e: Error) => {
    await nc.close();
    throw new CliError(e.message);
  });
  const stop = () => follow.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // `atix watch | head` closes the pipe: stop quietly.
  out.on("error", stop);
  const paint = out.isTTY && !process.env.NO_COLOR ? ansi : plain;
  process.stderr.write(`watching the audit chain from record ${follow.startSeq} (Ctrl-C to stop)\n`);
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") process.stderr.write("connection to the exchange lost; reconnecting…\n");
      if (s.type === "reconnect") process.stderr.write("reconnected\n");
    }
  })();
  try {
    for await (const { streamSeq, record } of follow) {
      const r = AuditRecord.safeParse(record);
      // The stream and the chain count alike; should they not, records before N are still skipped.
      if (opts.since && r.success && r.data.seq < opts.since) continue;
      if (opts.json) out.write(`${JSON.stringify(record)}\n`);
      else out.write(`${r.success ? formatRecord(r.data, paint).join("\n") : paint(31, `stream seq ${streamSeq}: not an audit record`)}\n`);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await nc.close();
  }
}

export function registerWatch(program: Command) {
  program
    .command("watch")
    .description("follow the exchange live: each audit record as it is written (Ctrl-C to stop)")
    .option("--json", "print each audit record as one JSON line")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .option("--since <n>", "start at record N of the audit chain instead of now", positiveInt("--since"))
    .action((opts: WatchOptions) => watch(opts));
}
