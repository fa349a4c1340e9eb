/**
 * POST /api/bookings through HTTP against the real server: the three outcome states, the server's own price
 * (equal to the quote), the promo redemption, Idempotency-Key retries, and every refusal writing nothing.
 */
import request from 'supertest';
import { createMember, memberToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOOKING_UID = 'api::booking.booking';
const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
const MINUTE = 60 * 1000;

describe('POST /api/bookings', () => {
  let app: TestApp;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  const book = (body: object, bearer: string, key?: string) => {
    const req = http().post('/api/bookings').set('Authorization', `Bearer ${bearer}`);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const startAt = (day: number, clock: string) => at(localDay(day), clock).toISOString();

  /** Everything a booking request may write, including the resource lock counters. */
  const writes = async () => ({
    bookings: await app.strapi.db.query(BOOKING_UID).count(),
    redemptions: await app.strapi.db.query(REDEMPTION_UID).count(),
    locks: (await app.strapi.db.connection('resources').sum({ total: 'lock_version' }).first())?.total,
  });

  beforeAll(async () => {
    app = await startStrapi({ SPACE_TIMEZONE, BOOKING_HOLD_MINUTES: '15' });
    const s = app.strapi;
    const room = await createResource(s, { capacity: 1, bufferMinutes: 15 });
    const pool = await createResource(s, { capacity: 30 });
    const hall = await createResource(s, { capacity: 1 });
    const roomHour = await createTariff(s, {
      resources: [room.documentId],
      billingUnit: 'hour',
      price: 100000,
      maxUnits: 8,
      durationDiscounts: [{ minUnits: 3, percent: 10 }],
    });
    ids.roomHour = roomHour.documentId;
    ids.room = room.documentId;
    ids.poolDay = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'day', price: 50000 })).documentId;
    ids.freeDay = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'day', price: 0 })).documentId;
    ids.trialDay = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'day', price: 10000, trialOnce: true })).documentId;
    ids.hallHour = (
      await createTariff(s, { resources: [hall.documentId], billingUnit: 'hour', price: 200000, requiresApproval: true })
    ).documentId;
    await s.documents('api::promocode.promocode').create({ data: { code: 'SPRING20', kind: 'percent', value: 20, isActive: true } });

    for (const name of ['alice', 'bob', 'carol', 'newbie']) {
      const member = await createRegisteredMember(s);
      ids[name] = member.documentId;
      tokens[name] = await memberToken(s, member.id);
    }
    // A member who signed in but never completed registration (registeredAt null).
    const unregistered = await createMember(s);
    tokens.unregistered = await memberToken(s, unregistered.id);
    const banned = await createRegisteredMember(s);
    await s.db.query('plugin::users-permissions.user').update({ where: { id: banned.id }, data: { isBanned: true } });
    tokens.banned = await memberToken(s, banned.id);
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('outcome states', () => {
    it('holds a paid booking as pending_payment, priced by the server exactly as the quote, with the promo redemption reserved', async () => {
      const body = { tariff: ids.roomHour, startAt: startAt(1, '10:00'), units: 3, promocode: 'spring20' };
      const quoted = await http().post('/api/bookings/quote').set('Authorization', `Bearer ${tokens.alice}`).send(body);
      expect(quoted.status).toBe(200);

      const before = Date.now();
      const res = await book(body, tokens.alice);
      expect(res.status).toBe(201);
      const { priceBase, discounts, priceTotal, currency } = quoted.body.data;
      expect(res.body.data).toMatchObject({
        status: 'pending_payment',
        startAt: startAt(1, '10:00'),
        endAt: startAt(1, '13:00'),
        units: 3,
        priceBase,
        discounts,
        priceTotal,
        currency,
        tariff: ids.roomHour,
        resource: ids.room,
      });
      expect(priceTotal).toBe(210000);
      const hold = new Date(res.body.data.holdExpiresAt).getTime();
      expect(hold).toBeGreaterThanOrEqual(before + 15 * MINUTE - 1000);
      expect(hold).toBeLessThanOrEqual(Date.now() + 15 * MINUTE);

      const stored = await app.strapi.db.query(BOOKING_UID).findOne({
        where: { documentId: res.body.data.documentId },
        populate: { member: true, promocode: true },
      });
      expect(stored).toMatchObject({ state: 'pending_payment', priceTotal: 210000, discountTotal: 90000, source: 'api' });
      expect(stored.member.documentId).toBe(ids.alice);
      expect(stored.promocode.code).toBe('SPRING20');
      const redemption = await app.strapi.db.query(REDEMPTION_UID).findOne({
        where: { booking: { documentId: res.body.data.documentId } },
        populate: { member: true, promocode: true },
      });
      const promoLine = discounts.find((line: { kind: string }) => line.kind === 'promocode');
      expect(redemption).toMatchObject({ state: 'reserved', amount: promoLine.amount });
      expect(redemption.member.documentId).toBe(ids.alice);
    });

    it('confirms a free booking at once', async () => {
      const res = await book({ tariff: ids.freeDay, startAt: startAt(2, '12:00'), units: 1 }, tokens.bob);
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ status: 'confirmed', priceTotal: 0, holdExpiresAt: null, startAt: startAt(2, '00:00') });
      const stored = await app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId: res.body.data.documentId } });
      expect(stored.state).toBe('confirmed');
      expect(stored.confirmedAt).not.toBeNull();
    });

    it('leaves a booking of a tariff that needs approval awaiting_confirmation', async () => {
      const res = await book({ tariff: ids.hallHour, startAt: startAt(1, '10:00'), units: 1 }, tokens.carol);
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ status: 'awaiting_confirmation', priceTotal: 200000, holdExpiresAt: null });
    });
  });

  describe('Idempotency-Key', () => {
    const body = () => ({ tariff: ids.poolDay, startAt: startAt(3, '09:00'), units: 1 });

    it('answers a retry with the first booking (200) instead of booking twice', async () => {
      const before = await writes();
      const first = await book(body(), tokens.carol, 'retry-1');
      const retry = await book(body(), tokens.carol, 'retry-1');
      expect(first.status).toBe(201);
      expect(retry.status).toBe(200);
      expect(retry.body.data).toEqual(first.body.data);
      expect((await writes()).bookings).toBe(before.bookings + 1);
    });

    it('refuses the same key with a different body (422) and writes nothing', async () => {
      const before = await writes();
      const res = await book({ ...body(), units: 2 }, tokens.carol, 'retry-1');
      expect(res.status).toBe(422);
      expect(res.body.error.details.reason).toBe('idempotency_key_reused');
      expect(await writes()).toEqual(before);
    });

    it("keeps one member's key apart from another's", async () => {
      const res = await book(body(), tokens.bob, 'retry-1');
      expect(res.status).toBe(201);
      const keys = await app.strapi.db.connection('bookings').whereLike('idempotency_key', '%:retry-1').pluck('idempotency_key');
      expect(keys).toHaveLength(2);
    });

    it('refuses an oversized key (400)', async () => {
      const res = await book(body(), tokens.carol, 'k'.repeat(101));
      expect(res.status).toBe(400);
    });
  });

  describe('refusals write nothing', () => {
    const cases: Array<[name: string, send: () => request.Test, status: number, reason?: string]> = [
      [
        'a slot overlapping a booking (or its buffer) is taken: 409 full',
        () => book({ tariff: ids.roomHour, startAt: startAt(1, '13:00'), units: 1 }, tokens.bob),
        409,
        'full',
      ],
      [
        'a trial for a member who already had a confirmed booking: 409',
        () => book({ tariff: ids.trialDay, startAt: startAt(4, '09:00'), units: 1 }, tokens.bob),
        409,
        'trial_used',
      ],
      ['units out of range: 422', () => book({ tariff: ids.roomHour, startAt: startAt(5, '10:00'), units: 9 }, tokens.bob), 422],
      [
        'a slot in the past: 422 with the reason',
        () => book({ tariff: ids.roomHour, startAt: startAt(-1, '10:00'), units: 1 }, tokens.bob),
        422,
        'in_the_past',
      ],
      [
        'a slot outside opening hours: 422 with the reason',
        () => book({ tariff: ids.roomHour, startAt: startAt(5, '07:00'), units: 1 }, tokens.bob),
        422,
        'outside_opening_hours',
      ],
      [
        'an unknown promo code: 422 with the reason',
        () => book({ tariff: ids.roomHour, startAt: startAt(5, '10:00'), units: 1, promocode: 'NOPE' }, tokens.bob),
        422,
        'not_found',
      ],
      ['an unknown tariff: 404', () => book({ tariff: 'no-such-tariff', startAt: startAt(5, '10:00'), units: 1 }, tokens.bob), 404],
      [
        'a client-sent price: 400',
        () => book({ tariff: ids.roomHour, startAt: startAt(5, '10:00'), units: 1, priceTotal: 1 }, tokens.bob),
        400,
      ],
      ['a malformed date: 400', () => book({ tariff: ids.roomHour, startAt: 'tomorrow', units: 1 }, tokens.bob), 400],
      [
        'a member who has not completed registration: 403',
        () => book({ tariff: ids.roomHour, startAt: startAt(5, '10:00'), units: 1 }, tokens.unregistered),
        403,
      ],
      ['a banned member: 403', () => book({ tariff: ids.roomHour, startAt: startAt(5, '10:00'), units: 1 }, tokens.banned), 403],
      [
        'no sign-in: 403',
        () => http().post('/api/bookings').send({ tariff: ids.roomHour, startAt: startAt(5, '10:00'), units: 1 }),
        403,
      ],
    ];

    // Objects, not tuples: jest hands `done` to a callback with more parameters than a row has values.
    const rows = cases.map(([name, send, status, reason]) => ({ name, send, status, reason }));
    it.each(rows)('$name', async ({ send, status, reason }) => {
      const before = await writes();
      const res = await send();
      expect(res.status).toBe(status);
      if (reason !== undefined) expect(res.body.error.details.reason).toBe(reason);
      expect(await writes()).toEqual(before);
    });

    it('tells a refused member why: registration not completed, or account blocked', async () => {
      const body = { tariff: ids.roomHour, startAt: startAt(5, '10:00'), units: 1 };
      const unregistered = await book(body, tokens.unregistered);
      expect(unregistered.body.error).toMatchObject({ status: 403, name: 'ForbiddenError', message: 'Please complete your registration before booking.' });
      const banned = await book(body, tokens.banned);
      expect(banned.body.error).toMatchObject({ status: 403, name: 'ForbiddenError', message: 'This account is blocked. Contact the space staff.' });
    });

    it('gives a trial to a member with no booking yet', async () => {
      const res = await book({ tariff: ids.trialDay, startAt: startAt(4, '09:00'), units: 1 }, tokens.newbie);
      expect(res.status).toBe(201);
      // The pending trial counts as taken: a second one is refused until it is paid, expired or cancelled.
      const again = await book({ tariff: ids.trialDay, startAt: startAt(5, '09:00'), units: 1 }, tokens.newbie);
      expect(again.status).toBe(409);
      expect(again.body.error.details.reason).toBe('trial_used');
    });
  });
});
