// Public face of the agency service: one node, many nodes in a process, the duty-officer model.
export { AgencyNode } from "./node.ts";
export type { AgencyNodeOptions } from "./options.ts";
export { AgencyHost, type AgencyHostOptions, type HostedAgency } from "./host.ts";
export { ClockFeed } from "./clock-feed.ts";
export { InjectScript, NO_REACTION, type ScriptedReaction } from "./script.ts";
export type { AgencyCounters, AgencyEvent, AgencyEventListener, AgencyEventType } from "./events.ts";
export {
  acknowledgeAt,
  afterReminder,
  dutyStatus,
  type DutyStatus,
  isNight,
  nextDutyChange,
  officerOnWatch,
  PRECEDENCE_FACTOR,
  REMINDER_MINUTES,
  sampleDelayMinutes,
} from "./duty-officer.ts";
export { chance, createRng, hashString, mulberry32, normal, pick, type Rng, uniform } from "../../shared/prng.ts";
export { localHour, nextLocalHour, offsetMs } from "./local-time.ts";
export { FOR_THE_OFFICER, OUTCOMES, RECEIPTED } from "./delivery-intake.ts";
export { type RegistryKeys, type SenderKeys, senderKeysOf, verification, verifyDelivery } from "./verify-delivery.ts";
