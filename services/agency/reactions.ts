// What the agency sends back, as pure builders: receipt, the officer's acknowledgement, an RFI
// answer, a hit. Replies thread on the delivery (inReplyTo) and its case (correlationId).
import type {
  AcknowledgementBody,
  AlertMessage,
  HitBody,
  Message,
  Precedence,
  RfiMessage,
} from "../../shared/contracts/index.ts";
import type { MessageOf } from "../../shared/contracts/message.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { chance, pick, type Rng } from "../../shared/prng.ts";
import type { z } from "zod";

/**
 * How long receipts and acknowledgements wait for company (wall ms): 20 ms for a lone delivery,
 * growing to 100 ms while deliveries keep coming (Batcher), so a busy node signs and the
 * coordinator checks one message per many deliveries. The recorded times are the node's own
 * (when it received, when the officer acknowledged), not when the message left.
 */
export const LINGER_MS = 20;
export const MAX_LINGER_MS = 100;

export type Action = z.infer<typeof AcknowledgementBody>["action"];
type Matched = z.infer<typeof HitBody>["matched"];

const thread = (agency: string, at: string, of: Message) => ({
  sender: agency,
  sentAt: at,
  correlationId: of.correlationId ?? of.id,
  inReplyTo: of.id,
});

/** One receipt for one or more deliveries (in the order they arrived); threads on the first. */
export function receiptFor(items: { delivered: Message; at: string }[], agency: string, sentAt: string): MessageOf<"receipt"> {
  // A delivery read twice before its receipt left (redelivered, or on both consumers) is named once:
  // the contract refuses a receipt that names one twice.
  const [first, ...rest] = onceEach(items);
  if (!first) throw new Error("expected at least one delivery to receipt");
  const more = rest.map((x) => ({ messageId: x.delivered.id, receivedAt: x.at }));
  return compose("receipt", { messageId: first.delivered.id, receivedAt: first.at, ...(more.length ? { more } : {}) }, thread(agency, sentAt, first.delivered));
}

/** The first item for each delivered message, in order. */
function onceEach<T extends { delivered: Message }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((x) => !seen.has(x.delivered.id) && !!seen.add(x.delivered.id));
}

/**
 * What the officer does with it: urgent alerts and questions get action, updates are noted.
 * `rng` is asked for only when chance decides (most deliveries it does not).
 */
export function chooseAction(delivered: Message, precedence: Precedence, rng: () => Rng): Action {
  switch (delivered.kind) {
    case "alert":
      if (precedence === "FLASH" || precedence === "IMMEDIATE") return "acting";
      return chance(rng(), precedence === "PRIORITY" ? 0.5 : 0.3) ? "forwarded-nationally" : "noted";
    case "rfi":
    case "hit":
      return "acting";
    case "rfi-response":
      return delivered.body.hasInformation ? "acting" : "noted";
    default:
      return "noted";
  }
}

export interface Acknowledging {
  delivered: Message;
  at: string;
  officer: string;
  action: Action;
}

/** One acknowledgement for one or more deliveries; sent as of the first, which it threads on. */
export function acknowledgementFor(items: Acknowledging[], agency: string): MessageOf<"acknowledgement"> {
  const [first, ...rest] = onceEach(items);
  if (!first) throw new Error("expected at least one delivery to acknowledge");
  // Keys in canonical order: signing then need not sort each item's (canonical.ts).
  const more = rest.map((x) => ({ acknowledgedAt: x.at, action: x.action, messageId: x.delivered.id, officer: x.officer }));
  return compose(
    "acknowledgement",
    { messageId: first.delivered.id, officer: first.officer, action: first.action, ...(more.length ? { more } : {}) },
    thread(agency, first.at, first.delivered),
  );
}

/** An answer to an RFI: "information held" with probability `pInformation`, else "nothing held". */
export function rfiResponseFor(rfi: RfiMessage, agency: string, at: string, rng: Rng, pInformation: number): MessageOf<"rfi-response"> {
  const has = chance(rng, pInformation);
  const answer = has
    ? `EXERCISE. ${agency} holds records relevant to this request; details follow under the same handling conditions.`
    : `EXERCISE. ${agency} holds no information on the persons, organisations or indicators in this request.`;
  return compose(
    "rfi-response",
    {
      rfiId: rfi.id,
      hasInformation: has,
      answer,
      tlp: rfi.body.tlp,
      handling: rfi.body.handling,
      ...(has ? { evaluation: { reliability: "B" as const, credibility: 2 as const } } : {}),
    },
    thread(agency, at, rfi),
  );
}

/** Everything in an alert a border check or database could match, persons and indicators first. */
export function matchables(alert: AlertMessage): Matched[] {
  const e = alert.body.entities;
  const persons: Matched[] = (e?.persons ?? []).map((p) => {
    const doc = p.documents?.[0];
    return { kind: "person", reference: doc ? `${p.fullName}, ${doc.issuingCountry} ${doc.type} ${doc.number}` : p.fullName };
  });
  const indicators: Matched[] = (alert.body.indicators ?? []).map((i) => ({ kind: "indicator", reference: i.value }));
  if (persons.length + indicators.length) return [...persons, ...indicators];
  return [
    ...(e?.organisations ?? []).map((o): Matched => ({ kind: "organisation", reference: o.name })),
    ...(e?.vehicles ?? []).map((v): Matched => ({ kind: "vehicle", reference: v.registration ?? ([v.make, v.model].filter(Boolean).join(" ") || v.type) })),
    ...(e?.places ?? []).map((p): Matched => ({ kind: "place", reference: p.name })),
  ];
}

/** A hit on one of the alert's persons or indicators; undefined when it names nothing to match. */
export function hitFor(alert: AlertMessage, agency: string, at: string, observedAt: string, rng: Rng): MessageOf<"hit"> | undefined {
  const found = pick(rng, matchables(alert));
  if (!found) return undefined;
  const matched = { ...found, reference: found.reference.slice(0, 500) };
  return compose(
    "hit",
    {
      alertId: alert.id,
      matched,
      observedAt,
      details: `EXERCISE. ${agency} checks matched ${matched.kind} "${matched.reference}" from the alert "${alert.body.title}". Local follow-up under way.`.slice(0, 4000),
      tlp: alert.body.tlp,
      handling: alert.body.handling,
    },
    thread(agency, at, alert),
  );
}

/**
 * The precedence a delivery is handled at: its own, else that of the alert or RFI it refers to
 * (`known` looks those up), else a sensible default for its kind (a hit is urgent news).
 */
export function precedenceOf(m: Message, known: (id: string) => Precedence | undefined): Precedence {
  switch (m.kind) {
    case "alert":
    case "rfi":
    case "escalation":
      return m.body.precedence;
    case "alert-update":
      return m.body.changes.precedence ?? known(m.body.alertId) ?? "PRIORITY";
    case "alert-retraction":
      return known(m.body.alertId) ?? "PRIORITY";
    case "hit":
      return known(m.body.alertId) ?? "IMMEDIATE";
    case "rfi-response":
      return known(m.body.rfiId) ?? "PRIORITY";
    default:
      return "ROUTINE";
  }
}
