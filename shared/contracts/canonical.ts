// RFC 8785 JSON Canonicalization Scheme (JCS): the byte form that signatures and audit
// hashes cover. Any language with a JCS library reproduces it exactly.

export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("JCS: non-finite number");
    // ECMAScript number and string serialisation is exactly what JCS prescribes.
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); // UTF-16 code unit order, as JCS requires
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalize(v)}`).join(",")}}`;
}

/** What a message signature covers: the message without its `signature` field. */
export function signingInput(message: object): Uint8Array {
  const { signature: _omitted, ...rest } = message as { signature?: unknown };
  return new TextEncoder().encode(canonicalize(rest));
}
