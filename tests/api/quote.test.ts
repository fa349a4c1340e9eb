/**
 * POST /api/bookings/quote through HTTP against the real server: prices from the one pricing service,
 * promo codes checked case-insensitively with their limits, and whether the interval is free right now.
 */
import request from 'supertest';
import { createMember, memberToken } from '../helpers/auth';
import { at, createBooking, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import { startStrapi, type TestApp } from '../helpers/strapi';

const DAY = 24 * 60 * 60 * 1000;

describe('POST /api/bookings/quote', () => {
  let app: TestApp;
  let token = '';
  let memberDocumentId = '';
  const ids: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  const quote = (body: object, bearer: string | null = token) => {
    const req = http().post('/api/bookings/quote');
    if (bearer) req.set('Authorization', `Bearer ${bearer}`);
    return req.send(body);
  };
  const writes = async () => ({
    bookings: await app.strapi.db.query('api::booking.booking').count(),
    redemptions: await app.strapi.db.query('api::promocode-redemption.promocode-redemption').count(),
  });

  const promo = (data: Record<string, unknown>) =>
    app.strapi.documents('api::promocode.promocode').create({ data: { kind: 'percent', isActive: true, ...data } as never });
  const redemption = (promocode: string, member: string, state: 'reserved' | 'used' | 'released') =>
    asService(app.strapi, () => app.strapi.documents('api::promocode-redemption.promocode-redemption').create({ data: { promocode, member, amount: 100, state } }));

  beforeAll(async () => {
    app = await startStrapi({ SPACE_TIMEZONE });
    const s = app.strapi;
    const member = await createMember(s);
    memberDocumentId = member.documentId;
    token = await memberToken(s, member.id);
    const other = await createMember(s);

    const room = await createResource(s, { capacity: 1, bufferMinutes: 15 });
    const pool = await createResource(s, { capacity: 30 });
    ids.room = room.documentId;
    ids.roomHour = (
      await createTariff(s, {
        resources: [room.documentId],
        billingUnit: 'hour',
        price: 100000,
        minUnits: 1,
        maxUnits: 8,
        durationDiscounts: [{ minUnits: 3, percent: 10 }],
      })
    ).documentId;
    ids.poolHour = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'hour', price: 30000 })).documentId;
    ids.inactive = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 1, isActive: false })).documentId;

    await promo({ code: 'spring20', value: 20 });
    await promo({ code: 'MINUS300', kind: 'fixed', value: 30000 });
    await promo({ code: 'FREE100', value: 100 });
    await promo({ code: 'OLD10', value: 10, validUntil: new Date(Date.now() - DAY) });
    await promo({ code: 'POOLONLY', value: 10, tariffs: [ids.poolHour] });
    const once = await promo({ code: 'ONCE', value: 10, maxUses: 1 });
    await redemption(once.documentId, other.documentId, 'used');
    const mine = await promo({ code: 'MINE', value: 10, maxUsesPerMember: 1 });
    await redemption(mine.documentId, memberDocumentId, 'reserved');
    const released = await promo({ code: 'RELEASED', value: 10, maxUses: 1 });
    await redemption(released.documentId, other.documentId, 'released');

    // The exclusive room is taken on day 2, 10:00–11:00.
    await createBooking(s, { resource: ids.room, tariff: ids.roomHour, startAt: at(localDay(2), '10:00'), endAt: at(localDay(2), '11:00'), state: 'confirmed' });
  });

  afterAll(async () => {
    await app.stop();
  });

  const startAt = (day = 1, clock = '10:00') => at(localDay(day), clock).toISOString();

  it('prices one hour without discounts and says it is free', async () => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 1 });

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ priceBase: 100000, discounts: [], priceTotal: 100000, currency: 'RUB', available: true });
  });

  it('applies the 10 % duration discount from 3 hours', async () => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 3 });

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      priceBase: 300000,
      discounts: [{ kind: 'duration', label: expect.any(String), amount: 30000 }],
      priceTotal: 270000,
      currency: 'RUB',
      available: true,
    });
  });

  it('matches a percent promo code typed in lower case, on top of the duration discount', async () => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 3, promocode: ' spring20 ' });

    expect(res.status).toBe(200);
    expect(res.body.data.discounts).toEqual([
      { kind: 'duration', label: expect.any(String), amount: 30000 },
      { kind: 'promocode', label: expect.stringContaining('SPRING20'), amount: 60000 },
    ]);
    expect(res.body.data.priceTotal).toBe(210000);
  });

  it('takes a fixed promo code off the price', async () => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 1, promocode: 'minus300' });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ priceBase: 100000, priceTotal: 70000 });
    expect(res.body.data.discounts).toEqual([{ kind: 'promocode', label: expect.any(String), amount: 30000 }]);
  });

  it('prices a 100 % code at 0', async () => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 3, promocode: 'FREE100' });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ priceBase: 300000, priceTotal: 0 });
  });

  it('counts only reserved and used redemptions against the limits', async () => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 1, promocode: 'released' });

    expect(res.status).toBe(200);
    expect(res.body.data.priceTotal).toBe(90000);
  });

  it.each([
    ['an expired code', 'old10', 'expired'],
    ['a code for another tariff', 'PoolOnly', 'wrong_tariff'],
    ['a code used up by others', 'once', 'exhausted'],
    ['a code this member already used', 'mine', 'member_limit'],
    ['an unknown code', 'NOSUCHCODE', 'not_found'],
  ])('refuses %s with 422 and the reason', async (_case, promocode, reason) => {
    const before = await writes();
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 1, promocode });

    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ data: null, error: { status: 422, details: { reason } } });
    expect(res.body.error.details.errors).toEqual([{ path: ['promocode'], message: expect.any(String), name: 'ValidationError' }]);
    expect(await writes()).toEqual(before);
  });

  it.each([0, 9])('refuses %i units (outside the tariff range 1–8) with 422', async (units) => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units });

    // Both are whole numbers that break a rule (0 the contract's minimum, 9 the tariff's range): 422 (docs/API.md).
    expect(res.status).toBe(422);
    expect(res.body.error.details.errors[0].path).toEqual(['units']);
  });

  it('says an interval is not available when it is taken or inside the buffer', async () => {
    const taken = await quote({ tariff: ids.roomHour, startAt: startAt(2, '10:00'), units: 1 });
    const buffer = await quote({ tariff: ids.roomHour, startAt: startAt(2, '11:00'), units: 1 });
    const free = await quote({ tariff: ids.roomHour, startAt: startAt(2, '13:00'), units: 1 });

    expect(taken.status).toBe(200);
    expect(taken.body.data).toMatchObject({ priceTotal: 100000, available: false });
    expect(buffer.body.data.available).toBe(false);
    expect(free.body.data.available).toBe(true);
  });

  it('says an interval in the past or outside opening hours is not available', async () => {
    const past = await quote({ tariff: ids.roomHour, startAt: startAt(-1), units: 1 });
    const late = await quote({ tariff: ids.roomHour, startAt: startAt(1, '17:00'), units: 2 });

    expect(past.body.data.available).toBe(false);
    expect(late.body.data.available).toBe(false);
  });

  it.each([
    ['an inactive tariff', () => ids.inactive],
    ['an unknown tariff', () => 'no-such-tariff'],
  ])('answers 404 for %s', async (_case, tariff) => {
    const res = await quote({ tariff: tariff(), startAt: startAt(), units: 1 });

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError' } });
  });

  it.each([
    ['an empty body', () => ({}), [['tariff'], ['startAt'], ['units']]],
    ['a start time without a time zone', () => ({ tariff: ids.roomHour, startAt: '2026-12-01T10:00:00', units: 1 }), [['startAt']]],
    ['units as a string', () => ({ tariff: ids.roomHour, startAt: startAt(), units: '1' }), [['units']]],
    ['fractional units', () => ({ tariff: ids.roomHour, startAt: startAt(), units: 1.5 }), [['units']]],
    ['a client-sent price', () => ({ tariff: ids.roomHour, startAt: startAt(), units: 1, priceTotal: 1 }), [[]]],
    ['a promo code that is not a string', () => ({ tariff: ids.roomHour, startAt: startAt(), units: 1, promocode: 5 }), [['promocode']]],
  ])('answers 400 for %s and writes nothing', async (_case, body, paths) => {
    const before = await writes();
    const res = await quote(body());

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    expect(res.body.error.details.errors.map((error: { path: string[] }) => error.path)).toEqual(paths);
    expect(await writes()).toEqual(before);
  });

  it('refuses anonymous callers', async () => {
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 1 }, null);

    expect([401, 403]).toContain(res.status);
    expect(res.body.data).toBeNull();
  });

  it('refuses a banned member with 403', async () => {
    const banned = await createMember(app.strapi);
    await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: banned.id }, data: { isBanned: true } });
    const res = await quote({ tariff: ids.roomHour, startAt: startAt(), units: 1 }, await memberToken(app.strapi, banned.id));

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ data: null, error: { status: 403, name: 'ForbiddenError' } });
  });
});
