import { appendFileSync } from "node:fs";
export const tnow = () => performance.timeOrigin + performance.now();
export function trace(what: string, id: string) {
  if (process.env.ATIX_TRACE) appendFileSync(process.env.ATIX_TRACE, `${tnow().toFixed(3)} ${what} ${id}\n`);
}
