// `atix bench --message-cost` decides, before starting anything, whether a burst can be measured
// (services/bench/message-cost.ts: nobody acknowledges it, and the coordinator starts none of an
// agency's alerts once its open deliveries reach their bound), and derives what each further
// recipient adds: decisions on figures, no broker.
import { describe, expect, it } from "vitest";
import { MESSAGE_COST_WARM_UP, type MessageCostRow, messageCostProblem, perRecipient } from "../../services/bench/message-cost.ts";
import { OPEN_DELIVERIES_PER_AGENCY } from "../../services/coordinator/intake.ts";

const row = (recipients: number, coordinator: number, broker: number): MessageCostRow => ({
  recipients, messages: 400, seconds: 1, acceptedPerSecond: 400, cpuMicrosPerMessage: { coordinator, broker },
});

describe("whether a burst can be measured", () => {
  it("given the default burst to 89 recipients, then it fits under the coordinator's bound", () => {
    expect(messageCostProblem(89, 400, false)).toBeUndefined();
  });

  it("given as many broadcasts as the coordinator starts, the last passing the bound, then it fits; one more names --burst with the most", () => {
    // 89 recipients: the 675th broadcast starts at 674 × 89 = 59,986 open deliveries, the 676th would not.
    expect(Math.ceil(OPEN_DELIVERIES_PER_AGENCY / 89)).toBe(675);
    expect(messageCostProblem(89, 675 - MESSAGE_COST_WARM_UP)).toBeUndefined();
    expect(messageCostProblem(89, 676 - MESSAGE_COST_WARM_UP)).toMatch(/^--burst: with 89 recipients, expected at most 575, got 576: /);
  });

  it("given too many recipients for the default burst, then --message-cost is named with the most that fit, and the burst that would do", () => {
    expect(messageCostProblem(120, 400, false)).toBeUndefined();
    expect(messageCostProblem(121, 400, false)).toBe(
      "--message-cost: with the default burst of 400, expected at most 120 recipients, got 121, or a --burst of at most 396: " +
        "the coordinator starts no more of an agency's alerts once 60,000 of its deliveries are unacknowledged, and nobody acknowledges these (100 broadcasts warm up first)",
    );
  });

  it("given so many recipients that the warm-up alone reaches the bound, then --message-cost is named, whatever the burst", () => {
    expect(messageCostProblem(599, 1)).toBeUndefined();
    expect(messageCostProblem(600, 1)).toMatch(/^--message-cost: with a burst of 1, expected at most 599 recipients, got 600: /);
  });
});

describe("what each further recipient adds", () => {
  it("given rows for 3 and 89 recipients, then the slope between them, whatever their order, known to twice a figure's resolution over 86", () => {
    expect(perRecipient([row(89, 1_900, 725), row(3, 1_525, 650)], 25)).toEqual({ coordinator: 4.36, broker: 0.87, resolutionMicros: 0.58 });
  });

  it("given rows for three counts, then the slope from the fewest recipients to the most", () => {
    expect(perRecipient([row(10, 9_999, 9_999), row(2, 1_000, 500), row(12, 1_100, 510)], 10)).toEqual({ coordinator: 10, broker: 1, resolutionMicros: 2 });
  });

  it("given one count, or the same count twice, or no CPU figures, then nothing is derived", () => {
    expect(perRecipient([row(3, 1_000, 500)], 25)).toBeUndefined();
    expect(perRecipient([row(3, 1_000, 500), row(3, 1_100, 510)], 25)).toBeUndefined();
    const unread = { ...row(89, 0, 0), cpuMicrosPerMessage: undefined } as unknown as MessageCostRow;
    expect(perRecipient([row(3, 1_000, 500), unread], 25)).toBeUndefined();
  });
});
