// Small statistics helpers for the report.
export { percentile, sortedSample } from "../../shared/stats.ts";

export const round = (v: number | null, digits = 2) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
export const minutes = (ms: number | null) => (ms === null ? null : round(ms / 60_000));
