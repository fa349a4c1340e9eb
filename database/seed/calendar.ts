/**
 * Local-time arithmetic for the demo space, which runs on Europe/Moscow time. Moscow has had no
 * daylight saving since 2014, so a fixed UTC+3 offset is exact and needs no timezone database.
 */
const OFFSET_MS = 3 * 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A calendar day in the space's timezone, as `YYYY-MM-DD`. */
export type DateKey = string;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const parseKey = (key: DateKey) => key.split('-').map(Number) as [number, number, number];
const formatUtcDate = (date: Date): DateKey => date.toISOString().slice(0, 10);

export function localDateKey(instant: Date): DateKey {
  return formatUtcDate(new Date(instant.getTime() + OFFSET_MS));
}

export function addDays(key: DateKey, days: number): DateKey {
  const [year, month, day] = parseKey(key);
  return formatUtcDate(new Date(Date.UTC(year, month - 1, day + days)));
}

/** Same day of the month N months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(key: DateKey, months: number): DateKey {
  const [year, month, day] = parseKey(key);
  const lastDay = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return formatUtcDate(new Date(Date.UTC(year, month - 1 + months, Math.min(day, lastDay))));
}

export function daysBetween(from: DateKey, to: DateKey): number {
  const [y1, m1, d1] = parseKey(from);
  const [y2, m2, d2] = parseKey(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / DAY_MS);
}

export function weekdayOf(key: DateKey): Weekday {
  const [year, month, day] = parseKey(key);
  return WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
}

/** The instant at `minutes` after local midnight of `key`. */
export function atLocal(key: DateKey, minutes = 0): Date {
  const [year, month, day] = parseKey(key);
  return new Date(Date.UTC(year, month - 1, day) + minutes * MINUTE_MS - OFFSET_MS);
}

/** "09:30" → 570. */
export function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

/** The stretch of days the demo history covers: six months back from the anchor, two weeks ahead. */
export interface Timeline {
  /** "Now" for the demo data: fixed at the first run so later runs rebuild identical rows. */
  anchor: Date;
  today: DateKey;
  firstDay: DateKey;
  lastDay: DateKey;
}

export const HISTORY_DAYS = 182;
export const FUTURE_DAYS = 14;

export function timelineAt(anchor: Date): Timeline {
  const today = localDateKey(anchor);
  return { anchor, today, firstDay: addDays(today, -HISTORY_DAYS), lastDay: addDays(today, FUTURE_DAYS) };
}
