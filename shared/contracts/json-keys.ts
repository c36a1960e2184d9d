// Signed messages must be I-JSON (RFC 7493, required by RFC 8785): no object may name a key twice.
// JSON.parse silently keeps the last value, while another reader may keep the first, so a
// duplicate could show a recipient something other than what the coordinator checked.

interface Frame {
  /** Keys seen so far in an object; absent for an array. */
  keys?: Set<string>;
  /** The enclosing object or array, and this one's key or index in it: the path, built only for a duplicate. */
  parent: Frame | undefined;
  name: string | number;
  key?: string;
  index: number;
  expectKey: boolean;
}

/** The path of a frame's member `name`, as a rejection names it (a.b[2].c). */
function pathOf(f: Frame | undefined, name: string | number): string {
  const names: (string | number)[] = [name];
  for (let g = f; g?.parent; g = g.parent) names.push(g.name);
  let path = "";
  for (let i = names.length - 1; i >= 0; i--) {
    const n = names[i]!;
    path = typeof n === "number" ? `${path}[${n}]` : path ? `${path}.${n}` : n;
  }
  return path;
}

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
        if (top.keys.has(key)) return pathOf(top, key);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      // Paths are not built as objects open (most texts have no duplicate): the frame knows its parent and name.
      const parent = stack[stack.length - 1];
      const name = parent ? (parent.keys ? (parent.key ?? "") : parent.index) : "";
      stack.push(c === 0x7b ? { keys: new Set(), parent, name, index: 0, expectKey: true } : { parent, name, index: 0, expectKey: false });
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
