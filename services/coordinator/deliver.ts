// Stores an accepted message's delivery copies. Stored once (delivery-copies.ts decides), it goes
// on the broadcast subject that each agency's broadcast consumer reads (the cost of raw JetStream
// fan-out); otherwise one copy per recipient on its own subject, which only that recipient's
// consumer reads.
import { headers, type MsgHdrs } from "@nats-io/transport-node";
import { type Message, RECIPIENTS_HEADER, SUBMITTED_AT_HEADER, subjects } from "../../shared/contracts/index.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import type { Context } from "./context.ts";

/**
 * The exact bytes `data` (what the sender signed) go out once as a broadcast (msgID `<id>:all`),
 * when `once` (the acceptance's `storedOnce`), or once per recipient (msgID `<id>:<recipient>`): a
 * retried write is recognised as a duplicate. `submittedAt`: set when the sender signed with a key
 * being replaced, so that recipients judge the key at the moment the submission was stored
 * (SUBMITTED_AT_HEADER).
 */
export async function deliver(
  ctx: Pick<Context, "publisher" | "log">,
  m: Message,
  data: Uint8Array,
  recipients: string[],
  opts: { once: boolean; submittedAt?: string },
): Promise<void> {
  const stamped = (h?: MsgHdrs) => {
    if (!opts.submittedAt) return h;
    const out = h ?? headers();
    out.set(SUBMITTED_AT_HEADER, opts.submittedAt);
    return out;
  };
  if (opts.once) {
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
