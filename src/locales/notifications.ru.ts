/** Russian member notifications (see notifications.ts for the contract: every value arrives escaped). */
import type { NotificationTexts } from './notifications';

/** 1 час, 2 часа, 5 часов, 21 час … */
function plural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

const line = (label: string, value: string | null) => (value ? `\n${label}: ${value}` : '');

const ru: NotificationTexts = {
  dateLocale: 'ru-RU',
  booking: ({ resource, tariff, when }) => {
    const title = resource && tariff ? `<b>${resource}</b> · ${tariff}` : `<b>${resource || tariff || 'Бронь'}</b>`;
    return `${title}\n🗓 ${when}`;
  },
  paymentConfirmed: ({ booking, amount }) => `✅ <b>Оплата получена, бронь подтверждена</b>\n\n${booking}\nОплачено: ${amount}`,
  confirmedByStaff: ({ booking, amount }) =>
    `✅ <b>Администратор подтвердил вашу бронь</b>\n\n${booking}${line('Оплата принята', amount)}`,
  rejected: ({ booking, reason }) =>
    `❌ <b>Заявка на бронирование отклонена</b>\n\n${booking}${line('Причина', reason)}\n\nМожно выбрать другое время в боте.`,
  cancelledByStaff: ({ booking, reason, refund }) =>
    `❌ <b>Администратор отменил вашу бронь</b>\n\n${booking}${line('Причина', reason)}` +
    (refund ? `\nВернём: ${refund} — деньги придут тем же способом, которым вы платили.` : '') +
    '\n\nПриносим извинения.',
  rescheduled: ({ booking }) => `🔁 <b>Администратор перенёс вашу бронь</b>\n\nНовое время:\n${booking}`,
  holdExpired: ({ booking }) =>
    `⌛ <b>Время на оплату истекло, бронь снята</b>\n\n${booking}\n\nЕсли время ещё свободно, его можно забронировать снова.`,
  requestExpired: ({ booking }) =>
    `⌛ <b>Заявку не успели подтвердить, она отменена</b>\n\n${booking}\n\nПопробуйте выбрать другое время.`,
  paymentRefunded: ({ booking, amount }) =>
    `↩️ <b>Оплата возвращается${amount ? `: ${amount}` : ''}</b>\n\n${booking}\n\n` +
    'Пока шла оплата, это время заняли, поэтому подтвердить бронь не получилось. ' +
    'Деньги вернутся тем же способом, которым вы платили.',
  paymentLink: ({ booking, amount, url, until }) =>
    `💳 <b>Администратор забронировал для вас время</b>\n\n${booking}\nК оплате: ${amount}\n\n` +
    `<a href="${url}">Оплатить онлайн</a>${until ? ` до ${until}` : ''}. Если не оплатить, бронь снимется.`,
  reminder: ({ booking, in: inTime }) => `⏰ <b>Напоминание: бронь через ${inTime}</b>\n\n${booking}`,
  ticketReply: ({ subject, text, truncated }) =>
    `💬 <b>Ответ поддержки</b> по обращению «${subject}»\n\n${text}` +
    (truncated ? '\n\n<i>Сообщение сокращено, полностью — в разделе обращений.</i>' : ''),
  staffMessage: ({ text, truncated }) => `✉️ <b>Сообщение от администратора</b>\n\n${text}${truncated ? '\n\n<i>Сообщение сокращено.</i>' : ''}`,
  hours: (n) => `${n} ${plural(n, 'час', 'часа', 'часов')}`,
  minutes: (n) => `${n} ${plural(n, 'минуту', 'минуты', 'минут')}`,
};

export default ru;
