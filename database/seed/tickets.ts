/**
 * Support tickets with short threads: the member's request, then (unless the ticket is still open)
 * a staff answer, and sometimes the member's thanks. Texts are in the member's language.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, type Timeline } from './calendar';
import type { MemberSeed } from './members';
import type { Rng } from './prng';

export const TICKET_COUNT = 70;

export interface TicketMessageSeed {
  authorType: 'member' | 'staff';
  body: string;
  createdAt: Date;
}

export interface TicketSeed {
  memberTelegramId: string;
  subject: string;
  state: 'open' | 'in_progress' | 'resolved' | 'closed';
  priority: 'low' | 'normal' | 'high' | 'urgent';
  createdAt: Date;
  lastMessageAt: Date;
  messages: TicketMessageSeed[];
}

interface Topic {
  subject: string;
  request: string;
  answer: string;
  thanks: string;
}

const TOPICS: Record<MemberSeed['language'], Topic[]> = {
  ru: [
    { subject: 'Не работает Wi-Fi в опенспейсе', request: 'С утра не могу подключиться к Wi-Fi у окна, сеть видна, но пароль не подходит.', answer: 'Перезагрузили точку доступа у окна, пароль прежний. Проверьте, пожалуйста.', thanks: 'Заработало, спасибо!' },
    { subject: 'Нужен закрывающий документ', request: 'Пришлите, пожалуйста, акт за прошлый месяц на ООО, реквизиты отправлю в ответ.', answer: 'Акт сформирован и отправлен на почту из профиля.', thanks: 'Получил, спасибо.' },
    { subject: 'Перенос брони переговорной', request: 'Можно перенести мою бронь переговорной на час позже? Клиент задерживается.', answer: 'Перенесли бронь на час позже, время свободно.', thanks: 'Отлично, спасибо за оперативность.' },
    { subject: 'Оплата прошла, а бронь не видна', request: 'Деньги списались, но в боте бронь не появилась.', answer: 'Платёж получен, бронь подтверждена — она уже в разделе «Мои брони».', thanks: 'Вижу, спасибо!' },
    { subject: 'Шумно в тихой зоне', request: 'В тихой зоне второй день громко созваниваются без наушников.', answer: 'Поговорили с гостями и повесили напоминание о правилах тихой зоны.', thanks: 'Стало гораздо тише, спасибо.' },
    { subject: 'Не работает принтер', request: 'Принтер у кухни пишет «замятие бумаги», а бумаги внутри нет.', answer: 'Достали замятый лист и заменили картридж, принтер работает.', thanks: 'Распечатал, всё хорошо.' },
    { subject: 'Забыл зарядку', request: 'Вчера оставил зарядку от ноутбука на месте 14, её не находили?', answer: 'Зарядка у администратора на ресепшене, можно забрать в любое время.', thanks: 'Забрал, спасибо большое!' },
    { subject: 'Холодно у окна', request: 'У окон очень дует, можно ли прибавить отопление?', answer: 'Отрегулировали кондиционер и закрыли проветривание у окон.', thanks: 'Стало теплее, спасибо.' },
    { subject: 'Вопрос по абонементу на месяц', request: 'Если взять место на 6 месяцев, скидка применяется сразу ко всей сумме?', answer: 'Да, скидка 10 % считается от полной суммы за 6 месяцев и видна при оплате.', thanks: 'Понятно, спасибо.' },
    { subject: 'Промокод не применяется', request: 'Ввожу промокод из рассылки, бот пишет, что он недействителен.', answer: 'Этот код действует только на переговорную. Для опенспейса подойдёт WELCOME10.', thanks: 'Применился, спасибо!' },
  ],
  en: [
    { subject: 'Wi-Fi keeps dropping', request: 'The Wi-Fi in the open space drops every few minutes since this morning.', answer: 'We replaced the access point near the kitchen; the connection should be stable now.', thanks: 'Works fine now, thanks!' },
    { subject: 'Invoice for my company', request: 'Could you send an invoice for last month made out to my company?', answer: 'The invoice has been sent to the email in your profile.', thanks: 'Got it, thank you.' },
    { subject: 'Meeting room screen not working', request: 'The screen in the meeting room does not detect my laptop over HDMI.', answer: 'We replaced the HDMI cable and added a USB-C adapter to the room.', thanks: 'All good now, thanks.' },
    { subject: 'Lost and found', request: 'I left a black umbrella near desk 7 yesterday. Has anyone found it?', answer: 'Your umbrella is at the reception desk.', thanks: 'Picked it up, thanks a lot!' },
  ],
};

export function buildTickets(rng: Rng, timeline: Timeline, members: readonly MemberSeed[]): TicketSeed[] {
  const anchor = timeline.anchor.getTime();
  const upToNow = (at: number) => new Date(Math.min(at, anchor - MINUTE_MS));
  const taken = new Set<string>();
  const tickets: TicketSeed[] = [];
  while (tickets.length < TICKET_COUNT) {
    const member = rng.pick(members);
    const topic = rng.pick(TOPICS[member.language]);
    const key = `${member.telegramId}|${topic.subject}`;
    if (taken.has(key)) continue;
    taken.add(key);

    const since = member.registeredAt.getTime() + HOUR_MS;
    const createdAt = upToNow(since + rng.next() * Math.max(0, anchor - since));
    const ageDays = (anchor - createdAt.getTime()) / DAY_MS;
    const status: TicketSeed['state'] =
      ageDays > 14
        ? rng.weighted([['closed', 60], ['resolved', 40]])
        : rng.weighted([['open', 35], ['in_progress', 35], ['resolved', 30]]);

    const messages: TicketMessageSeed[] = [{ authorType: 'member', body: topic.request, createdAt }];
    if (status !== 'open') {
      const answeredAt = upToNow(createdAt.getTime() + rng.int(10, 600) * MINUTE_MS);
      messages.push({ authorType: 'staff', body: topic.answer, createdAt: answeredAt });
      if ((status === 'resolved' || status === 'closed') && rng.chance(0.4)) {
        messages.push({ authorType: 'member', body: topic.thanks, createdAt: upToNow(answeredAt.getTime() + rng.int(10, 300) * MINUTE_MS) });
      }
    }
    tickets.push({
      memberTelegramId: member.telegramId,
      subject: topic.subject,
      state: status,
      priority: rng.weighted([['low', 20], ['normal', 60], ['high', 15], ['urgent', 5]]),
      createdAt,
      lastMessageAt: messages[messages.length - 1].createdAt,
      messages,
    });
  }
  return tickets;
}
