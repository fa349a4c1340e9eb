/**
 * Reading the date-times clients send. Pure: no clock, no I/O.
 *
 * The API takes an ISO 8601 / RFC 3339 date-time with an explicit UTC offset: `2026-12-01T10:00:00+03:00`,
 * `2026-12-01T07:00:00Z`, with optional seconds and fraction (and `+0300` without the colon, which clients
 * already send). The offset may be anything RFC 3339's grammar allows, from −23:59 to +23:59: any such
 * offset names one instant, and the booking rules (opening hours, lead time, horizon) then judge that
 * instant. Beyond that (`+99:00`, `-24:00`, `+03:60`) the text names no instant and is refused, as are
 * calendar dates that do not exist (`2026-02-30`).
 */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

const MINUTE_MS = 60_000;

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** The instant an RFC 3339 date-time with an offset names, or null when the text names none. */
export function parseDateTime(value: string): Date | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const millisecond = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  const sign = match[8] === '-' ? -1 : 1;
  const offsetHours = match[9] === undefined ? 0 : Number(match[9]);
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (offsetHours > 23 || offsetMinutes > 59) return null;

  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, millisecond);
  return new Date(wall.getTime() - sign * (offsetHours * 60 + offsetMinutes) * MINUTE_MS);
}
