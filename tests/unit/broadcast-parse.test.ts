// The process-wide parse memo of stored broadcasts: one parse (and header read) per (stream,
// sequence, bytes), shared and frozen, bounded.
import { describe, expect, it } from "vitest";
import { BROADCAST_PARSE_MEMO_SIZE, broadcastParseMemoSize, readBroadcast } from "../../services/agency/broadcast-parse.ts";
import { RECIPIENTS_HEADER } from "../../shared/contracts/index.ts";
import { clone, examples } from "../support/examples.ts";

const parseBroadcast = (stream: string, seq: number, data: Uint8Array) => readBroadcast(stream, seq, data, {}).parsed;

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const alert = bytes(examples.alert);
/** Paths of the objects and arrays in `v` that are not frozen. */
const unfrozen = (v: unknown, path = "$"): string[] =>
  v && typeof v === "object" ? [...(Object.isFrozen(v) ? [] : [path]), ...Object.entries(v).flatMap(([k, x]) => unfrozen(x, `${path}.${k}`))] : [];

describe("readBroadcast", () => {
  it("parses a stored broadcast once: every reader gets the same frozen message", () => {
    const a = parseBroadcast("S", 1, alert);
    const b = parseBroadcast("S", 1, alert.slice());
    expect(a.ok).toBe(true);
    expect(b).toBe(a);
    if (!a.ok) return;
    expect(unfrozen(a.value)).toEqual([]);
    expect(() => Object.assign(a.value.body, { title: "changed" })).toThrow(TypeError);
  });

  it("parses again when the same sequence holds other bytes (a recreated stream, another exchange)", () => {
    const other = clone(examples.alert) as { body: { title: string } };
    other.body.title = "Another alert";
    const first = parseBroadcast("S", 2, alert);
    const second = parseBroadcast("S", 2, bytes(other));
    expect(second).not.toBe(first);
    expect(second.ok && (second.value.body as { title: string }).title).toBe("Another alert");
    expect(parseBroadcast("T", 2, alert)).not.toBe(second);
  });

  it("remembers a malformed broadcast's problems too", () => {
    const bad = new TextEncoder().encode("{not json");
    const r = parseBroadcast("S", 3, bad);
    expect(r.ok).toBe(false);
    expect(parseBroadcast("S", 3, bad)).toBe(r);
  });

  it("keeps at most BROADCAST_PARSE_MEMO_SIZE entries, dropping the oldest", () => {
    const first = parseBroadcast("U", 0, alert);
    for (let seq = 1; seq <= BROADCAST_PARSE_MEMO_SIZE; seq++) parseBroadcast("U", seq, alert);
    expect(broadcastParseMemoSize()).toBe(BROADCAST_PARSE_MEMO_SIZE);
    expect(parseBroadcast("U", 0, alert)).not.toBe(first);
  });

  it("reads the recipients header once per stored broadcast, with the parse", () => {
    let reads = 0;
    const stored = {
      get headers() {
        reads++;
        return { get: (key: string) => (key === RECIPIENTS_HEADER ? "AZ,KZ" : "") };
      },
    };
    const first = readBroadcast("V", 1, alert, stored);
    const again = readBroadcast("V", 1, alert, stored);
    expect(reads).toBe(1);
    expect(again).toBe(first);
    expect([...first.recipients!]).toEqual(["AZ", "KZ"]);
    expect(readBroadcast("V", 2, alert, {}).recipients).toBeUndefined();
  });
});
