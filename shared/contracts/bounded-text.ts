// Text ATIX writes into signed messages and records from what a sender sent (a field it names, a
// kind, a question): always well-formed, since a lone surrogate has no UTF-8 form and other readers
// replace or refuse it, and cut short at a character, never between the halves of a pair.

const wellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed();

/** `s` with any lone surrogate replaced by U+FFFD, in at most `max` UTF-16 units, `ellipsis` included when cut. */
export function boundedText(s: string, max: number, ellipsis = ""): string {
  const text = wellFormed(s);
  if (text.length <= max) return text;
  let end = max - ellipsis.length;
  // A high surrogate whose low half the cut would leave out goes too.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ellipsis;
}
