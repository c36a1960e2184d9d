// Signed messages must be I-JSON (RFC 7493, required by RFC 8785): no object may name a key twice.
// JSON.parse silently keeps the last value, while another reader may keep the first, so a
// duplicate could show a recipient something other than what the coordinator checked.

interface Frame {
  /** Keys seen so far in an object; absent for an array. */
  keys?: Set<string>;
  path: string;
  key?: string;
  index: number;
  expectKey: boolean;
}

const child = (f: Frame, name: string | number) => (typeof name === "number" ? `${f.path}[${name}]` : f.path ? `${f.path}.${name}` : name);

/** The path of the first key named twice in one object, in text that JSON.parse accepted. */
export function findDuplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote (escapes skip a character).
      let j = i + 1;
      let escaped = false;
      for (let d = text.charCodeAt(j); d !== 0x22; d = text.charCodeAt(j)) {
        if (d === 0x5c) escaped = true;
        j += d === 0x5c ? 2 : 1;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        // Compared decoded: "a" and "\u0061" are the same key (decoding only when there is an escape).
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key)) return child(top, key);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      const parent = stack[stack.length - 1];
      const path = parent ? (parent.keys ? child(parent, parent.key ?? "") : child(parent, parent.index)) : "";
      stack.push(c === 0x7b ? { keys: new Set(), path, index: 0, expectKey: true } : { path, index: 0, expectKey: false });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return undefined;
}
