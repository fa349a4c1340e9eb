/** Formatting for the widgets, in the admin's language and the space's time zone (from the server's answer). */

/** Kopecks as money: "1 234,50 ₽" (ru) or "RUB 1,234.50" (en). */
export function formatMoney(kopecks: number, locale: string): string {
  const russian = locale.startsWith('ru');
  return new Intl.NumberFormat(russian ? 'ru-RU' : 'en-US', {
    style: 'currency',
    currency: 'RUB',
    currencyDisplay: russian ? 'symbol' : 'code',
    minimumFractionDigits: 2,
  }).format(kopecks / 100);
}

/** "10:00" in the space's time zone. */
export function formatTime(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** "7 дек., 10:00" / "Dec 7, 10:00" in the space's time zone. */
export function formatDayTime(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** The local date (YYYY-MM-DD) of an instant in the space's time zone: the calendar's `date` parameter. */
export function localDate(iso: string, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso))) {
    parts[part.type] = part.value;
  }
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** "10:00–12:00" within one day; "10:00 – 8 дек." when the booking ends on a later day (day and month tariffs). */
export function formatSpan(startIso: string, endIso: string, timeZone: string, locale: string): string {
  const start = formatTime(startIso, timeZone, locale);
  // A booking ending at midnight ends on the day it started.
  const lastMoment = new Date(new Date(endIso).getTime() - 1).toISOString();
  if (localDate(startIso, timeZone) === localDate(lastMoment, timeZone)) return `${start}–${formatTime(endIso, timeZone, locale)}`;
  const endDay = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short' }).format(new Date(lastMoment));
  return `${start} – ${endDay}`;
}
