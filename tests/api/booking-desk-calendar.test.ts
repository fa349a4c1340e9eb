/**
 * The bookings calendar's admin API (docs/ADMIN.md, Bookings calendar): the grid's data (range, filters, validation,
 * RBAC), the side sheet's booking, and bookings made by staff for members through the members' own create path
 * (pricing service, resource lock, overlap count), with mark-paid and a payment link sent through the bot.
 * Real Strapi over HTTP, the YooKassa and Telegram stand-ins, the outbox driven with runOnce.
 */
import request from 'supertest';
import { memberToken, staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';

const BOOKING_UID = 'api::booking.booking';
const AUDIT_UID = 'api::audit-log.audit-log';
const OUTBOX_UID = 'api::outbox-job.outbox-job';
const USER_UID = 'plugin::users-permissions.user';
const HOUR = 60 * 60 * 1000;

interface Block {
  kind: string;
  documentId: string;
  resource: string;
  state: string;
  startAt: string;
  endAt: string;
  member: { documentId: string; fullName: string | null } | null;
  tariff: { documentId: string; name: string } | null;
}

describe('booking desk: calendar and staff bookings', () => {
  let app: TestApp;
  let yk: YooKassaStandIn;
  let telegram: TelegramStandIn;
  const ids: Record<string, string> = {};
  const members: Record<string, { id: number; documentId: string }> = {};
  const tokens: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  const iso = (day: number, clock: string) => at(localDay(day), clock).toISOString();
  const as = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });
  const calendar = (role: string, query: Record<string, string>) => http().get('/booking-desk/calendar').query(query).set(as(role));
  const staffCreate = (role: string, body: object) => http().post('/booking-desk/bookings').set(as(role)).send(body);
  const stored = (documentId: string) =>
    app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId }, populate: { payments: true, resource: true, member: true } });
  const outbox = () => app.strapi.service('api::outbox-job.outbox') as { runOnce(worker: string): Promise<{ done: number; failed: number }> };

  beforeAll(async () => {
    yk = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret', autoWebhooks: false });
    telegram = await startTelegramStandIn({ rateLimits: false });
    app = await startStrapi({
      SPACE_TIMEZONE,
      YOOKASSA_SHOP_ID: '100500',
      YOOKASSA_SECRET_KEY: 'test_secret',
      YOOKASSA_API_URL: yk.url,
      YOOKASSA_RETURN_URL: 'https://t.me/coworking_test_bot',
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      OUTBOX_WORKER: 'false',
      // One unpaid hold per member: the staff bookings below show that staff are not held to it.
      BOOKING_MAX_UNPAID_HOLDS: '1',
    });
    const s = app.strapi;
    const room = await createResource(s, { capacity: 1 });
    const hall = await createResource(s, { capacity: 1 });
    const twin = await createResource(s, { capacity: 1 });
    const retired = await createResource(s, { capacity: 1 });
    ids.room = room.documentId;
    ids.hall = hall.documentId;
    ids.twin = twin.documentId;
    ids.retired = retired.documentId;
    ids.roomHour = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 100000, minUnits: 1, maxUnits: 4 })).documentId;
    ids.hallApproval = (
      await createTariff(s, { resources: [hall.documentId], billingUnit: 'hour', price: 200000, requiresApproval: true })
    ).documentId;
    // Two resources, so a staff booking without `resource` takes the first one that is free.
    ids.pairHour = (await createTariff(s, { resources: [room.documentId, twin.documentId], billingUnit: 'hour', price: 50000 })).documentId;
    ids.retiredHour = (await createTariff(s, { resources: [retired.documentId], billingUnit: 'hour', price: 10000 })).documentId;

    for (const name of ['anna', 'boris', 'vera', 'gleb']) members[name] = await createRegisteredMember(s);
    await s.db.query(USER_UID).update({ where: { id: members.anna.id }, data: { fullName: 'Анна Календарь', phone: '+79001112233', telegramId: '700501' } });
    telegram.addUser({ id: 700501, first_name: 'Anna', language_code: 'ru' });
    members.banned = await createRegisteredMember(s);
    await s.db.query(USER_UID).update({ where: { id: members.banned.id }, data: { isBanned: true, banReason: 'test' } });
    tokens.boris = await memberToken(s, members.boris.id);
    tokens.vera = await memberToken(s, members.vera.id);
    tokens.gleb = await memberToken(s, members.gleb.id);
    tokens.manager = await staffToken(s, 'coworking-manager');
    tokens.support = await staffToken(s, 'coworking-support');
    tokens.marketing = await staffToken(s, 'coworking-marketing');
    // A front desk that may book for members but not take money.
    const roles = s.service('admin::role') as unknown as {
      create(data: object): Promise<{ id: number }>;
      assignPermissions(id: number, permissions: object[]): Promise<unknown>;
    };
    const bookerRole = await roles.create({ name: 'Calendar test: booking only', code: 'calendar-test-booking-only', description: 'test' });
    await roles.assignPermissions(bookerRole.id, [{ action: 'plugin::booking-desk.bookings.create' }]);
    tokens.booker = await staffToken(s, 'calendar-test-booking-only');
  });

  afterAll(async () => {
    await app?.stop();
    await yk?.close();
    await telegram?.close();
  });

  describe('POST /booking-desk/bookings', () => {
    it('books for a member through the pricing service: 201, source admin, audited as the staff member', async () => {
      // Given a member who already holds one unpaid booking of their own (the cap is 1)
      const own = await http().post('/api/bookings').set('Authorization', `Bearer ${tokens.boris}`).send({ tariff: ids.roomHour, startAt: iso(2, '09:00'), units: 1 });
      expect(own.status).toBe(201);
      // When a manager books two more hours for them
      const res = await staffCreate('manager', { member: members.boris.documentId, tariff: ids.roomHour, startAt: iso(2, '10:00'), units: 2, comment: 'Phoned in' });
      // Then the booking is priced by the tariff (2 × 1 000 ₽), held for payment, made by staff
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ status: 'pending_payment', units: 2, priceBase: 200000, priceTotal: 200000, resource: ids.room, payment: null });
      expect(res.body.meta).toEqual({ markedPaid: false, paymentLink: null });
      const row = await stored(res.body.data.documentId);
      expect(row).toMatchObject({ source: 'admin', comment: 'Phoned in', state: 'pending_payment' });
      expect(row.member.id).toBe(members.boris.id);
      expect(new Date(row.endAt).getTime() - new Date(row.startAt).getTime()).toBe(2 * HOUR);
      // No YooKassa payment unless a link is asked for
      expect(row.payments).toEqual([]);
      const [audit] = await app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: row.documentId, action: 'booking.create' } });
      expect(audit).toMatchObject({ actorType: 'admin', after: expect.objectContaining({ source: 'admin', priceTotal: 200000, resource: ids.room }) });
      expect(audit.actorLabel).toMatch(/^admin:\d+ /);
      ids.borisStaffBooking = row.documentId;
    });

    it('answers 409 with details.code for a taken slot, and writes nothing', async () => {
      const before = await app.strapi.db.query(BOOKING_UID).count();
      const res = await staffCreate('manager', { member: members.vera.documentId, tariff: ids.roomHour, startAt: iso(2, '11:00'), units: 1 });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ status: 409, name: 'ConflictError', details: { code: 'full' } });
      expect(await app.strapi.db.query(BOOKING_UID).count()).toBe(before);
    });

    it('decides a staff booking and a member booking of one slot one after the other', async () => {
      const slot = iso(3, '14:00');
      const [staff, member] = await Promise.all([
        staffCreate('manager', { member: members.anna.documentId, tariff: ids.roomHour, startAt: slot, units: 1 }),
        http().post('/api/bookings').set('Authorization', `Bearer ${tokens.gleb}`).send({ tariff: ids.roomHour, startAt: slot, units: 1 }),
      ]);
      expect([staff.status, member.status].sort()).toEqual([201, 409]);
      const loser = staff.status === 409 ? staff : member;
      expect(loser.body.error.details.code).toBe('full');
      const taken = await app.strapi.db.query(BOOKING_UID).findMany({
        where: { resource: { documentId: ids.room }, startAt: new Date(slot), state: { $in: ['pending_payment', 'confirmed'] } },
      });
      expect(taken).toHaveLength(1);
    });

    it('picks the first free resource of the tariff when none is named', async () => {
      // 10:00–12:00 on day 2 is taken in the room, so the pair tariff books its twin.
      const res = await staffCreate('manager', { member: members.vera.documentId, tariff: ids.pairHour, startAt: iso(2, '10:00'), units: 1, markPaid: true });
      expect(res.status).toBe(201);
      expect(res.body.data.resource).toBe(ids.twin);
    });

    it('refuses what breaks a rule with 422 and a malformed body with 400', async () => {
      const base = { member: members.vera.documentId, tariff: ids.roomHour, startAt: iso(4, '10:00'), units: 1 };
      const cases: [object, number, string?][] = [
        [{ ...base, startAt: iso(4, '07:00') }, 422, 'startAt'], // before opening
        [{ ...base, units: 5 }, 422, 'units'], // the tariff allows 1–4
        [{ ...base, member: 'a'.repeat(24) }, 422, 'member'],
        [{ ...base, tariff: 'b'.repeat(24) }, 422, 'tariff'],
        [{ ...base, member: members.banned.documentId }, 422, 'member'],
        [{ ...base, resource: ids.hall }, 422, 'resource'],
        [{ ...base, markPaid: true, sendPaymentLink: true }, 422, 'sendPaymentLink'],
        [{ ...base, startAt: iso(-1, '10:00') }, 422, 'startAt'], // in the past
        [{ ...base, startAt: '2026-13-01T10:00:00+03:00' }, 400],
        [{ ...base, startAt: '2026-06-01T10:00:00' }, 400], // no time zone
        [{ ...base, member: 'not-an-id' }, 400],
        [{ ...base, units: '2' }, 400],
        [{ ...base, priceTotal: 1 }, 400],
        [{ tariff: ids.roomHour, startAt: base.startAt, units: 1 }, 400],
      ];
      const before = await app.strapi.db.query(BOOKING_UID).count();
      for (const [body, status, field] of cases) {
        const res = await staffCreate('manager', body);
        expect({ body, status: res.status }).toEqual({ body, status });
        expect(res.body).toMatchObject({ data: null, error: { status } });
        if (field) expect(res.body.error.details.errors[0].path).toEqual([field]);
      }
      expect(await app.strapi.db.query(BOOKING_UID).count()).toBe(before);
    });

    it('approves a tariff that needs approval by creating it', async () => {
      const res = await staffCreate('manager', { member: members.vera.documentId, tariff: ids.hallApproval, startAt: iso(4, '12:00'), units: 1 });
      expect(res.status).toBe(201);
      expect(res.body.data.status).toBe('pending_payment');
    });

    it('markPaid: confirms through mark_paid with a manual payment, in the same request', async () => {
      const res = await staffCreate('manager', { member: members.vera.documentId, tariff: ids.roomHour, startAt: iso(5, '10:00'), units: 1, markPaid: true });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ status: 'confirmed', paidAmount: 100000 });
      expect(res.body.meta.markedPaid).toBe(true);
      const row = await stored(res.body.data.documentId);
      expect(row.state).toBe('confirmed');
      expect(row.payments).toEqual([expect.objectContaining({ provider: 'manual', state: 'succeeded', amount: 100000 })]);
      const actions = (await app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: row.documentId }, orderBy: { id: 'asc' } })).map(
        (entry: { action: string }) => entry.action,
      );
      expect(actions).toEqual(['booking.create', 'booking.mark_paid']);
      // Nothing was sent to YooKassa for it
      expect(yk.payments().filter((record) => record.payment.metadata?.bookingId === row.documentId)).toEqual([]);
    });

    it('sendPaymentLink: creates the YooKassa payment and the member gets the link through the bot', async () => {
      const res = await staffCreate('manager', { member: members.anna.documentId, tariff: ids.roomHour, startAt: iso(5, '14:00'), units: 1, sendPaymentLink: true });
      expect(res.status).toBe(201);
      const url = res.body.data.payment.confirmationUrl as string;
      expect(url).toMatch(new RegExp(`^${yk.origin}/`));
      expect(res.body.meta.paymentLink).toEqual({ confirmationUrl: url, notification: 'queued' });
      const [job] = await app.strapi.db.query(OUTBOX_UID).findMany({ where: { kind: 'member.notify', dedupeKey: `member.notify:${res.body.data.documentId}:payment_link` } });
      expect(job).toMatchObject({ state: 'queued', payload: { booking: res.body.data.documentId, event: 'payment_link' } });

      await outbox().runOnce('test');

      const message = telegram.chat(700501).find((entry) => entry.from === 'bot' && entry.text?.includes('Администратор забронировал для вас время'));
      expect(message?.text).toContain('1 000 ₽');
      const call = telegram.calls('sendMessage').find((entry) => String(entry.params.chat_id) === '700501');
      expect(String(call?.params.text)).toContain(`href="${url.replace(/&/g, '&amp;')}"`);
    });

    it('lets a role create only with bookings.create, and mark paid only with mark-paid', async () => {
      const body = { member: members.vera.documentId, tariff: ids.roomHour, startAt: iso(6, '10:00'), units: 1 };
      const before = await app.strapi.db.query(BOOKING_UID).count();
      const paid = await staffCreate('booker', { ...body, markPaid: true });
      expect(paid.status).toBe(403);
      expect(paid.body.error.details.code).toBe('not_allowed');
      expect(await app.strapi.db.query(BOOKING_UID).count()).toBe(before);
      expect((await staffCreate('support', body)).status).toBe(403);
      expect((await staffCreate('marketing', body)).status).toBe(403);
      expect((await http().post('/booking-desk/bookings').send(body)).status).toBe(401);
      expect((await http().post('/booking-desk/bookings').set('Authorization', `Bearer ${tokens.vera}`).send(body)).status).toBe(401);
      // The same role books without markPaid, and the booking is not confirmed
      const unpaid = await staffCreate('booker', body);
      expect(unpaid.status).toBe(201);
      expect(unpaid.body.data.status).toBe('pending_payment');
    });
  });

  describe('POST /booking-desk/bookings/quote', () => {
    it('prices like the booking (same pricing service) and says whether the time is free', async () => {
      const free = await http().post('/booking-desk/bookings/quote').set(as('manager')).send({ tariff: ids.roomHour, startAt: iso(7, '10:00'), units: 3 });
      expect(free.status).toBe(200);
      expect(free.body.data).toMatchObject({ priceBase: 300000, priceTotal: 300000, available: true, resource: ids.room, state: 'pending_payment' });
      const taken = await http().post('/booking-desk/bookings/quote').set(as('manager')).send({ tariff: ids.roomHour, startAt: iso(2, '10:00'), units: 1 });
      expect(taken.body.data).toMatchObject({ available: false, problem: { code: 'full' } });
      const tooMany = await http().post('/booking-desk/bookings/quote').set(as('manager')).send({ tariff: ids.roomHour, startAt: iso(7, '10:00'), units: 9 });
      expect(tooMany.status).toBe(422);
      expect((await http().post('/booking-desk/bookings/quote').set(as('support')).send({ tariff: ids.roomHour, startAt: iso(7, '10:00'), units: 1 })).status).toBe(403);
    });
  });

  describe('GET /booking-desk/calendar', () => {
    beforeAll(async () => {
      // A booking in a resource that was retired afterwards, and a cancelled and an expired one.
      const retired = await staffCreate('manager', { member: members.vera.documentId, tariff: ids.retiredHour, startAt: iso(2, '15:00'), units: 1, markPaid: true });
      expect(retired.status).toBe(201);
      ids.retiredBooking = retired.body.data.documentId;
      await app.strapi.db.query('api::resource.resource').update({ where: { documentId: ids.retired }, data: { isActive: false } });
      for (const [state, clock] of [['cancelled', '16:00'], ['expired', '17:00']] as const) {
        const made = await staffCreate('manager', { member: members.vera.documentId, tariff: ids.roomHour, startAt: iso(2, clock), units: 1 });
        await app.strapi.db.query(BOOKING_UID).update({ where: { documentId: made.body.data.documentId }, data: { state } });
        ids[state] = made.body.data.documentId;
      }
    });

    it('answers the range’s bookings as blocks, with resources, tariffs and the time zone', async () => {
      const res = await calendar('manager', { from: localDay(2), to: localDay(2) });
      expect(res.status).toBe(200);
      expect(res.body.meta).toEqual({ from: at(localDay(2), '00:00').toISOString(), to: at(localDay(3), '00:00').toISOString(), timeZone: SPACE_TIMEZONE });
      const blocks = res.body.data.blocks as Block[];
      // Only day 2: boris's own 09:00, the staff 10:00–12:00, vera's twin 10:00, the retired 15:00, the cancelled 16:00
      expect(blocks.map((block) => block.startAt)).toEqual([iso(2, '09:00'), iso(2, '10:00'), iso(2, '10:00'), iso(2, '15:00'), iso(2, '16:00')]);
      expect(blocks.every((block) => block.startAt < res.body.meta.to && block.endAt > res.body.meta.from)).toBe(true);
      const staffBlock = blocks.find((block) => block.documentId === ids.borisStaffBooking);
      expect(staffBlock).toMatchObject({
        kind: 'booking',
        resource: ids.room,
        state: 'pending_payment',
        units: 2,
        priceTotal: 200000,
        source: 'admin',
        tariff: { documentId: ids.roomHour },
        member: { documentId: members.boris.documentId },
      });
      expect(typeof (staffBlock as unknown as { id: number }).id).toBe('number');
      // Expired holds are left out unless asked for; the cancelled one is shown
      expect(blocks.map((block) => block.documentId)).not.toContain(ids.expired);
      expect(blocks.find((block) => block.documentId === ids.cancelled)?.state).toBe('cancelled');

      const resources = res.body.data.resources as { documentId: string; isActive: boolean; openingHours: unknown; capacity: number }[];
      // Active resources, and the retired one because a shown booking takes it
      expect(resources.map((resource) => resource.documentId).sort()).toEqual([ids.room, ids.hall, ids.twin, ids.retired].sort());
      expect(resources.find((resource) => resource.documentId === ids.retired)?.isActive).toBe(false);
      expect(resources[0]).toEqual(expect.objectContaining({ capacity: 1, openingHours: expect.objectContaining({ mon: [{ open: '09:00', close: '18:00' }] }) }));
      const pair = (res.body.data.tariffs as { documentId: string; resources: string[]; billingUnit: string }[]).find((tariff) => tariff.documentId === ids.pairHour);
      expect(pair?.billingUnit).toBe('hour');
      expect(pair?.resources.sort()).toEqual([ids.room, ids.twin].sort());
    });

    it('leaves out a retired resource when none of the shown bookings takes it', async () => {
      const res = await calendar('manager', { from: localDay(3), to: localDay(3) });
      expect(res.body.data.resources.map((resource: { documentId: string }) => resource.documentId)).not.toContain(ids.retired);
    });

    it('takes date-times as instants, and half-open: a booking ending at `from` is not in it', async () => {
      const res = await calendar('manager', { from: iso(2, '12:00'), to: iso(2, '15:30') });
      expect(res.status).toBe(200);
      // 10:00–12:00 ends at `from`; the twin's 10:00–11:00 too; 15:00–16:00 overlaps
      expect(res.body.data.blocks.map((block: Block) => block.documentId)).toEqual([ids.retiredBooking]);
    });

    it('filters by resource, tariff, member and state', async () => {
      const range = { from: localDay(2), to: localDay(2) };
      const byResource = await calendar('manager', { ...range, resource: ids.twin });
      expect(byResource.body.data.blocks.map((block: Block) => block.resource)).toEqual([ids.twin]);
      expect(byResource.body.data.resources.map((resource: { documentId: string }) => resource.documentId)).toEqual([ids.twin]);

      const byTariff = await calendar('manager', { ...range, tariff: ids.pairHour });
      expect(byTariff.body.data.blocks.map((block: Block) => block.tariff?.documentId)).toEqual([ids.pairHour]);
      expect(byTariff.body.data.resources.map((resource: { documentId: string }) => resource.documentId).sort()).toEqual([ids.room, ids.twin].sort());

      const byMember = await calendar('manager', { ...range, member: members.boris.documentId });
      expect(byMember.body.data.blocks.map((block: Block) => block.documentId)).toHaveLength(2);
      expect(byMember.body.data.blocks.every((block: Block) => block.member?.documentId === members.boris.documentId)).toBe(true);

      const expired = await calendar('manager', { ...range, state: 'expired' });
      expect(expired.body.data.blocks.map((block: Block) => block.documentId)).toEqual([ids.expired]);

      const nobody = await calendar('manager', { ...range, member: 'c'.repeat(24) });
      expect(nobody.status).toBe(200);
      expect(nobody.body.data.blocks).toEqual([]);
    });

    it('refuses a missing or malformed range with 400 and a range over 31 days or backwards with 422', async () => {
      const cases: [Record<string, string>, number][] = [
        [{}, 400],
        [{ from: localDay(0) }, 400],
        [{ from: 'tomorrow', to: localDay(1) }, 400],
        [{ from: '2026-02-30', to: '2026-03-01' }, 400],
        [{ from: localDay(0), to: localDay(1), resource: 'nope' }, 400],
        [{ from: localDay(0), to: localDay(1), state: 'confirmed,bogus' }, 400],
        [{ from: localDay(0), to: localDay(1), extra: '1' }, 400],
        [{ from: localDay(0), to: localDay(31) }, 422],
        [{ from: localDay(2), to: localDay(1) }, 422],
        [{ from: iso(2, '12:00'), to: iso(2, '12:00') }, 422],
      ];
      for (const [query, status] of cases) {
        const res = await calendar('manager', query);
        expect({ query, status: res.status }).toEqual({ query, status });
        expect(res.body.error.status).toBe(status);
      }
      expect((await calendar('manager', { from: localDay(0), to: localDay(30) })).status).toBe(200);
    });

    it('is for staff with calendar.read: Manager and Support read, Marketing is refused', async () => {
      const range = { from: localDay(2), to: localDay(2) };
      expect((await calendar('manager', range)).status).toBe(200);
      expect((await calendar('support', range)).status).toBe(200);
      expect((await calendar('marketing', range)).status).toBe(403);
      expect((await http().get('/booking-desk/calendar').query(range)).status).toBe(401);
    });
  });

  describe('GET /booking-desk/calendar/bookings/:documentId', () => {
    it('answers the booking with member, payments and what was paid', async () => {
      const res = await http().get(`/booking-desk/calendar/bookings/${ids.retiredBooking}`).set(as('support'));
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        documentId: ids.retiredBooking,
        state: 'confirmed',
        source: 'admin',
        paidAmount: 10000,
        member: { documentId: members.vera.documentId },
        tariff: { documentId: ids.retiredHour, freeCancellationHours: 24 },
        payments: [{ provider: 'manual', state: 'succeeded', amount: 10000, refunds: [] }],
      });
      expect((await http().get(`/booking-desk/calendar/bookings/${'d'.repeat(24)}`).set(as('manager'))).status).toBe(404);
      expect((await http().get('/booking-desk/calendar/bookings/bad').set(as('manager'))).status).toBe(400);
      expect((await http().get(`/booking-desk/calendar/bookings/${ids.retiredBooking}`).set(as('marketing'))).status).toBe(403);
    });
  });
});
