/**
 * The member card of the booking desk (docs/ADMIN.md, Member card) through HTTP against the real server:
 * search, the card and its totals to the kopeck, ban / unban (audited, and the member API refusing a banned
 * member), a message through the bot (an outbox job that the Telegram stand-in receives), staff notes,
 * validation, the per-staff rate limit and RBAC for Manager, Support and Marketing.
 */
import request from 'supertest';
import { HOUR_MS } from '../../src/domain/space-time';
import { createStaffUser, adminLogin, staffToken, createApiToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';

const USER_UID = 'plugin::users-permissions.user';
const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const AUDIT_UID = 'api::audit-log.audit-log';
const OUTBOX_UID = 'api::outbox-job.outbox-job';
const NOTE_UID = 'api::member-note.member-note';
const BOT_SERVICE_TOKEN = 'members-test-bot-service-token-0123456789';
const MESSAGE_LIMIT = 4;

interface MemberFixture {
  id: number;
  documentId: string;
  telegramId: string;
}

describe('booking desk: member card', () => {
  let app: TestApp;
  let telegram: TelegramStandIn;
  let manager: string;
  let support: string;
  let marketing: string;
  let resource: string;
  let tariff: string;
  let anna: MemberFixture;
  let boris: MemberFixture;
  let nextChat = 810_000_100;
  let sequence = 0;

  const http = () => request(app.strapi.server.httpServer);
  const as = (token: string, req: request.Test) => req.set('Authorization', `Bearer ${token}`);
  const card = (token: string, documentId: string) => as(token, http().get(`/booking-desk/members/${documentId}`));
  const post = (token: string, path: string, body: unknown) => as(token, http().post(`/booking-desk/members${path}`)).send(body as object);
  const search = (token: string, query: Record<string, string | string[]>) => as(token, http().get('/booking-desk/members').query(query));
  const auditRows = (documentId: string, action: string) =>
    app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: documentId, action }, orderBy: { id: 'asc' } });
  const outbox = () => app.strapi.service('api::outbox-job.outbox') as unknown as { runOnce(worker: string): Promise<{ done: number }> };
  const botTexts = (chat: string) =>
    telegram
      .chat(Number(chat))
      .filter((entry) => entry.from === 'bot')
      .map((entry) => entry);
  /** A Manager of their own: the message limit counts per staff member. */
  const freshManager = () => staffToken(app.strapi, 'coworking-manager');
  const signIn = (telegramId: string) =>
    http().post('/api/auth/telegram').set('Authorization', `Bearer ${BOT_SERVICE_TOKEN}`).send({ telegramId });

  /** A registered member with a Telegram chat in the stand-in. */
  async function member(data: Record<string, unknown> = {}): Promise<MemberFixture> {
    const { id, documentId } = await createRegisteredMember(app.strapi);
    const telegramId = String(nextChat++);
    telegram.addUser({ id: Number(telegramId), first_name: 'Member', language_code: 'ru' });
    await app.strapi.db.query(USER_UID).update({ where: { id }, data: { telegramId, ...data } });
    return { id, documentId, telegramId };
  }

  /** A booking written through the query engine (the integrity guard keeps the Document Service for our flows). */
  async function booking(owner: MemberFixture, state: string, dayOffset: number, priceTotal: number) {
    const startAt = at(localDay(dayOffset), '10:00');
    return app.strapi.db.query(BOOKING_UID).create({
      data: {
        member: owner.id,
        tariff: (await app.strapi.db.query('api::tariff.tariff').findOne({ where: { documentId: tariff } })).id,
        resource: (await app.strapi.db.query('api::resource.resource').findOne({ where: { documentId: resource } })).id,
        startAt,
        endAt: new Date(startAt.getTime() + 2 * HOUR_MS),
        units: 2,
        priceBase: priceTotal,
        discountTotal: 0,
        priceTotal,
        currency: 'RUB',
        source: 'bot',
        state,
        publishedAt: new Date(),
      },
    }) as Promise<{ id: number; documentId: string }>;
  }

  async function payment(owner: MemberFixture, bookingId: number, amount: number, state: string) {
    return app.strapi.db.query(PAYMENT_UID).create({
      data: {
        booking: bookingId,
        member: owner.id,
        provider: 'yookassa',
        providerPaymentId: `members-test-${process.pid}-${sequence++}`,
        idempotenceKey: `members-test-${process.pid}-${sequence++}`,
        amount,
        currency: 'RUB',
        state,
        paidAt: state === 'succeeded' ? new Date() : null,
        publishedAt: new Date(),
      },
    }) as Promise<{ id: number; documentId: string }>;
  }

  async function refund(paymentId: number, amount: number, state: string) {
    return app.strapi.db.query(REFUND_UID).create({
      data: { payment: paymentId, amount, currency: 'RUB', state, reason: 'test', idempotenceKey: `members-refund-${process.pid}-${sequence++}`, publishedAt: new Date() },
    });
  }

  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: false });
    app = await startStrapi({
      SPACE_TIMEZONE,
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      BOT_SERVICE_TOKEN,
      OUTBOX_WORKER: 'false',
      RATE_LIMIT_STAFF_MESSAGE: `${MESSAGE_LIMIT}/600`,
    });
    manager = await staffToken(app.strapi, 'coworking-manager');
    support = await staffToken(app.strapi, 'coworking-support');
    marketing = await staffToken(app.strapi, 'coworking-marketing');
    const room = await createResource(app.strapi, { capacity: 10 });
    resource = room.documentId;
    tariff = (await createTariff(app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 50000 })).documentId;

    anna = await member({
      fullName: 'Анна Смирнова',
      phone: '+79001234567',
      telegramUsername: 'anna_s',
      email: 'Anna.Smirnova@example.com',
      language: 'ru',
      referralCode: 'ANNAREF1',
    });
    boris = await member({ fullName: 'Boris Petrov', phone: '+79005550011', telegramUsername: 'boris', language: 'en', referrer: anna.id });
  });

  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });

  describe('GET /booking-desk/members (search)', () => {
    it.each([
      ['a Russian name in lower case', 'анна'],
      ['a surname as typed', 'Смирнова'],
      ['a phone as people type it', '8 (900) 123-45-67'],
      ['part of the phone', '1234567'],
      ['the Telegram username with @, in capitals', '@ANNA_S'],
      ['the e-mail in lower case', 'anna.smirnova@example'],
    ])('Given members, when staff search by %s, then the member is found', async (_case, q) => {
      const res = await search(manager, { q });

      expect(res.status).toBe(200);
      expect(res.body.data.map((row: { documentId: string }) => row.documentId)).toContain(anna.documentId);
      const row = res.body.data.find((item: { documentId: string }) => item.documentId === anna.documentId);
      expect(row).toEqual({
        documentId: anna.documentId,
        id: anna.id,
        fullName: 'Анна Смирнова',
        phone: '+79001234567',
        telegramUsername: 'anna_s',
        telegramId: anna.telegramId,
        isBanned: false,
      });
      expect(res.body.data.map((item: { documentId: string }) => item.documentId)).not.toContain(boris.documentId);
    });

    it('finds a member by Telegram id and pages the results', async () => {
      const byId = await search(manager, { q: boris.telegramId });
      expect(byId.body.data.map((row: { documentId: string }) => row.documentId)).toEqual([boris.documentId]);

      const page = await search(manager, { pageSize: '1', page: '2' });
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(1);
      const total = await app.strapi.db.query(USER_UID).count();
      expect(page.body.meta.pagination).toEqual({ page: 2, pageSize: 1, pageCount: total, total });
    });

    it.each([
      ['pageSize over 50', { pageSize: '51' }],
      ['page 0', { page: '0' }],
      ['a page that is not a number', { page: 'two' }],
      ['q given twice', { q: ['a', 'b'] }],
      ['q over 100 characters', { q: 'x'.repeat(101) }],
    ])('answers 400 for %s', async (_case, query) => {
      const res = await search(manager, query);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    });
  });

  describe('GET /booking-desk/members/:documentId (the card)', () => {
    it('Given bookings, payments, refunds, tickets, referrals and notes, then the card shows them with totals to the kopeck', async () => {
      // Given: a visit yesterday (paid 1 500,00), one three days ago (paid 700,50, 200,25 refunded), a cancelled
      // booking next week (paid 1 000,00, refund under way), one waiting for payment and a request.
      const yesterday = await booking(anna, 'confirmed', -1, 150000);
      await payment(anna, yesterday.id, 150000, 'succeeded');
      const earlier = await booking(anna, 'completed', -3, 70050);
      const earlierPayment = await payment(anna, earlier.id, 70050, 'succeeded');
      await refund(earlierPayment.id, 20025, 'succeeded');
      const cancelled = await booking(anna, 'cancelled', 7, 100000);
      const cancelledPayment = await payment(anna, cancelled.id, 100000, 'succeeded');
      await refund(cancelledPayment.id, 100000, 'pending');
      const unpaid = await booking(anna, 'pending_payment', 8, 50000);
      await payment(anna, unpaid.id, 50000, 'pending');
      await booking(anna, 'awaiting_confirmation', 9, 50000);
      // Someone else's money is not hers.
      const borisBooking = await booking(boris, 'confirmed', -2, 99999);
      await payment(boris, borisBooking.id, 99999, 'succeeded');
      const ticket = await app.strapi.db.query(TICKET_UID).create({
        data: { member: anna.id, subject: 'Не работает Wi-Fi', state: 'in_progress', priority: 'normal', publishedAt: new Date() },
      });
      await app.strapi.db.query(MESSAGE_UID).create({
        data: { ticket: ticket.id, authorType: 'member', authorMember: anna.id, body: 'Wi-Fi пропал', createdAt: new Date(Date.now() - 60_000), publishedAt: new Date() },
      });
      await app.strapi.db.query(MESSAGE_UID).create({
        data: { ticket: ticket.id, authorType: 'staff', body: 'Перезагрузили роутер', createdAt: new Date(), publishedAt: new Date() },
      });

      // When
      const res = await card(manager, anna.documentId);

      // Then
      expect(res.status).toBe(200);
      const data = res.body.data;
      expect(data.profile).toMatchObject({
        documentId: anna.documentId,
        fullName: 'Анна Смирнова',
        phone: '+79001234567',
        email: 'Anna.Smirnova@example.com',
        telegramUsername: 'anna_s',
        telegramId: anna.telegramId,
        language: 'ru',
        consentTerms: true,
        consentMarketing: false,
        referralCode: 'ANNAREF1',
        referrer: null,
        isBanned: false,
        banReason: null,
        botBlocked: false,
      });
      expect(data.profile.registeredAt).toEqual(expect.any(String));
      expect(data.totals).toEqual({
        bookings: {
          total: 5,
          byState: { pending_payment: 1, awaiting_confirmation: 1, confirmed: 1, completed: 1, rejected: 0, cancelled: 1, expired: 0 },
        },
        paidTotal: 320050,
        refundedTotal: 20025,
        refundPendingTotal: 100000,
        netSpend: 200025,
        currency: 'RUB',
        lastVisitAt: at(localDay(-1), '10:00').toISOString(),
        referralsCount: 1,
        ticketsCount: 1,
        notesCount: 0,
      });
      expect(data.bookings).toHaveLength(5);
      expect(data.bookings[0]).toMatchObject({
        state: 'awaiting_confirmation',
        priceTotal: 50000,
        units: 2,
        tariff: { documentId: tariff, name: expect.any(String) },
        resource: { documentId: resource, name: expect.any(String) },
        startAt: at(localDay(9), '10:00').toISOString(),
      });
      expect(data.payments.map((p: { amount: number }) => p.amount).sort()).toEqual([100000, 150000, 50000, 70050].sort());
      expect(data.payments.find((p: { amount: number }) => p.amount === 50000)).toMatchObject({ state: 'pending', booking: unpaid.documentId });
      expect(data.refunds).toHaveLength(2);
      expect(data.refunds.find((r: { amount: number }) => r.amount === 20025)).toMatchObject({
        state: 'succeeded',
        payment: earlierPayment.documentId,
        booking: earlier.documentId,
      });
      expect(data.tickets).toEqual([
        expect.objectContaining({
          documentId: ticket.documentId,
          subject: 'Не работает Wi-Fi',
          state: 'in_progress',
          lastMessage: expect.objectContaining({ authorType: 'staff', body: 'Перезагрузили роутер' }),
        }),
      ]);
      expect(data.referrals).toEqual([expect.objectContaining({ documentId: boris.documentId, fullName: 'Boris Petrov', telegramUsername: 'boris' })]);
      expect(data.notes).toEqual([]);
    });

    it("shows the referrer on the referred member's card and hides a placeholder e-mail", async () => {
      await app.strapi.db.query(USER_UID).update({ where: { id: boris.id }, data: { email: `tg_${boris.telegramId}@telegram.invalid` } });
      const res = await card(support, boris.documentId);
      expect(res.status).toBe(200);
      expect(res.body.data.profile).toMatchObject({
        referrer: { documentId: anna.documentId, fullName: 'Анна Смирнова', telegramUsername: 'anna_s' },
        email: null,
        language: 'en',
      });
      expect(res.body.data.totals).toMatchObject({ paidTotal: 99999, refundedTotal: 0, netSpend: 99999, referralsCount: 0 });
    });

    it('answers 404 for an unknown member and 400 for an id that is not one', async () => {
      const unknown = await card(manager, 'a'.repeat(24));
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError' } });
      const bad = await card(manager, 'not-an-id');
      expect(bad.status).toBe(400);
    });
  });

  describe('ban and unban', () => {
    it('Given a member who can sign in, when a Manager bans them with a reason, then the API refuses them; unban lets them back', async () => {
      const carl = await member({ fullName: 'Carl Banned' });
      expect((await signIn(carl.telegramId)).status).toBe(200);

      const ban = await post(manager, `/${carl.documentId}/ban`, { reason: '  Нарушение правил  ' });

      expect(ban.status).toBe(200);
      expect(ban.body.data).toMatchObject({ documentId: carl.documentId, isBanned: true, banReason: 'Нарушение правил' });
      const row = await app.strapi.db.query(USER_UID).findOne({ where: { id: carl.id } });
      expect(row).toMatchObject({ isBanned: true, banReason: 'Нарушение правил' });
      expect(row.bannedAt).not.toBeNull();
      const [banAudit] = await auditRows(carl.documentId, 'member.banned');
      expect(banAudit).toMatchObject({
        actorType: 'admin',
        actorLabel: expect.stringMatching(/^admin:\d+ Test coworking-manager$/),
        subjectType: USER_UID,
        after: { isBanned: true, reason: 'Нарушение правил' },
        before: { isBanned: false },
      });
      const refused = await signIn(carl.telegramId);
      expect(refused.status).toBe(403);
      expect(refused.body.error.details.code).toBe('account_blocked');
      expect((await card(manager, carl.documentId)).body.data.profile).toMatchObject({ isBanned: true, banReason: 'Нарушение правил' });

      // Banning twice is a conflict and writes nothing more.
      const again = await post(manager, `/${carl.documentId}/ban`, { reason: 'Again' });
      expect(again.status).toBe(409);
      expect(await auditRows(carl.documentId, 'member.banned')).toHaveLength(1);

      const unban = await post(manager, `/${carl.documentId}/unban`, { reason: 'Извинился' });

      expect(unban.status).toBe(200);
      expect(unban.body.data).toMatchObject({ isBanned: false, banReason: null, bannedAt: null });
      expect(await auditRows(carl.documentId, 'member.unbanned')).toEqual([
        expect.objectContaining({ after: { isBanned: false, reason: 'Извинился' }, before: expect.objectContaining({ isBanned: true, banReason: 'Нарушение правил' }) }),
      ]);
      expect((await signIn(carl.telegramId)).status).toBe(200);
      expect((await post(manager, `/${carl.documentId}/unban`, { reason: 'Again' })).status).toBe(409);
    });

    it.each([
      ['no reason', {}, 400],
      ['a reason of the wrong type', { reason: 5 }, 400],
      ['an unknown field', { reason: 'x', extra: true }, 400],
      ['an empty reason', { reason: '   ' }, 422],
      ['a reason over 500 characters', { reason: 'я'.repeat(501) }, 422],
    ])('refuses a ban with %s (%s) and changes nothing', async (_case, body, status) => {
      const dora = await member();
      const res = await post(manager, `/${dora.documentId}/ban`, body);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ data: null, error: { status, name: 'ValidationError' } });
      expect((await app.strapi.db.query(USER_UID).findOne({ where: { id: dora.id } })).isBanned).toBe(false);
      expect(await auditRows(dora.documentId, 'member.banned')).toEqual([]);
    });

    it('answers 404 when banning a member who does not exist', async () => {
      const res = await post(manager, `/${'b'.repeat(24)}/ban`, { reason: 'x' });
      expect(res.status).toBe(404);
    });
  });

  describe('message through the bot', () => {
    it('Given a member with Telegram, when staff send a message, then an outbox job is queued, audited and delivered in the member\'s language', async () => {
      const eva = await member({ fullName: 'Eva' });
      const text = 'Ваш пропуск готов <b>&</b> ждёт на ресепшене';

      const res = await post(manager, `/${eva.documentId}/message`, { text });

      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({ queued: true });
      const jobs = await app.strapi.db.query(OUTBOX_UID).findMany({ where: { kind: 'member.notify', dedupeKey: { $contains: eva.documentId } } });
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ state: 'queued', payload: { event: 'staff_message', member: eva.documentId, text, chatId: eva.telegramId } });
      expect(await auditRows(eva.documentId, 'member.messaged')).toEqual([
        expect.objectContaining({ actorType: 'admin', after: { text, job: jobs[0].documentId } }),
      ]);

      await outbox().runOnce('members-test');

      const [sent] = botTexts(eva.telegramId);
      expect(sent.text).toContain('Сообщение от администратора');
      expect(sent.text).toContain(text);
      expect(sent.source?.text).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
      expect((await app.strapi.db.query(OUTBOX_UID).findOne({ where: { id: jobs[0].id } })).state).toBe('done');
    });

    it('writes in English to an English-speaking member', async () => {
      const fred = await member({ language: 'en' });
      expect((await post(support, `/${fred.documentId}/message`, { text: 'Your locker key is ready' })).status).toBe(202);
      await outbox().runOnce('members-test');
      const [sent] = botTexts(fred.telegramId);
      expect(sent.text).toContain('A message from the staff');
      expect(sent.text).toContain('Your locker key is ready');
    });

    it.each([
      ['has no Telegram id', { telegramId: null }, 'no_telegram'],
      ['has blocked the bot', { botBlocked: true, botBlockedAt: new Date() }, 'bot_blocked'],
      ['is banned', { isBanned: true, banReason: 'x', bannedAt: new Date() }, 'member_banned'],
    ])('answers 422 when the member %s, and queues nothing', async (_case, data, code) => {
      const gina = await member(data);
      const res = await post(await freshManager(), `/${gina.documentId}/message`, { text: 'Hello' });
      expect(res.status).toBe(422);
      expect(res.body.error.details.code).toBe(code);
      expect(await app.strapi.db.query(OUTBOX_UID).count({ where: { dedupeKey: { $contains: gina.documentId } } })).toBe(0);
      expect(await auditRows(gina.documentId, 'member.messaged')).toEqual([]);
    });

    it.each([
      ['no text', {}, 400],
      ['an empty text', { text: ' ' }, 422],
      ['a text over 4096 characters', { text: 'x'.repeat(4097) }, 422],
    ])('refuses %s', async (_case, body, status) => {
      const res = await post(await freshManager(), `/${anna.documentId}/message`, body);
      expect(res.status).toBe(status);
      expect(res.body.error.status).toBe(status);
    });

    it('takes a text of 4096 characters and delivers it shortened to fit Telegram', async () => {
      const hana = await member();
      const text = `${'слово '.repeat(681)}конец`;
      expect(Array.from(text)).toHaveLength(4091);
      expect((await post(await freshManager(), `/${hana.documentId}/message`, { text })).status).toBe(202);
      await outbox().runOnce('members-test');
      const [sent] = botTexts(hana.telegramId);
      expect(Array.from(sent.text ?? '').length).toBeLessThanOrEqual(4096);
      expect(sent.text).toContain('Сообщение сокращено');
    });

    it('limits messages per staff member: over the limit 429, another staff member is still served', async () => {
      const { email } = await createStaffUser(app.strapi, 'coworking-support');
      const busy = await adminLogin(app.strapi, email);
      const other = await staffToken(app.strapi, 'coworking-support');
      const ivan = await member();
      for (let i = 0; i < MESSAGE_LIMIT; i += 1) expect((await post(busy, `/${ivan.documentId}/message`, { text: `n${i}` })).status).toBe(202);

      const refused = await post(busy, `/${ivan.documentId}/message`, { text: 'one more' });

      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ data: null, error: { status: 429 } });
      expect(await app.strapi.db.query(OUTBOX_UID).count({ where: { dedupeKey: { $contains: ivan.documentId } } })).toBe(MESSAGE_LIMIT);
      expect((await post(other, `/${ivan.documentId}/message`, { text: 'from a colleague' })).status).toBe(202);
    });
  });

  describe('staff notes', () => {
    it('Given a member, when staff add a note, then it is stored, audited and shown on the card, newest first', async () => {
      const jan = await member();
      const first = await post(support, `/${jan.documentId}/notes`, { body: 'Просит счёт на юрлицо' });
      const second = await post(manager, `/${jan.documentId}/notes`, { body: 'Постоянный гость, любит переговорку' });

      expect(first.status).toBe(201);
      expect(first.body.data).toMatchObject({ body: 'Просит счёт на юрлицо', authorLabel: 'Test coworking-support' });
      expect(second.status).toBe(201);
      const view = await card(support, jan.documentId);
      expect(view.body.data.notes.map((note: { body: string }) => note.body)).toEqual(['Постоянный гость, любит переговорку', 'Просит счёт на юрлицо']);
      expect(view.body.data.totals.notesCount).toBe(2);
      const stored = await app.strapi.db.query(NOTE_UID).findOne({ where: { documentId: first.body.data.documentId }, populate: { member: true, author: true } });
      expect(stored.member.id).toBe(jan.id);
      expect(stored.author.id).toEqual(expect.any(Number));
      expect(await auditRows(jan.documentId, 'member.note_added')).toHaveLength(2);
    });

    it.each([
      ['no body', {}, 400],
      ['an empty body', { body: '' }, 422],
      ['a body over 2000 characters', { body: 'x'.repeat(2001) }, 422],
    ])('refuses a note with %s and stores nothing', async (_case, body, status) => {
      const before = await app.strapi.db.query(NOTE_UID).count();
      const res = await post(manager, `/${anna.documentId}/notes`, body);
      expect(res.status).toBe(status);
      expect(await app.strapi.db.query(NOTE_UID).count()).toBe(before);
    });

    it('keeps notes away from members and API tokens: there is no REST route', async () => {
      const fullAccess = await createApiToken(app.strapi, 'full-access');
      const res = await http().get('/api/member-notes').set('Authorization', `Bearer ${fullAccess}`);
      expect([404, 405]).toContain(res.status);
    });
  });

  describe('RBAC', () => {
    it('Support reads, messages and notes, but may not ban', async () => {
      const kim = await member();
      expect((await search(support, { q: 'Анна' })).status).toBe(200);
      expect((await card(support, kim.documentId)).status).toBe(200);
      const ban = await post(support, `/${kim.documentId}/ban`, { reason: 'x' });
      expect(ban.status).toBe(403);
      expect((await post(support, `/${kim.documentId}/unban`, { reason: 'x' })).status).toBe(403);
      expect((await app.strapi.db.query(USER_UID).findOne({ where: { id: kim.id } })).isBanned).toBe(false);
    });

    it('Marketing gets 403 on every member-card route and nothing is written', async () => {
      const lena = await member();
      const notesBefore = await app.strapi.db.query(NOTE_UID).count();
      const answers = await Promise.all([
        search(marketing, {}),
        card(marketing, lena.documentId),
        post(marketing, `/${lena.documentId}/ban`, { reason: 'x' }),
        post(marketing, `/${lena.documentId}/unban`, { reason: 'x' }),
        post(marketing, `/${lena.documentId}/message`, { text: 'x' }),
        post(marketing, `/${lena.documentId}/notes`, { body: 'x' }),
      ]);
      expect(answers.map((res) => res.status)).toEqual([403, 403, 403, 403, 403, 403]);
      expect(await app.strapi.db.query(NOTE_UID).count()).toBe(notesBefore);
      expect(await app.strapi.db.query(OUTBOX_UID).count({ where: { dedupeKey: { $contains: lena.documentId } } })).toBe(0);
    });

    it('a role with only bookings.create may search (the calendar picks members) but not open cards', async () => {
      const roles = app.strapi.service('admin::role') as unknown as {
        create(data: object): Promise<{ id: number }>;
        assignPermissions(id: number, permissions: object[]): Promise<unknown>;
      };
      const role = await roles.create({ name: 'Front desk booking only', code: 'members-test-booking-only', description: 'test' });
      await roles.assignPermissions(role.id, [{ action: 'plugin::booking-desk.bookings.create' }]);
      const token = await staffToken(app.strapi, 'members-test-booking-only');

      const found = await search(token, { q: 'Boris' });
      expect(found.status).toBe(200);
      expect(found.body.data.map((row: { documentId: string }) => row.documentId)).toEqual([boris.documentId]);
      expect((await card(token, boris.documentId)).status).toBe(403);
    });

    it('anonymous callers and members get 401 / 403', async () => {
      expect((await http().get('/booking-desk/members')).status).toBe(401);
      const session = await signIn(anna.telegramId);
      const res = await http().get(`/booking-desk/members/${anna.documentId}`).set('Authorization', `Bearer ${session.body.jwt}`);
      expect(res.status).toBe(401);
    });
  });
});
