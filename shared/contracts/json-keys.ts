// Signed messages must be I-JSON (RFC 7493, required by RFC 8785): no object may name a key twice,
// and no string may hold a lone surrogate. JSON.parse silently keeps the last of two values, while
// another reader may keep the first, so a duplicate could show a recipient something other than
// what the coordinator checked; a lone surrogate has no UTF-8 form, so readers in other languages
// replace or refuse it, and their canonical form of the message is not the signer's.

import { isWellFormed } from "./bounded-text.ts";

/** An object or array in its enclosing one, under its key or index: the path, built only when a fault is found. */
interface PathNode {
  parent: PathNode | undefined;
  name: string | number;
}

interface Frame extends PathNode {
  /** Keys seen so far in an object; absent for an array. */
  keys?: Set<string>;
  key?: string;
  index: number;
  expectKey: boolean;
}

/** The path of a node's member `name`, as a rejection names it (a.b[2].c). */
function pathOf(f: PathNode | undefined, name: string | number): string {
  const names: (string | number)[] = [name];
  for (let g = f; g?.parent; g = g.parent) names.push(g.name);
  let path = "";
  for (let i = names.length - 1; i >= 0; i--) {
    const n = names[i]!;
    path = typeof n === "number" ? `${path}[${n}]` : path ? `${path}.${n}` : n;
  }
  return path;
}

/**
 * The path of the first key named twice in one object, in text that JSON.parse accepted; `value`
 * is what it made of the text. It keeps one of two equal keys, so the text names more keys than the
 * value holds exactly when some object names one twice: counted first (native string search and
 * a walk of the value, several times faster than the scan below), the path is looked for only then.
 */
export function findDuplicateKey(text: string, value?: unknown): string | undefined {
  if (value !== undefined && keysNamedIn(text) === ownKeysIn(value)) return undefined;
  return pathOfDuplicate(text);
}

/** How many keys `text` (valid JSON) names: strings followed by a colon. */
function keysNamedIn(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; ) {
    let j = text.indexOf('"', i + 1);
    // A quote after an odd number of backslashes is inside the string.
    for (;;) {
      if (j < 0) return -1;
      let backslashes = 0;
      while (text.charCodeAt(j - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) break;
      j = text.indexOf('"', j + 1);
    }
    let k = j + 1;
    let c = text.charCodeAt(k);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++k);
    if (c === 0x3a) n++;
    i = text.indexOf('"', k);
  }
  return n;
}

/** How many keys the objects in a parsed JSON value hold (a loop: deep nesting must not overflow the stack). */
function ownKeysIn(value: unknown): number {
  let n = 0;
  const open: unknown[] = [value];
  while (open.length) {
    const v = open.pop();
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === "object") open.push(x);
      continue;
    }
    const keys = Object.keys(v);
    n += keys.length;
    for (const k of keys) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === "object") open.push(x);
    }
  }
  return n;
}

function pathOfDuplicate(text: string): string | undefined {
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

/** A surrogate written as an escape (`\uD800`–`\uDFFF`): JSON.parse turns it into one, paired or not. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

interface Container extends PathNode {
  value: object;
}

/**
 * The path of the first string or key holding a lone surrogate in `value`, what JSON.parse made of
 * `text`; undefined when there is none. Only an escape (`\uD800`–`\uDFFF`) or a lone surrogate in
 * the text itself can put one there, so most texts are cleared by two native searches.
 */
export function findLoneSurrogate(text: string, value: unknown): string | undefined {
  if (!SURROGATE_ESCAPE.test(text) && isWellFormed(text)) return undefined;
  if (typeof value === "string") return isWellFormed(value) ? undefined : "";
  const open: Container[] = value !== null && typeof value === "object" ? [{ value, parent: undefined, name: "" }] : [];
  while (open.length) {
    const c = open.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(c.value) ? c.value.map((v, i) => [i, v]) : Object.entries(c.value);
    for (const [name, v] of entries) {
      if (typeof name === "string" && !isWellFormed(name)) return pathOf(c, name);
      if (typeof v === "string" && !isWellFormed(v)) return pathOf(c, name);
      if (v !== null && typeof v === "object") open.push({ value: v, parent: c, name });
    }
  }
  return undefined;
}
