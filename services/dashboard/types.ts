// The dashboard's wire contract: what /api/state returns and what /api/stream sends. The page
// (public/*.js) and the tests read exactly these shapes; nothing else is promised. Agency ids are
// sent as ids (an anonymised dashboard's server relabels them, and masks names in every text, in
// all it sends); names are sent in the room's language.
import type { ClockState } from "../../shared/clock.ts";
import type { Distribution } from "../../shared/contracts/index.ts";
import type { DutyStatus } from "../../shared/exchange/observe.ts";
import type { Figures } from "../../shared/exchange/figures.ts";

/** Live state of one agency: duty status from its signed presence, deliveries waiting on it. */
export interface AgencyView {
  id: string;
  name: string;
  country: string;
  region: string;
  /** "unknown" until the first presence is heard; "offline" also when it has fallen silent. */
  status: DutyStatus | "unknown";
  officer?: string;
  /** Deliveries to it not yet acknowledged, and those of them past their deadline. */
  open: number;
  overdue: number;
}

/** A message (alert, RFI, update, withdrawal, answer, hit) and how far its deliveries got. Counts are of distinct recipients. */
export interface AlertView {
  id: string;
  kind: string;
  originator: string;
  title: string;
  precedence: string;
  tlp?: string;
  /** Simulated times (ISO): accepted, and the acknowledgement deadline. */
  sentAt: string;
  deadline: string;
  recipients: number;
  delivered: number;
  acknowledged: number;
  /** Acknowledged after the deadline. */
  late: number;
  escalations: number;
  updates: number;
  hits: number;
  /** Answers to an RFI. */
  answers: number;
  /** RFIs that name this alert. */
  rfis: number;
  /** open: recipients still to acknowledge; complete: all did; retracted: withdrawn by its originator. */
  state: "open" | "complete" | "retracted";
  /** The MSEL inject it is, when the scenario's script sent it. */
  inject?: number;
  thread?: string;
  /** An RFI's question; the alert an RFI, update, withdrawal, answer or hit is about. */
  question?: string;
  refersTo?: string;
}

/** One escalation step: who missed what, and who was told. */
export interface EscalationView {
  seq: number;
  at: string;
  step: string;
  /** The recipient that missed its deadline, the agency told, and (backup contact) through which organisation. */
  recipient: string;
  notify: string;
  via?: string;
  /** The message(s) it is about: one today; a coalesced escalation may cover several. */
  messageIds: string[];
  /** The first message's precedence, title, originator and inject, when known. */
  precedence?: string;
  title?: string;
  originator?: string;
  inject?: number;
}

export interface ChainStatus {
  /** Records checked so far, all in order: "verified up to record N". */
  verified: number;
  ok: boolean;
  /** Where and why verification stopped, when it did. */
  failure?: string;
  /** Still reading the records stored before the dashboard started. */
  catchingUp: boolean;
}

export interface Counters {
  agencies: { registered: number; online: number; onDuty: number; overdue: number };
  /** The exchange's figures, as the report, the progress line and `atix status` count them. */
  figures: Figures;
}

export interface ClockView {
  state: ClockState;
  /** Wall time on the server when sent, so the page can correct its own clock's offset. */
  wallNow: number;
}

/** Who an inject goes to: a distribution, or those of an earlier inject (its recipients, or its originator). */
export type AudienceView = Distribution | { inject: number; who: "recipients" | "originator" };

/** One inject of the scenario's MSEL, and what became of it. */
export interface MselInjectView {
  inject: number;
  /** Simulated time it is due (ISO). */
  at: string;
  thread?: string;
  kind: string;
  from: string;
  to: AudienceView;
  precedence?: string;
  /** As the MSEL states it; may be empty for an update, withdrawal or hit (see `about`). */
  title: string;
  question?: string;
  /** The inject an update, withdrawal or hit is about, and what a hit matched. */
  about?: number;
  matched?: string;
  /** The banner moment: FLASH injects and those the scenario marks. */
  highlight: boolean;
  /** The expected outcome, as the scenario states it. */
  expected?: string;
  state: "upcoming" | "played" | "not-sent";
  messageId?: string;
  /** Why it was not sent. */
  note?: string;
}

export interface ThreadView {
  id: string;
  title: string;
  summary?: string;
}

/** The scenario being played (only inside `atix run`). */
export interface ExerciseView {
  name: string;
  title: string;
  /** The exercise day: the scenario's start and end (simulated, ISO); a drain hour follows the end. */
  start: string;
  end: string;
  threads: ThreadView[];
  injects: MselInjectView[];
  /** The objective the acknowledgement card shows: a precedence's share within deadline against its target. */
  objective?: { precedence: string; target: number; description?: string };
}

/** The banner moment: a FLASH or highlighted inject, its recipients and who has acknowledged. */
export interface HighlightView {
  messageId: string;
  inject?: number;
  thread?: string;
  kind: string;
  from: string;
  to?: AudienceView;
  precedence: string;
  title: string;
  sentAt: string;
  deadline: string;
  recipients: string[];
  delivered: string[];
  acknowledged: string[];
  /** Those of them who acknowledged after the deadline. */
  late: string[];
}

/** The result a finished run shows (the report's figures). */
export interface DebriefView {
  pass: boolean;
  interrupted: boolean;
  objectives: { description: string; pass: boolean; detail: string }[];
  injects: { inject: number; thread?: string; at: string; from: string; kind: string; title: string; status: "met" | "partially-met" | "not-met" | "no-expectation"; detail: string }[];
  figures: Figures;
  reconciliation: { expected: number; delivered: number; lost: number; duplicated: number };
  audit: { verified: boolean; records: number };
  /** The report, served by the dashboard, and where it was written. */
  reportUrl?: string;
  reportPath: string;
  simulatedUntil: string;
}

/** Names by id in the room's language: what the page shows for a region, an organisation, a group. */
export interface NamesView {
  regions: Record<string, string>;
  organisations: Record<string, string>;
  sharingGroups: Record<string, string>;
}

export interface ControlsView {
  /** Pause/resume and speed are offered (whoever owns the clock: `atix run`, `atix up`). */
  clock: boolean;
  /** "Next inject" is offered (a scenario is playing). */
  next: boolean;
}

export interface DashboardState {
  exchange: { name: string; url: string; title?: string; connected: boolean; coordinators: number; finished?: string };
  clock: ClockView | null;
  controls: ControlsView;
  exercise?: ExerciseView;
  agencies: AgencyView[];
  regions: string[];
  /** The scenario's injects' messages and the latest background ones, newest first. */
  alerts: AlertView[];
  escalations: EscalationView[];
  counters: Counters;
  /** Regions, organisations and sharing groups by id, in the room's language (the page's words come from /api/i18n). */
  names: NamesView;
  highlight?: HighlightView;
  debrief?: DebriefView;
  chain: ChainStatus;
  /** The last audit record applied: stream events up to here are already in this snapshot. */
  auditSeq: number;
}

/**
 * One exchange event on /api/stream (SSE event "audit", id = seq): one delivery's event. A record
 * standing for several deliveries (a message's "delivered", a batched receipt or acknowledgement)
 * is sent as one view per delivery, all with its seq and told apart by `part`.
 */
export interface AuditEventView {
  seq: number;
  /** Which delivery of its record this is (from 0); absent when the record stands for one. */
  part?: number;
  event: string;
  at: string;
  actor: string;
  agency?: string;
  messageId?: string;
  kind?: string;
  /** Originator, precedence, title of the message it is about, when known. */
  from?: string;
  precedence?: string;
  title?: string;
  tlp?: string;
  step?: string;
  recipient?: string;
  /** For updates, retractions, answers and hits: the alert or RFI they refer to. */
  refersTo?: string;
  /** The message is one of the scenario's injects (this number). */
  inject?: number;
  /** An acknowledgement after the deadline. */
  late?: true;
  /** An escalation covering several messages (coalesced): all of them, the first being messageId. */
  messageIds?: string[];
}

/** One message's journey: a summary that answers, then its audit events grouped. */
export interface JourneyView {
  alert: AlertView | null;
  /** Recipients and where each stands. */
  recipients: { agency: string; state: "waiting" | "delivered" | "acknowledged" | "late" | "withdrawn"; at?: string }[];
  /** Escalations by step: who missed, who was told, when. */
  escalations: { step: string; recipient: string; notify: string; via?: string; at: string; seq: number }[];
  /** What refers to it: updates, the withdrawal, hits, answers, RFIs that name it, the alert it is about. */
  linked: { id: string; kind: string; from: string; at: string; title?: string; relation: "update" | "withdrawal" | "hit" | "answer" | "rfi" | "about" }[];
  /** Its audit events (per delivery), and those of what refers to it (related), in chain order; capped. */
  records: (AuditEventView & { related?: true })[];
  /** Events left out beyond the cap. */
  omitted: number;
}
