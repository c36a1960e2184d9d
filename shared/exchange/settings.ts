// Exchange-wide settings every service reads from the config bucket: deadlines, escalation, policy.
import { z } from "zod";
import { DEFAULT_ACK_DEADLINE_MINUTES, PRECEDENCES } from "../contracts/primitives.ts";

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
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  ackDeadlineMinutes: { ...DEFAULT_ACK_DEADLINE_MINUTES },
  escalationAfter: { reminder: 0, "backup-contact": 0.5, originator: 1 },
  tlpRedMaxAgencies: 12,
};
