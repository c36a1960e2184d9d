// Every message kind in one discriminated union: the single entry point for parsing.
import { z } from "zod";
import { AcceptanceMessage } from "./kinds/acceptance.ts";
import { AcknowledgementMessage } from "./kinds/acknowledgement.ts";
import { AlertRetractionMessage } from "./kinds/alert-retraction.ts";
import { AlertUpdateMessage } from "./kinds/alert-update.ts";
import { AlertMessage } from "./kinds/alert.ts";
import { EscalationMessage } from "./kinds/escalation.ts";
import { HitMessage } from "./kinds/hit.ts";
import { PresenceMessage } from "./kinds/presence.ts";
import { ReceiptMessage } from "./kinds/receipt.ts";
import { RejectionMessage } from "./kinds/rejection.ts";
import { RfiResponseMessage } from "./kinds/rfi-response.ts";
import { RfiMessage } from "./kinds/rfi.ts";

/** Schema per kind, in the order the docs present them. */
export const MESSAGE_SCHEMAS = {
  alert: AlertMessage,
  "alert-update": AlertUpdateMessage,
  "alert-retraction": AlertRetractionMessage,
  rfi: RfiMessage,
  "rfi-response": RfiResponseMessage,
  receipt: ReceiptMessage,
  acknowledgement: AcknowledgementMessage,
  escalation: EscalationMessage,
  rejection: RejectionMessage,
  acceptance: AcceptanceMessage,
  presence: PresenceMessage,
  hit: HitMessage,
} as const;

export type MessageKind = keyof typeof MESSAGE_SCHEMAS;
export const MESSAGE_KINDS = Object.keys(MESSAGE_SCHEMAS) as MessageKind[];

export const KIND_DESCRIPTIONS: Record<MessageKind, string> = {
  alert: "A warning to other agencies: precedence, threat category, TLP, handling code, source evaluation, distribution, entities and indicators.",
  "alert-update": "The originator changes its alert; reaches every recipient of the original and is acknowledged like an alert.",
  "alert-retraction": "The originator withdraws its alert; reaches every recipient of the original and is acknowledged like an alert.",
  rfi: "A request for information with an answer deadline.",
  "rfi-response": "An addressed agency's answer to an RFI.",
  receipt: "Machine delivery receipt, sent by an agency node as soon as a delivery arrives.",
  acknowledgement: "A duty officer's acknowledgement: seen and acted on. Measured against the precedence deadline.",
  escalation: "Coordinator notice that an acknowledgement is overdue: reminder, backup contact, originator.",
  rejection: "Coordinator answer to a submission it refused, with machine-readable reasons.",
  acceptance: "Coordinator answer to a submission it accepted, with the resolved recipients.",
  presence: "An agency's duty status.",
  hit: "A recipient reports a match on an alert back to its originator.",
};

export const Message = z.discriminatedUnion("kind", Object.values(MESSAGE_SCHEMAS) as unknown as [
  typeof AlertMessage,
  ...(typeof MESSAGE_SCHEMAS)[MessageKind][],
]);
export type Message = z.infer<typeof Message>;
export type MessageOf<K extends MessageKind> = z.infer<(typeof MESSAGE_SCHEMAS)[K]>;

/** Kinds an agency may submit; the coordinator issues the others itself. */
export const AGENCY_KINDS = MESSAGE_KINDS.filter((k) => !["escalation", "rejection", "acceptance"].includes(k));
/**
 * What an accepted submission can be: what the coordinator tracks per recipient (receipt,
 * acknowledgement, deadline) and what reaches every other agency as one broadcast.
 */
export const TRACKED_KINDS: MessageKind[] = ["alert", "alert-update", "alert-retraction", "rfi", "rfi-response", "hit"];
/**
 * What may be stored once for every agency but its sender (read through each agency's broadcast
 * consumer): an alert or RFI to all, and its updates and retraction. An RFI answer or a hit goes to
 * its originator alone, never as a broadcast.
 */
export const BROADCAST_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>(["alert", "alert-update", "alert-retraction", "rfi"]);
