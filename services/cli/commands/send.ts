// `atix send`: a facilitator injects a message as an agency, live, and can wait for the outcome.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  HANDLING_CODES, type Message, MESSAGE_KINDS, type MessageKind, PRECEDENCES, THREAT_CATEGORIES, TLPS, formatProblem, parseMessage, subjects,
} from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { SimClock } from "../../../shared/clock.ts";
import { ExchangeReader } from "../../../shared/exchange/config-read.ts";
import { DEFAULT_SETTINGS } from "../../../shared/exchange/settings.ts";
import { followTracking } from "../../../shared/exchange/tracking-read.ts";
import { compose } from "../../../shared/messaging/compose.ts";
import { submit } from "../../../shared/messaging/submit.ts";
import { agencyJetStream } from "../../../shared/nats/connect.ts";
import { readIdentity } from "../../../shared/exchange/identities.ts";
import { parseAudience } from "../audience.ts";
import { CliError } from "../errors.ts";
import { oneOf, positiveNumber } from "../options.ts";
import { waitForAcknowledgements } from "../wait-acks.ts";

interface SendOptions {
  from: string;
  to?: ReturnType<typeof parseAudience>;
  precedence?: string;
  category?: string;
  tlp?: string;
  handling: string;
  evaluation: string;
  title?: string;
  summary?: string;
  file?: string;
  wait?: boolean;
  nats?: string;
  timeout: number;
}

async function draft(opts: SendOptions, sentAt: string): Promise<Message> {
  let fromFile: Record<string, unknown> = {};
  if (opts.file) {
    const text = await readFile(opts.file, "utf8").catch((e: Error) => {
      throw new CliError(`cannot read ${opts.file}: ${e.message}`);
    });
    try {
      fromFile = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${opts.file} is not JSON: ${(e as Error).message}`);
    }
  }
  // A file may hold a whole message or just its body; flags given on the command line win.
  const kind = (typeof fromFile.kind === "string" ? fromFile.kind : "alert") as MessageKind;
  if (!MESSAGE_KINDS.includes(kind)) throw new CliError(`${opts.file}: kind: expected one of ${MESSAGE_KINDS.join(", ")}`);
  const body: Record<string, unknown> = { ...((fromFile.body as object) ?? (fromFile.kind ? {} : fromFile)) };
  const ev = /^([A-F])([1-6])$/.exec(opts.evaluation.toUpperCase());
  if (kind === "alert") {
    body.evaluation ??= { reliability: ev![1], credibility: Number(ev![2]) };
    body.handling = body.handling ?? opts.handling;
  }
  const set = (k: string, v: unknown) => v !== undefined && (body[k] = v);
  set("distribution", opts.to);
  set("precedence", opts.precedence);
  set("category", opts.category);
  set("tlp", opts.tlp);
  set("title", opts.title);
  set("summary", opts.summary);
  const m = compose(kind, body as never, {
    sender: opts.from,
    sentAt,
    ...(typeof fromFile.id === "string" ? { id: fromFile.id } : {}),
    ...(typeof fromFile.correlationId === "string" ? { correlationId: fromFile.correlationId } : {}),
    ...(typeof fromFile.inReplyTo === "string" ? { inReplyTo: fromFile.inReplyTo } : {}),
  });
  const r = parseMessage(m);
  if (!r.ok) throw new CliError(`the message is not valid: ${r.problems.map(formatProblem).join("; ")}`);
  return r.value;
}

export function registerSend(program: Command) {
  program
    .command("send")
    .description("inject a message as an agency (default kind: alert); --wait for every acknowledgement")
    .requiredOption("--from <id>", "sending agency id, e.g. AZ", (v) => v.toUpperCase())
    .option("--to <audience>", "all | region:NAME | org:NAME | group:NAME | agency:ID[,ID] (combine with commas)", parseAudience)
    .option("--precedence <p>", PRECEDENCES.join(" | "), oneOf("--precedence", PRECEDENCES))
    .option("--category <c>", THREAT_CATEGORIES.join(" | "), oneOf("--category", THREAT_CATEGORIES))
    .option("--tlp <t>", TLPS.join(" | "), oneOf("--tlp", TLPS))
    .option("--handling <h>", HANDLING_CODES.join(" | "), oneOf("--handling", HANDLING_CODES), "H0")
    .option("--evaluation <rc>", "source reliability A-F and credibility 1-6, e.g. B2", (v) => {
      if (!/^[A-Fa-f][1-6]$/.test(v)) throw new CliError(`--evaluation expects a letter A-F and a digit 1-6, such as B2; got "${v}"`);
      return v;
    }, "B2")
    .option("--title <text>", "alert title")
    .option("--summary <text>", "alert summary")
    .option("--file <message.json>", "a message or message body to send (id, sentAt and sender are filled in)")
    .option("--wait", "wait until every recipient acknowledged or the deadline passed; print a JSON summary")
    .option("--timeout <seconds>", "give up waiting after this many wall seconds", positiveNumber("--timeout"), 600)
    .option("--nats <url>", "NATS server (default: the exchange in .atix/exchange.json)")
    .action(async (opts: SendOptions) => {
      const observer = await attach({ as: "observer", ...(opts.nats ? { nats: opts.nats } : {}) }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      // Read as the observer, without a consumer (it may create none).
      const config = await ExchangeReader.of(observer.nc);
      const clock = new SimClock((await config.clock()) ?? SimClock.start().snapshot());
      const registry = await config.registry();
      if (registry && !registry.agencies.some((a) => a.id === opts.from))
        throw new CliError(`--from: ${opts.from} is not an agency of this exchange (${registry.agencies.length} agencies; see .atix/registry.json)`);
      const message = await draft(opts, clock.iso());
      const agency = await attach({ as: opts.from, ...(opts.nats ? { nats: opts.nats } : {}) }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      const seed = agency.exchange ? (await readIdentity(agency.exchange.credentialsDir, opts.from)).seed : undefined;
      if (!seed) throw new CliError(`no key for ${opts.from}: run inside the folder of a running \`atix up\``);
      // With --wait, the audit chain followed from before sending: none of the message's records can be missed.
      const tracking = opts.wait
        ? await followTracking(observer.nc, { fromNow: true }).catch((e: Error) => {
            throw new CliError(e.message);
          })
        : undefined;
      try {
        const outcomeSub = agency.nc.subscribe(subjects.outcome(opts.from, message.id), { max: 1, timeout: 15_000 });
        await submit(agencyJetStream(agency.nc), seed, message);
        let outcome: Message | undefined;
        for await (const m of outcomeSub) outcome = m.json<Message>();
        if (!outcome) throw new CliError(`no answer from the coordinator within 15 s for ${message.id} (is a coordinator running? see atix status)`);
        if (outcome.kind === "rejection") {
          process.stdout.write(`rejected ${message.id}:\n${outcome.body.reasons.map((r) => `  ${r.code}  ${r.path || "(message)"}: ${r.message}`).join("\n")}\n`);
          throw new CliError("the exchange rejected the message", 1);
        }
        if (outcome.kind !== "acceptance") throw new CliError(`unexpected answer of kind ${outcome.kind}`);
        if (!tracking) {
          process.stdout.write(`accepted ${message.id}: ${outcome.body.recipients.length} recipients, acknowledgements due ${outcome.body.ackDeadline ?? "-"}\n`);
          return;
        }
        const settings = (await config.settings()) ?? DEFAULT_SETTINGS;
        const window = Date.parse(outcome.body.ackDeadline!) - Date.parse(message.sentAt);
        const summary = await waitForAcknowledgements({
          config, tracking, clock, message, recipients: outcome.body.recipients, deadline: outcome.body.ackDeadline!,
          escalationSpanMs: Math.max(...Object.values(settings.escalationAfter)) * Math.max(0, window), timeoutMs: opts.timeout * 1000,
        });
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        if (summary.acknowledged.length !== summary.recipients.length) throw new CliError(`${summary.recipients.length - summary.acknowledged.length} of ${summary.recipients.length} recipients did not acknowledge in time`, 1);
      } finally {
        tracking?.stop();
        await agency.nc.drain().catch(() => undefined);
        await observer.nc.drain().catch(() => undefined);
      }
    });
}
