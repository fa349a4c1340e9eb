/**
 * The texts of the staff alerts posted to the staff chat in Telegram (src/api/notification/services/staff-alerts.ts,
 * docs/NOTIFICATIONS.md § Staff alerts), one catalogue per language (STAFF_ALERTS_LANGUAGE, Russian by default).
 * Every value handed to a text is already HTML-escaped and formatted (money, times, names) by the service, so a
 * catalogue only arranges it; the result is Telegram HTML (`parse_mode: 'HTML'`). `link` is an escaped URL.
 */
import en from './staff-alerts.en';
import ru from './staff-alerts.ru';

export type StaffAlertLanguage = 'ru' | 'en';

export interface StaffAlertTexts {
  /** A booking request waits for staff approval. */
  bookingAwaiting(v: { member: string; tariff: string; resource: string; when: string; amount: string; link: string }): string;
  /** A member opened a ticket; `text` is the first message, shortened. */
  ticketNew(v: { member: string; subject: string; priority: string; text: string; link: string }): string;
  /** A member answered in a ticket; `text` is the message, shortened. */
  ticketReply(v: { member: string; subject: string; text: string; link: string }): string;
  /** A payment was cancelled by YooKassa or refused when it was created. */
  paymentFailed(v: { member: string; amount: string; reason: string; booking: string | null; link: string }): string;
  /** A refund was cancelled by YooKassa. */
  refundFailed(v: { member: string; amount: string; booking: string | null; link: string }): string;
  /** An outbox job used up its attempts or failed for good. */
  jobDead(v: { kind: string; attempts: string; error: string; link: string }): string;
  /** "бронь №12, 25 ноября 10:00–11:00" as the payment alerts show it. */
  bookingRef(v: { id: string; when: string }): string;
  /** Label of a ticket priority. */
  priority(value: string): string;
  /** Shown for a member the alert cannot name (deleted, or none). */
  unknownMember: string;
  /** Shown when YooKassa gave no reason. */
  noReason: string;
  /** BCP 47 locale for dates ("ru-RU", "en-GB"). */
  dateLocale: string;
  /** Kopecks as money in this language: "1 234,50 ₽" / "RUB 1,234.50". */
  money(kopecks: number): string;
}

const catalogues: Record<StaffAlertLanguage, StaffAlertTexts> = { ru, en };

export const STAFF_ALERT_LANGUAGES: readonly StaffAlertLanguage[] = ['ru', 'en'];

export function staffAlertTexts(language: StaffAlertLanguage): StaffAlertTexts {
  return catalogues[language];
}
