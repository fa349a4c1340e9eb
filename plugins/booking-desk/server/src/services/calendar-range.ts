/**
 * The calendar's date range (GET /booking-desk/calendar?from=&to=): pure functions, no Strapi, so the unit tests
 * import them directly (tests/unit/booking-desk/calendar-range.test.ts). A plugin cannot import the app's
 * src/domain/space-time.ts, so the two bits of wall-clock arithmetic it needs are written out here again,
 * with the same rules (Intl only; on a daylight-saving gap the earlier matching instant, as Temporal's
 * "compatible" option).
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;
/** The longest range one request may ask for. */
export const MAX_RANGE_DAYS = 31;

const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock time at `instantMs` in `timeZone`, as if it were UTC (milliseconds). */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
}

const realDate = (year: number, month: number, day: number) => {
  if (month < 1 || month > 12 || day < 1) return false;
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return day <= last.getUTCDate();
};

/** True for a real calendar date written YYYY-MM-DD. */
export function isDateKey(value: string): boolean {
  const match = DATE_KEY.exec(value);
  return match !== null && realDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** The local date (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDateOf(instant: Date, timeZone: string): string {
  return new Date(wallClockMs(instant.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The date `days` after a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The instant of local midnight (plus `minutes`) of a YYYY-MM-DD date in `timeZone`. */
export function zonedInstant(date: string, minutes: number, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE_MS;
  const offsetAt = (instant: number) => wallClockMs(instant, timeZone) - instant;
  const candidates = [wall - offsetAt(wall - DAY_MS), wall - offsetAt(wall + DAY_MS)];
  const matching = candidates.filter((instant) => wallClockMs(instant, timeZone) === wall);
  return new Date(matching.length > 0 ? Math.min(...matching) : candidates[0]);
}

/** The instant an RFC 3339 date-time with an offset (or Z) names; null when it names none. */
export function parseDateTime(value: string): Date | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const millisecond = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  const sign = match[8] === '-' ? -1 : 1;
  const offsetHours = match[9] === undefined ? 0 : Number(match[9]);
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10]);
  if (!realDate(year, month, day) || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, millisecond);
  return new Date(wall.getTime() - sign * (offsetHours * 60 + offsetMinutes) * MINUTE_MS);
}

/** A bound as given: a date (local midnight of that day in the space) or a date-time with an offset. */
export type RangeBound = { kind: 'date'; date: string } | { kind: 'instant'; instant: Date };

/** Reads one bound; null when the text is neither form. */
export function parseBound(value: string): RangeBound | null {
  if (DATE_KEY.test(value)) return isDateKey(value) ? { kind: 'date', date: value } : null;
  const instant = parseDateTime(value);
  return instant === null ? null : { kind: 'instant', instant };
}

export type RangeOutcome =
  | { ok: true; from: Date; to: Date }
  | { ok: false; field: 'to'; message: string };

/**
 * The half-open range [from, to) the calendar shows. A date `from` starts at its local midnight; a date `to`
 * is included whole (the range ends at the next local midnight), so `from=2026-06-01&to=2026-06-07` is one
 * week. Date-times are taken as the instants they name. The range must be non-empty and at most 31 days.
 */
export function resolveRange(from: RangeBound, to: RangeBound, timeZone: string): RangeOutcome {
  const start = from.kind === 'date' ? zonedInstant(from.date, 0, timeZone) : from.instant;
  const end = to.kind === 'date' ? zonedInstant(addDays(to.date, 1), 0, timeZone) : to.instant;
  if (end.getTime() <= start.getTime()) return { ok: false, field: 'to', message: '`to` must be after `from`.' };
  // Local days, so a week across a daylight-saving change is still 7 days.
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS + 2 * 60 * MINUTE_MS) {
    return { ok: false, field: 'to', message: `The calendar shows at most ${MAX_RANGE_DAYS} days at a time.` };
  }
  return { ok: true, from: start, to: end };
}

/** How far back a booking that still overlaps the range can have started: the longest a tariff allows. */
export function longestBookingMs(tariffs: readonly { billingUnit: string; maxUnits: number | null }[]): number {
  const unit: Record<string, number> = { hour: 60 * MINUTE_MS, day: DAY_MS, month: 31 * DAY_MS };
  let longest = DAY_MS;
  for (const tariff of tariffs) longest = Math.max(longest, (unit[tariff.billingUnit] ?? 31 * DAY_MS) * Math.max(1, tariff.maxUnits ?? 1));
  // One more day for daylight-saving days and rounding to local midnight.
  return longest + DAY_MS;
}
