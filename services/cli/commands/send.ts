// `atix send`: a facilitator injects a message as an agency, live — an alert (the default), an
// RFI, an update or a retraction of an alert, an answer to an RFI, a hit — with flags for their
// fields, checked against the contract and the exchange's registry before anything is sent.
// With --wait it follows the deliveries and prints a short summary (--json: the figures as JSON).
import { type Command, InvalidArgumentError } from "commander";
import { parseAudience, unknownAudience } from "../../../shared/audience.ts";
import { SimClock } from "../../../shared/clock.ts";
import { type Distribution, HANDLING_CODES, type Message, type MessageKind, PRECEDENCES, subjects, THREAT_CATEGORIES, TLPS } from "../../../shared/contracts/index.ts";
import { attach } from "../../../shared/exchange/attach.ts";
import { ExchangeReader } from "../../../shared/exchange/config-read.ts";
import { readIdentity } from "../../../shared/exchange/identities.ts";
import { DEFAULT_SETTINGS } from "../../../shared/exchange/settings.ts";
import { followTracking } from "../../../shared/exchange/tracking-read.ts";
import { LANGS, type Lang } from "../../../shared/i18n/lang.ts";
import { submit } from "../../../shared/messaging/submit.ts";
import { agencyJetStream } from "../../../shared/nats/connect.ts";
import { CliError } from "../errors.ts";
import { oneOf, positiveNumber } from "../options.ts";
import { presentationFor } from "../presentation.ts";
import { type DraftInput, draftMessage } from "../send-draft.ts";
import { acceptedLines, waitLines } from "../send-summary.ts";
import { waitForAcknowledgements } from "../wait-acks.ts";

interface Common {
  from: string;
  file?: string;
  wait?: boolean;
  json?: boolean;
  nats?: string;
  timeout: number;
  lang?: Lang;
}
type Flags = Common & Record<string, unknown>;

const audience = (v: string): Distribution => {
  const r = parseAudience(v);
  if (!r.ok) throw new InvalidArgumentError(`--to ${r.problem}`);
  return r.value;
};
const evaluation = (v: string) => {
  const m = /^([A-Fa-f])([1-6])$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--evaluation expects a letter A-F and a digit 1-6, such as B2; got "${v}"`);
  return { reliability: m[1]!.toUpperCase(), credibility: Number(m[2]) };
};
const uuid = (flag: string) => (v: string) => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(v))
    throw new InvalidArgumentError(`${flag} expects a message id (UUID v7) as \`atix send\` or \`atix watch --json\` prints it; got "${v}"`);
  return v.toLowerCase();
};

function common(cmd: Command): Command {
  return cmd
    .option("--from <id>", "sending agency id, e.g. AZ (required)", (v) => v.toUpperCase())
    .option("--file <message.json>", "a message or message body to start from (a fresh id; times re-anchored to now; flags win)")
    .option("--wait", "follow the deliveries until every recipient acknowledged or the escalations ran out; print a summary")
    .option("--json", "print the outcome (with --wait: the deliveries' figures) as JSON")
    .option("--timeout <seconds>", "give up waiting after this many wall seconds", positiveNumber("--timeout"), 600)
    .option("--lang <lang>", `language of the summary: ${LANGS.join(" | ")} (default: the exchange's)`, oneOf("--lang", LANGS))
    .option("--nats <url>", "NATS server (default: the exchange in .atix/exchange.json)");
}

// Defaults are shown in --help and applied only without --file: a file's own values stand unless a flag is given.
const precedence = (cmd: Command, dflt?: string) => cmd.option("--precedence <p>", `${PRECEDENCES.join(" | ")}${dflt ? ` (default: ${dflt})` : ""}`, oneOf("--precedence", PRECEDENCES));
const tlp = (cmd: Command, dflt?: string) => cmd.option("--tlp <t>", `${TLPS.join(" | ")}${dflt ? ` (default: ${dflt})` : ""}`, oneOf("--tlp", TLPS));
const handling = (cmd: Command) => cmd.option("--handling <h>", `${HANDLING_CODES.join(" | ")} (default: H0)`, oneOf("--handling", HANDLING_CODES));
/** A flag's value, else its default when no file gives one. */
const or = <T>(f: Flags, v: T | undefined, dflt: T): T | undefined => v ?? (f.file ? undefined : dflt);

async function send(kind: MessageKind, flags: Flags, input: Omit<DraftInput, "kind" | "from" | "file">): Promise<void> {
  if (!flags.from) throw new CliError("--from is required: the id of the agency that sends, e.g. --from AZ");
  const observer = await attach({ as: "observer", ...(flags.nats ? { nats: flags.nats } : {}) }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  let agency: Awaited<ReturnType<typeof attach>> | undefined;
  let tracking: Awaited<ReturnType<typeof followTracking>> | undefined;
  try {
    // Read as the observer, without a consumer (it may create none).
    const config = await ExchangeReader.of(observer.nc);
    const clock = new SimClock((await config.clock()) ?? SimClock.start().snapshot());
    const registry = await config.registry();
    if (registry && !registry.agencies.some((a) => a.id === flags.from))
      throw new CliError(`--from: ${flags.from} is not an agency of this exchange (${registry.agencies.length} agencies; see .atix/registry.json)`);
    if (registry?.agencies.find((a) => a.id === flags.from)?.external)
      throw new CliError(`--from: ${flags.from} holds its own key and runs its own node (external); the exchange cannot send in its name`);
    const to = input.body.distribution as Distribution | undefined;
    if (registry && to) {
      const problems = unknownAudience(to, registry);
      if (problems.length) throw new CliError(`--to: ${problems.join(" | ")}`);
    }
    const message = await draftMessage({ ...input, kind, from: flags.from, ...(flags.file ? { file: flags.file } : {}) }, clock.iso());
    const shown = await presentationFor(registry, { ...(flags.lang ? { lang: flags.lang } : {}) });
    agency = await attach({ as: flags.from, ...(flags.nats ? { nats: flags.nats } : {}) }).catch((e: Error) => {
      throw new CliError(e.message);
    });
    const seed = agency.exchange ? (await readIdentity(agency.exchange.credentialsDir, flags.from)).seed : undefined;
    if (!seed) throw new CliError(`no key for ${flags.from}: run inside the folder of a running \`atix up\``);
    // With --wait, the audit chain followed from before sending: none of the message's records can be missed.
    tracking = flags.wait
      ? await followTracking(observer.nc, { fromNow: true }).catch((e: Error) => {
          throw new CliError(e.message);
        })
      : undefined;
    const outcomeSub = agency.nc.subscribe(subjects.outcome(flags.from, message.id), { max: 1, timeout: 15_000 });
    await submit(agencyJetStream(agency.nc), seed, message);
    let outcome: Message | undefined;
    for await (const o of outcomeSub) outcome = o.json<Message>();
    if (!outcome) throw new CliError(`no answer from the coordinator within 15 s for ${message.id} (is a coordinator running? see atix status)`);
    if (outcome.kind === "rejection") {
      if (flags.json) process.stdout.write(`${JSON.stringify({ id: message.id, outcome: "rejected", reasons: outcome.body.reasons }, null, 2)}\n`);
      else process.stdout.write(`${shown.t.t("send.rejected", { id: message.id })}\n${outcome.body.reasons.map((r) => `  ${r.code}  ${r.path || "(message)"}: ${r.message}`).join("\n")}\n`);
      throw new CliError("the exchange rejected the message", 1);
    }
    if (outcome.kind !== "acceptance") throw new CliError(`unexpected answer of kind ${outcome.kind}`);
    const { recipients, ackDeadline } = outcome.body;
    if (!tracking) {
      process.stdout.write(flags.json ? `${JSON.stringify({ id: message.id, kind: message.kind, outcome: "accepted", recipients, ackDeadline }, null, 2)}\n` : `${acceptedLines(shown, message, recipients, ackDeadline).join("\n")}\n`);
      return;
    }
    if (!flags.json) process.stdout.write(`${acceptedLines(shown, message, recipients, ackDeadline).join("\n")}\n`);
    const settings = (await config.settings()) ?? DEFAULT_SETTINGS;
    const window = Date.parse(ackDeadline!) - Date.parse(message.sentAt);
    const summary = await waitForAcknowledgements({
      config, tracking, clock, message, recipients, deadline: ackDeadline!,
      escalationSpanMs: Math.max(...Object.values(settings.escalationAfter)) * Math.max(0, window), timeoutMs: flags.timeout * 1000,
    });
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `${waitLines(shown, summary).join("\n")}\n`);
    if (summary.acknowledged.length !== summary.recipients.length)
      throw new CliError(shown.t.t("send.notAll", { n: summary.recipients.length - summary.acknowledged.length, of: summary.recipients.length }), 1);
  } finally {
    tracking?.stop();
    await agency?.nc.drain().catch(() => undefined);
    await observer.nc.drain().catch(() => undefined);
  }
}

export function registerSend(program: Command) {
  const root = program
    .command("send")
    .description("inject a message as an agency: alert (default), rfi, update, retract, answer, hit; --wait for every acknowledgement");

  const alert = common(root.command("alert", { isDefault: true }).description("an alert to an audience (the default: `atix send --from … --to …`)"));
  alert.option("--to <audience>", "all | region:NAME | org:NAME | group:NAME | agency:ID[,ID] (combine with commas)", audience);
  precedence(alert);
  alert.option("--category <c>", THREAT_CATEGORIES.join(" | "), oneOf("--category", THREAT_CATEGORIES));
  tlp(alert);
  handling(alert);
  alert
    .option("--evaluation <rc>", "source reliability A-F and credibility 1-6 (default: B2)", evaluation)
    .option("--title <text>", "alert title")
    .option("--summary <text>", "alert summary")
    .option("--valid-for <duration>", "how long the alert holds, e.g. 12h or 3d")
    .action((f: Flags) =>
      send("alert", f, {
        body: { distribution: f.to, precedence: f.precedence, category: f.category, tlp: f.tlp, handling: or(f, f.handling, "H0"), evaluation: or(f, f.evaluation, evaluation("B2")), title: f.title, summary: f.summary },
        times: { validUntil: f.validFor as string | undefined },
      }));

  const rfi = common(root.command("rfi").description("a request for information with a deadline for answers"));
  rfi.option("--to <audience>", "all | region:NAME | org:NAME | group:NAME | agency:ID[,ID]", audience).option("--question <text>", "what is asked").option("--respond-by <time>", "answers due: a duration after now (30m, 2h, 1d) or an ISO time (default: 8h)");
  precedence(rfi, "IMMEDIATE");
  rfi.option("--category <c>", `${THREAT_CATEGORIES.join(" | ")} (default: terrorism)`, oneOf("--category", THREAT_CATEGORIES));
  tlp(rfi, "AMBER");
  handling(rfi);
  rfi.option("--about <alert-id>", "the alert this request follows up", uuid("--about")).action((f: Flags) =>
    send("rfi", f, {
      body: { distribution: f.to, question: f.question, precedence: or(f, f.precedence, "IMMEDIATE"), category: or(f, f.category, "terrorism"), tlp: or(f, f.tlp, "AMBER"), handling: or(f, f.handling, "H0"), aboutAlert: f.about },
      times: { respondBy: or(f, f.respondBy as string | undefined, "8h") },
      ...(f.about ? { correlationId: f.about as string } : {}),
    }));

  const update = common(root.command("update").description("an update of one of the sender's alerts (precedence, title, summary, evaluation, validity)"));
  update.option("--alert <id>", "the alert to update", uuid("--alert")).option("--reason <text>", "why it changes");
  precedence(update);
  update
    .option("--title <text>", "new title").option("--summary <text>", "new summary")
    .option("--evaluation <rc>", "new source evaluation, e.g. A2", evaluation)
    .option("--valid-for <duration>", "new validity from now, e.g. 2d")
    .action((f: Flags) =>
      send("alert-update", f, {
        body: { alertId: f.alert, reason: f.reason, "changes.precedence": f.precedence, "changes.title": f.title, "changes.summary": f.summary, "changes.evaluation": f.evaluation },
        times: { "changes.validUntil": f.validFor as string | undefined },
        ...(f.alert ? { correlationId: f.alert as string, inReplyTo: f.alert as string } : {}),
      }));

  common(root.command("retract").description("withdraw one of the sender's alerts"))
    .option("--alert <id>", "the alert to withdraw", uuid("--alert"))
    .option("--reason <text>", "why it is withdrawn")
    .option("--instruction <what>", "disregard | destroy | supersede (what recipients do with what they hold)", oneOf("--instruction", ["disregard", "destroy", "supersede"] as const))
    .action((f: Flags) =>
      send("alert-retraction", f, {
        body: { alertId: f.alert, reason: f.reason, instruction: f.instruction },
        ...(f.alert ? { correlationId: f.alert as string, inReplyTo: f.alert as string } : {}),
      }));

  const answer = common(root.command("answer").description("an answer to an RFI the sender received"));
  answer.option("--rfi <id>", "the RFI answered", uuid("--rfi")).option("--answer <text>", "the answer").option("--nothing-held", "a \"nothing held\" answer (it still closes the request for this agency)");
  tlp(answer, "AMBER");
  handling(answer);
  answer.action((f: Flags) =>
    send("rfi-response", f, {
      body: { rfiId: f.rfi, answer: f.answer ?? (f.nothingHeld ? "Nothing held." : undefined), hasInformation: f.nothingHeld ? false : f.file ? undefined : true, tlp: or(f, f.tlp, "AMBER"), handling: or(f, f.handling, "H0") },
      ...(f.rfi ? { correlationId: f.rfi as string, inReplyTo: f.rfi as string } : {}),
    }));

  const hit = common(root.command("hit").description("a hit: a match against an alert the sender received, reported to its originator"));
  hit
    .option("--alert <id>", "the alert that matched", uuid("--alert"))
    .option("--matched <text>", "what matched: a person's name, a document, an indicator…")
    .option("--matched-kind <kind>", "person | organisation | vehicle | place | indicator (default: person)", oneOf("--matched-kind", ["person", "organisation", "vehicle", "place", "indicator"] as const))
    .option("--details <text>", "where, when and how it was found")
    .option("--observed-at <time>", "when it was observed: an ISO time (default: now)");
  tlp(hit, "AMBER");
  handling(hit);
  hit.action((f: Flags) =>
    send("hit", f, {
      body: { alertId: f.alert, matched: f.matched ? { kind: f.matchedKind ?? "person", reference: f.matched } : undefined, details: f.details, tlp: or(f, f.tlp, "AMBER"), handling: or(f, f.handling, "H0") },
      times: { observedAt: or(f, f.observedAt as string | undefined, "0s") },
      ...(f.alert ? { correlationId: f.alert as string, inReplyTo: f.alert as string } : {}),
    }));
}
