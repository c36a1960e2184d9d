// Turns a planned send into the message body its agency submits, resolving references to
// earlier injects (the alert an update changes, the alert a hit matched).
import type { Message, MessageKind, Precedence, Tlp } from "../../shared/contracts/index.ts";
import { audienceOf } from "../../shared/audience.ts";
import type { PlannedSend } from "./plan.ts";

export interface SentRef {
  id: string;
  precedence: Precedence;
  tlp: Tlp;
  from: string;
}

export type Draft = { kind: MessageKind; body: Message["body"]; inReplyTo?: string; correlationId?: string } | { skip: string };

const HOUR = 3_600_000;
const evaluation = (code: string) => ({ reliability: code[0] as "A", credibility: Number(code[1]) });
const audience = (to: string | object) => (typeof to === "string" ? audienceOf(to) : to);
const TLP_ORDER: Tlp[] = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];
const stricter = (a: Tlp, b: Tlp) => (TLP_ORDER.indexOf(a) >= TLP_ORDER.indexOf(b) ? a : b);

export function draftFor(p: PlannedSend, nowMs: number, refs: Map<string, SentRef>): Draft {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (p.traffic) {
    const t = p.traffic;
    if (t.kind === "rfi")
      return {
        kind: "rfi",
        body: { precedence: t.precedence, category: t.category, tlp: t.tlp, handling: "H0", question: `${t.title}. ${t.summary ?? ""}`.trim(), respondBy: iso(nowMs + 6 * HOUR), distribution: t.to, ...(t.indicators ? { indicators: t.indicators } : {}) },
      };
    return {
      kind: "alert",
      body: {
        precedence: t.precedence, category: t.category, tlp: t.tlp, handling: "H0", evaluation: evaluation("C3"), title: t.title,
        ...(t.summary ? { summary: t.summary } : {}), distribution: t.to, validUntil: iso(nowMs + 24 * HOUR), ...(t.indicators ? { indicators: t.indicators } : {}),
      },
    };
  }
  const s = p.injectSpec!;
  const ref = (name: string) => refs.get(name);
  switch (s.kind) {
    case "alert":
      return {
        kind: "alert",
        body: {
          precedence: s.precedence, category: s.category, tlp: s.tlp, handling: s.handling, ...(s.handlingNote ? { handlingNote: s.handlingNote } : {}),
          evaluation: evaluation(s.evaluation), title: s.title, ...(s.summary ? { summary: s.summary } : {}), distribution: audience(s.to),
          ...(s.entities ? { entities: s.entities } : {}), ...(s.indicators ? { indicators: s.indicators } : {}),
          ...(s.validFor ? { validUntil: iso(nowMs + s.validFor) } : {}),
        },
      } as Draft;
    case "alert-update": {
      const a = ref(s.alert);
      if (!a) return { skip: `alert "${s.alert}" was not sent` };
      const changes = {
        ...(s.precedence ? { precedence: s.precedence } : {}), ...(s.summary ? { summary: s.summary } : {}), ...(s.evaluation ? { evaluation: evaluation(s.evaluation) } : {}),
        ...(s.indicators ? { indicators: s.indicators } : {}), ...(s.entities ? { entities: s.entities } : {}), ...(s.title ? { title: s.title } : {}),
      };
      return { kind: "alert-update", body: { alertId: a.id, reason: s.reason, changes: Object.keys(changes).length ? changes : { summary: s.reason } }, inReplyTo: a.id, correlationId: a.id };
    }
    case "alert-retraction": {
      const a = ref(s.alert);
      if (!a) return { skip: `alert "${s.alert}" was not sent` };
      return { kind: "alert-retraction", body: { alertId: a.id, reason: s.reason, ...(s.instruction ? { instruction: s.instruction } : {}) }, inReplyTo: a.id, correlationId: a.id };
    }
    case "rfi": {
      const about = s.about ? ref(s.about) : undefined;
      return {
        kind: "rfi",
        body: {
          precedence: s.precedence, category: s.category, tlp: s.tlp, handling: s.handling, question: s.question, respondBy: iso(nowMs + s.respondWithin),
          distribution: audience(s.to), ...(about ? { aboutAlert: about.id } : {}), ...(s.entities ? { entities: s.entities } : {}), ...(s.indicators ? { indicators: s.indicators } : {}),
        },
      } as Draft;
    }
    case "hit": {
      const a = ref(s.alert);
      if (!a) return { skip: `alert "${s.alert}" was not sent` };
      const looksLikeIndicator = /[.:@/]|^[0-9a-f]{32,64}$/i.test(s.matched);
      return {
        kind: "hit",
        body: {
          alertId: a.id, matched: { kind: looksLikeIndicator ? "indicator" : "person", reference: s.matched }, observedAt: iso(nowMs), details: s.details,
          tlp: stricter("AMBER", a.tlp), handling: "H1",
        },
        inReplyTo: a.id, correlationId: a.id,
      };
    }
  }
}
