const pad = (value: number) => String(Math.abs(value)).padStart(2, '0');

/**
 * The instant as ISO 8601 in the browser's local time with its UTC offset, e.g. `2026-12-01T10:00:00+03:00`:
 * what the reschedule route asks for (a date-time with a time zone). Milliseconds are dropped: the picker works
 * in minutes.
 */
export function toIsoWithOffset(date: Date): string {
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const local =
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${local}${sign}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
}
