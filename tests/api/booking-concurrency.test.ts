/**
 * The no-double-booking guarantee (ARCHITECTURE §3.5, issue 3 "Proof"): many concurrent POST /api/bookings
 * for one slot, on SQLite and on PostgreSQL. The final check is a SQL query over the bookings, not a count of
 * responses.
 */
import request from 'supertest';
import { memberToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

describe('POST /api/bookings under concurrency', () => {
  let app: TestApp;
  const tokens: string[] = [];
  const ids: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);

  /** Fires one request per token at once and tallies the statuses (with the 409 / 422 reasons). */
  async function burst(count: number, body: object) {
    const responses = await Promise.all(
      tokens.slice(0, count).map((token) => http().post('/api/bookings').set('Authorization', `Bearer ${token}`).send(body)),
    );
    const tally: Record<string, number> = {};
    for (const res of responses) {
      const label = res.status === 201 ? '201' : `${res.status} ${res.body.error?.details?.reason ?? res.body.error?.message}`;
      tally[label] = (tally[label] ?? 0) + 1;
    }
    return tally;
  }

  beforeAll(async () => {
    // The same members race in every burst and leave their holds unpaid; the per-member cap on holds has its own
    // tests (tests/security/booking-abuse.test.ts).
    app = await startStrapi({ SPACE_TIMEZONE, BOOKING_MAX_UNPAID_HOLDS: '50' });
    const s = app.strapi;
    const room = await createResource(s, { capacity: 1 });
    const pool = await createResource(s, { capacity: 30 });
    const promoPool = await createResource(s, { capacity: 30 });
    ids.roomHour = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 100000 })).documentId;
    ids.poolDay = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'day', price: 50000 })).documentId;
    ids.promoDay = (await createTariff(s, { resources: [promoPool.documentId], billingUnit: 'day', price: 50000 })).documentId;
    await s.documents('api::promocode.promocode').create({ data: { code: 'FIVE', kind: 'percent', value: 10, maxUses: 5, isActive: true } });
    for (let i = 0; i < 60; i++) tokens.push(await memberToken(s, (await createRegisteredMember(s)).id));
  });

  afterAll(async () => {
    await app.stop();
  });

  it('50 members racing for one exclusive room slot: exactly 1 booked, 49 told it is taken', async () => {
    const tally = await burst(50, { tariff: ids.roomHour, startAt: at(localDay(1), '10:00').toISOString(), units: 1 });
    expect(tally).toEqual({ '201': 1, '409 full': 49 });
  });

  it('60 members racing for one day of a 30-seat pool: exactly 30 booked', async () => {
    const tally = await burst(60, { tariff: ids.poolDay, startAt: at(localDay(1), '09:00').toISOString(), units: 1 });
    expect(tally).toEqual({ '201': 30, '409 full': 30 });
  });

  it('20 members racing to use a code with maxUses 5: exactly 5 redemptions', async () => {
    const tally = await burst(20, { tariff: ids.promoDay, startAt: at(localDay(2), '09:00').toISOString(), units: 1, promocode: 'five' });
    expect(tally).toEqual({ '201': 5, '422 exhausted': 15 });
    const knex = app.strapi.db.connection;
    const reserved = await knex('promocode_redemptions as r')
      .join('promocode_redemptions_promocode_lnk as l', 'l.promocode_redemption_id', 'r.id')
      .join('promocodes as p', 'p.id', 'l.promocode_id')
      .where({ 'p.code': 'FIVE', 'r.state': 'reserved' })
      .count({ n: 'r.id' })
      .first();
    expect(Number(reserved?.n)).toBe(5);
  });

  it('leaves no resource with more overlapping active bookings than its capacity (checked in SQL)', async () => {
    // The most bookings of a resource covering one instant is reached at some booking's start, so counting, for
    // every active booking, the active bookings of its resource that cover its start finds the peak. All holds
    // written by this file are fresh (15 minutes), so every active state here occupies capacity.
    const { rows, total } = await overbooked();
    expect(total).toBeGreaterThanOrEqual(36);
    expect(rows).toEqual([]);
  });

  async function overbooked() {
    const knex = app.strapi.db.connection;
    const active = ['pending_payment', 'awaiting_confirmation', 'confirmed'];
    const rows = await knex('bookings as b')
      .join('bookings_resource_lnk as bl', 'bl.booking_id', 'b.id')
      .join('resources as res', 'res.id', 'bl.resource_id')
      .join('bookings_resource_lnk as ol', 'ol.resource_id', 'bl.resource_id')
      .join('bookings as o', 'o.id', 'ol.booking_id')
      .whereIn('b.state', active)
      .whereIn('o.state', active)
      .whereRaw('o.start_at <= b.start_at and o.end_at > b.start_at')
      .groupBy('b.id', 'res.id', 'res.capacity')
      .havingRaw('count(o.id) > res.capacity')
      .select('res.id as resource', 'res.capacity as capacity', knex.raw('count(o.id) as covering'));
    const total = await knex('bookings').whereIn('state', active).count({ n: 'id' }).first();
    return { rows, total: Number(total?.n) };
  }
});
