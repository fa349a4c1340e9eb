/** English staff alerts (see staff-alerts.ts for the contract: every value arrives escaped). */
import type { StaffAlertTexts } from './staff-alerts';

const open = (link: string, label: string) => `\n\n<a href="${link}">${label}</a>`;

/** 123456 → "RUB 1,234.56". */
function money(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(Math.round(kopecks));
  const roubles = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}RUB ${roubles}.${String(abs % 100).padStart(2, '0')}`;
}

const en: StaffAlertTexts = {
  dateLocale: 'en-GB',
  money,
  unknownMember: 'unknown member',
  noReason: 'no reason given',
  priority: (value) => value,
  bookingRef: ({ id, when }) => `booking #${id}, ${when}`,
  bookingAwaiting: ({ member, tariff, resource, when, amount, link }) =>
    `🕓 <b>Booking request awaits approval</b>\n\n${member}\n${[resource, tariff].filter(Boolean).join(' · ')}\n🗓 ${when}\nAmount: ${amount}` +
    open(link, 'Open in the calendar'),
  ticketNew: ({ member, subject, priority, text, link }) =>
    `🆕 <b>New ticket</b>: ${subject}\n${member} · priority: ${priority}\n\n${text}` + open(link, 'Open in the inbox'),
  ticketReply: ({ member, subject, text, link }) =>
    `💬 <b>Member replied</b> in “${subject}”\n${member}\n\n${text}` + open(link, 'Open in the inbox'),
  paymentFailed: ({ member, amount, reason, booking, link }) =>
    `⚠️ <b>Payment failed</b>: ${amount}\n${member}${booking ? `\n${booking}` : ''}\nReason: ${reason}` + open(link, 'Open'),
  refundFailed: ({ member, amount, booking, link }) =>
    `⚠️ <b>Refund failed</b>: ${amount}\n${member}${booking ? `\n${booking}` : ''}\n\nYooKassa cancelled the refund. Return the money by hand or refund again.` +
    open(link, 'Open'),
  jobDead: ({ kind, attempts, error, link }) =>
    `🛑 <b>Background job stopped</b>: <code>${kind}</code>\nAttempts: ${attempts}\nError: ${error}\n\nFix the cause, then run the job again with the Retry button on its page.` +
    open(link, 'Open the job'),
};

export default en;
