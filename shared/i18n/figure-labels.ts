// The exchange's figures in words, from the reader's catalogue: each figure's label, what it
// counts, and how it reads inside a line. The dashboard, the progress line, `atix status`, the
// run's summary and the report name every figure through these (shared/exchange/figures.ts counts
// them), so a figure has one name per language wherever it is shown.
import type { FigureKey } from "../exchange/figures.ts";
import type { Translator } from "./translator.ts";

/** Figures the 80-column progress line shows, by their short forms. */
export type ShortFigure = "deliveries" | "acknowledged" | "escalations" | "rejected";

/** "Deliveries" / "Доставки". */
export const figureLabel = (t: Translator, key: FigureKey): string => t.t(`figure.${key}`);

/** What the figure counts, in a sentence. */
export const figureHow = (t: Translator, key: FigureKey): string => t.t(`figure.${key}.how`);

/** "deliveries 3,634" / "доставки: 3 634": a figure inside a line of text. */
export const figureInline = (t: Translator, key: FigureKey, n: number): string => {
  const label = figureLabel(t, key);
  return t.t("figure.inline", { label: label[0]!.toLocaleLowerCase(t.locale) + label.slice(1), n });
};

/** "deliv 3,634": the progress line's form. */
export const figureShort = (t: Translator, key: ShortFigure, n: number): string => `${t.t(`figure.${key}.short`)} ${t.int(n)}`;
