/**
 * Dates in the space's time zone (GET /newsletter/settings → timeZone), whatever the browser's own zone is.
 */
const pad = (value: number) => String(value).padStart(2, '0');

/** The wall-clock parts of an instant in a time zone. */
function partsIn(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

/** Minutes the zone is ahead of UTC at this instant (Moscow: 180). */
export function offsetMinutes(date: Date, timeZone: string): number {
  const p = partsIn(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** `YYYY-MM-DDTHH:mm` (a datetime-local input's value) of an instant, in the zone. */
export function toLocalInput(date: Date, timeZone: string): string {
  const p = partsIn(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** `YYYY-MM-DD` of an instant in the zone. */
export function dateIn(date: Date, timeZone: string): string {
  return toLocalInput(date, timeZone).slice(0, 10);
}

/**
 * A wall-clock `YYYY-MM-DDTHH:mm` in the zone as ISO 8601 with the zone's offset, e.g.
 * `2026-12-01T10:00:00+03:00` (what POST …/send takes as scheduledAt). Null when the value is not a date-time.
 */
export function zonedToIso(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // The offset at the instant itself: guess with the offset at the wall time read as UTC, then correct once.
  let offset = offsetMinutes(new Date(wall), timeZone);
  offset = offsetMinutes(new Date(wall - offset * 60000), timeZone);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:00${sign}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`;
}

/** An instant as the staff read it: date and time in the space's zone, in the admin's language. */
export function formatWhen(value: string | null | undefined, locale: string, timeZone: string): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A duration in seconds as "1 h 5 min", "3 min", "40 s" (unit words from the caller). */
export function formatDuration(seconds: number, units: { h: string; min: string; s: string }): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} ${units.h} ${m} ${units.min}`;
  if (m > 0) return s > 0 && m < 10 ? `${m} ${units.min} ${s} ${units.s}` : `${m} ${units.min}`;
  return `${s} ${units.s}`;
}

/** Money in kopecks as rubles, e.g. "1 500 ₽". */
export function formatRubles(kopecks: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'RUB', maximumFractionDigits: kopecks % 100 === 0 ? 0 : 2 }).format(kopecks / 100);
}
