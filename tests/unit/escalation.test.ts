// Each escalation step, decided without a broker (services/coordinator/escalation-decisions.ts): Given
// a delivery and what the claims bucket holds, When its deadline has passed, Then who each step
// tells and when, whether this instance takes the batch on, and the message and record it sends.
import { describe, expect, it } from "vitest";
import { type ClaimRead, CLAIM_TIMEOUT_WALL_MS, decideClaim, dueAt, escalationOf, notifyFor, type PlannedBatch, RECORD_LAG_MS } from "../../services/coordinator/escalation-decisions.ts";
import { DEFAULT_SETTINGS } from "../../shared/exchange/settings.ts";
import type { TrackingRecord } from "../../shared/exchange/records.ts";
import { DeciderSpecification } from "../support/decider-spec.ts";
import { iso, MIN, registry, T0 } from "../support/coordinator-decider.ts";

const id = (n: number) => `01a0c54f-8c80-70d6-b8c7-${String(n).padStart(12, "0")}`;
/** A FLASH delivery of an AZ alert to `recipient` at T0, due 10 minutes later. */
const delivery = (recipient: string, originator = "AZ"): TrackingRecord => ({
  messageId: id(1), kind: "alert", originator, recipient, precedence: "FLASH", deliveredAt: iso(T0), deadline: iso(T0 + 10 * MIN), state: "delivered", escalations: {},
});

describe("who each step tells, and when", () => {
  it("reminds the recipient at the deadline", () => {
    expect(notifyFor(registry, delivery("UZ"), "reminder")).toEqual({ agency: "UZ" });
    expect(dueAt(DEFAULT_SETTINGS, delivery("UZ"), "reminder")).toBe(T0 + 10 * MIN);
  });

  it("tells the recipient's regional hub half the time given later, naming the organisation", () => {
    expect(notifyFor(registry, delivery("UZ"), "backup-contact")).toEqual({ agency: "KZ", via: "CIS" });
    expect(dueAt(DEFAULT_SETTINGS, delivery("UZ"), "backup-contact")).toBe(T0 + 15 * MIN);
  });

  it("skips the backup contact when there is no hub, or the hub is the originator itself", () => {
    expect(notifyFor(registry, delivery("TR"), "backup-contact")).toBeUndefined();
    expect(notifyFor(registry, delivery("UZ", "KZ"), "backup-contact")).toBeUndefined();
  });

  it("tells the originator a whole time given later", () => {
    expect(notifyFor(registry, delivery("UZ"), "originator")).toEqual({ agency: "AZ" });
    expect(dueAt(DEFAULT_SETTINGS, delivery("UZ"), "originator")).toBe(T0 + 20 * MIN);
  });
});

const batch: PlannedBatch = {
  step: "reminder", notify: "UZ", batch: 1, atMs: T0 + 10 * MIN,
  items: [{ messageId: id(1), kind: "alert", recipient: "UZ", precedence: "FLASH", deadline: iso(T0 + 10 * MIN) }],
};
const WALL = 1_000_000;

/** Given the claim as read from the bucket, When this instance ("me") looks at the planned batch at WALL. */
const claims = DeciderSpecification<PlannedBatch, ReturnType<typeof decideClaim>, ClaimRead, ClaimRead>({
  initialState: () => undefined,
  evolve: (_, read) => read,
  decide: (b, read) => decideClaim(b, read, "me", WALL),
});

describe("taking a batch on", () => {
  it("claims a batch no one claimed, freezing what it covers and when it is sent (by create)", () => {
    claims.given().when(batch).thenDecision((d) => {
      expect(d).toEqual({ type: "claim", claim: { state: "claimed", instance: "me", claimedAtWall: WALL, at: iso(T0 + 10 * MIN), items: batch.items } });
    });
  });

  it("leaves a batch another instance claimed moments ago until that claim times out", () => {
    const theirs = { value: { state: "claimed" as const, instance: "them", claimedAtWall: WALL - 1_000, at: iso(T0), items: batch.items }, revision: 4 };
    claims.given(theirs).when(batch).then({ type: "held-elsewhere", untilWall: WALL - 1_000 + CLAIM_TIMEOUT_WALL_MS });
  });

  it("leaves a batch another instance sent: its record is on its way to this view", () => {
    const sent = { value: { state: "done" as const, instance: "them", claimedAtWall: WALL - 60_000 }, revision: 5 };
    claims.given(sent).when(batch).then({ type: "held-elsewhere", untilWall: WALL + RECORD_LAG_MS });
  });

  it("finishes a claim left by a dead instance as it froze it (the same message goes out), by compare-and-set", () => {
    const frozen = [{ ...batch.items[0]!, messageId: id(9) }];
    const stale = { value: { state: "claimed" as const, instance: "dead", claimedAtWall: WALL - CLAIM_TIMEOUT_WALL_MS, at: iso(T0 + 11 * MIN), items: frozen }, revision: 6 };
    claims.given(stale).when(batch).then({ type: "claim", revision: 6, takenOverFrom: "dead", claim: { instance: "me", claimedAtWall: WALL, at: iso(T0 + 11 * MIN), items: frozen } });
  });

  it("takes over a claim that fails its contract as its own new claim", () => {
    claims.given({ invalid: true, revision: 7 }).when(batch).then({ type: "claim", revision: 7, claim: { instance: "me", items: batch.items } });
  });
});

describe("the escalation sent", () => {
  it("is the same message, msgID and record whoever sends it: ids from the step, agency told, batch and time", () => {
    const two = [...batch.items, { messageId: id(2), kind: "rfi", recipient: "UZ", precedence: "IMMEDIATE" as const, deadline: iso(T0 + 30 * MIN), via: "CIS" }];
    const a = escalationOf("backup-contact", "KZ", 3, iso(T0 + 15 * MIN), two);
    const b = escalationOf("backup-contact", "KZ", 3, iso(T0 + 15 * MIN), two);
    expect(a).toEqual(b);
    expect(a.msgID).toBe("escalation:backup-contact:KZ:3");
    expect(a.message).toMatchObject({ kind: "escalation", sender: "ATIX", sentAt: iso(T0 + 15 * MIN), correlationId: id(1), body: { step: "backup-contact", notify: "KZ", messageId: id(1), more: [{ messageId: id(2), via: "CIS" }] } });
    expect(a.entry).toMatchObject({
      eventId: "escalated:backup-contact:KZ:3", event: "escalated", agency: "KZ", messageId: id(1),
      data: { step: "backup-contact", batch: 3, escalationId: a.message.id, more: [{ messageId: id(2), kind: "rfi", via: "CIS" }] },
    });
  });
});
