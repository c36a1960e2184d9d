// `atix bench --message-cost` decides, before starting anything, whether a burst can be measured
// (services/bench/message-cost.ts: nobody acknowledges it, and the coordinator holds an agency's
// alerts back beyond its bound of open deliveries), and derives what each further recipient adds:
// decisions on figures, no broker.
import { describe, expect, it } from "vitest";
import { MESSAGE_COST_WARM_UP, type MessageCostRow, messageCostProblem, perRecipient } from "../../services/bench/message-cost.ts";
import { OPEN_DELIVERIES_PER_AGENCY } from "../../services/coordinator/intake.ts";

const row = (recipients: number, coordinator: number, broker: number): MessageCostRow => ({
  recipients, messages: 400, accepted: 400, seconds: 1, acceptedPerSecond: 400, cpuMicrosPerMessage: { coordinator, broker },
});

describe("whether a burst can be measured", () => {
  it("given the bench's default burst to 89 recipients, then it fits under the coordinator's bound", () => {
    expect(messageCostProblem(89, 400)).toBeUndefined();
  });

  it("given a burst that fills the bound exactly, then it fits; one more broadcast, then --burst is named with the most that fits", () => {
    const recipients = 100;
    const most = OPEN_DELIVERIES_PER_AGENCY / recipients - MESSAGE_COST_WARM_UP;
    expect(messageCostProblem(recipients, most)).toBeUndefined();
    const p = messageCostProblem(recipients, most + 1);
    expect(p?.flag).toBe("--burst");
    expect(p?.reason).toContain(`expected a burst of at most ${most}`);
  });

  it("given so many recipients that the warm-up alone passes the bound, then --message-cost is named with the most recipients that fit", () => {
    const p = messageCostProblem(700, 1);
    expect(p?.flag).toBe("--message-cost");
    expect(p?.reason).toMatch(/^expected at most 594 recipients, got 700/);
  });
});

describe("what each further recipient adds", () => {
  it("given rows for 3 and 89 recipients, then the slope between them, whatever their order", () => {
    expect(perRecipient([row(89, 1_900, 725), row(3, 1_525, 650)])).toEqual({ coordinator: 4.36, broker: 0.87 });
  });

  it("given rows for three counts, then the slope from the fewest recipients to the most", () => {
    expect(perRecipient([row(10, 9_999, 9_999), row(2, 1_000, 500), row(12, 1_100, 510)])).toEqual({ coordinator: 10, broker: 1 });
  });

  it("given one count, or the same count twice, or no CPU figures, then nothing is derived", () => {
    expect(perRecipient([row(3, 1_000, 500)])).toBeUndefined();
    expect(perRecipient([row(3, 1_000, 500), row(3, 1_100, 510)])).toBeUndefined();
    const unread = { ...row(89, 0, 0), cpuMicrosPerMessage: undefined } as unknown as MessageCostRow;
    expect(perRecipient([row(3, 1_000, 500), unread])).toBeUndefined();
  });
});
