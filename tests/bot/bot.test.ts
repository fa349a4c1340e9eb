/**
 * The bot end to end: real bot (createBot + long polling) ↔ Telegram stand-in, real Strapi over HTTP, YooKassa
 * stand-in. Each flow is driven the way a member would: texts, buttons, a shared contact.
 */
import { createSessionStorage } from '../../bot/src/storage';
import { money } from '../../bot/src/ui';
import { at, createResource, createTariff, localDay } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import { redisAvailable as redisServerInstalled, startRedis } from '../helpers/redis';
import type { StandInUser } from '../stand-ins/telegram/server';
import { BOOKING_UID, bookUntilPromo, dm, expectMessage, inlineButtons, lastMessageId, sleep, startHarness, USER_UID, type Harness } from './harness';

jest.setTimeout(60_000);

const redisAvailable = redisServerInstalled();

const anna: StandInUser = { id: 1001, first_name: 'Anna', language_code: 'ru' };
const boris: StandInUser = { id: 1002, first_name: 'Boris', language_code: 'en' };
const banned: StandInUser = { id: 1003, first_name: 'Mallory', language_code: 'ru' };
const vera: StandInUser = { id: 1004, first_name: 'Vera', language_code: 'ru' };

describe('the Telegram bot, end to end', () => {
  let h: Harness;
  let tariffLabel: string;
  let tariffId: string;

  const member = (telegramId: number) =>
    h.app.strapi.db.query(USER_UID).findOne({ where: { telegramId: String(telegramId) }, populate: { referrer: true } });
  const bookingsOf = async (telegramId: number) => {
    const user = await member(telegramId);
    return h.app.strapi.db.query(BOOKING_UID).findMany({ where: { member: user.id }, orderBy: { startAt: 'asc' } });
  };


  /** Book → tariff → date → time → 1 h → promo → summary; returns the summary message. */
  const bookUntilSummary = async (user: StandInUser, date: string, time: string, promo?: string) => {
    await bookUntilPromo(h, user, tariffLabel, date, time);
    if (promo) return h.say(user, promo, 'Проверьте бронь');
    return h.press(user, 'Без промокода', 'Проверьте бронь');
  };

  beforeAll(async () => {
    h = await startHarness();
    const room = await createResource(h.app.strapi, { capacity: 1 });
    const tariff = await createTariff(h.app.strapi, {
      resources: [room.documentId],
      billingUnit: 'hour',
      price: 150000,
      maxUnits: 4,
      freeCancellationHours: 24,
    });
    tariffId = tariff.documentId;
    tariffLabel = `${tariff.name} — ${money(150000)}`;
    const promo = (code: string, value: number) =>
      h.app.strapi.documents('api::promocode.promocode').create({ data: { code, kind: 'percent', value, isActive: true } });
    await promo('SAVE10', 10);
    await promo('FREE100', 100);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('registers a member: consent, name, phone (typed wrong, then shared), e-mail; bad values get the format and the same step', async () => {
    await h.say(anna, '/start', 'Добро пожаловать');
    expect(await member(anna.id)).toMatchObject({ registeredAt: null });
    await h.press(anna, '📝 Зарегистрироваться', 'https://example.com/rules');
    await h.press(anna, '✅ Принимаю', 'Шаг 1/3');

    let after = lastMessageId(h.telegram, anna.id);
    await h.say(anna, 'A', 'Имя не подходит');
    await expectMessage(h.telegram, anna, 'Шаг 1/3', after);

    const phoneStep = await h.say(anna, 'Анна Иванова', 'Шаг 2/3');
    expect(phoneStep.reply_markup).toMatchObject({ keyboard: [[{ text: '📱 Поделиться номером', request_contact: true }]] });

    after = lastMessageId(h.telegram, anna.id);
    const bad = await h.say(anna, '12345', 'Номер не распознан');
    expect(bad.text).toContain('+7 900 123-45-67');
    const again = await expectMessage(h.telegram, anna, 'Шаг 2/3', after);
    expect(again.message_id).toBeGreaterThan(bad.message_id);

    after = lastMessageId(h.telegram, anna.id);
    h.telegram.shareContact(anna, '79001234567');
    await expectMessage(h.telegram, anna, 'Шаг 3/3', after);
    await h.say(anna, 'not-an-email', 'E-mail не распознан');
    await h.say(anna, 'Anna@Example.com', 'Регистрация завершена');
    const menu = await expectMessage(h.telegram, anna, 'Что хотите сделать');
    expect(menu.buttons.flat()).toEqual(expect.arrayContaining(['📅 Забронировать', '📋 Мои брони', '👤 Профиль', '👥 Пригласить друзей']));

    expect(await member(anna.id)).toMatchObject({ fullName: 'Анна Иванова', phone: '+79001234567', email: 'anna@example.com' });
    expect((await member(anna.id)).registeredAt).not.toBeNull();
  });

  it('credits a referral only once the invited member completes registration', async () => {
    const referrer = await member(anna.id);
    const invite = await h.press(anna, '👥 Пригласить друзей', 'https://t.me/');
    expect(invite.text).toContain(`https://t.me/coworking_test_bot?start=${referrer.referralCode}`);

    await h.say(boris, `/start ${referrer.referralCode}`, 'Welcome to the coworking');
    expect((await member(boris.id)).referrer).toBeNull();
    await h.press(boris, '📝 Register', 'accept the coworking rules');
    await h.press(boris, '✅ I accept', 'Step 1/3');
    await h.say(boris, 'Boris Petrov', 'Step 2/3');
    expect((await member(boris.id)).referrer).toBeNull();
    await h.say(boris, '8 (900) 765-43-21', 'Step 3/3');
    await h.say(boris, 'boris@example.com', 'What would you like to do');
    expect((await member(boris.id)).referrer).toMatchObject({ id: referrer.id });
  });

  it('books an hour of a meeting room with a promo code, shows the Pay button, and a double confirm books once; paying confirms it', async () => {
    const date = localDay(2);
    const summary = await bookUntilSummary(anna, date, '10:00', 'SAVE10');
    expect(summary.text).toContain(`Итого: ${money(135000)}`);
    expect(summary.text).toContain('Стоимость: 1 500 ₽');

    // Two presses of Confirm on the same message, as an impatient member does.
    const confirm = inlineButtons(summary).find((button) => button.text === '✅ Подтвердить')!;
    h.telegram.pressButton(anna, { messageId: summary.message_id, data: confirm.callback_data! });
    h.telegram.pressButton(anna, { messageId: summary.message_id, data: confirm.callback_data! });
    const pending = await expectMessage(h.telegram, anna, 'ждёт оплаты');
    await h.telegram.waitForCalls('answerCallbackQuery', 2, 5000);
    await sleep(300);

    const bookings = await bookingsOf(anna.id);
    expect(bookings).toHaveLength(1);
    expect(bookings[0]).toMatchObject({ state: 'pending_payment', priceTotal: 135000 });
    expect(new Date(bookings[0].startAt).toISOString()).toBe(at(date, '10:00').toISOString());

    const pay = inlineButtons(pending).find((button) => button.url)!;
    expect(pay.text).toBe(`💳 Оплатить ${money(135000)}`);
    expect(pay.url).toMatch(new RegExp(`^${h.yk.origin}/`));
    const [record] = h.yk.payments().filter((entry) => entry.payment.metadata?.bookingId === bookings[0].documentId);
    expect(record.payment.amount.value).toBe('1350.00');

    await h.yk.pay(record.payment.id);
    expect((await h.app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId: bookings[0].documentId } })).state).toBe('confirmed');

    // The confirmation message is the server's (member.notify through the outbox), when that is wired in.
    const notifier = h.app.strapi.service('api::notification.notifier') as { settings?: () => { token: string | null } } | undefined;
    if (notifier?.settings?.()?.token) {
      const after = lastMessageId(h.telegram, anna.id);
      await (h.app.strapi.service('api::outbox-job.outbox') as { runOnce(worker: string): Promise<unknown> }).runOnce('bot-test');
      const notice = await expectMessage(h.telegram, anna, /./, after);
      expect(notice.text).toMatch(/1 350|подтвержд|оплат/i);
    }
  });

  it('confirms a free booking made with a 100 % promo code at once', async () => {
    const summary = await bookUntilSummary(anna, localDay(3), '11:00', 'FREE100');
    expect(summary.text).toContain('Итого: бесплатно');
    await h.press(anna, '✅ Подтвердить', 'Бронь подтверждена');
    const free = (await bookingsOf(anna.id)).find((booking: { priceTotal: number }) => booking.priceTotal === 0);
    expect(free).toMatchObject({ state: 'confirmed' });
  });

  it('explains a refused promo code and asks again', async () => {
    await bookUntilPromo(h, anna, tariffLabel, localDay(4), '12:00', 2);
    await h.say(anna, 'NOPE', 'Промокод не принят: такого кода нет');
    await h.press(anna, '✖️ Отмена', 'Отменено');
    // A button of the abandoned flow is answered with a short note.
    const stale = h.telegram.history(anna.id).find((entry) => entry.from === 'bot' && entry.text?.includes('Сколько часов?'));
    expect(stale).toBeUndefined(); // the flow's messages were edited in place…
    const before = h.telegram.calls('answerCallbackQuery').length;
    const menuMessage = await expectMessage(h.telegram, anna, 'Отменено');
    h.telegram.pressButton(anna, { messageId: menuMessage.message_id, data: 'bk:ffffff:ok' });
    const [answerCall] = (await h.telegram.waitForCalls('answerCallbackQuery', before + 1)).slice(before);
    expect(answerCall.params.text).toContain('устарела');
  });

  it('offers fresh slots when the chosen slot was taken meanwhile', async () => {
    const date = localDay(5);
    const summary = await bookUntilSummary(anna, date, '14:00');
    expect(summary.text).toContain('Итого: 1 500 ₽');
    // Someone else takes 14:00 before Anna confirms.
    const room = (await h.app.strapi.db.query('api::tariff.tariff').findOne({ where: { documentId: tariffId }, populate: { resources: true } })).resources[0];
    await asService(h.app.strapi, () => h.app.strapi.documents(BOOKING_UID).create({
      data: { resource: room.documentId, tariff: tariffId, startAt: at(date, '14:00'), endAt: at(date, '15:00'), state: 'confirmed', units: 1, priceBase: 0, priceTotal: 0, currency: 'RUB', source: 'api' },
    }));
    const fresh = await h.press(anna, '✅ Подтвердить', 'только что заняли');
    expect(fresh.buttons.flat()).not.toContain('14:00');
    expect(fresh.buttons.flat()).toContain('15:00');
    await h.press(anna, '✖️ Отмена', 'Отменено');
  });

  it('tells a member with two unpaid bookings to pay or cancel one before booking a third (BOOKING_MAX_UNPAID_HOLDS)', async () => {
    await h.seedMember(vera, 'Вера Смирнова');
    for (const day of [3, 4]) {
      await bookUntilSummary(vera, localDay(day), '16:00');
      await h.press(vera, '✅ Подтвердить', 'ждёт оплаты');
    }

    await bookUntilSummary(vera, localDay(6), '16:00');
    await h.press(vera, '✅ Подтвердить', 'неоплаченные брони');

    const bookings = await bookingsOf(vera.id);
    expect(bookings.map((booking: { state: string }) => booking.state)).toEqual(['pending_payment', 'pending_payment']);
  });

  it('cancels a paid booking, showing the refund before the member confirms', async () => {
    await h.say(anna, '/menu', 'Что хотите сделать');
    const list = await h.press(anna, '📋 Мои брони', 'Предстоящие брони');
    expect(list.text).toContain('✅ подтверждена');
    const confirmScreen = await h.press(anna, '✖️ Отменить №1', 'Отменить бронь');
    expect(confirmScreen.text).toContain(`Возврат: ${money(135000)}`);
    const paid = (await bookingsOf(anna.id)).find((booking: { priceTotal: number }) => booking.priceTotal === 135000);
    expect(paid.state).toBe('confirmed');

    const done = await h.press(anna, 'Да, отменить', 'Бронь отменена');
    expect(done.text).toContain(money(135000));
    expect((await h.app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId: paid.documentId } })).state).toBe('cancelled');
  });

  it('switches the language in the profile', async () => {
    await h.say(anna, '/menu', 'Что хотите сделать');
    await h.press(anna, '👤 Профиль', 'Рассылки:');
    await h.press(anna, '🌐 English', 'Language: English');
    expect((await member(anna.id)).language).toBe('en');
    await h.press(anna, '🌐 Русский', 'Язык: Русский');
  });

  it('opens a support ticket with a photo, lists it with its status, and sends a reply', async () => {
    // A 1×1 PNG, as a phone would send a (tiny) photo.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    await h.say(anna, '/support', 'Поддержка');
    await h.press(anna, '✍️ Новое обращение', 'Опишите проблему');
    await h.say(anna, 'короткий', 'от 10 до 1000 символов');
    await h.say(anna, 'Не работает принтер во втором зале', 'до 5 фото');
    let after = lastMessageId(h.telegram, anna.id);
    h.telegram.sendPhoto(anna, { bytes: png });
    await expectMessage(h.telegram, anna, 'Фото добавлено (1/5)', after);
    await h.press(anna, '📨 Отправить', 'Обращение создано');

    const owner = await member(anna.id);
    const tickets = await h.app.strapi.db.query('api::ticket.ticket').findMany({
      where: { member: owner.id },
      populate: { messages: { populate: { attachments: true } } },
    });
    expect(tickets).toHaveLength(1);
    expect(tickets[0].messages[0].body).toBe('Не работает принтер во втором зале');
    expect(tickets[0].messages[0].attachments).toHaveLength(1);

    const list = await h.press(anna, '📂 Мои обращения', 'Ваши обращения');
    expect(list.text).toContain('🟢 открыто');
    await h.press(anna, '💬 Ответить №1', 'Напишите ответ');
    after = lastMessageId(h.telegram, anna.id);
    await h.say(anna, 'Уточнение: принтер HP у окна', 'Ответ отправлен');
    const messages = await h.app.strapi.db.query('api::ticket-message.ticket-message').findMany({ where: { ticket: tickets[0].id } });
    expect(messages.map((message: { body: string }) => message.body)).toContain('Уточнение: принтер HP у окна');
  });

  const redisTest = redisAvailable ? it : it.skip;
  redisTest(
    redisAvailable
      ? 'keeps a booking in progress across a bot restart with sessions in Redis'
      : 'keeps a booking in progress across a bot restart with sessions in Redis — SKIPPED: redis-server is not installed (scripts/lib/redis.sh installs it)',
    async () => {
      const redis = await startRedis();
      try {
        await h.stopBot();
        const first = createSessionStorage(redis.url, 3600);
        await h.startBot(first.storage);
        await h.say(boris, '/menu', 'What would you like to do');
        await h.press(boris, '📅 Book', 'Choose a tariff');
        await h.press(boris, tariffLabel.replace('1 500 ₽', money(150000, 'en')), 'Choose a date');
        await h.press(boris, dm(localDay(6)), 'Free times on');
        await h.press(boris, '09:00', 'How many hours?');
        await h.press(boris, '1 h', 'promo code');
        const summary = await h.press(boris, 'No promo code', 'Please check your booking');

        // The bot process goes away and a new one starts, with nothing in memory.
        await h.stopBot();
        await first.close();
        const second = createSessionStorage(redis.url, 3600);
        try {
          await h.startBot(second.storage);
          const confirm = inlineButtons(summary).find((button) => button.text === '✅ Confirm')!;
          h.telegram.pressButton(boris, { messageId: summary.message_id, data: confirm.callback_data! });
          await expectMessage(h.telegram, boris, 'waiting for payment');
          const bookings = await bookingsOf(boris.id);
          expect(bookings).toHaveLength(1);
          expect(new Date(bookings[0].startAt).toISOString()).toBe(at(localDay(6), '09:00').toISOString());
          await h.stopBot();
        } finally {
          await second.close();
        }
      } finally {
        await redis.stop();
        await h.startBot();
      }
    },
  );

  it('gives a banned member one clear message and nothing else', async () => {
    await h.app.strapi.documents(USER_UID).create({
      data: {
        username: 'banned-member',
        email: 'banned@example.com',
        provider: 'telegram',
        confirmed: true,
        telegramId: String(banned.id),
        isBanned: true,
        language: 'ru',
        referralCode: 'BANNED01',
        consentTerms: true,
        consentMarketing: false,
        botBlocked: false,
      },
    });
    await h.say(banned, '/start', 'заблокирован');
    await sleep(500);
    const messages = h.telegram.chat(banned.id).filter((entry) => entry.from === 'bot');
    expect(messages).toHaveLength(1);
    expect(messages[0].buttons).toEqual([]);
    // How to reach the staff (issue 13, finding 10): the API names none here, so the bot's own BOT_INFO_CONTACTS.
    expect(messages[0].text).toContain('Контакты администрации:\n+7 900 000-00-00');
  });
});
