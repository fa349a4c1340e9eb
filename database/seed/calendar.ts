/**
 * Local-time arithmetic for the demo space, which runs on Europe/Moscow time. Moscow has had no
 * daylight saving since 2014, so a fixed UTC+3 offset is exact and needs no timezone database.
 */
import { addDays, addMonths, type DateKey, HOUR_MS, MINUTE_MS, type Weekday, WEEKDAYS, weekdayOf } from '../../src/domain/space-time';

export { addDays, addMonths, type DateKey, HOUR_MS, MINUTE_MS, type Weekday, WEEKDAYS, weekdayOf };

const OFFSET_MS = 3 * 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

const parseKey = (key: DateKey) => key.split('-').map(Number) as [number, number, number];
const formatUtcDate = (date: Date): DateKey => date.toISOString().slice(0, 10);

export function localDateKey(instant: Date): DateKey {
  return formatUtcDate(new Date(instant.getTime() + OFFSET_MS));
}

export function daysBetween(from: DateKey, to: DateKey): number {
  const [y1, m1, d1] = parseKey(from);
  const [y2, m2, d2] = parseKey(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / DAY_MS);
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
