/** Russian staff alerts (see staff-alerts.ts for the contract: every value arrives escaped). */
import type { StaffAlertTexts } from './staff-alerts';

const open = (link: string, label: string) => `\n\n<a href="${link}">${label}</a>`;

/** 123456 → "1 234,56 ₽" (plain spaces between thousands, always two decimals). */
function money(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(Math.round(kopecks));
  const roubles = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${sign}${roubles},${String(abs % 100).padStart(2, '0')} ₽`;
}

const PRIORITIES: Record<string, string> = { low: 'низкий', normal: 'обычный', high: 'высокий', urgent: 'срочный' };

const ru: StaffAlertTexts = {
  dateLocale: 'ru-RU',
  money,
  unknownMember: 'неизвестный участник',
  noReason: 'причина не указана',
  priority: (value) => PRIORITIES[value] ?? value,
  bookingRef: ({ id, when }) => `бронь №${id}, ${when}`,
  bookingAwaiting: ({ member, tariff, resource, when, amount, link }) =>
    `🕓 <b>Заявка ждёт подтверждения</b>\n\n${member}\n${[resource, tariff].filter(Boolean).join(' · ')}\n🗓 ${when}\nСумма: ${amount}` +
    open(link, 'Открыть в календаре'),
  ticketNew: ({ member, subject, priority, text, link }) =>
    `🆕 <b>Новое обращение</b>: ${subject}\n${member} · приоритет: ${priority}\n\n${text}` + open(link, 'Открыть во входящих'),
  ticketReply: ({ member, subject, text, link }) =>
    `💬 <b>Ответ участника</b> в обращении «${subject}»\n${member}\n\n${text}` + open(link, 'Открыть во входящих'),
  paymentFailed: ({ member, amount, reason, booking, link }) =>
    `⚠️ <b>Платёж не прошёл</b>: ${amount}\n${member}${booking ? `\n${booking}` : ''}\nПричина: ${reason}` + open(link, 'Открыть'),
  refundFailed: ({ member, amount, booking, link }) =>
    `⚠️ <b>Возврат не прошёл</b>: ${amount}\n${member}${booking ? `\n${booking}` : ''}\n\nYooKassa отменила возврат. Верните деньги вручную или повторите возврат.` +
    open(link, 'Открыть'),
  jobDead: ({ kind, attempts, error, link }) =>
    `🛑 <b>Фоновая задача остановлена</b>: <code>${kind}</code>\nПопыток: ${attempts}\nОшибка: ${error}\n\nУстраните причину и запустите задачу снова кнопкой «Повторить» на её странице.` +
    open(link, 'Открыть задачу'),
};

export default ru;
