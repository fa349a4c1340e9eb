/**
 * Renders a member notification (docs/NOTIFICATIONS.md) as Telegram HTML in the member's language. Pure: the
 * data, the clock and the timezone are arguments, so the texts are tested without Strapi or Telegram.
 */
import { type NotificationTexts, notificationTexts } from '../../locales/notifications';
import { HOUR_MS, MINUTE_MS } from '../../domain/space-time';

/** Events of `member.notify` jobs: booking transitions, the refund of an unconfirmable payment, reminders, ticket replies. */
export const BOOKING_EVENTS = [
  'payment_succeeded',
  'late_payment_confirmed',
  'approve',
  'mark_paid',
  'reject',
  'cancel',
  'reschedule',
  'expire_hold',
  'expire_unconfirmed',
  'payment_refunded',
  'reminder',
  'payment_link',
] as const;
export type BookingNotificationEvent = (typeof BOOKING_EVENTS)[number];
export type NotificationEvent = BookingNotificationEvent | 'ticket_reply' | 'staff_message';

export const isNotificationEvent = (value: unknown): value is NotificationEvent =>
  value === 'ticket_reply' || value === 'staff_message' || (BOOKING_EVENTS as readonly unknown[]).includes(value);

/** Longest staff reply quoted in a ticket_reply message; Telegram allows 4096 characters in all. */
export const TICKET_REPLY_MAX_CHARS = 3000;

/** Longest staff message (booking desk member card) sent as it is; the header must fit in Telegram's 4096 too. */
export const STAFF_MESSAGE_MAX_CHARS = 4000;

/** Text for Telegram's HTML parse mode: `&`, `<`, `>` and `"` become entities. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Kopecks as roubles: 150000 → "1 500 ₽", 150050 → "1 500,50 ₽", -5000 → "-50 ₽". */
export function formatMoney(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(Math.round(kopecks));
  const roubles = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const rest = abs % 100;
  return `${sign}${roubles}${rest === 0 ? '' : `,${String(rest).padStart(2, '0')}`} ₽`;
}

/**
 * Cuts `text` to at most `max` characters (whole code points, so no emoji is split), at a word boundary when
 * one is reasonably near, and marks the cut with "…". Whitespace runs of blank lines are kept as they are.
 */
export function truncateText(text: string, max: number): { text: string; truncated: boolean } {
  const trimmed = text.trim();
  const points = Array.from(trimmed);
  if (points.length <= max) return { text: trimmed, truncated: false };
  let cut = points.slice(0, max - 1).join('');
  const lastSpace = cut.search(/\s\S*$/);
  if (lastSpace > cut.length * 0.8) cut = cut.slice(0, lastSpace);
  return { text: `${cut.trimEnd()}…`, truncated: true };
}

function parts(instant: Date, locale: string, timeZone: string) {
  const date = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(instant);
  const shortDate = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long' }).format(instant);
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return { date, shortDate, time };
}

/**
 * A booking's time in the space's timezone: "среда, 25 ноября, 10:00–12:00"; across days
 * "25 ноября, 10:00 – 26 ноября, 12:00"; whole days (midnight to midnight) "25 ноября – 27 ноября".
 */
export function formatInterval(startAt: Date, endAt: Date, locale: string, timeZone: string): string {
  const start = parts(startAt, locale, timeZone);
  const end = parts(endAt, locale, timeZone);
  if (start.time === '00:00' && end.time === '00:00' && endAt > startAt) {
    const lastDay = parts(new Date(endAt.getTime() - 1), locale, timeZone);
    return lastDay.shortDate === start.shortDate ? start.date : `${start.shortDate} – ${lastDay.shortDate}`;
  }
  if (start.date === end.date) return `${start.date}, ${start.time}–${end.time}`;
  return `${start.shortDate}, ${start.time} – ${end.shortDate}, ${end.time}`;
}

/** "24 часа", "1 hour", "30 минут": the time left until the start, as a reminder says it. */
export function formatTimeLeft(ms: number, texts: NotificationTexts): string {
  if (ms >= 90 * MINUTE_MS) return texts.hours(Math.round(ms / HOUR_MS));
  if (ms >= 55 * MINUTE_MS) return texts.hours(1);
  return texts.minutes(Math.max(1, Math.ceil(ms / MINUTE_MS)));
}

export interface BookingView {
  startAt: Date;
  endAt: Date;
  priceTotal: number;
  resourceName: string | null;
  tariffName: string | null;
  cancelReason: string | null;
}

export type RenderInput =
  | {
      kind: 'booking';
      event: BookingNotificationEvent;
      booking: BookingView;
      /** From the job: the reason given with a reject or cancel. */
      reason?: string | null;
      /** From the job: kopecks refunded by a staff cancellation, or by payment_refunded. */
      amount?: number | null;
      /** payment_link: the payment page and when the hold ends (read when the job runs). */
      payment?: { url: string; until: Date | null };
    }
  | { kind: 'ticket'; subject: string; body: string }
  /** staff_message: plain text from staff (booking desk member card). */
  | { kind: 'staff'; text: string };

export interface RenderContext {
  language: string | null | undefined;
  timeZone: string;
  now: Date;
}

/** The message for one notification, as Telegram HTML (every value from the database escaped). */
export function renderNotification(input: RenderInput, context: RenderContext): string {
  const texts = notificationTexts(context.language);
  if (input.kind === 'ticket') {
    const { text, truncated } = truncateText(input.body, TICKET_REPLY_MAX_CHARS);
    return texts.ticketReply({ subject: escapeHtml(truncateText(input.subject, 200).text), text: escapeHtml(text), truncated });
  }
  if (input.kind === 'staff') {
    const { text, truncated } = truncateText(input.text, STAFF_MESSAGE_MAX_CHARS);
    return texts.staffMessage({ text: escapeHtml(text), truncated });
  }
  const { booking, event } = input;
  const block = texts.booking({
    resource: escapeHtml(booking.resourceName ?? ''),
    tariff: escapeHtml(booking.tariffName ?? ''),
    when: escapeHtml(formatInterval(booking.startAt, booking.endAt, texts.dateLocale, context.timeZone)),
  });
  const reasonText = (input.reason ?? booking.cancelReason ?? '').trim();
  const reason = reasonText ? escapeHtml(truncateText(reasonText, 500).text) : null;
  const money = (kopecks: number | null | undefined) => (typeof kopecks === 'number' && kopecks > 0 ? formatMoney(kopecks) : null);
  switch (event) {
    case 'payment_succeeded':
    case 'late_payment_confirmed':
      return texts.paymentConfirmed({ booking: block, amount: formatMoney(booking.priceTotal) });
    case 'approve':
      return texts.confirmedByStaff({ booking: block, amount: null });
    case 'mark_paid':
      return texts.confirmedByStaff({ booking: block, amount: money(booking.priceTotal) });
    case 'reject':
      return texts.rejected({ booking: block, reason });
    case 'cancel':
      return texts.cancelledByStaff({ booking: block, reason, refund: money(input.amount) });
    case 'reschedule':
      return texts.rescheduled({ booking: block });
    case 'expire_hold':
      return texts.holdExpired({ booking: block });
    case 'expire_unconfirmed':
      return texts.requestExpired({ booking: block });
    case 'payment_refunded':
      return texts.paymentRefunded({ booking: block, amount: money(input.amount) });
    case 'payment_link': {
      const until = input.payment?.until
        ? new Intl.DateTimeFormat(texts.dateLocale, { timeZone: context.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(input.payment.until)
        : null;
      return texts.paymentLink({ booking: block, amount: formatMoney(booking.priceTotal), url: escapeHtml(input.payment?.url ?? ''), until });
    }
    case 'reminder':
      return texts.reminder({ booking: block, in: formatTimeLeft(booking.startAt.getTime() - context.now.getTime(), texts) });
  }
}
