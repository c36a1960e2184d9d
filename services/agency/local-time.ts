// Local wall-clock time in an agency's IANA time zone, from simulated UTC instants. Shifts and
// night hours are local, so a post in Tokyo and one in Lima sleep at different UTC times.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Offsets change only at UTC instants on a quarter hour: one lookup serves each quarter. */
const QUARTER_MS = 15 * 60_000;
const offsets = new Map<string, number>();
/** Each zone's last quarter looked up: most lookups (every delivery asks) fall in it, with no key to build. */
const lastQuarter = new Map<string, { quarter: number; off: number }>();

/** The zone's offset from UTC at `ms`, in ms (positive east of Greenwich). */
export function offsetMs(timeZone: string, ms: number): number {
  const quarter = Math.floor(ms / QUARTER_MS);
  const last = lastQuarter.get(timeZone);
  if (last?.quarter === quarter) return last.off;
  const key = `${timeZone}|${quarter}`;
  let off = offsets.get(key);
  if (off === undefined) {
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, (off = lookUpOffset(timeZone, ms)));
  }
  if (last) {
    last.quarter = quarter;
    last.off = off;
  } else if (lastQuarter.size < 1_000) lastQuarter.set(timeZone, { quarter, off });
  return off;
}

function lookUpOffset(timeZone: string, ms: number): number {
  const p: Record<string, number> = {};
  for (const part of format(timeZone).formatToParts(ms)) if (part.type !== "literal") p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Local hour of day as a fraction (14.5 is 14:30) at `ms`. */
export function localHour(timeZone: string, ms: number): number {
  const local = ms + offsetMs(timeZone, ms);
  return ((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** The first instant strictly after `ms` at which the local clock shows `hour`:00. */
export function nextLocalHour(timeZone: string, ms: number, hour: number): number {
  const local = ms + offsetMs(timeZone, ms);
  let target = Math.floor(local / DAY_MS) * DAY_MS + hour * HOUR_MS;
  if (target <= local) target += DAY_MS;
  // Convert back with the offset in force at the target (twice, to settle across a DST change).
  let utc = target - offsetMs(timeZone, target - offsetMs(timeZone, ms));
  utc = target - offsetMs(timeZone, utc);
  return utc > ms ? utc : utc + DAY_MS;
}

/** Whether a local hour falls in [from, to), wrapping midnight when from > to; from == to: never. */
export function inHours(h: number, from: number, to: number): boolean {
  if (from === to) return false;
  return from < to ? h >= from && h < to : h >= from || h < to;
}
