// Exchange-wide settings every service reads from the config bucket: deadlines, escalation,
// policy and each agency's quota. Coordinators apply a change live (docs/operations.md says how
// to make one).
import { z } from "zod";
import { DEFAULT_ACK_DEADLINE_MINUTES, PRECEDENCES } from "../contracts/primitives.ts";

/**
 * What one agency may have the exchange work on: a submission over either is rejected
 * `rate-limited`. Counted per coordinator instance, in wall time (the machines' capacity is wall
 * time, whatever the simulated clock's speed). The defaults are above anything a shipped scenario
 * or `atix bench` sends (its burst is 400 alerts at once from one agency).
 */
export const Quotas = z
  .object({
    /** Submissions stored but not yet answered when another one is stored. */
    maxInFlight: z.number().int().positive(),
    /** Sustained submissions per wall minute (a token bucket refilled at this rate). */
    perMinute: z.number().positive(),
    /** Submissions that may arrive at once after a quiet spell (the bucket's size). */
    burst: z.number().int().positive(),
    /**
     * MiB of delivery copies an agency's accepted messages may add to the deliveries stream per
     * wall hour: a message's size times the copies stored (one for a broadcast to all, one per
     * recipient otherwise). A token bucket of one hour's worth. Settings stored before it existed read as the default.
     */
    copiedMiBPerHour: z.number().positive().max(1_048_576, "expected at most 1048576 (1 TiB an hour)").default(512),
  })
  .strict();
export type Quotas = z.infer<typeof Quotas>;

export const DEFAULT_QUOTAS: Quotas = { maxInFlight: 500, perMinute: 600, burst: 500, copiedMiBPerHour: 512 };

/** A duty desk (a hub, an originator) is told at most once per step in this many simulated minutes. */
export const DEFAULT_ESCALATION_WINDOW_MINUTES = 10;

export const Settings = z
  .object({
    /** Acknowledgement deadline per precedence, in simulated minutes. */
    ackDeadlineMinutes: z.object(Object.fromEntries(PRECEDENCES.map((p) => [p, z.number().positive()])) as Record<
      (typeof PRECEDENCES)[number],
      z.ZodNumber
    >),
    /**
     * When each escalation step fires, as a fraction of the acknowledgement window after the
     * deadline: reminder at the deadline, backup contact and originator later.
     */
    escalationAfter: z
      .object({ reminder: z.number().min(0), "backup-contact": z.number().min(0), originator: z.number().min(0) })
      .strict(),
    /**
     * TLP:RED goes to named recipients only, and to few of them: an alert or RFI marked RED that
     * names more agencies than this is rejected (reason `policy`). Settings stored before it existed read as 12.
     */
    tlpRedMaxAgencies: z.number().int().positive().default(12),
    /**
     * Escalations are coalesced: one message per step and agency told, listing every overdue
     * delivery due by then; the next one to the same agency for the same step waits this long
     * (simulated minutes). The first goes out as soon as it is due.
     */
    escalationWindowMinutes: z.number().min(0).default(DEFAULT_ESCALATION_WINDOW_MINUTES),
    quotas: Quotas.default(DEFAULT_QUOTAS),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  ackDeadlineMinutes: { ...DEFAULT_ACK_DEADLINE_MINUTES },
  escalationAfter: { reminder: 0, "backup-contact": 0.5, originator: 1 },
  tlpRedMaxAgencies: 12,
  escalationWindowMinutes: DEFAULT_ESCALATION_WINDOW_MINUTES,
  quotas: { ...DEFAULT_QUOTAS },
};
