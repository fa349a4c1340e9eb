/**
 * The texts of the member notifications sent to Telegram (src/api/notification, docs/NOTIFICATIONS.md), one
 * catalogue per language. Every value handed to a text is already HTML-escaped and formatted (money, times) by
 * the renderer, so a catalogue only arranges it; the result is Telegram HTML (`parse_mode: 'HTML'`).
 */
import en from './notifications.en';
import ru from './notifications.ru';

export type NotificationLanguage = 'ru' | 'en';

/** A booking as a notification shows it; every field is escaped HTML. */
export interface BookingLines {
  /** The resource's name (may be empty). */
  resource: string;
  /** The tariff's name (may be empty). */
  tariff: string;
  /** Start and end in the space's timezone, e.g. "среда, 25 ноября, 10:00–12:00". */
  when: string;
}

export interface NotificationTexts {
  /** The booking block shared by the booking messages. */
  booking(b: BookingLines): string;
  /** payment_succeeded, late_payment_confirmed: paid online and confirmed. `amount` e.g. "1 500 ₽". */
  paymentConfirmed(v: { booking: string; amount: string }): string;
  /** approve, mark_paid: staff confirmed the booking (`amount` when it was paid at the desk). */
  confirmedByStaff(v: { booking: string; amount: string | null }): string;
  /** reject: staff turned the request down. */
  rejected(v: { booking: string; reason: string | null }): string;
  /** cancel by staff, with the refund under way (null: nothing to refund). */
  cancelledByStaff(v: { booking: string; reason: string | null; refund: string | null }): string;
  /** reschedule by staff: `booking` shows the new time. */
  rescheduled(v: { booking: string }): string;
  /** expire_hold: not paid in time. */
  holdExpired(v: { booking: string }): string;
  /** expire_unconfirmed: staff did not answer the request in time. */
  requestExpired(v: { booking: string }): string;
  /** payment_refunded: paid, but the slot was taken meanwhile (or the booking ended), so the money goes back. */
  paymentRefunded(v: { booking: string; amount: string | null }): string;
  /** payment_link: staff booked for the member; `url` (escaped) is the YooKassa page, `until` the end of the hold. */
  paymentLink(v: { booking: string; amount: string; url: string; until: string | null }): string;
  /** reminder before the start; `in` e.g. "24 часа", "30 минут". */
  reminder(v: { booking: string; in: string }): string;
  /** ticket_reply: the staff message, already truncated; `subject` of the ticket. */
  ticketReply(v: { subject: string; text: string; truncated: boolean }): string;
  /** staff_message: a message from staff (member card), plain text escaped and maybe shortened. */
  staffMessage(v: { text: string; truncated: boolean }): string;
  /** "24 часа" / "24 hours". */
  hours(n: number): string;
  /** "30 минут" / "30 minutes". */
  minutes(n: number): string;
  /** BCP 47 locale for dates ("ru-RU", "en-GB"). */
  dateLocale: string;
}

const catalogues: Record<NotificationLanguage, NotificationTexts> = { ru, en };

/** The member's catalogue; anything but "en" gets Russian, the space's main language. */
export function notificationTexts(language: string | null | undefined): NotificationTexts {
  return language === 'en' ? catalogues.en : catalogues.ru;
}
