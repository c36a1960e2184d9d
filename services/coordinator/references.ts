// The alert or RFI an update, retraction, answer or hit refers to: read before the message is
// decided (submission-runner.ts reads its record; decide.ts and authorise.ts judge what was read).
import type { Message } from "../../shared/contracts/index.ts";

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
