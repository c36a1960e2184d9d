// Text ATIX writes into signed messages and records from what a sender sent (a field it names, a
// kind, a question): always well-formed, since a lone surrogate has no UTF-8 form and other readers
// replace or refuse it, and cut short at a character, never between the halves of a pair.

// ES2024 string methods, in Node 20 but not in the ES2022 library the project compiles against.
/** Whether `s` holds no lone surrogate. */
export const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();
const toWellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();

/** `s` with any lone surrogate replaced by U+FFFD, in at most `max` UTF-16 units, `ellipsis` included when cut. */
export function boundedText(s: string, max: number, ellipsis = ""): string {
  const text = toWellFormed(s);
  if (text.length <= max) return text;
  let end = max - ellipsis.length;
  // A high surrogate whose low half the cut would leave out goes too.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ellipsis;
}
