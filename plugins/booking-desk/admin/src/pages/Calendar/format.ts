import { useMemo } from 'react';
import { useIntl } from 'react-intl';
import type { BookingState } from './types';

/** Money (kopecks) and times in the space's time zone, in the admin's language: "1 234,50 ₽" / "RUB 1,234.50". */
export function useFormats(timeZone: string) {
  const { locale } = useIntl();
  return useMemo(() => {
    const tag = locale.startsWith('ru') ? 'ru-RU' : 'en-US';
    const formats = {
      time: new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      day: new Intl.DateTimeFormat(tag, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }),
      longDay: new Intl.DateTimeFormat(tag, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
      dateTime: new Intl.DateTimeFormat(tag, { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    };
    return {
      money: (kopecks: number, currency = 'RUB') =>
        new Intl.NumberFormat(tag, { style: 'currency', currency, minimumFractionDigits: 2 }).format(kopecks / 100),
      time: (iso: string | Date) => formats.time.format(new Date(iso)),
      dateTime: (iso: string | Date) => formats.dateTime.format(new Date(iso)),
      /** A YYYY-MM-DD date as "Mon, 1 Jun" (the date is a calendar date, not an instant). */
      day: (date: string) => formats.day.format(new Date(`${date}T12:00:00Z`)),
      longDay: (date: string) => formats.longDay.format(new Date(`${date}T12:00:00Z`)),
      interval: (startAt: string, endAt: string) => {
        const sameDay = formats.dateTime.format(new Date(startAt)).split(',')[0] === formats.dateTime.format(new Date(endAt)).split(',')[0];
        return sameDay
          ? `${formats.dateTime.format(new Date(startAt))}–${formats.time.format(new Date(endAt))}`
          : `${formats.dateTime.format(new Date(startAt))} – ${formats.dateTime.format(new Date(endAt))}`;
      },
    };
  }, [locale, timeZone]);
}

/** Block colours by state (design-system theme tokens), also used by the legend. */
export const STATE_STYLE: { readonly [S in BookingState]: { background: string; border: string; text: string; dashed?: boolean; faded?: boolean } } = {
  pending_payment: { background: 'warning100', border: 'warning600', text: 'warning700' },
  awaiting_confirmation: { background: 'secondary100', border: 'secondary600', text: 'secondary700' },
  confirmed: { background: 'success100', border: 'success600', text: 'success700' },
  completed: { background: 'neutral150', border: 'neutral500', text: 'neutral700' },
  cancelled: { background: 'danger100', border: 'danger500', text: 'danger700', dashed: true, faded: true },
  rejected: { background: 'danger100', border: 'danger500', text: 'danger700', dashed: true, faded: true },
  expired: { background: 'neutral100', border: 'neutral400', text: 'neutral600', dashed: true, faded: true },
};

/** States that take a place (a lapsed hold no longer does). */
export function takesPlace(block: { state: BookingState; holdExpiresAt: string | null }, now: Date): boolean {
  if (block.state === 'pending_payment') return block.holdExpiresAt !== null && new Date(block.holdExpiresAt).getTime() > now.getTime();
  return block.state === 'awaiting_confirmation' || block.state === 'confirmed';
}
