// Damaged copies of valid messages, each with the field path a validator must blame.
// `jsonSchema: false` marks rules JSON Schema cannot state (comparisons between fields).
import type { MessageKind } from "../../shared/contracts/index.ts";

type Msg = Record<string, any>;
export interface Damage {
  name: string;
  kinds: MessageKind[] | "all";
  damage: (m: Msg) => void;
  path: string;
  jsonSchema?: boolean;
}

const firstIndicator = (m: Msg, type: string) => (m.body.indicators as Msg[]).findIndex((i) => i.type === type);

export const DAMAGES: Damage[] = [
  { name: "id is not a UUID", kinds: "all", damage: (m) => (m.id = "not-a-uuid"), path: "id" },
  { name: "id is a UUID v4", kinds: "all", damage: (m) => (m.id = "3b241101-e2bb-4255-8caf-4136c566a962"), path: "id" },
  { name: "sentAt removed", kinds: "all", damage: (m) => delete m.sentAt, path: "sentAt" },
  { name: "sentAt without offset", kinds: "all", damage: (m) => (m.sentAt = "2026-09-21 08:00"), path: "sentAt" },
  { name: "unknown schema version", kinds: "all", damage: (m) => (m.schemaVersion = "9.9"), path: "schemaVersion" },
  { name: "unknown top-level field", kinds: "all", damage: (m) => (m.priority = "high"), path: "priority" },
  { name: "unknown body field", kinds: "all", damage: (m) => (m.body.colour = "red"), path: "body.colour" },
  { name: "body is a string", kinds: "all", damage: (m) => (m.body = "alert!"), path: "body" },
  { name: "signature value truncated", kinds: "all", damage: (m) => (m.signature.value = m.signature.value.slice(0, 20)), path: "signature.value" },
  {
    name: "agency sender is not an ISO code",
    kinds: ["alert", "rfi", "receipt", "acknowledgement", "hit", "presence"],
    damage: (m) => (m.sender = "Azerbaijan"),
    path: "sender",
  },
  { name: "coordinator kind sent by an agency", kinds: ["escalation", "rejection", "acceptance"], damage: (m) => (m.sender = "AZ"), path: "sender" },
  { name: "title removed", kinds: ["alert"], damage: (m) => delete m.body.title, path: "body.title" },
  { name: "empty title", kinds: ["alert"], damage: (m) => (m.body.title = ""), path: "body.title" },
  { name: "title of spaces", kinds: ["alert"], damage: (m) => (m.body.title = "   "), path: "body.title" },
  { name: "unknown precedence", kinds: ["alert", "rfi"], damage: (m) => (m.body.precedence = "URGENT"), path: "body.precedence" },
  { name: "unknown TLP", kinds: ["alert", "rfi"], damage: (m) => (m.body.tlp = "PURPLE"), path: "body.tlp" },
  { name: "unknown handling code", kinds: ["alert", "rfi"], damage: (m) => (m.body.handling = "H9"), path: "body.handling" },
  { name: "reliability G", kinds: ["alert"], damage: (m) => (m.body.evaluation.reliability = "G"), path: "body.evaluation.reliability" },
  { name: "credibility 7", kinds: ["alert"], damage: (m) => (m.body.evaluation.credibility = 7), path: "body.evaluation.credibility" },
  {
    name: "TLP:RED to everyone",
    kinds: ["alert", "rfi"],
    damage: (m) => ((m.body.tlp = "RED"), (m.body.distribution = { all: true })),
    path: "body.distribution.agencies",
  },
  {
    name: "TLP:RED to an organisation and named agencies",
    kinds: ["alert"],
    damage: (m) => ((m.body.tlp = "RED"), (m.body.distribution = { organisations: ["CIS"], agencies: ["KZ"] })),
    path: "body.distribution.agencies",
  },
  { name: "empty distribution", kinds: ["alert", "rfi"], damage: (m) => (m.body.distribution = {}), path: "body.distribution" },
  { name: "H3 without a note", kinds: ["alert"], damage: (m) => ((m.body.handling = "H3"), delete m.body.handlingNote), path: "body.handlingNote" },
  {
    name: "IPv4 out of range",
    kinds: ["alert"],
    damage: (m) => (m.body.indicators[firstIndicator(m, "ipv4")].value = "203.0.113.300"),
    path: "body.indicators[IPV4].value",
  },
  {
    name: "SHA-256 too short",
    kinds: ["alert"],
    damage: (m) => (m.body.indicators[firstIndicator(m, "sha256")].value = "abc123"),
    path: "body.indicators[SHA256].value",
  },
  {
    name: "phone not E.164",
    kinds: ["alert"],
    damage: (m) => (m.body.indicators[firstIndicator(m, "phone")].value = "0501234567"),
    path: "body.indicators[PHONE].value",
  },
  {
    name: "BTC wallet malformed",
    kinds: ["alert"],
    damage: (m) => (m.body.indicators[firstIndicator(m, "crypto-wallet")].value = "bitcoin-wallet-1"),
    path: "body.indicators[CRYPTO-WALLET].value",
  },
  { name: "latitude 91", kinds: ["alert"], damage: (m) => (m.body.location.lat = 91), path: "body.location.lat" },
  {
    name: "validUntil before sentAt",
    kinds: ["alert"],
    damage: (m) => (m.body.validUntil = "2000-01-01T00:00:00Z"),
    path: "body.validUntil",
    jsonSchema: false,
  },
  { name: "update names no alert", kinds: ["alert-update"], damage: (m) => delete m.body.alertId, path: "body.alertId" },
  { name: "update changes nothing", kinds: ["alert-update"], damage: (m) => (m.body.changes = {}), path: "body.changes" },
  { name: "retraction names no alert", kinds: ["alert-retraction"], damage: (m) => delete m.body.alertId, path: "body.alertId" },
  {
    name: "RFI deadline before it was sent",
    kinds: ["rfi"],
    damage: (m) => (m.body.respondBy = "2000-01-01T00:00:00Z"),
    path: "body.respondBy",
    jsonSchema: false,
  },
  { name: "RFI response names no RFI", kinds: ["rfi-response"], damage: (m) => (m.body.rfiId = 42), path: "body.rfiId" },
  { name: "escalation step unknown", kinds: ["escalation"], damage: (m) => (m.body.step = "panic"), path: "body.step" },
  { name: "rejection without reasons", kinds: ["rejection"], damage: (m) => (m.body.reasons = []), path: "body.reasons" },
  { name: "presence status unknown", kinds: ["presence"], damage: (m) => (m.body.status = "asleep"), path: "body.status" },
  { name: "hit matched kind unknown", kinds: ["hit"], damage: (m) => (m.body.matched.kind = "rumour"), path: "body.matched.kind" },
];

/** Resolves an indicator placeholder such as [IPV4] to the index it damaged in this message. */
export function expectedPath(d: Damage, m: Msg): string {
  return d.path.replace(/\[([A-Z0-9-]+)\]/, (_, t: string) => `[${firstIndicator(m, t.toLowerCase())}]`);
}
