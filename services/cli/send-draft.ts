// Building a message for `atix send` from flags, a file, or both: every kind an agency sends
// (alert, rfi, update, retraction, answer, hit), with relative times ("30m") filled in from the
// exchange's simulated clock. A whole message file is re-anchored at send: its times keep their
// distance from its sentAt, and it gets a fresh id, so shipped examples work on a live exchange.
import { readFile } from "node:fs/promises";
import { formatProblem, type Message, MESSAGE_KINDS, type MessageKind, parseMessage } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { parseDuration } from "../../simulations/scenario/duration.ts";
import { CliError } from "./errors.ts";

/** What a subcommand collected from its flags: body fields by name, and envelope links. */
export interface DraftInput {
  kind: MessageKind;
  from: string;
  file?: string;
  body: Record<string, unknown>;
  /** Times given as "30m" or an ISO time, resolved against sentAt: body field → text. */
  times?: Record<string, string | undefined>;
  correlationId?: string;
  inReplyTo?: string;
}

/** "30m", "2h30m", "1d" after `sentAt`, or an ISO time as it is. */
export function timeAfter(flag: string, text: string, sentAt: string): string {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(Date.parse(sentAt) + ms).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(Date.parse(text))) return text;
  throw new CliError(`${flag} expects a duration after now such as 30m, 2h or 1d, or an ISO time; got "${text}"`);
}

/** Every time in a message file moved by `shiftMs`, so it keeps its distance from sentAt. */
function shiftTimes(body: Record<string, unknown>, shiftMs: number): void {
  const move = (o: Record<string, unknown> | undefined, key: string) => {
    const v = o?.[key];
    if (o && typeof v === "string" && Number.isFinite(Date.parse(v))) o[key] = new Date(Date.parse(v) + shiftMs).toISOString();
  };
  for (const key of ["respondBy", "validUntil", "observedAt"]) move(body, key);
  move(body.changes as Record<string, unknown> | undefined, "validUntil");
}

async function readMessageFile(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, "utf8").catch((e: Error) => {
    throw new CliError(`cannot read ${file}: ${e.message}`);
  });
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("expected a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`${file} is not a JSON message or message body: ${(e as Error).message}`);
  }
}

/** The message, checked against the contract; flags given on the command line win over the file. */
export async function draftMessage(input: DraftInput, sentAt: string): Promise<Message> {
  const fromFile = input.file ? await readMessageFile(input.file) : {};
  const whole = typeof fromFile.kind === "string";
  if (whole && fromFile.kind !== input.kind)
    throw new CliError(`${input.file} holds a message of kind ${String(fromFile.kind)}; send it with \`atix send ${commandFor(fromFile.kind as MessageKind)} --file …\``);
  if (!(MESSAGE_KINDS as readonly string[]).includes(input.kind)) throw new CliError(`kind: expected one of ${MESSAGE_KINDS.join(", ")}`);
  const body: Record<string, unknown> = structuredClone((whole ? fromFile.body : fromFile) as Record<string, unknown> ?? {});
  if (whole && typeof fromFile.sentAt === "string" && Number.isFinite(Date.parse(fromFile.sentAt))) shiftTimes(body, Date.parse(sentAt) - Date.parse(fromFile.sentAt));
  for (const [k, v] of Object.entries(input.body)) if (v !== undefined) setPath(body, k, v);
  for (const [k, v] of Object.entries(input.times ?? {})) if (v !== undefined) setPath(body, k, timeAfter(`--${flagName(k)}`, v, sentAt));
  const link = (k: "correlationId" | "inReplyTo") => input[k] ?? (typeof fromFile[k] === "string" ? (fromFile[k] as string) : undefined);
  const correlationId = link("correlationId");
  const inReplyTo = link("inReplyTo");
  const m = compose(input.kind, body as never, {
    // No id from the file: a fresh one every time, so a file sent twice is two messages, not a
    // replay the exchange refuses.
    sender: input.from, sentAt,
    ...(correlationId ? { correlationId } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
  });
  const r = parseMessage(m);
  if (!r.ok) throw new CliError(`the message is not valid: ${r.problems.map(formatProblem).join("; ")}`);
  return r.value;
}

/** "changes.precedence" → body.changes.precedence. */
function setPath(o: Record<string, unknown>, path: string, v: unknown) {
  const keys = path.split(".");
  let at = o;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys[keys.length - 1]!] = v;
}

const flagName = (field: string) => ({ respondBy: "respond-by", validUntil: "valid-for", "changes.validUntil": "valid-for", observedAt: "observed-at" })[field] ?? field;

/** The `atix send` subcommand for a kind. */
export const commandFor = (kind: MessageKind): string =>
  ({ alert: "alert", rfi: "rfi", "alert-update": "update", "alert-retraction": "retract", "rfi-response": "answer", hit: "hit" } as Partial<Record<MessageKind, string>>)[kind] ?? kind;
