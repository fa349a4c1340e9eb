/**
 * Member notifications (docs/NOTIFICATIONS.md): the real Strapi with the `member.notify` outbox handler sending
 * to the Telegram stand-in (tests/stand-ins/telegram) through grammY, driven with runOnce. Booking events come
 * from the lifecycle service, as staff and the system fire them; reminders from the cron task's service.
 */
import { randomUUID } from 'node:crypto';
import { HOUR_MS, MINUTE_MS } from '../../src/domain/space-time';
import { escapeHtml, formatInterval, formatMoney, truncateText } from '../../src/api/notification/render';
import { parseReminderHours } from '../../src/api/notification/services/reminders';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type StandInUser, type TelegramStandIn } from '../stand-ins/telegram/server';

const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const OUTBOX_UID = 'api::outbox-job.outbox-job';
const USER_UID = 'plugin::users-permissions.user';
const STAFF = { type: 'staff' as const, id: 1, label: 'admin:1 Test' };

interface Job {
  documentId: string;
  state: string;
  attempts: number;
  runAfter: string | Date | null;
  lastError: string | null;
  dedupeKey: string | null;
  payload: Record<string, unknown>;
}

describe('pure helpers', () => {
  it('formats money, times in the space timezone, escapes HTML and truncates at a word', () => {
    expect(formatMoney(150000)).toBe('1 500 ₽');
    expect(formatMoney(1234567)).toBe('12 345,67 ₽');
    expect(formatMoney(9900)).toBe('99 ₽');
    expect(escapeHtml('<b>&"')).toBe('&lt;b&gt;&amp;&quot;');
    // 07:00 UTC is 10:00 in Moscow.
    expect(formatInterval(new Date('2026-11-25T07:00:00Z'), new Date('2026-11-25T09:00:00Z'), 'ru-RU', 'Europe/Moscow')).toBe(
      'среда, 25 ноября, 10:00–12:00',
    );
    expect(formatInterval(new Date('2026-11-25T07:00:00Z'), new Date('2026-11-25T09:00:00Z'), 'en-GB', 'Europe/Moscow')).toBe(
      'Wednesday 25 November, 10:00–12:00',
    );
    expect(formatInterval(new Date('2026-11-24T21:00:00Z'), new Date('2026-11-26T21:00:00Z'), 'ru-RU', 'Europe/Moscow')).toBe(
      '25 ноября – 26 ноября',
    );
    const cut = truncateText(`${'слово '.repeat(100)}конец`, 50);
    expect(cut.truncated).toBe(true);
    expect(Array.from(cut.text).length).toBeLessThanOrEqual(50);
    expect(cut.text.endsWith('слово…')).toBe(true);
    expect(parseReminderHours(undefined)).toEqual([24, 1]);
    expect(parseReminderHours('1, 48,24')).toEqual([48, 24, 1]);
    expect(() => parseReminderHours('24,0.5')).toThrow(/BOOKING_REMINDER_HOURS/);
  });
});

describe('member notifications through Telegram', () => {
  let app: TestApp;
  let telegram: TelegramStandIn;
  let resource: string;
  let tariff: string;
  let nextChat = 700100;
  let day = 3;

  const outbox = () =>
    app.strapi.service('api::outbox-job.outbox') as {
      runOnce(worker: string): Promise<{ claimed: number; done: number; failed: number; dead: number; deferred: number }>;
      enqueue(job: { kind: string; payload: unknown; dedupeKey?: string }): Promise<{ job: { documentId: string } }>;
    };
  const lifecycle = () =>
    app.strapi.service('api::booking.lifecycle') as {
      transition(request: Record<string, unknown>): Promise<{ ok: boolean; code?: string }>;
    };
  const reminders = () => app.strapi.service('api::notification.reminders') as { run(now: Date): Promise<{ enqueued: number }> };
  const notifyJobs = async (booking: string): Promise<Job[]> =>
    (await app.strapi.db.query(OUTBOX_UID).findMany({ where: { kind: 'member.notify', dedupeKey: { $contains: booking } }, orderBy: { id: 'asc' } })) as Job[];
  const sendsTo = (chat: number) => telegram.calls('sendMessage').filter((call) => String(call.params.chat_id) === String(chat));
  const botTexts = (chat: number) => telegram.chat(chat).filter((entry) => entry.from === 'bot').map((entry) => entry.text ?? '');

  /** A registered member with a Telegram chat the bot may write to. */
  async function member(language: 'ru' | 'en', first_name = 'Anna') {
    const { id, documentId } = await createRegisteredMember(app.strapi);
    const user: StandInUser = { id: nextChat++, first_name, language_code: language };
    await app.strapi.db.query(USER_UID).update({ where: { id }, data: { telegramId: String(user.id), language } });
    telegram.addUser(user);
    return { id, documentId, user };
  }

  /** A booking of one hour at 10:00 (space time) on a day of its own, paid in full when `paid`. */
  async function booking(
    owner: { documentId: string },
    options: { state: string; paid?: boolean; startAt?: Date; confirmedAt?: Date },
  ) {
    const startAt = options.startAt ?? at(localDay(day++), '10:00');
    // Bookings and payments are written by our services only (src/document-middlewares/protected-fields.ts).
    const created = await asService(app.strapi, () => app.strapi.documents(BOOKING_UID).create({
      data: {
        member: owner.documentId,
        tariff,
        resource,
        startAt,
        endAt: new Date(startAt.getTime() + HOUR_MS),
        units: 1,
        priceBase: 150000,
        priceTotal: 150000,
        currency: 'RUB',
        source: 'bot',
        state: options.state,
        ...(options.confirmedAt ? { confirmedAt: options.confirmedAt } : {}),
      } as never,
    }));
    if (options.paid) {
      await asService(app.strapi, () => app.strapi.documents(PAYMENT_UID).create({
        data: {
          booking: created.documentId,
          member: owner.documentId,
          provider: 'manual',
          idempotenceKey: `manual-${randomUUID()}`,
          amount: 150000,
          currency: 'RUB',
          state: 'succeeded',
          paidAt: new Date(),
        } as never,
      }));
    }
    return created.documentId as string;
  }

  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: false });
    app = await startStrapi({
      SPACE_TIMEZONE,
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      OUTBOX_WORKER: 'false',
      OUTBOX_BACKOFF_BASE_MS: '200',
      OUTBOX_BACKOFF_JITTER: '0',
      BOOKING_REMINDER_HOURS: '24,1',
    });
    const room = await createResource(app.strapi, { capacity: 50 });
    await app.strapi.documents('api::resource.resource').update({ documentId: room.documentId, data: { name: 'Переговорная «Север»' } as never });
    resource = room.documentId;
    tariff = (await createTariff(app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 150000 })).documentId;
  });

  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });

  it('registers the member.notify handler at bootstrap', () => {
    const kinds = (app.strapi.service('api::outbox-job.outbox') as { registeredKinds(): string[] }).registeredKinds();
    expect(kinds).toContain('member.notify');
    // Without BOT_TOKEN nothing is registered (the jobs wait for an instance that has it).
    expect((app.strapi.service('api::notification.notifier') as { register(env: object): boolean }).register({})).toBe(false);
  });

  it('tells a Russian-speaking member in Russian that staff cancelled, with the reason and the refund', async () => {
    const anna = await member('ru');
    const id = await booking(anna, { state: 'confirmed', paid: true });
    const startAt = at(localDay(day - 1), '10:00');
    const outcome = await lifecycle().transition({ documentId: id, event: 'cancel', actor: STAFF, now: new Date(), reason: 'Power outage' });
    expect(outcome.ok).toBe(true);

    const summary = await outbox().runOnce('test');
    expect(summary.done).toBeGreaterThanOrEqual(1);
    const [job] = await notifyJobs(id);
    expect(job).toMatchObject({ state: 'done', attempts: 1, lastError: null });

    const [text] = botTexts(anna.user.id);
    expect(text).toContain('Администратор отменил вашу бронь');
    expect(text).toContain('Причина: Power outage');
    expect(text).toContain('1 500 ₽');
    expect(text).toContain('Переговорная «Север»');
    expect(text).toContain(formatInterval(startAt, new Date(startAt.getTime() + HOUR_MS), 'ru-RU', SPACE_TIMEZONE));
    expect(text).toContain('10:00–11:00');
    const [call] = sendsTo(anna.user.id);
    expect(call.params.parse_mode).toBe('HTML');
  });

  it('writes to an English-speaking member in English, with values escaped for HTML', async () => {
    const bob = await member('en', 'Bob');
    const id = await booking(bob, { state: 'awaiting_confirmation' });
    const outcome = await lifecycle().transition({
      documentId: id,
      event: 'reject',
      actor: STAFF,
      now: new Date(),
      reason: 'Room <A> & B is closed',
    });
    expect(outcome.ok).toBe(true);
    await outbox().runOnce('test');

    const [entry] = telegram.chat(bob.user.id).filter((e) => e.from === 'bot');
    expect(entry.text).toContain('Your booking request was declined');
    expect(entry.text).toContain('Reason: Room <A> & B is closed');
    expect(entry.text).toContain('10:00–11:00');
    expect(entry.source?.text).toContain('Room &lt;A&gt; &amp; B is closed');
    // Only the resource's own (Russian) name is not in English.
    expect(entry.text?.replace('Переговорная «Север»', '')).not.toMatch(/[а-яё]/i);
  });

  it('marks a member who blocked the bot, finishes the job without retrying, and skips them afterwards', async () => {
    const carl = await member('ru', 'Carl');
    telegram.blockBot(carl.user);
    const first = await booking(carl, { state: 'confirmed', paid: true });
    const second = await booking(carl, { state: 'awaiting_confirmation' });

    await lifecycle().transition({ documentId: first, event: 'cancel', actor: STAFF, now: new Date(), reason: 'Closed' });
    const summary = await outbox().runOnce('test');
    expect(summary).toMatchObject({ failed: 0, dead: 0 });
    const [job] = await notifyJobs(first);
    expect(job).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    const row = await app.strapi.db.query(USER_UID).findOne({ where: { id: carl.id } });
    expect(row.botBlocked).toBe(true);
    expect(row.botBlockedAt).toBeTruthy();
    expect(sendsTo(carl.user.id)).toHaveLength(1);
    expect(sendsTo(carl.user.id)[0].status).toBe(403);

    // Nothing is due again, and the next notification is not even tried.
    expect((await outbox().runOnce('test')).claimed).toBe(0);
    await lifecycle().transition({ documentId: second, event: 'approve', actor: STAFF, now: new Date() });
    await outbox().runOnce('test');
    const [next] = await notifyJobs(second);
    expect(next).toMatchObject({ state: 'done', lastError: null });
    expect(sendsTo(carl.user.id)).toHaveLength(1);
  });

  it('waits as long as a 429 asks, then sends the message once', async () => {
    const dana = await member('ru', 'Dana');
    const id = await booking(dana, { state: 'awaiting_confirmation' });
    await lifecycle().transition({ documentId: id, event: 'approve', actor: STAFF, now: new Date() });
    telegram.forceTooManyRequests('sendMessage', 1, 2);

    const before = Date.now();
    const first = await outbox().runOnce('test');
    expect(first).toMatchObject({ failed: 1, done: 0, dead: 0 });
    const [job] = await notifyJobs(id);
    expect(job.state).toBe('failed');
    expect(job.lastError).toMatch(/429/);
    // retry_after 2 s, well above the 200 ms backoff of this test.
    expect(new Date(job.runAfter as string).getTime()).toBeGreaterThanOrEqual(before + 2000);

    expect((await outbox().runOnce('test')).claimed).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, new Date(job.runAfter as string).getTime() - Date.now() + 50));
    const second = await outbox().runOnce('test');
    expect(second).toMatchObject({ done: 1 });
    expect((await notifyJobs(id))[0]).toMatchObject({ state: 'done', attempts: 2 });

    expect(sendsTo(dana.user.id).map((call) => call.status)).toEqual([429, 200]);
    const texts = botTexts(dana.user.id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('Администратор подтвердил вашу бронь');
  });

  it('has a message for every booking event, and spaces messages to one chat a second apart', async () => {
    const gus = await member('ru', 'Gus');
    const cases: [Record<string, unknown>, string][] = [
      [{ event: 'payment_succeeded' }, 'Оплата получена, бронь подтверждена'],
      [{ event: 'mark_paid' }, 'Оплата принята: 1 500 ₽'],
      [{ event: 'reschedule' }, 'Администратор перенёс вашу бронь'],
      [{ event: 'expire_hold' }, 'Время на оплату истекло'],
      [{ event: 'expire_unconfirmed' }, 'Заявку не успели подтвердить'],
      [{ event: 'payment_refunded', amount: 150000 }, 'Оплата возвращается: 1 500 ₽'],
    ];
    for (const [payload] of cases) {
      const id = await booking(gus, { state: 'confirmed' });
      await outbox().enqueue({ kind: 'member.notify', payload: { booking: id, ...payload }, dedupeKey: `member.notify:test:${id}` });
    }
    const summary = await outbox().runOnce('test');
    expect(summary).toMatchObject({ done: cases.length, failed: 0, dead: 0 });
    const texts = botTexts(gus.user.id);
    for (const [, headline] of cases) expect(texts.some((text) => text.includes(headline))).toBe(true);
    const times = sendsTo(gus.user.id).map((call) => call.at);
    for (let i = 1; i < times.length; i += 1) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(950);
  });

  it('dead-letters a message Telegram refuses with 400, with its description as lastError', async () => {
    const hal = await member('en', 'Hal');
    const id = await booking(hal, { state: 'confirmed' });
    telegram.failNext('sendMessage', 1, { error_code: 400, description: 'Bad Request: chat not found' });
    await outbox().enqueue({ kind: 'member.notify', payload: { booking: id, event: 'payment_succeeded' }, dedupeKey: `member.notify:test:${id}` });
    expect(await outbox().runOnce('test')).toMatchObject({ dead: 1 });
    const [job] = await notifyJobs(id);
    expect(job.state).toBe('dead');
    expect(job.lastError).toContain('Telegram refused the message (400: Bad Request: chat not found)');
    expect(job.lastError).not.toContain(telegram.token);
    expect((await app.strapi.db.query(USER_UID).findOne({ where: { id: hal.id } })).botBlocked).toBe(false);
  });

  it('quotes the staff reply of a ticket, shortened when it is long', async () => {
    const eve = await member('en', 'Eve');
    const ticket = await app.strapi.documents('api::ticket.ticket').create({
      data: { member: eve.documentId, subject: 'Wi-Fi <slow>', state: 'in_progress', priority: 'normal' } as never,
    });
    const reply = async (body: string) =>
      (
        await app.strapi.documents('api::ticket-message.ticket-message').create({
          data: { ticket: ticket.documentId, authorType: 'staff', body } as never,
        })
      ).documentId as string;
    const short = await reply('We restarted the router — please try again & tell us.');
    const long = await reply(`${'The access point on the second floor is being replaced. '.repeat(70)}THE END`);
    // The ticket-message middleware enqueues these itself once it is in place; the same key makes this a no-op then.
    const keys = [short, long].map((message) => `member.notify:ticket-message:${message}`);
    for (const [i, message] of [short, long].entries()) {
      await outbox().enqueue({ kind: 'member.notify', payload: { ticket: ticket.documentId, message, event: 'ticket_reply' }, dedupeKey: keys[i] });
    }
    // Both replies go to one chat: the second waits a second for the per-chat limit, then goes.
    await outbox().runOnce('test');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await outbox().runOnce('test');
    const jobs = (await app.strapi.db.query(OUTBOX_UID).findMany({ where: { dedupeKey: { $in: keys } } })) as Job[];
    expect(jobs.map((job) => job.state)).toEqual(['done', 'done']);

    const texts = botTexts(eve.user.id);
    const shortText = texts.find((t) => t.includes('router'));
    expect(shortText).toContain('Support replied to “Wi-Fi <slow>”');
    expect(shortText).toContain('We restarted the router — please try again & tell us.');
    const longText = texts.find((t) => t.includes('second floor'));
    expect(longText).toBeDefined();
    expect(longText).not.toContain('THE END');
    expect(longText).toContain('…');
    expect(longText).toContain('The message was shortened');
    expect(Array.from(longText as string).length).toBeLessThanOrEqual(4096);
  });

  it('enqueues each reminder once, 24 hours and 1 hour ahead, and only the 1-hour one for a late booking', async () => {
    const fay = await member('ru', 'Fay');
    const now = new Date();
    // 23 h 45 min ahead: inside the 24-hour window, and far from 23.5 h, where the text's rounding of the time
    // left would flip to "23 hours" when the run is slow.
    const startAt = new Date(Math.ceil((now.getTime() + 23 * HOUR_MS + 45 * MINUTE_MS) / MINUTE_MS) * MINUTE_MS);
    const early = await booking(fay, { state: 'confirmed', startAt, confirmedAt: new Date(now.getTime() - 48 * HOUR_MS) });
    // Booked 30 minutes before its start: no 24-hour reminder, but the 1-hour one.
    const late = await booking(fay, { state: 'confirmed', startAt: new Date(startAt.getTime() + 2 * HOUR_MS), confirmedAt: new Date(startAt.getTime() + 90 * MINUTE_MS) });
    const reminderJobs = async (id: string) => (await notifyJobs(id)).filter((job) => job.payload.event === 'reminder');

    // 24 hours ahead (the cron runs every minute; two runs, and two instances, enqueue it once).
    await reminders().run(now);
    await reminders().run(new Date(now.getTime() + 30_000));
    expect((await reminderJobs(early)).map((job) => job.dedupeKey)).toEqual([`member.notify:reminder:${early}:24`]);
    expect((await reminderJobs(early))[0].payload).toEqual({ booking: early, event: 'reminder', hours: 24 });
    await outbox().runOnce('test');
    expect(botTexts(fay.user.id).at(-1)).toContain('Напоминание: бронь через 24 часа');

    // 50 minutes before the start: the 1-hour reminder, once.
    const soon = new Date(startAt.getTime() - 50 * MINUTE_MS);
    await reminders().run(soon);
    await reminders().run(new Date(soon.getTime() + 60_000));
    expect((await reminderJobs(early)).map((job) => job.dedupeKey)).toEqual([
      `member.notify:reminder:${early}:24`,
      `member.notify:reminder:${early}:1`,
    ]);

    // The late booking, seen at every moment from its booking to its start.
    expect(await reminderJobs(late)).toHaveLength(0);
    const booked = new Date(startAt.getTime() + 90 * MINUTE_MS);
    await reminders().run(booked);
    await reminders().run(new Date(booked.getTime() + 10 * MINUTE_MS));
    expect((await reminderJobs(late)).map((job) => job.dedupeKey)).toEqual([`member.notify:reminder:${late}:1`]);

    await outbox().runOnce('test');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await outbox().runOnce('test');
    for (const job of [...(await reminderJobs(early)), ...(await reminderJobs(late))]) expect(job.state).toBe('done');
  });
});
