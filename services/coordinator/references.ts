// What a message names that must be read before it is decided (submission-runner.ts reads it,
// decide.ts decides on what was read): the alert or RFI an update, retraction, answer or hit
// refers to, and the deliveries a receipt or acknowledgement counts for.
import type { AcknowledgementMessage, Message, ReceiptMessage } from "../../shared/contracts/index.ts";

/** The alert or RFI a message refers to: its id, the kinds it may be, and the field naming it. */
export interface Reference {
  id: string;
  kinds: readonly string[];
  path: string;
}

const ALERT = ["alert"] as const;
const RFI = ["rfi"] as const;

export function referenceOf(m: Message): Reference | undefined {
  if (m.kind === "alert-update" || m.kind === "alert-retraction" || m.kind === "hit") return { id: m.body.alertId, kinds: ALERT, path: "body.alertId" };
  if (m.kind === "rfi-response") return { id: m.body.rfiId, kinds: RFI, path: "body.rfiId" };
  return undefined;
}

/** The id of each delivery a receipt or acknowledgement names, in order (the recipient is its sender). */
export function namedDeliveries(m: ReceiptMessage | AcknowledgementMessage): string[] {
  const more = m.body.more;
  if (!more?.length) return [m.body.messageId];
  const ids = [m.body.messageId];
  for (const x of more) ids.push(x.messageId);
  return ids;
}
