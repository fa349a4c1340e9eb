/**
 * GET /booking-desk/home: the figures of the staff home page (docs/ADMIN.md, Home page). "Today" and "this month"
 * are the space's calendar day and month (SPACE_TIMEZONE), so bookings and payments just either side of local
 * midnight land on the right day even where UTC says otherwise; each section is there only for a role that may
 * see it.
 */
import request from 'supertest';
import { addDays, localDateOf, zonedInstant } from '../../src/domain/space-time';
import { staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const TICKET_UID = 'api::ticket.ticket';
const MINUTE = 60 * 1000;

type State = 'pending_payment' | 'awaiting_confirmation' | 'confirmed' | 'completed' | 'rejected' | 'cancelled' | 'expired';

describe('staff home figures (GET /booking-desk/home)', () => {
  let app: TestApp;
  const tokens: Record<string, string> = {};
  const resources: Record<string, string> = {};
  const bookings: Record<string, string> = {};
  let memberId: number;
  let tariff: string;
  const http = () => request(app.strapi.server.httpServer);
  const home = (role: string) => http().get('/booking-desk/home').set('Authorization', `Bearer ${tokens[role]}`);

  async function book(name: string, resource: string, state: State, startAt: Date, endAt: Date, holdExpiresAt?: Date) {
    const created = await asService(app.strapi, () =>
      app.strapi.documents(BOOKING_UID).create({
        data: {
          resource: resources[resource],
          tariff,
          member: memberId,
          startAt,
          endAt,
          state,
          holdExpiresAt,
          units: 1,
          priceBase: 0,
          priceTotal: 0,
          currency: 'RUB',
          source: 'api',
        } as never,
      }),
    );
    bookings[name] = created.documentId;
  }

  const payment = (amount: number, state: string, paidAt: Date | null) =>
    app.strapi.db.query(PAYMENT_UID).create({ data: { amount, state, paidAt, provider: 'yookassa', currency: 'RUB' } });
  const refund = (amount: number, state: string, createdAt: Date) =>
    app.strapi.db.query(REFUND_UID).create({ data: { amount, state, currency: 'RUB', createdAt, updatedAt: createdAt } });

  // The space's calendar as the test sees it (Europe/Moscow, the default).
  const today = localDay(0);
  const yesterday = localDay(-1);
  const dayStart = zonedInstant(today, 0, SPACE_TIMEZONE);
  const monthStart = zonedInstant(`${today.slice(0, 8)}01`, 0, SPACE_TIMEZONE);
  const now = new Date();

  beforeAll(async () => {
    app = await startStrapi();
    for (const role of ['strapi-super-admin', 'coworking-manager', 'coworking-support', 'coworking-marketing']) {
      tokens[role] = await staffToken(app.strapi, role);
    }
    const member = await createRegisteredMember(app.strapi);
    memberId = member.id;
    await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: memberId }, data: { fullName: 'Иван Петров' } });
    // "desk": the figures of "free now"; "edge": bookings around midnight (kept off the desk so the time of day
    // the test runs at cannot move the desk's figure); "closed": an inactive resource.
    resources.desk = (await createResource(app.strapi, { capacity: 3 })).documentId;
    resources.room = (await createResource(app.strapi, { capacity: 2 })).documentId;
    resources.edge = (await createResource(app.strapi, { capacity: 50 })).documentId;
    resources.closed = (await createResource(app.strapi, { capacity: 5, isActive: false })).documentId;
    tariff = (await createTariff(app.strapi, { resources: [resources.desk, resources.room, resources.edge], billingUnit: 'hour', price: 50000 })).documentId;

    // Around local midnight: 00:10 MSK is 21:10 UTC of the day before, the same UTC day as yesterday's 23:20 MSK.
    await book('justAfterMidnight', 'edge', 'confirmed', at(today, '00:10'), at(today, '00:40'));
    await book('yesterdayLate', 'edge', 'confirmed', at(yesterday, '23:20'), at(yesterday, '23:50'));
    await book('acrossMidnight', 'edge', 'completed', at(yesterday, '23:30'), at(today, '00:30'));
    await book('tomorrowMidnight', 'edge', 'confirmed', at(localDay(1), '00:00'), at(localDay(1), '00:30'));
    await book('cancelledToday', 'edge', 'cancelled', at(today, '12:00'), at(today, '13:00'));
    await book('lapsedHoldToday', 'edge', 'pending_payment', at(today, '14:00'), at(today, '15:00'), new Date(now.getTime() - MINUTE));
    // Right now on the desk: two hold a place, a lapsed hold and a cancellation do not.
    await book('deskNow', 'desk', 'confirmed', new Date(now.getTime() - 60 * MINUTE), new Date(now.getTime() + 60 * MINUTE));
    await book('deskHeld', 'desk', 'pending_payment', new Date(now.getTime() - 10 * MINUTE), new Date(now.getTime() + 50 * MINUTE), new Date(now.getTime() + 15 * MINUTE));
    await book('deskLapsed', 'desk', 'pending_payment', new Date(now.getTime() - 10 * MINUTE), new Date(now.getTime() + 50 * MINUTE), new Date(now.getTime() - MINUTE));
    await book('deskCancelled', 'desk', 'cancelled', new Date(now.getTime() - 10 * MINUTE), new Date(now.getTime() + 50 * MINUTE));
    await book('closedNow', 'closed', 'confirmed', new Date(now.getTime() - 10 * MINUTE), new Date(now.getTime() + 50 * MINUTE));
    // Requests: one still to answer, one whose start has passed.
    await book('request', 'edge', 'awaiting_confirmation', at(localDay(2), '10:00'), at(localDay(2), '11:00'));
    await book('staleRequest', 'edge', 'awaiting_confirmation', at(localDay(-2), '10:00'), at(localDay(-2), '11:00'));

    // Money: kopecks, counted by the local day and month they were paid (payments) or made (refunds).
    await payment(100_000, 'succeeded', at(today, '00:05'));
    await payment(50_000, 'succeeded', at(yesterday, '23:55'));
    await payment(70_000, 'pending', null);
    await payment(30_000, 'canceled', at(today, '00:06'));
    await payment(20_000, 'succeeded', new Date(monthStart.getTime() + 30_000));
    await payment(40_000, 'succeeded', new Date(monthStart.getTime() - 30_000));
    await refund(10_000, 'succeeded', at(today, '00:20'));
    await refund(5_000, 'pending', at(today, '00:21'));

    for (const [subject, state] of [
      ['Wi-Fi is down', 'open'],
      ['No coffee', 'open'],
      ['Invoice please', 'in_progress'],
      ['Thanks', 'resolved'],
      ['Old one', 'closed'],
    ]) {
      await app.strapi.db.query(TICKET_UID).create({ data: { subject, state, priority: 'normal', lastMessageAt: new Date() } });
    }
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("counts today's bookings by the space's local day, including one that crosses midnight", async () => {
    // When a Manager opens the home page
    const res = await home('coworking-manager');

    // Then "today" is Moscow's date, and the count holds every booking overlapping that day that holds or held a
    // place: just after midnight, across midnight, the three taking a place now (an inactive resource's too);
    // not yesterday 23:20 (the same UTC day as 00:10), not tomorrow 00:00, not the cancelled one, the lapsed
    // hold or the requests of other days. (The "now" bookings contain the present moment, so they overlap today
    // whenever the test runs.)
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.timeZone).toBe(SPACE_TIMEZONE);
    expect(data.date).toBe(today);
    expect(data.todayBookings.count).toBe(5);
    expect(data.todayBookings.byState).toEqual({ confirmed: 3, completed: 1, pending_payment: 1 });
  });

  it('lists the next bookings: started today and not over yet, soonest first', async () => {
    const { next } = (await home('coworking-manager')).body.data.todayBookings;
    const ids = next.map((booking: { documentId: string }) => booking.documentId);

    // None has ended, none began before today, and they come in start order with names for display
    for (const booking of next) {
      expect(new Date(booking.endAt).getTime()).toBeGreaterThan(Date.now() - 1000);
      expect(new Date(booking.startAt).getTime()).toBeGreaterThanOrEqual(dayStart.getTime());
    }
    const starts = next.map((booking: { startAt: string }) => booking.startAt);
    expect([...starts].sort()).toEqual(starts);
    expect(ids).not.toContain(bookings.acrossMidnight);
    expect(ids).not.toContain(bookings.cancelledToday);
    const held = next.find((booking: { documentId: string }) => booking.documentId === bookings.deskHeld);
    if (dayStart.getTime() <= now.getTime() - 10 * MINUTE) {
      expect(held).toMatchObject({ state: 'pending_payment', member: { name: 'Иван Петров' }, resource: { documentId: resources.desk } });
      expect(held.label).toMatch(/^№\d+ · Иван Петров · \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/);
    }
  });

  it("shows the places free right now on each active resource", async () => {
    const { freeNow } = (await home('coworking-manager')).body.data;
    const byId = Object.fromEntries(freeNow.resources.map((row: { documentId: string }) => [row.documentId, row]));

    // The desk (3 places) has a confirmed booking and an active hold now; the lapsed hold and the cancellation
    // take nothing. The room is empty; the inactive resource is not listed.
    expect(byId[resources.desk]).toMatchObject({ capacity: 3, taken: 2, free: 1 });
    expect(byId[resources.room]).toMatchObject({ capacity: 2, taken: 0, free: 2 });
    expect(byId[resources.closed]).toBeUndefined();
    expect(freeNow.total.capacity).toBe(3 + 2 + 50);
    expect(freeNow.total.free).toBe(freeNow.resources.reduce((sum: number, row: { free: number }) => sum + row.free, 0));
  });

  it('counts requests awaiting approval whose start is still ahead', async () => {
    const { awaitingApproval } = (await home('coworking-manager')).body.data;
    expect(awaitingApproval.count).toBe(1);
    expect(awaitingApproval.next.map((booking: { documentId: string }) => booking.documentId)).toEqual([bookings.request]);
  });

  it('counts open tickets: new and in progress', async () => {
    const { openTickets } = (await home('coworking-manager')).body.data;
    expect(openTickets.count).toBe(3);
    expect(openTickets.byState).toEqual({ open: 2, in_progress: 1 });
    expect(openTickets.next.map((ticket: { subject: string }) => ticket.subject).sort()).toEqual(['Invoice please', 'No coffee', 'Wi-Fi is down']);
  });

  it('sums revenue of the local day and month: payments succeeded less refunds succeeded, in kopecks', async () => {
    const { revenue } = (await home('coworking-manager')).body.data;

    // Today: the 00:05 payment (not yesterday's 23:55, the pending or the canceled one), less the 00:20 refund.
    // On the 1st, the payment 30 s into the month is today's as well.
    const firstOfMonth = today.endsWith('-01');
    const todayPayments = 100_000 + (firstOfMonth ? 20_000 : 0);
    expect(revenue.today).toEqual({ payments: todayPayments, refunds: 10_000, net: todayPayments - 10_000 });
    // This month: today's, yesterday's unless yesterday was last month, the one 30 s after the month began;
    // not the one 30 s before it.
    const monthPayments = 100_000 + (firstOfMonth ? 0 : 50_000) + 20_000;
    expect(revenue.month).toEqual({ payments: monthPayments, refunds: 10_000, net: monthPayments - 10_000, from: `${today.slice(0, 8)}01` });
    expect(revenue.currency).toBe('RUB');
  });

  it("follows SPACE_TIMEZONE: the same rows counted by another zone's day", async () => {
    // Given the space moved to Vladivostok (UTC+10)
    const zone = 'Asia/Vladivostok';
    const saved = process.env.SPACE_TIMEZONE;
    process.env.SPACE_TIMEZONE = zone;
    try {
      const res = await home('coworking-manager');
      // Then "today" is Vladivostok's date and the count is of the bookings overlapping that day
      const date = localDateOf(new Date(), zone);
      const from = zonedInstant(date, 0, zone).getTime();
      const to = zonedInstant(addDays(date, 1), 0, zone).getTime();
      const rows = (await app.strapi.db.query(BOOKING_UID).findMany({ select: ['startAt', 'endAt', 'state', 'holdExpiresAt'] })) as {
        startAt: string;
        endAt: string;
        state: string;
        holdExpiresAt: string | null;
      }[];
      const expected = rows.filter(
        (row) =>
          new Date(row.startAt).getTime() < to &&
          new Date(row.endAt).getTime() > from &&
          (['awaiting_confirmation', 'confirmed', 'completed'].includes(row.state) ||
            (row.state === 'pending_payment' && row.holdExpiresAt !== null && new Date(row.holdExpiresAt).getTime() > Date.now())),
      ).length;
      expect(res.body.data).toMatchObject({ timeZone: zone, date });
      expect(res.body.data.todayBookings.count).toBe(expected);
    } finally {
      if (saved === undefined) delete process.env.SPACE_TIMEZONE;
      else process.env.SPACE_TIMEZONE = saved;
    }
  });

  it('gives each role only the sections it may see', async () => {
    // Super Admin and Manager: everything
    for (const role of ['strapi-super-admin', 'coworking-manager']) {
      const res = await home(role);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data).sort()).toEqual(
        ['awaitingApproval', 'date', 'freeNow', 'now', 'openTickets', 'revenue', 'timeZone', 'todayBookings'].sort(),
      );
    }
    // Support: the calendar and the inbox, no money
    const support = await home('coworking-support');
    expect(support.status).toBe(200);
    expect(support.body.data.revenue).toBeUndefined();
    expect(support.body.data.todayBookings.count).toBeGreaterThan(0);
    expect(support.body.data.openTickets.count).toBe(3);
    expect(JSON.stringify(support.body)).not.toContain('payments');
  });

  it('refuses a role with none of the three reads (Marketing) and a request without an admin token', async () => {
    const marketing = await home('coworking-marketing');
    expect(marketing.status).toBe(403);
    expect(marketing.body).toMatchObject({ data: null, error: { status: 403 } });

    expect((await http().get('/booking-desk/home')).status).toBe(401);
  });
});
