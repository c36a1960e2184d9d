// The report's public face: the metrics contract, the two renderers, the shared findings and the writer.
export { Metrics } from "./metrics.ts";
export { deriveFindings, type Finding, type Findings, type Strength } from "./findings.ts";
export { renderHtml } from "./html.ts";
export { renderMarkdown } from "./markdown.ts";
export { writeReport } from "./write.ts";
