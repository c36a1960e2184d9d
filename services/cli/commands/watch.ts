// `atix watch`: the exchange live, as the audit chain records it. A message's deliveries are one
// record and one line (naming its recipients), and so is an escalation (one message to one agency,
// naming how many overdue deliveries it lists and whose); a batched receipt or acknowledgement is
// a line per delivery it covers, since each is about another message and has its own latency.
import type { Command } from "commander";
import type { NatsConnection } from "@nats-io/transport-node";
import { followChainLive } from "../../../shared/audit/chain-live.ts";
import { type DeliveryEvent, perDelivery } from "../../../shared/audit/deliveries.ts";
import { StoredAuditRecord } from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { CliError } from "../errors.ts";
import { positiveInt } from "../options.ts";
import { presentationFor, readRegistry } from "../presentation.ts";

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

const precedenceOf = (r: DeliveryEvent): string | undefined => {
  switch (r.event) {
    case "rejected":
    case "receipted":
      return undefined;
    default:
      return r.data.precedence;
  }
};

/** The data that matters for each event, in a few words. */
export function keyData(r: DeliveryEvent | StoredAuditRecord, paint: Paint = plain): string {
  const out: string[] = [];
  const precedence = precedenceOf(r as DeliveryEvent);
  if (precedence) out.push(paint(PRECEDENCE_COLOUR[precedence] ?? 0, precedence));
  switch (r.event) {
    case "submitted":
    case "updated":
    case "retracted":
    case "answered":
    case "hit-reported": {
      const d = r.data;
      out.push(`${d.recipients.length} recipient${d.recipients.length === 1 ? "" : "s"}`);
      if (d.tlp) out.push(`TLP:${d.tlp}`);
      if (d.title) out.push(`"${d.title}"`);
      break;
    }
    case "delivered":
      if ("recipients" in r.data) out.push(`${r.data.recipients.length} recipient${r.data.recipients.length === 1 ? "" : "s"}: ${names(r.data.recipients)}`);
      out.push(`due ${simTime(r.data.deadline)}`);
      break;
    case "escalated": {
      const d = r.data;
      out.push(`step ${d.step}`);
      const more = "more" in d ? (d.more ?? []) : [];
      if (more.length) {
        // A coalesced escalation: how many overdue deliveries, of how many messages, whose.
        const whose = [...new Set([d.recipient, ...more.map((x) => x.recipient)])];
        const messages = new Set([r.messageId, ...more.map((x) => x.messageId)]).size;
        out.push(`${more.length + 1} overdue deliveries of ${messages} message${messages === 1 ? "" : "s"}, for ${names(whose)}`);
      } else if (d.recipient !== r.agency) out.push(`for ${d.recipient}`);
      break;
    }
    case "acknowledged":
      out.push(`after ${minutes(r.data.latencyMs)}${r.data.withinDeadline ? " (in time)" : paint(31, " (late)")}`);
      if (r.data.officer) out.push(`by ${r.data.officer}`);
      break;
    case "rejected":
      out.push(paint(31, r.data.reasons.map((x) => `${x.code}${x.path ? ` ${x.path}` : ""}: ${x.message}`).join("; ")));
      break;
    case "receipted":
      break;
  }
  return out.join("  ");
}

/** The lines for one record: one per delivery of a batched receipt or acknowledgement, else one (a coalesced escalation too). */
export function formatRecord(r: StoredAuditRecord, paint: Paint = plain): string[] {
  return (r.event === "delivered" || r.event === "escalated" ? [r] : perDelivery(r)).map((e) => formatEvent(e, paint));
}

export function formatEvent(r: DeliveryEvent | StoredAuditRecord, paint: Paint = plain): string {
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
  /** Agencies by regional labels in the lines (default: as `atix up --anonymise` chose). */
  anonymise?: boolean;
  nats?: string;
  /** Start at this record of the chain instead of now. */
  since?: number;
}

export async function watch(opts: WatchOptions, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Promise<void> {
  const nc = await observer(opts.nats);
  const paint = out.isTTY && !process.env.NO_COLOR ? ansi : plain;
  // The lines a room reads carry the exchange's labels; --json stays the chain's own records.
  const { anonymiser } = await presentationFor(await readRegistry(nc).catch(() => undefined), opts.anonymise ? { anonymise: true } : {});
  const print = (streamSeq: number, record: unknown) => {
    const r = StoredAuditRecord.safeParse(record);
    // The stream and the chain count alike; should they not, records before N are still skipped.
    if (opts.since && r.success && r.data.seq < opts.since) return;
    if (opts.json) out.write(`${JSON.stringify(record)}\n`);
    else out.write(`${r.success ? formatRecord(r.data, paint).map((l) => anonymiser.text(l)).join("\n") : paint(31, `stream seq ${streamSeq}: not an audit record`)}\n`);
  };
  const follow = await followChainLive(nc, opts.since ? { fromSeq: opts.since } : { fromNow: true }, print).catch(async (e: Error) => {
    await nc.close();
    throw new CliError(e.message);
  });
  let stopped!: () => void;
  const ended = new Promise<void>((r) => (stopped = r));
  const stop = () => stopped();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // `atix watch | head` closes the pipe: stop quietly.
  out.on("error", stop);
  process.stderr.write(`watching the audit chain from record ${follow.next()} (Ctrl-C to stop)\n`);
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") process.stderr.write("connection to the exchange lost; reconnecting…\n");
      if (s.type === "reconnect") process.stderr.write("reconnected\n");
    }
  })();
  const failed = setInterval(() => follow.failure && stop(), 1_000);
  try {
    await ended;
  } finally {
    clearInterval(failed);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await follow.stop();
    await nc.close();
  }
  if (follow.failure) throw new CliError(follow.failure.message);
}

export function registerWatch(program: Command) {
  program
    .command("watch")
    .description("follow the exchange live: each audit record as it is written (Ctrl-C to stop)")
    .option("--json", "print each audit record as one JSON line")
    .option("--nats <url>", "NATS server of the exchange (default: from .atix/exchange.json)")
    .option("--since <n>", "start at record N of the audit chain instead of now", positiveInt("--since"))
    .option("--anonymise", "agencies by neutral regional labels (default: as the exchange was started); not with --json, which prints the chain's records")
    .action((opts: WatchOptions) => watch(opts));
}
