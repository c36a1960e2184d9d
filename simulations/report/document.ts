// The report as a document both renderers share: one list of sections, each a list of blocks, so
// report.html and report.md say the same things in the same order. Charts and the agency map are
// HTML's; each carries the blocks Markdown shows instead.

export type Tone = "good" | "warn" | "bad" | "none";

export type Span =
  | string
  | { kind: "strong"; text: string }
  | { kind: "code"; text: string }
  | { kind: "muted"; text: string }
  /** A coloured label: `cls` picks its colour in HTML (b-met, b-fail, b-high…); Markdown shows `mark` and the text. */
  | { kind: "badge"; cls: string; mark: string; text: string };
export type Text = Span | Span[];

export interface Figure {
  label: string;
  value: string;
  tone: Tone;
  note?: string;
  /** How it is counted: a tooltip in HTML, a column in Markdown. */
  how?: string;
}

export interface Cell {
  text: Text;
  num?: boolean;
  /** Kept on one line in HTML. */
  nowrap?: boolean;
}

export type Block =
  | { kind: "p"; text: Text; style?: "lead" | "note" }
  | { kind: "h3"; text: Text }
  | { kind: "list"; items: Text[] }
  | { kind: "table"; head: { text: string; num?: boolean }[]; rows: { cells: (Cell | Text)[]; tone?: string }[] }
  | { kind: "figures"; items: Figure[] }
  | { kind: "callout"; tone: "disclaimer" | "anonymised" | "warning"; text: Text }
  /** HTML-only content (an SVG chart, the agency map, cards) and what Markdown shows instead. */
  | { kind: "visual"; html: string; md: Block[] };

export interface Section {
  id: string;
  title: string;
  lead?: Text;
  blocks: Block[];
}

export const strong = (text: string): Span => ({ kind: "strong", text });
export const code = (text: string): Span => ({ kind: "code", text });
export const muted = (text: string): Span => ({ kind: "muted", text });
export const p = (text: Text, style?: "lead" | "note"): Block => ({ kind: "p", text, ...(style ? { style } : {}) });

/** The plain text of a Text, for titles and tooltips. */
export const plain = (t: Text): string => (Array.isArray(t) ? t.map(plain).join("") : typeof t === "string" ? t : t.text);
