/**
 * GET /api/availability through HTTP against the real server, on fixtures open 09:00–18:00 every day
 * (Europe/Moscow), so slots can be named by their local start time.
 */
import request from 'supertest';
import {
  at,
  createBooking,
  createResource,
  createTariff,
  localDay,
  SPACE_TIMEZONE,
} from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

const MINUTE = 60 * 1000;

interface SlotDto {
  startAt: string;
  endAt: string;
  free: boolean;
}

describe('GET /api/availability', () => {
  let app: TestApp;
  const http = () => request(app.strapi.server.httpServer);
  const availability = (query: Record<string, string | number>) => http().get('/api/availability').query(query);
  const ids: Record<string, string> = {};

  /** Local start times ("HH:MM") of the slots that are not free. */
  const takenStarts = (slots: SlotDto[], date: string) =>
    slots.filter((slot) => !slot.free).map((slot) => ['09', '10', '11', '12', '13', '14', '15', '16', '17'].find((h) => at(date, `${h}:00`).toISOString() === slot.startAt));

  beforeAll(async () => {
    app = await startStrapi({ SPACE_TIMEZONE });
    const s = app.strapi;
    const room = await createResource(s, { capacity: 1, bufferMinutes: 15, closedDates: [localDay(6)] });
    const pool = await createResource(s, { capacity: 30 });
    const inactiveRoom = await createResource(s, { capacity: 1, isActive: false });
    ids.room = room.documentId;
    ids.pool = pool.documentId;
    ids.roomHour = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 100000, maxUnits: 8 })).documentId;
    ids.poolHour = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'hour', price: 30000 })).documentId;
    ids.poolDay = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'day', price: 150000, maxUnits: 5 })).documentId;
    ids.twoResources = (
      await createTariff(s, { resources: [inactiveRoom.documentId, room.documentId, pool.documentId], billingUnit: 'hour', price: 1 })
    ).documentId;
    ids.inactive = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 1, isActive: false })).documentId;
    ids.hidden = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 1, isPublic: false })).documentId;
  });

  afterAll(async () => {
    await app.stop();
  });

  it('lists the hourly slots of a free day, all free', async () => {
    const date = localDay(1);
    const res = await availability({ tariff: ids.roomHour, date });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ date, tariff: ids.roomHour, resource: ids.room });
    expect(res.body.data.slots).toEqual(
      ['09', '10', '11', '12', '13', '14', '15', '16', '17'].map((h) => ({
        startAt: at(date, `${h}:00`).toISOString(),
        endAt: new Date(at(date, `${h}:00`).getTime() + 60 * MINUTE).toISOString(),
        free: true,
      })),
    );
  });

  it('accepts the tariff slug and several units per slot', async () => {
    const tariff = await app.strapi.documents('api::tariff.tariff').findOne({ documentId: ids.roomHour });
    const date = localDay(1);
    const res = await availability({ tariff: String(tariff?.slug), date, units: 3 });

    expect(res.status).toBe(200);
    expect(res.body.data.tariff).toBe(ids.roomHour);
    expect(res.body.data.slots).toHaveLength(7);
    expect(res.body.data.slots[6]).toEqual({ startAt: at(date, '15:00').toISOString(), endAt: at(date, '18:00').toISOString(), free: true });
  });

  it('marks a confirmed booking and the 15-minute buffer around it in the exclusive room as taken', async () => {
    const date = localDay(2);
    await createBooking(app.strapi, { resource: ids.room, tariff: ids.roomHour, startAt: at(date, '12:00'), endAt: at(date, '13:00'), state: 'confirmed' });
    const res = await availability({ tariff: ids.roomHour, date });

    expect(res.status).toBe(200);
    expect(takenStarts(res.body.data.slots, date)).toEqual(['11', '12', '13']);
  });

  it('counts an unexpired payment hold and ignores an expired one, even before any job cleaned it up', async () => {
    const held = localDay(3);
    const lapsed = localDay(4);
    const now = Date.now();
    await createBooking(app.strapi, {
      resource: ids.room,
      tariff: ids.roomHour,
      startAt: at(held, '15:00'),
      endAt: at(held, '16:00'),
      state: 'pending_payment',
      holdExpiresAt: new Date(now + 15 * MINUTE),
    });
    await createBooking(app.strapi, {
      resource: ids.room,
      tariff: ids.roomHour,
      startAt: at(lapsed, '15:00'),
      endAt: at(lapsed, '16:00'),
      state: 'pending_payment',
      holdExpiresAt: new Date(now - MINUTE),
    });
    // Final states never hold a place either.
    for (const state of ['cancelled', 'expired', 'rejected'] as const) {
      await createBooking(app.strapi, { resource: ids.room, tariff: ids.roomHour, startAt: at(lapsed, '10:00'), endAt: at(lapsed, '11:00'), state });
    }

    const heldRes = await availability({ tariff: ids.roomHour, date: held });
    const lapsedRes = await availability({ tariff: ids.roomHour, date: lapsed });

    expect(takenStarts(heldRes.body.data.slots, held)).toEqual(['14', '15', '16']);
    expect(lapsedRes.body.data.slots.every((slot: SlotDto) => slot.free)).toBe(true);
  });

  it('keeps a 30-seat pool slot free at 29 bookings and full at 30', async () => {
    const date = localDay(1);
    const seat = { resource: ids.pool, tariff: ids.poolHour, startAt: at(date, '10:00'), endAt: at(date, '11:00'), state: 'confirmed' as const };
    for (let i = 0; i < 29; i++) await createBooking(app.strapi, seat);

    const at29 = await availability({ tariff: ids.poolHour, date });
    expect(at29.status).toBe(200);
    expect(at29.body.data.resource).toBe(ids.pool);
    expect(takenStarts(at29.body.data.slots, date)).toEqual([]);

    await createBooking(app.strapi, seat);
    const at30 = await availability({ tariff: ids.poolHour, date });
    expect(takenStarts(at30.body.data.slots, date)).toEqual(['10']);
  });

  it('counts places for a day tariff', async () => {
    const date = localDay(5);
    for (let i = 0; i < 3; i++) {
      await createBooking(app.strapi, { resource: ids.pool, tariff: ids.poolDay, startAt: at(date, '00:00'), endAt: at(localDay(6), '00:00'), state: 'confirmed' });
    }
    const res = await availability({ tariff: ids.poolDay, date });

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ date, tariff: ids.poolDay, resource: ids.pool, free: 27, capacity: 30, taken: 3 });
    // A two-day booking from the day before overlaps the same three bookings.
    const twoDays = await availability({ tariff: ids.poolDay, date: localDay(4), units: 2 });
    expect(twoDays.body.data).toMatchObject({ free: 27, taken: 3 });
  });

  it('answers a closed date with no slots', async () => {
    const res = await availability({ tariff: ids.roomHour, date: localDay(6) });

    expect(res.status).toBe(200);
    expect(res.body.data.slots).toEqual([]);
  });

  it('uses the first active resource of a tariff, or the one named by `resource`', async () => {
    const date = localDay(1);
    const first = await availability({ tariff: ids.twoResources, date });
    const named = await availability({ tariff: ids.twoResources, date, resource: ids.pool });
    const foreign = await availability({ tariff: ids.roomHour, date, resource: ids.pool });

    expect(first.body.data.resource).toBe(ids.room);
    expect(named.body.data.resource).toBe(ids.pool);
    expect(foreign.status).toBe(404);
  });

  it.each([
    ['an inactive tariff', () => ids.inactive],
    ['a non-public tariff', () => ids.hidden],
    ['an unknown tariff', () => 'no-such-tariff'],
  ])('answers 404 for %s', async (_case, tariff) => {
    const res = await availability({ tariff: tariff(), date: localDay(1) });

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError' } });
  });

  it.each([
    ['no tariff and no date', () => ({}), [['tariff'], ['date']]],
    ['a malformed tariff', () => ({ tariff: 'drop table;', date: localDay(1) }), [['tariff']]],
    ['an impossible date', () => ({ tariff: ids.roomHour, date: '2026-02-30' }), [['date']]],
    ['a date in another format', () => ({ tariff: ids.roomHour, date: '01.12.2026' }), [['date']]],
    ['a date in the past', () => ({ tariff: ids.roomHour, date: localDay(-1) }), [['date']]],
    ['a date beyond the 30-day horizon', () => ({ tariff: ids.roomHour, date: localDay(31) }), [['date']]],
    ['units that are not a number', () => ({ tariff: ids.roomHour, date: localDay(1), units: 'two' }), [['units']]],
    ['zero units', () => ({ tariff: ids.roomHour, date: localDay(1), units: 0 }), [['units']]],
    ['more units than the tariff allows', () => ({ tariff: ids.roomHour, date: localDay(1), units: 9 }), [['units']]],
    ['an unknown parameter', () => ({ tariff: ids.roomHour, date: localDay(1), price: 1 }), [[]]],
  ])('answers 400 for %s, with a message per field', async (_case, query, paths) => {
    const res = await availability(query());

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    expect(res.body.error.details.errors.map((error: { path: string[] }) => error.path)).toEqual(paths);
    for (const error of res.body.error.details.errors) expect(error.message).toEqual(expect.any(String));
  });

  it('accepts the last day of the horizon', async () => {
    const res = await availability({ tariff: ids.roomHour, date: localDay(30) });

    expect(res.status).toBe(200);
    expect(res.body.data.slots).toHaveLength(9);
  });
});
