/** English member notifications (see notifications.ts for the contract: every value arrives escaped). */
import type { NotificationTexts } from './notifications';

const line = (label: string, value: string | null) => (value ? `\n${label}: ${value}` : '');

const en: NotificationTexts = {
  dateLocale: 'en-GB',
  booking: ({ resource, tariff, when }) => {
    const title = resource && tariff ? `<b>${resource}</b> · ${tariff}` : `<b>${resource || tariff || 'Booking'}</b>`;
    return `${title}\n🗓 ${when}`;
  },
  paymentConfirmed: ({ booking, amount }) => `✅ <b>Payment received, your booking is confirmed</b>\n\n${booking}\nPaid: ${amount}`,
  confirmedByStaff: ({ booking, amount }) =>
    `✅ <b>Your booking was confirmed by our staff</b>\n\n${booking}${line('Payment received', amount)}`,
  rejected: ({ booking, reason }) =>
    `❌ <b>Your booking request was declined</b>\n\n${booking}${line('Reason', reason)}\n\nYou can pick another time in the bot.`,
  cancelledByStaff: ({ booking, reason, refund }) =>
    `❌ <b>Our staff cancelled your booking</b>\n\n${booking}${line('Reason', reason)}` +
    (refund ? `\nRefund: ${refund}, returned the way you paid.` : '') +
    '\n\nWe apologise for the inconvenience.',
  rescheduled: ({ booking }) => `🔁 <b>Our staff moved your booking</b>\n\nNew time:\n${booking}`,
  holdExpired: ({ booking }) =>
    `⌛ <b>The time to pay ran out, so the booking was released</b>\n\n${booking}\n\nIf the time is still free, you can book it again.`,
  requestExpired: ({ booking }) =>
    `⌛ <b>Your booking request was not confirmed in time and has been cancelled</b>\n\n${booking}\n\nPlease try another time.`,
  paymentRefunded: ({ booking, amount }) =>
    `↩️ <b>Your payment is being refunded${amount ? `: ${amount}` : ''}</b>\n\n${booking}\n\n` +
    'The time was taken while your payment was in progress, so the booking could not be confirmed. ' +
    'The money goes back the way you paid.',
  paymentLink: ({ booking, amount, url, until }) =>
    `💳 <b>Our staff booked this for you</b>\n\n${booking}\nTo pay: ${amount}\n\n` +
    `<a href="${url}">Pay online</a>${until ? ` by ${until}` : ''}. An unpaid booking is released.`,
  reminder: ({ booking, in: inTime }) => `⏰ <b>Reminder: your booking starts in ${inTime}</b>\n\n${booking}`,
  ticketReply: ({ subject, text, truncated }) =>
    `💬 <b>Support replied</b> to “${subject}”\n\n${text}` +
    (truncated ? '\n\n<i>The message was shortened; read it in full in your tickets.</i>' : ''),
  staffMessage: ({ text, truncated }) => `✉️ <b>A message from the staff</b>\n\n${text}${truncated ? '\n\n<i>The message was shortened.</i>' : ''}`,
  hours: (n) => `${n} ${n === 1 ? 'hour' : 'hours'}`,
  minutes: (n) => `${n} ${n === 1 ? 'minute' : 'minutes'}`,
};

export default en;
