// Structured logs: one JSON event per line (pino); pretty when a person watches a terminal.
import { pino, type Logger } from "pino";

export type { Logger };

/** `defaultLevel` applies unless ATIX_LOG_LEVEL says otherwise. */
export function createLogger(name: string, bindings: Record<string, unknown> = {}, defaultLevel = "info"): Logger {
  const level = process.env.ATIX_LOG_LEVEL || defaultLevel;
  const pretty = process.env.ATIX_LOG_PRETTY === "1" || (process.env.ATIX_LOG_PRETTY !== "0" && process.stderr.isTTY);
  const transport = pretty ? { target: "pino-pretty", options: { destination: 2, ignore: "pid,hostname" } } : undefined;
  return pino({ name, level, base: { ...bindings }, ...(transport ? { transport } : {}) }, transport ? undefined : pino.destination(2));
}
