// A delivery's stream, stream sequence and delivery count, read from its reply subject in both
// forms JetStream uses (shared/nats/delivery-position.ts); anything else is not read.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deliveryPosition, positionOf } from "../../shared/nats/delivery-position.ts";
import type { JsMsg } from "@nats-io/jetstream";

const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/);
const count = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

describe("positionOf", () => {
  it("reads the old form (nats-server 2.9) and the new, with and without its token", () => {
    fc.assert(
      fc.property(name, name, name, name, count, count, count, count, count, fc.boolean(), (domain, account, stream, consumer, delivered, sseq, dseq, ts, pending, token) => {
        const tail = `${stream}.${consumer}.${delivered}.${sseq}.${dseq}.${ts}.${pending}`;
        const expected = { stream, streamSeq: sseq, deliveryCount: delivered };
        expect(positionOf(`$JS.ACK.${tail}`)).toEqual(expected);
        expect(positionOf(`$JS.ACK.${domain}.${account}.${tail}${token ? ".abcdef" : ""}`)).toEqual(expected);
      }),
    );
    expect(positionOf("$JS.ACK.ATIX_DELIVERIES.broadcast-AZ.1.2041.7.1733470000000000000.12")).toEqual({ stream: "ATIX_DELIVERIES", streamSeq: 2041, deliveryCount: 1 });
    expect(positionOf("$JS.ACK._.ACCT.S.C.3.9.9.1.0")).toEqual({ stream: "S", streamSeq: 9, deliveryCount: 3 });
  });

  it("reads nothing from a subject that is not a JetStream ack subject of a known form", () => {
    for (const reply of [
      "",
      "_INBOX.abc.def",
      "$JS.ACK",
      "$JS.ACK.S.C.1.2.3.4", // 8 tokens
      "$JS.ACK.D.A.S.C.1.2.3.4.5.6.7.8", // 14 tokens
      "$JS.ACK.S.C.1.x2.3.4.5", // not a number
      "$JS.ACK.S.C..2.3.4.5", // empty count
      "$JS.ACK..C.1.2.3.4.5", // empty stream
      "$JS.ACK.S.C.1.-2.3.4.5",
      "$JS.ACK.S.C.1.12345678901234567890.3.4.5", // beyond what a number holds exactly
      "$JS.ACK.S.C.1.9007199254740993.3.4.5",
      "$JS.NAK.S.C.1.2.3.4.5",
    ])
      expect(positionOf(reply), reply).toBeUndefined();
  });

  it("falls back to the client's own reading when the message shows no reply subject it can read", () => {
    const info = { stream: "S", streamSequence: 5, deliveryCount: 2 };
    expect(deliveryPosition({ info } as unknown as JsMsg)).toEqual({ stream: "S", streamSeq: 5, deliveryCount: 2 });
    expect(deliveryPosition({ reply: "not.an.ack", info } as unknown as JsMsg)).toEqual({ stream: "S", streamSeq: 5, deliveryCount: 2 });
  });
});
