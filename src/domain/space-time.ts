/**
 * Wall-clock arithmetic in the space's timezone (ARCHITECTURE §3.2), with the built-in Intl API only.
 * Instants are UTC `Date`s; local calendar days are `YYYY-MM-DD` keys. Zones with daylight saving are
 * handled: a local day may last 23 or 25 hours, and local times that do not exist or happen twice are
 * resolved the way Temporal's "compatible" option does.
 */

export const DEFAULT_SPACE_TIME_ZONE = 'Europe/Moscow';

export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** A calendar day in the space's timezone, as `YYYY-MM-DD`. */
export type DateKey = string;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

function keyParts(key: DateKey): [number, number, number] {
  const match = DATE_KEY.exec(key);
  if (!match) throw new RangeError(`"${key}" is not a date "YYYY-MM-DD"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

const keyOfUtcDate = (date: Date): DateKey => date.toISOString().slice(0, 10);

/** True for a real calendar date written `YYYY-MM-DD` (so "2025-02-30" is refused). */
export function isDateKey(value: unknown): value is DateKey {
  if (typeof value !== 'string' || !DATE_KEY.test(value)) return false;
  const [year, month, day] = keyParts(value);
  return keyOfUtcDate(new Date(Date.UTC(year, month - 1, day))) === value;
}

export function addDays(key: DateKey, days: number): DateKey {
  const [year, month, day] = keyParts(key);
  return keyOfUtcDate(new Date(Date.UTC(year, month - 1, day + days)));
}

/** Same day of the month N months later, clamped to that month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(key: DateKey, months: number): DateKey {
  const [year, month, day] = keyParts(key);
  const lastDay = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return keyOfUtcDate(new Date(Date.UTC(year, month - 1 + months, Math.min(day, lastDay))));
}

export function weekdayOf(key: DateKey): Weekday {
  const [year, month, day] = keyParts(key);
  return WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
}

// Building a DateTimeFormat costs far more than using one, and availability asks many times per request.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`Unknown time zone "${timeZone}": use an IANA name such as "${DEFAULT_SPACE_TIME_ZONE}"`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a RangeError naming the value unless it is a time zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The local wall-clock reading of an instant, expressed as if that reading were UTC (whole seconds). */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

const offsetMs = (instantMs: number, timeZone: string): number =>
  wallClockMs(instantMs, timeZone) - Math.floor(instantMs / 1000) * 1000;

export function localDateOf(instant: Date, timeZone: string): DateKey {
  return keyOfUtcDate(new Date(wallClockMs(instant.getTime(), timeZone)));
}

/**
 * The instant at `minutes` after the start of local day `date` on the wall clock (1440 = the next
 * midnight). A time that happens twice (clocks went back) gives the earlier instant; a time that does
 * not exist (clocks went forward) is moved forward by the length of the gap, so 02:30 on Berlin's
 * spring-forward day is 03:30 CEST.
 */
export function zonedInstant(date: DateKey, minutes: number, timeZone: string): Date {
  const [year, month, day] = keyParts(date);
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE_MS;
  // At most two offsets apply around one wall time: the one before a transition and the one after it.
  const withOffsetBefore = wall - offsetMs(wall - DAY_MS, timeZone);
  const withOffsetAfter = wall - offsetMs(wall + DAY_MS, timeZone);
  const matching = [withOffsetBefore, withOffsetAfter].filter((t) => wallClockMs(t, timeZone) === wall);
  return new Date(matching.length > 0 ? Math.min(...matching) : withOffsetBefore);
}
