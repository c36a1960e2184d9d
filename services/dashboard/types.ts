// The dashboard's wire contract: what /api/state returns and what /api/stream sends. The page
// (public/*.js) and the tests read exactly these shapes; nothing else is promised.
import type { ClockState } from "../../shared/clock.ts";
import type { DutyStatus, TrackingSummary } from "../../shared/exchange/observe.ts";

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

/** An alert or RFI and how far its deliveries got. Counts are of distinct recipients. */
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
  /** open: recipients still to acknowledge; complete: all did; retracted: withdrawn by its originator. */
  state: "open" | "complete" | "retracted";
}

export interface EscalationView {
  seq: number;
  at: string;
  step: string;
  messageId: string;
  /** The recipient that missed its deadline, and the agency told about it. */
  recipient: string;
  notify: string;
  via?: string;
  precedence?: string;
  title?: string;
  originator?: string;
  /** Overdue deliveries this one escalation message lists (this one included), when more than one. */
  covers?: number;
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
  messages: { accepted: number; alerts: number; rejected: number; escalations: number };
  deliveries: TrackingSummary;
}

export interface ClockView {
  state: ClockState;
  /** Wall time on the server when sent, so the page can correct its own clock's offset. */
  wallNow: number;
}

export interface DashboardState {
  exchange: { name: string; url: string; title?: string; connected: boolean; coordinators: number; finished?: string };
  clock: ClockView | null;
  /** Whether pause/resume/speed are offered (only inside `atix run`). */
  controls: boolean;
  agencies: AgencyView[];
  regions: string[];
  alerts: AlertView[];
  escalations: EscalationView[];
  counters: Counters;
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
  /** On the first part of a coalesced escalation: how many overdue deliveries its message lists. */
  covers?: number;
  /** The same few words `atix watch` prints for it. */
  text: string;
}

export interface JourneyView {
  alert: AlertView | null;
  records: (AuditEventView & { related?: true })[];
}
