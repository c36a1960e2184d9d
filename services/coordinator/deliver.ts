// Stores an accepted message's delivery copies. A message to every agency but its sender is
// stored once, on the broadcast subject that each agency's broadcast consumer reads (the cost of
// raw JetStream fan-out); anything narrower (named agencies, regions) and anything TLP:RED, however
// many it names, gets one copy per recipient on its own subject, which only that recipient's
// consumer reads.
import { headers, type MsgHdrs } from "@nats-io/transport-node";
import { BROADCAST_KINDS, type Message, RECIPIENTS_HEADER, SUBMITTED_AT_HEADER, subjects } from "../../shared/contracts/index.ts";
import type { Registry } from "../../shared/exchange/registry.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import type { Context } from "./context.ts";

/**
 * True when `recipients` are exactly the registry's agencies other than `sender`: only then does
 * a broadcast reach no one it should not (every agency but the sender reads it; the sender drops it).
 */
export function reachesEveryone(registry: Registry, sender: string, recipients: readonly string[]): boolean {
  const others = registry.ids.filter((id) => id !== sender);
  const wanted = new Set(recipients);
  return wanted.size === recipients.length && wanted.size === others.length && others.every((id) => wanted.has(id));
}

/**
 * Whether `m`, accepted for `recipients`, is stored once as a broadcast rather than once per
 * recipient: only what may go to everyone, not TLP:RED, and addressed to exactly everyone else.
 */
export function storedOnce(registry: Registry, m: Pick<Message, "kind" | "sender">, recipients: readonly string[], red: boolean): boolean {
  return recipients.length > 0 && !red && BROADCAST_KINDS.has(m.kind) && reachesEveryone(registry, m.sender, recipients);
}

/** How many copies of `m` accepting it stores in the deliveries stream (what the copies quota counts, quota.ts). */
export const copiesStored = (registry: Registry, m: Pick<Message, "kind" | "sender">, recipients: readonly string[], red: boolean): number =>
  storedOnce(registry, m, recipients, red) ? 1 : recipients.length;

/**
 * The exact bytes `data` (what the sender signed) go out once as a broadcast (msgID `<id>:all`) or
 * once per recipient (msgID `<id>:<recipient>`): a retried write is recognised as a duplicate.
 * Only what may go to everyone (an alert, an RFI, their updates and retraction) is ever a
 * broadcast: an answer or a hit goes to its originator alone, even in an exchange of two.
 * `submittedAt`: set when the sender signed with a key being replaced, so that recipients judge
 * the key at the moment the submission was stored (SUBMITTED_AT_HEADER).
 */
export async function deliver(
  ctx: Pick<Context, "publisher" | "registry" | "log">,
  m: Message,
  data: Uint8Array,
  recipients: string[],
  opts: { red?: boolean; submittedAt?: string } = {},
): Promise<void> {
  const stamped = (h?: MsgHdrs) => {
    if (!opts.submittedAt) return h;
    const out = h ?? headers();
    out.set(SUBMITTED_AT_HEADER, opts.submittedAt);
    return out;
  };
  if (storedOnce(ctx.registry(), m, recipients, opts.red ?? false)) {
    const h = headers();
    h.set(RECIPIENTS_HEADER, recipients.join(","));
    await publishDurably(ctx.publisher, subjects.broadcast(m.kind), data, { msgID: `${m.id}:all`, headers: stamped(h)! });
    ctx.log.debug({ messageId: m.id, kind: m.kind, recipients: recipients.length }, "stored once as a broadcast");
    return;
  }
  // One header set for every copy (none in the common case).
  const h = stamped();
  await Promise.all(recipients.map((r) => publishDurably(ctx.publisher, subjects.deliver(r, m.kind), data, { msgID: `${m.id}:${r}`, ...(h ? { headers: h } : {}) })));
}
