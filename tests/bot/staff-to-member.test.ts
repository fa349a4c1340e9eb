/**
 * Staff → member, end to end (issue 5): a member acts through the real bot (the Telegram stand-in plays the
 * user), staff act through the admin API with an admin JWT, the outbox is run by hand, and the member's chat in
 * the stand-in receives the server's `member.notify` message in the member's language.
 */
import request from 'supertest';
import { money } from '../../bot/src/ui';
import { staffToken } from '../helpers/auth';
import { at, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import type { ChatEntry, StandInUser } from '../stand-ins/telegram/server';
import { BOOKING_UID, dm, expectMessage, inlineButtons, lastMessageId, sleep, startHarness, USER_UID, type Harness } from './harness';

jest.setTimeout(60_000);

const OUTBOX_UID = 'api::outbox-job.outbox-job';
const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';

const vera: StandInUser = { id: 2001, first_name: 'Vera', language_code: 'ru' };
const colin: StandInUser = { id: 2002, first_name: 'Colin', language_code: 'en' };

/** The booking's time as the notifications write it (docs/NOTIFICATIONS.md), e.g. "среда, 25 ноября, 10:00–11:00". */
const when = (locale: 'ru-RU' | 'en-GB', date: string, from: string, to: string) =>
  `${new Intl.DateTimeFormat(locale, { timeZone: SPACE_TIMEZONE, weekday: 'long', day: 'numeric', month: 'long' }).format(at(date, from))}, ${from}–${to}`;

describe('staff actions reach the member in Telegram, end to end', () => {
  let h: Harness;
  let room: { documentId: string; name: string };
  let tariff: { documentId: string; name: string };
  let managerToken: string;
  let supportToken: string;

  const http = () => request(h.app.strapi.server.httpServer);
  const member = (telegramId: number) => h.app.strapi.db.query(USER_UID).findOne({ where: { telegramId: String(telegramId) } });
  const bookingsOf = async (telegramId: number) => {
    const user = await member(telegramId);
    return h.app.strapi.db.query(BOOKING_UID).findMany({ where: { member: user.id }, orderBy: { startAt: 'asc' } });
  };
  const botMessagesAfter = (user: StandInUser, after: number): ChatEntry[] =>
    h.telegram.chat(user.id).filter((entry) => entry.message_id > after);


  /**
   * Runs the outbox until the job with this dedupe key is done (a per-chat limit may defer it to a later run),
   * and returns it; fails with the job's state and error otherwise.
   */
  async function deliver(dedupeKey: string) {
    const outbox = h.app.strapi.service('api::outbox-job.outbox') as { runOnce(worker: string): Promise<{ nextDelayMs: number | null }> };
    const deadline = Date.now() + 10_000;
    for (;;) {
      const summary = await outbox.runOnce('bot-staff-test');
      const job = await h.app.strapi.db.query(OUTBOX_UID).findOne({ where: { dedupeKey } });
      if (job?.state === 'done') return job;
      if (Date.now() > deadline) throw new Error(`outbox job ${dedupeKey} is ${job ? `${job.state}: ${job.lastError}` : 'missing'}`);
      await sleep(Math.min(summary.nextDelayMs ?? 200, 1500));
    }
  }


  /** Through the bot: Book → the approval tariff → date → time → 1 h → no promo → Confirm; returns the bot's answer. */
  async function bookForApproval(user: StandInUser, date: string, time: string) {
    const en = user.language_code === 'en';
    const label = `${tariff.name} — ${money(150000, en ? 'en' : 'ru')}`;
    if (en) {
      await h.say(user, '/menu', 'What would you like to do');
      await h.press(user, '📅 Book', 'Choose a tariff');
      await h.press(user, label, 'Choose a date');
      await h.press(user, dm(date), `Free times on ${dm(date)}`);
      await h.press(user, time, 'How many hours?');
      await h.press(user, '1 h', 'promo code');
      await h.press(user, 'No promo code', 'Please check your booking');
      return h.press(user, '✅ Confirm', 'waiting for confirmation');
    }
    await h.say(user, '/menu', 'Что хотите сделать');
    await h.press(user, '📅 Забронировать', 'Выберите тариф');
    await h.press(user, label, 'Выберите дату');
    await h.press(user, dm(date), `Свободное время на ${dm(date)}`);
    await h.press(user, time, 'Сколько часов?');
    await h.press(user, '1 ч', 'промокод');
    await h.press(user, 'Без промокода', 'Проверьте бронь');
    return h.press(user, '✅ Подтвердить', 'ждёт подтверждения');
  }

  beforeAll(async () => {
    h = await startHarness();
    const resource = await createResource(h.app.strapi, { capacity: 1 });
    room = { documentId: resource.documentId, name: String(resource.name) };
    const created = await createTariff(h.app.strapi, {
      resources: [resource.documentId],
      billingUnit: 'hour',
      price: 150000,
      maxUnits: 4,
      requiresApproval: true,
    });
    tariff = { documentId: created.documentId, name: String(created.name) };
    await h.seedMember(vera, 'Вера Смирнова', 'ru');
    await h.seedMember(colin, 'Colin Baker', 'en');
    managerToken = await staffToken(h.app.strapi, 'coworking-manager');
    supportToken = await staffToken(h.app.strapi, 'coworking-support');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('a tariff that needs approval: the bot says it awaits confirmation; a Manager confirms in the admin API; the member gets the confirmation in Russian', async () => {
    const date = localDay(2);
    const answer = await bookForApproval(vera, date, '10:00');
    expect(answer.text).toBe('Бронь создана и ждёт подтверждения администратора. Мы сообщим, когда её подтвердят.');
    expect(inlineButtons(answer).some((button) => button.url)).toBe(false); // nothing to pay before staff decide

    const [booking] = await bookingsOf(vera.id);
    expect(booking).toMatchObject({ state: 'awaiting_confirmation', priceTotal: 150000, holdExpiresAt: null });
    expect(new Date(booking.startAt).toISOString()).toBe(at(date, '10:00').toISOString());
    expect(new Date(booking.endAt).toISOString()).toBe(at(date, '11:00').toISOString());
    // Nothing reaches the member before staff act.
    expect(await h.app.strapi.db.query(OUTBOX_UID).count({ where: { kind: 'member.notify' } })).toBe(0);

    const res = await http()
      .post(`/booking-desk/bookings/${booking.documentId}/confirm`)
      .set('Authorization', `Bearer ${managerToken}`)
      .send({});
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ documentId: booking.documentId, status: 'confirmed' });
    const stored = await h.app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId: booking.documentId } });
    expect(stored.state).toBe('confirmed');
    expect(stored.confirmedBy).toMatch(/^admin:\d+ /);

    const after = lastMessageId(h.telegram, vera.id);
    const job = await deliver(`member.notify:${booking.documentId}:confirmed`);
    expect(job.attempts).toBe(1);
    const notice = await expectMessage(h.telegram, vera, 'Администратор подтвердил', after);
    expect(notice.text).toBe(
      `✅ Администратор подтвердил вашу бронь\n\n${room.name} · ${tariff.name}\n🗓 ${when('ru-RU', date, '10:00', '11:00')}`,
    );
    expect(notice.source?.parse_mode).toBe('HTML');
    expect(botMessagesAfter(vera, after)).toHaveLength(1); // exactly one message, sent once
    expect((await h.app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId: booking.documentId } })).state).toBe('confirmed');

    // The member's list in the bot agrees.
    await h.say(vera, '/menu', 'Что хотите сделать');
    const list = await h.press(vera, '📋 Мои брони', 'Предстоящие брони');
    expect(list.text).toContain('✅ подтверждена');
    expect(list.text).not.toContain('ждёт подтверждения');
  });

  it('a rejection with a reason reaches an English member, the reason shown as written', async () => {
    const date = localDay(2);
    const answer = await bookForApproval(colin, date, '12:00');
    expect(answer.text).toBe('Your booking is created and waiting for confirmation by the staff. We will let you know.');
    const [booking] = await bookingsOf(colin.id);
    expect(booking).toMatchObject({ state: 'awaiting_confirmation' });
    expect(new Date(booking.startAt).toISOString()).toBe(at(date, '12:00').toISOString());

    // HTML-special characters in the reason must arrive as text, not markup.
    const reason = 'Room <B> is closed for "deep" cleaning & repairs';
    const res = await http()
      .post(`/booking-desk/bookings/${booking.documentId}/reject`)
      .set('Authorization', `Bearer ${managerToken}`)
      .send({ reason });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ documentId: booking.documentId, status: 'rejected' });
    expect(await h.app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId: booking.documentId } })).toMatchObject({
      state: 'rejected',
      cancelReason: reason,
    });

    const after = lastMessageId(h.telegram, colin.id);
    await deliver(`member.notify:${booking.documentId}:rejected`);
    const notice = await expectMessage(h.telegram, colin, 'declined', after);
    expect(notice.text).toBe(
      `❌ Your booking request was declined\n\n${room.name} · ${tariff.name}\n🗓 ${when('en-GB', date, '12:00', '13:00')}\n` +
        `Reason: ${reason}\n\nYou can pick another time in the bot.`,
    );
    expect(notice.source?.text).toContain('Room &lt;B&gt; is closed for &quot;deep&quot; cleaning &amp; repairs');
    expect(botMessagesAfter(colin, after)).toHaveLength(1);
    // Nothing went to the other member.
    expect(h.telegram.chat(vera.id).filter((entry) => /declined|отклонена/.test(entry.text ?? ''))).toEqual([]);
  });

  it('a ticket with a photo opened in the bot; a Support reply through the content manager reaches the member', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const problem = 'Кондиционер в переговорной шумит';
    await h.say(vera, '/support', 'Поддержка');
    await h.press(vera, '✍️ Новое обращение', 'Опишите проблему');
    await h.say(vera, problem, 'до 5 фото');
    const beforePhoto = lastMessageId(h.telegram, vera.id);
    h.telegram.sendPhoto(vera, { bytes: png });
    await expectMessage(h.telegram, vera, 'Фото добавлено (1/5)', beforePhoto);
    await h.press(vera, '📨 Отправить', 'Обращение создано');

    const owner = await member(vera.id);
    const tickets = await h.app.strapi.db.query(TICKET_UID).findMany({
      where: { member: owner.id },
      populate: { messages: { populate: { attachments: true } } },
    });
    expect(tickets).toHaveLength(1);
    const [ticket] = tickets;
    expect(ticket).toMatchObject({ subject: problem, state: 'open' });
    expect(ticket.messages).toHaveLength(1);
    expect(ticket.messages[0]).toMatchObject({ authorType: 'member', body: problem });
    expect(ticket.messages[0].attachments).toHaveLength(1);
    expect(ticket.messages[0].attachments[0]).toMatchObject({ mime: 'image/png', width: 1, height: 1 });

    const replyText = 'Мастер придёт завтра в 10:00 и проверит кондиционер.';
    const res = await http()
      .post('/content-manager/collection-types/api::ticket-message.ticket-message')
      .set('Authorization', `Bearer ${supportToken}`)
      .send({ ticket: { connect: [{ documentId: ticket.documentId }] }, authorType: 'staff', body: replyText });
    expect(res.status).toBe(201);
    const messageId = res.body.data.documentId;

    const after = lastMessageId(h.telegram, vera.id);
    await deliver(`member.notify:ticket-message:${messageId}`);
    const notice = await expectMessage(h.telegram, vera, 'Ответ поддержки', after);
    expect(notice.text).toBe(`💬 Ответ поддержки по обращению «${problem}»\n\n${replyText}`);
    expect(botMessagesAfter(vera, after)).toHaveLength(1);

    const thread = await h.app.strapi.db.query(MESSAGE_UID).findMany({ where: { ticket: ticket.id }, orderBy: { id: 'asc' } });
    expect(thread.map((message: { authorType: string; body: string }) => [message.authorType, message.body])).toEqual([
      ['member', problem],
      ['staff', replyText],
    ]);
    // The member sees the ticket in progress in the bot.
    await h.say(vera, '/support', 'Поддержка');
    const list = await h.press(vera, '📂 Мои обращения', 'Ваши обращения');
    expect(list.text).toContain(`1. 🟡 в работе — ${problem}`);
  });
  it('a member who blocks the bot is marked at once (my_chat_member), gets nothing while blocked, and is reachable again after starting it', async () => {
    const memberState = async () => (await member(colin.id)) as { botBlocked: boolean; botBlockedAt: string | null };
    const until = async (check: () => Promise<boolean>, what: string) => {
      const deadline = Date.now() + 8000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
    };
    const date = localDay(3);
    await bookForApproval(colin, date, '15:00');
    const booking = (await bookingsOf(colin.id)).find((row: { state: string }) => row.state === 'awaiting_confirmation');
    expect(new Date(booking.startAt).toISOString()).toBe(at(date, '15:00').toISOString());

    // Telegram tells the bot that Colin blocked it: the API marks him before any send fails.
    h.telegram.blockBot(colin);
    await until(async () => (await memberState()).botBlocked === true, 'botBlocked to be set');
    expect((await memberState()).botBlockedAt).not.toBeNull();

    // Staff confirm; the notification is skipped, nothing is sent to the blocked chat.
    const after = lastMessageId(h.telegram, colin.id);
    const res = await http().post(`/booking-desk/bookings/${booking.documentId}/confirm`).set('Authorization', `Bearer ${managerToken}`).send({});
    expect(res.status).toBe(200);
    const job = await deliver(`member.notify:${booking.documentId}:confirmed`);
    expect(job.attempts).toBe(1);
    expect(botMessagesAfter(colin, after)).toEqual([]);
    // Not even tried: no 403 from Telegram was needed to learn it.
    expect(h.telegram.calls('sendMessage').filter((call) => String(call.params.chat_id) === String(colin.id) && call.status === 403)).toEqual([]);

    // He starts the bot again: the mark is cleared without waiting for his next message.
    h.telegram.unblockBot(colin);
    await until(async () => (await memberState()).botBlocked === false, 'botBlocked to be cleared');
    expect((await memberState()).botBlockedAt).toBeNull();
    await h.say(colin, '/menu', 'What would you like to do');
  });
});
