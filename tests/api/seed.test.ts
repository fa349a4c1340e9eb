/**
 * Demo data (SEED_DEMO=true): what the seed writes at boot, checked through the database and the
 * REST API, and that a second run adds nothing.
 */
import request from 'supertest';
import { seedDemoData } from '../../database/seed';
import { startStrapi, type TestApp } from '../helpers/strapi';

const ACTIVE = ['pending_payment', 'awaiting_confirmation', 'confirmed', 'completed'];
const SUCCESSFUL = ['confirmed', 'completed'];
const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const moscowDay = (instant: number) => new Date(instant + MOSCOW_OFFSET_MS).toISOString().slice(0, 10);

const UIDS = {
  resource: 'api::resource.resource',
  tariff: 'api::tariff.tariff',
  promocode: 'api::promocode.promocode',
  member: 'plugin::users-permissions.user',
  booking: 'api::booking.booking',
  payment: 'api::payment.payment',
  refund: 'api::refund.refund',
  redemption: 'api::promocode-redemption.promocode-redemption',
  ticket: 'api::ticket.ticket',
  ticketMessage: 'api::ticket-message.ticket-message',
} as const;

interface BookingRow {
  id: number;
  state: string;
  startAt: string;
  endAt: string;
  units: number;
  priceBase: number;
  discountTotal: number;
  priceTotal: number;
  discounts: Array<{ amount: number }> | null;
  tariff: { slug: string; price: number } | null;
  resource: { slug: string } | null;
  member: { id: number } | null;
  payments: Array<{ state: string; amount: number }>;
}

describe('demo data seed', () => {
  let app: TestApp;
  let bootSeedMs: number;
  let bookings: BookingRow[];
  /** The demo data's "now", fixed by the seed when it first ran. */
  let anchor: number;

  const countAll = async () =>
    Object.fromEntries(
      await Promise.all(Object.entries(UIDS).map(async ([name, uid]) => [name, await app.strapi.db.query(uid).count()])),
    );

  beforeAll(async () => {
    // Given a fresh database and SEED_DEMO=true, when Strapi boots, then its bootstrap seeds the demo data.
    const started = Date.now();
    app = await startStrapi({ SEED_DEMO: 'true' });
    bootSeedMs = Date.now() - started;
    anchor = Date.parse(String(await app.strapi.store.get({ type: 'core', name: 'demo-seed', key: 'anchor' })));
    bookings = await app.strapi.db.query(UIDS.booking).findMany({
      select: ['id', 'state', 'startAt', 'endAt', 'units', 'priceBase', 'discountTotal', 'priceTotal', 'discounts'],
      populate: {
        tariff: { select: ['slug', 'price'] },
        resource: { select: ['slug'] },
        member: { select: ['id'] },
        payments: { select: ['state', 'amount'] },
      },
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('boots with the demo data well within a minute', () => {
    expect(bootSeedMs).toBeLessThan(60_000);
  });

  it('creates the three resources with capacities, opening hours, holidays and buffers', async () => {
    const resources = await app.strapi.db.query(UIDS.resource).findMany({ orderBy: { slug: 'asc' } });

    expect(resources.map((r) => [r.slug, r.kind, r.capacity, r.bufferMinutes])).toEqual([
      ['kids-room', 'other', 1, 0],
      ['meeting-room', 'meeting_room', 1, 15],
      ['open-space', 'open_space', 30, 0],
    ]);
    const meetingRoom = resources.find((r) => r.slug === 'meeting-room');
    expect(meetingRoom.openingHours.mon).toEqual([{ open: '09:00', close: '21:00' }]);
    expect(meetingRoom.openingHours.sun).toEqual([]);
    expect(meetingRoom.closedDates.length).toBeGreaterThan(3);
    expect(meetingRoom.closedDates.every((d: string) => /^\d{4}-(01-0[127]|02-23|03-08|05-0[19]|06-12|11-04)$/.test(d))).toBe(true);
  });

  it('serves the five tariffs as typed fields over the REST API', async () => {
    // Given a read-only content-API token
    const token = await app.strapi.service('admin::api-token').create({
      name: 'seed-test-reader',
      description: '',
      type: 'read-only',
      kind: 'content-api',
      lifespan: null,
    });

    // When the tariffs are listed over HTTP
    const res = await request(app.strapi.server.httpServer)
      .get('/api/tariffs')
      .query({ sort: 'slug:asc' })
      .set('Authorization', `Bearer ${token.accessKey}`);

    // Then the rows written with the query engine are visible to the Document Service, with their rules as fields
    expect(res.status).toBe(200);
    const typed = res.body.data.map((t: Record<string, unknown>) => [
      t.slug,
      t.billingUnit,
      t.price,
      t.minUnits,
      t.maxUnits,
      t.requiresApproval,
      t.trialOnce,
      t.durationDiscounts,
    ]);
    expect(typed).toEqual([
      ['desk-month', 'month', 1200000, 1, 12, false, false, [{ minUnits: 6, percent: 10 }, { minUnits: 12, percent: 15 }]],
      ['kids-room-hour', 'hour', 0, 1, 4, true, false, []],
      ['meeting-room-hour', 'hour', 100000, 1, 8, false, false, [{ minUnits: 3, percent: 10 }]],
      ['open-space-day', 'day', 70000, 1, 1, false, false, []],
      ['trial-day', 'day', 30000, 1, 1, false, true, []],
    ]);
    expect(res.body.data.every((t: { documentId: string }) => /^[a-z0-9]{24}$/.test(t.documentId))).toBe(true);

    const resourcesRes = await request(app.strapi.server.httpServer)
      .get('/api/resources')
      .set('Authorization', `Bearer ${token.accessKey}`);
    expect(resourcesRes.status).toBe(200);
    expect(resourcesRes.body.data).toHaveLength(3);
  });

  it('links every tariff to its resource and scopes promo codes to tariffs', async () => {
    const tariffs = await app.strapi.db.query(UIDS.tariff).findMany({ populate: { resources: { select: ['slug'] } } });
    const resourcesOf = Object.fromEntries(tariffs.map((t) => [t.slug, t.resources.map((r: { slug: string }) => r.slug)]));
    expect(resourcesOf).toEqual({
      'open-space-day': ['open-space'],
      'meeting-room-hour': ['meeting-room'],
      'desk-month': ['open-space'],
      'trial-day': ['open-space'],
      'kids-room-hour': ['kids-room'],
    });

    const promocodes = await app.strapi.db.query(UIDS.promocode).findMany({ populate: { tariffs: { select: ['slug'] } } });
    const byCode = Object.fromEntries(promocodes.map((p) => [p.code, p]));
    expect(Object.keys(byCode).sort()).toEqual(['FREEDAY', 'FRIENDS15', 'MEET20', 'SALE500', 'WELCOME10']);
    expect(byCode.SALE500.kind).toBe('fixed');
    expect(Date.parse(byCode.SALE500.validUntil)).toBeLessThan(anchor);
    expect(byCode.FREEDAY.value).toBe(100);
    expect(byCode.FRIENDS15.maxUses).toBe(40);
    expect(byCode.MEET20.tariffs.map((t: { slug: string }) => t.slug)).toEqual(['meeting-room-hour']);
  });

  it('creates 300 Telegram members with the authenticated role, referrals, bans and blocked bots', async () => {
    const members = await app.strapi.db.query(UIDS.member).findMany({
      where: { telegramId: { $notNull: true } },
      populate: { role: { select: ['type'] }, referrer: { select: ['id'] } },
    });

    expect(members).toHaveLength(300);
    expect(members.every((m) => m.username === `tg_${m.telegramId}` && m.provider === 'telegram' && m.confirmed)).toBe(true);
    expect(members.every((m) => m.role?.type === 'authenticated' && !m.password)).toBe(true);
    expect(members.every((m) => /^\+7\d{10}$/.test(m.phone) && /@example\.(com|org|net)$/.test(m.email))).toBe(true);
    expect(new Set(members.map((m) => m.referralCode)).size).toBe(300);
    expect(new Set(members.map((m) => m.language))).toEqual(new Set(['ru', 'en']));
    expect(members.filter((m) => m.referrer).length).toBeGreaterThan(20);
    expect(members.filter((m) => m.isBanned && m.banReason && m.bannedAt)).toHaveLength(2);
    expect(members.filter((m) => m.botBlocked && m.botBlockedAt).length).toBeGreaterThanOrEqual(3);
    const registered = members.map((m) => new Date(m.registeredAt).getTime());
    expect(Math.max(...registered) - Math.min(...registered)).toBeGreaterThan(150 * DAY_MS);
  });

  it('spreads bookings over the last six months, with upcoming ones', () => {
    const months = new Set(bookings.filter((b) => Date.parse(b.startAt) < anchor).map((b) => b.startAt.slice(0, 7)));
    expect(bookings.length).toBeGreaterThan(1000);
    expect(months.size).toBeGreaterThanOrEqual(6);
    const upcoming = bookings.filter((b) => Date.parse(b.startAt) > anchor);
    expect(upcoming.some((b) => b.state === 'confirmed')).toBe(true);
    expect(upcoming.some((b) => b.state === 'pending_payment' || b.state === 'awaiting_confirmation')).toBe(true);
    const past = new Set(bookings.filter((b) => Date.parse(b.endAt) <= anchor).map((b) => b.state));
    expect(past).toEqual(new Set(['completed', 'cancelled', 'expired', 'rejected']));
  });

  it('prices every booking from its tariff: base, discounts and total agree', () => {
    for (const b of bookings) {
      expect(b.priceBase).toBe((b.tariff?.price ?? NaN) * b.units);
      expect(b.priceTotal).toBe(b.priceBase - b.discountTotal);
      expect((b.discounts ?? []).reduce((sum, line) => sum + line.amount, 0)).toBe(b.discountTotal);
    }
  });

  it('has a succeeded payment of exactly priceTotal for every paid booking', () => {
    const paid = bookings.filter((b) => SUCCESSFUL.includes(b.state) && b.priceTotal > 0);
    expect(paid.length).toBeGreaterThan(500);
    for (const b of paid) {
      expect(b.payments.filter((p) => p.state === 'succeeded').map((p) => p.amount)).toEqual([b.priceTotal]);
    }
    // And no money was taken for a booking that is free or was never paid.
    const unpaid = bookings.filter((b) => b.priceTotal === 0 || ['pending_payment', 'expired', 'rejected'].includes(b.state));
    expect(unpaid.every((b) => b.payments.length === 0)).toBe(true);
  });

  it('never has two active bookings of the meeting room at the same time', async () => {
    const knex = app.strapi.db.connection;
    const [{ overlaps }] = await knex('bookings as a')
      .join('bookings_resource_lnk as ra', 'ra.booking_id', 'a.id')
      .join('resources as r', 'r.id', 'ra.resource_id')
      .join('bookings_resource_lnk as rb', 'rb.resource_id', 'ra.resource_id')
      .join('bookings as b', 'b.id', 'rb.booking_id')
      .where('r.slug', 'meeting-room')
      .whereRaw('a.id < b.id')
      .whereIn('a.state', ACTIVE)
      .whereIn('b.state', ACTIVE)
      .whereRaw('a.start_at < b.end_at and b.start_at < a.end_at')
      .count({ overlaps: '*' });

    expect(Number(overlaps)).toBe(0);
    expect(bookings.filter((b) => b.resource?.slug === 'meeting-room').length).toBeGreaterThan(100);
  });

  it('never has more than 30 active open-space bookings on one day', () => {
    const perDay = new Map<string, number>();
    for (const b of bookings.filter((x) => x.resource?.slug === 'open-space' && ACTIVE.includes(x.state))) {
      // Day passes and monthly desks both take a seat on every day they cover.
      for (let t = Date.parse(b.startAt); t < Date.parse(b.endAt); t += DAY_MS) {
        perDay.set(moscowDay(t), (perDay.get(moscowDay(t)) ?? 0) + 1);
      }
    }

    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(30);
    expect(perDay.size).toBeGreaterThan(150);
  });

  it("keeps members' successfulBookings equal to their confirmed and completed bookings", async () => {
    const members = await app.strapi.db.query(UIDS.member).findMany({
      select: ['id', 'successfulBookings'],
      where: { telegramId: { $notNull: true } },
    });
    const successful = new Map<number, number>();
    for (const b of bookings.filter((x) => SUCCESSFUL.includes(x.state) && x.member)) {
      successful.set(b.member!.id, (successful.get(b.member!.id) ?? 0) + 1);
    }

    expect(members.filter((m) => m.successfulBookings > 0).length).toBeGreaterThan(100);
    for (const m of members) expect(m.successfulBookings).toBe(successful.get(m.id) ?? 0);
  });

  it('keeps promo codes within their limits and counts their uses', async () => {
    const promocodes = await app.strapi.db.query(UIDS.promocode).findMany();
    const redemptions = await app.strapi.db.query(UIDS.redemption).findMany({ populate: { promocode: { select: ['code'] } } });

    for (const p of promocodes) {
      const uses = redemptions.filter((r) => r.promocode?.code === p.code && r.state !== 'released').length;
      expect(p.usedCount).toBe(uses);
      if (p.maxUses !== null) expect(uses).toBeLessThanOrEqual(p.maxUses);
    }
    expect(redemptions.length).toBeGreaterThan(50);
  });

  it('gives every ticket a thread that starts with the member', async () => {
    const tickets = await app.strapi.db.query(UIDS.ticket).findMany({
      populate: { member: { select: ['id'] }, messages: { select: ['authorType', 'createdAt'] } },
    });

    expect(tickets.length).toBeGreaterThanOrEqual(50);
    for (const t of tickets) {
      expect(t.member).not.toBeNull();
      expect(t.messages.length).toBeGreaterThanOrEqual(1);
      expect(t.messages.length).toBeLessThanOrEqual(3);
      const first = [...t.messages].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
      expect(first.authorType).toBe('member');
    }
    expect(tickets.some((t) => t.messages.some((m: { authorType: string }) => m.authorType === 'staff'))).toBe(true);
  });

  it('adds nothing when it runs a second time', async () => {
    // Given the seeded database
    const before = await countAll();

    // When the seed runs again
    const report = await seedDemoData(app.strapi);

    // Then every planned row is reported present, none created, and no table grew
    for (const tally of Object.values(report.counts)) expect(tally.created).toBe(0);
    expect(report.counts.members.existing).toBe(300);
    expect(report.counts.bookings.existing).toBe(before.booking);
    expect(report.updated).toEqual({ successfulBookings: 0, promocodeUsedCount: 0 });
    expect(await countAll()).toEqual(before);
    expect(report.durationMs).toBeLessThan(10_000);
  });
});
