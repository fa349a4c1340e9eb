import type { IntlShape } from 'react-intl';

/** Kopecks as money in the staff's language: "1 234,50 ₽" (ru), "RUB 1,234.50" (en). */
export const formatMoney = (intl: IntlShape, kopecks: number, currency = 'RUB') =>
  intl.formatNumber(kopecks / 100, { style: 'currency', currency, minimumFractionDigits: 2 });

/** A date and time in the space's timezone ("—" when there is none). */
export const formatDateTime = (intl: IntlShape, value: string | null | undefined, timeZone?: string) =>
  value ? intl.formatDate(value, { timeZone, dateStyle: 'medium', timeStyle: 'short' }) : '—';

export const formatDate = (intl: IntlShape, value: string | null | undefined, timeZone?: string) =>
  value ? intl.formatDate(value, { timeZone, dateStyle: 'medium' }) : '—';

/** A booking's time: "7 дек. 2026 г., 10:00–12:00" (the end's date only when it differs). */
export function formatInterval(intl: IntlShape, startAt: string | null, endAt: string | null, timeZone?: string): string {
  if (!startAt) return '—';
  const start = formatDateTime(intl, startAt, timeZone);
  if (!endAt) return start;
  const sameDay = intl.formatDate(startAt, { timeZone, dateStyle: 'short' }) === intl.formatDate(endAt, { timeZone, dateStyle: 'short' });
  const end = sameDay ? intl.formatTime(endAt, { timeZone, timeStyle: 'short' }) : formatDateTime(intl, endAt, timeZone);
  return `${start}–${end}`;
}

/** "Анна Смирнова", else "@anna", else "tg 12345", else the fallback. */
export function memberName(member: { fullName: string | null; telegramUsername: string | null; telegramId: string | null }, fallback: string) {
  return member.fullName || (member.telegramUsername ? `@${member.telegramUsername}` : member.telegramId ? `tg ${member.telegramId}` : fallback);
}
