// RFC 8785 JSON Canonicalization Scheme (JCS): the byte form that signatures and audit
// hashes cover. Any language with a JCS library reproduces it exactly.

/** Quoted keys, kept: the same few dozen field names recur in every message and record. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(k, q);
  }
  return q;
}

// Loops and string building rather than entries/map/join: it runs for every signature, every
// verification and every audit hash, over records of hundreds of items.
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("JCS: non-finite number");
    // ECMAScript number and string serialisation is exactly what JCS prescribes.
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    // Lists of flat items (a batch's deliveries, a message's recipients) are what make records
    // long: when each item's keys are already in order, native JSON.stringify writes exactly the
    // canonical form, several times faster than building it here.
    if (value.every(isFlatInOrder)) return JSON.stringify(value);
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i ? "," : "") + canonicalize(v === undefined ? null : v);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, the order JCS requires; as do < and >, so keys
  // already in order (items built that way) are not sorted again (a sort allocates a copy).
  const keys = Object.keys(obj);
  if (!inOrder(keys)) keys.sort();
  let out = "{";
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? "" : ",") + quoteKey(k) + ":" + canonicalize(v);
    first = false;
  }
  return `${out}}`;
}

const isPlainValue = (v: unknown) => typeof v === "string" || typeof v === "boolean" || v === null || (typeof v === "number" && Number.isFinite(v));

/** A JSON value JSON.stringify writes canonically: a plain value, or an object of plain values with its keys in order. */
function isFlatInOrder(v: unknown): boolean {
  if (isPlainValue(v)) return true;
  // Plain objects only: JSON.stringify would call a Date's (or any prototype's) toJSON.
  if (typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const o = v as Record<string, unknown>;
  // Object.keys is the order JSON.stringify writes in.
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    if (i && keys[i - 1]! > keys[i]!) return false;
    if (!isPlainValue(o[keys[i]!])) return false;
  }
  return true;
}

function inOrder(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** What a message signature covers: the message without its `signature` field. */
export function signingInput(message: object): Uint8Array {
  const { signature: _omitted, ...rest } = message as { signature?: unknown };
  return new TextEncoder().encode(canonicalize(rest));
}
