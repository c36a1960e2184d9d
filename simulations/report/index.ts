// The after-action report: metrics.json's contract, the content and its two renderers.
export { Metrics } from "./metrics.ts";
export { renderHtml } from "./html.ts";
export { renderMarkdown } from "./markdown.ts";
export { writeReport } from "./write.ts";
export type { ReportOptions } from "./context.ts";
