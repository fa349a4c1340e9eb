/**
 * After a booking exists: the member's own list and cancellation (with the refund the policy gives), member
 * and staff rescheduling, the staff desk actions (admin routes under admin RBAC), and the housekeeping job that
 * expires lapsed holds. Every change is checked in the database: state, redemption, counters, refunds, audit log.
 */
import request from 'supertest';
import { memberToken, staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOOKING_UID = 'api::booking.booking';
const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
const PROMOCODE_UID = 'api::promocode.promocode';
const AUDIT_UID = 'api::audit-log.audit-log';
const REFUND_UID = 'api::refund.refund';
const PAYMENT_UID = 'api::payment.payment';
const USER_UID = 'plugin::users-permissions.user';
const HOUR = 60 * 60 * 1000;

describe('booking lifecycle', () => {
  let app: TestApp;
  const ids: Record<string, string> = {};
  const memberIds: Record<string, number> = {};
  const tokens: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  const startAt = (day: number, clock: string) => at(localDay(day), clock).toISOString();
  const asMember = (name: string) => ({ Authorization: `Bearer ${tokens[name]}` });

  async function book(member: string, body: object): Promise<string> {
    const res = await http().post('/api/bookings').set(asMember(member)).send(body);
    if (res.status !== 201) throw new Error(`booking failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data.documentId;
  }
  const stored = (documentId: string) =>
    app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId }, populate: { payments: { populate: { refunds: true } } } });
  const redemptionOf = (documentId: string) => app.strapi.db.query(REDEMPTION_UID).findOne({ where: { booking: { documentId } } });
  const usedCount = async (code: string) => (await app.strapi.db.query(PROMOCODE_UID).findOne({ where: { code } })).usedCount;
  const auditOf = (documentId: string) =>
    app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: documentId }, orderBy: { id: 'asc' } });
  const successfulBookings = async (name: string) =>
    (await app.strapi.db.query(USER_UID).findOne({ where: { id: memberIds[name] } })).successfulBookings;
  /** Moves a booking in time directly in the database, as the clock would. */
  const shift = (documentId: string, data: Record<string, Date>) =>
    app.strapi.db.query(BOOKING_UID).update({ where: { documentId }, data });
  const desk = (token: string, documentId: string, action: string, body: object = {}) =>
    http().post(`/booking-desk/bookings/${documentId}/${action}`).set('Authorization', `Bearer ${token}`).send(body);

  beforeAll(async () => {
    // The same few members book throughout and leave holds unpaid; the per-member cap has its own tests
    // (tests/security/booking-abuse.test.ts).
    app = await startStrapi({ SPACE_TIMEZONE, BOOKING_HOLD_MINUTES: '15', BOOKING_MAX_UNPAID_HOLDS: '50' });
    const s = app.strapi;
    const room = await createResource(s, { capacity: 1 });
    const hall = await createResource(s, { capacity: 1 });
    const pool = await createResource(s, { capacity: 10 });
    ids.roomHour = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 100000 })).documentId;
    ids.hallHour = (
      await createTariff(s, { resources: [hall.documentId], billingUnit: 'hour', price: 200000, requiresApproval: true })
    ).documentId;
    // Free until 48 hours before the start, then half the money back.
    ids.poolDay = (
      await createTariff(s, {
        resources: [pool.documentId],
        billingUnit: 'day',
        price: 50000,
        freeCancellationHours: 48,
        lateCancellationRefundPercent: 50,
      })
    ).documentId;
    await s.documents(PROMOCODE_UID).create({ data: { code: 'LIFE10', kind: 'percent', value: 10, isActive: true } });
    for (const name of ['alice', 'bob']) {
      const member = await createRegisteredMember(s);
      memberIds[name] = member.id;
      tokens[name] = await memberToken(s, member.id);
    }
    tokens.manager = await staffToken(s, 'coworking-manager');
    tokens.support = await staffToken(s, 'coworking-support');
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('GET /api/bookings/mine', () => {
    beforeAll(async () => {
      ids.aliceRoom = await book('alice', { tariff: ids.roomHour, startAt: startAt(2, '10:00'), units: 1 });
      ids.alicePool = await book('alice', { tariff: ids.poolDay, startAt: startAt(3, '00:00'), units: 1 });
      ids.bobRoom = await book('bob', { tariff: ids.roomHour, startAt: startAt(2, '12:00'), units: 1 });
    });

    it('lists only the caller’s bookings, with status, names and the cancellation terms', async () => {
      const res = await http().get('/api/bookings/mine').set(asMember('alice'));
      expect(res.status).toBe(200);
      const listed = res.body.data.map((booking: { documentId: string }) => booking.documentId).sort();
      expect(listed).toEqual([ids.aliceRoom, ids.alicePool].sort());
      const room = res.body.data.find((booking: { documentId: string }) => booking.documentId === ids.aliceRoom);
      expect(room).toMatchObject({
        status: 'pending_payment',
        priceTotal: 100000,
        paidAmount: 0,
        billingUnit: 'hour',
        cancellation: { allowed: true, refundAmount: 0, policy: 'none' },
      });
      expect(room.tariffName).toMatch(/^tariff-/);
      expect(room.resourceName).toMatch(/^resource-/);
      expect(room).not.toHaveProperty('state');
      expect(res.body.meta.pagination).toEqual({ page: 1, pageSize: 10, pageCount: 1, total: 2 });
    });

    it('filters by status and by upcoming / past, and pages', async () => {
      const byStatus = await http().get('/api/bookings/mine?status=confirmed,cancelled').set(asMember('alice'));
      expect(byStatus.status).toBe(200);
      expect(byStatus.body.data).toEqual([]);

      const paged = await http().get('/api/bookings/mine?pageSize=1&page=2').set(asMember('alice'));
      expect(paged.body.data).toHaveLength(1);
      expect(paged.body.meta.pagination).toEqual({ page: 2, pageSize: 1, pageCount: 2, total: 2 });

      const upcoming = await http().get('/api/bookings/mine?when=upcoming').set(asMember('alice'));
      // Soonest first.
      expect(upcoming.body.data.map((booking: { documentId: string }) => booking.documentId)).toEqual([ids.aliceRoom, ids.alicePool]);
      const past = await http().get('/api/bookings/mine?when=past').set(asMember('alice'));
      expect(past.body.data).toEqual([]);
    });

    it('refuses a malformed query with 400 and names the field', async () => {
      const res = await http().get('/api/bookings/mine?status=paid&pageSize=500').set(asMember('alice'));
      expect(res.status).toBe(400);
      const paths = res.body.error.details.errors.map((error: { path: string[] }) => error.path.join('.'));
      expect(paths).toEqual(expect.arrayContaining(['status.0', 'pageSize']));
    });

    it('is closed to anonymous callers', async () => {
      const res = await http().get('/api/bookings/mine');
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('ForbiddenError');
    });
  });

  describe('POST /api/bookings/:documentId/cancel (member)', () => {
    it('cancels an unpaid booking, gives the promo code back and writes an audit row', async () => {
      const documentId = await book('alice', { tariff: ids.roomHour, startAt: startAt(4, '10:00'), units: 1, promocode: 'life10' });
      expect(await usedCount('LIFE10')).toBe(1);

      const res = await http().post(`/api/bookings/${documentId}/cancel`).set(asMember('alice')).send({ reason: 'Plans changed' });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ documentId, status: 'cancelled', cancelReason: 'Plans changed', refund: null });
      expect((await stored(documentId)).state).toBe('cancelled');
      expect((await redemptionOf(documentId)).state).toBe('released');
      expect(await usedCount('LIFE10')).toBe(0);
      const audit = await auditOf(documentId);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorType: 'member', action: 'booking.cancel', subjectType: BOOKING_UID });
      expect(audit[0].before.state).toBe('pending_payment');
      expect(audit[0].after).toMatchObject({ state: 'cancelled', reason: 'Plans changed' });

      // Its hour is free again.
      const again = await http()
        .post('/api/bookings')
        .set(asMember('bob'))
        .send({ tariff: ids.roomHour, startAt: startAt(4, '10:00'), units: 1 });
      expect(again.status).toBe(201);
    });

    it('answers 409 for a booking that is already cancelled, and changes nothing', async () => {
      const documentId = await book('alice', { tariff: ids.roomHour, startAt: startAt(4, '14:00'), units: 1 });
      expect((await http().post(`/api/bookings/${documentId}/cancel`).set(asMember('alice')).send({})).status).toBe(200);
      const res = await http().post(`/api/bookings/${documentId}/cancel`).set(asMember('alice')).send({});
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ name: 'ConflictError', details: { code: 'forbidden_transition' } });
      expect(res.body.error.message).toMatch(/cancelled and can no longer change/);
      expect(await auditOf(documentId)).toHaveLength(1);
    });

    it('refuses another member’s booking with 403 and leaves it alone', async () => {
      const res = await http().post(`/api/bookings/${ids.bobRoom}/cancel`).set(asMember('alice')).send({});
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/belongs to someone else/);
      expect((await stored(ids.bobRoom)).state).toBe('pending_payment');
      expect(await auditOf(ids.bobRoom)).toHaveLength(0);
    });

    it('answers 400 for a malformed id or body and 404 for an unknown booking', async () => {
      const malformed = await http().post('/api/bookings/not-an-id/cancel').set(asMember('alice')).send({});
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toMatch(/not a valid booking id/);
      const extra = await http().post(`/api/bookings/${ids.aliceRoom}/cancel`).set(asMember('alice')).send({ refund: 'full' });
      expect(extra.status).toBe(400);
      expect(extra.body.error.details.errors[0].message).toMatch(/Unknown field\(s\): refund/);
      const unknown = await http().post(`/api/bookings/${'a'.repeat(24)}/cancel`).set(asMember('alice')).send({});
      expect(unknown.status).toBe(404);
      expect((await stored(ids.aliceRoom)).state).toBe('pending_payment');
    });

    it('refunds everything paid inside the free window, as a pending refund for the payments integration', async () => {
      const documentId = await book('alice', { tariff: ids.poolDay, startAt: startAt(5, '00:00'), units: 1 });
      expect((await desk(tokens.manager, documentId, 'mark-paid')).status).toBe(200);

      const res = await http().post(`/api/bookings/${documentId}/cancel`).set(asMember('alice')).send({});
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'cancelled', paidAmount: 0, refund: { amount: 50000, policy: 'full', state: 'pending' } });
      const refunds = (await stored(documentId)).payments.flatMap((payment: { refunds: object[] }) => payment.refunds);
      expect(refunds).toEqual([expect.objectContaining({ amount: 50000, state: 'pending', currency: 'RUB' })]);
    });

    it('refunds the late-cancellation share after the free window, and says so before the member cancels', async () => {
      const documentId = await book('alice', { tariff: ids.poolDay, startAt: startAt(1, '00:00'), units: 1 });
      await desk(tokens.manager, documentId, 'mark-paid');

      const listed = await http().get('/api/bookings/mine?status=confirmed').set(asMember('alice'));
      const preview = listed.body.data.find((booking: { documentId: string }) => booking.documentId === documentId);
      expect(preview.cancellation).toMatchObject({ allowed: true, refundAmount: 25000, policy: 'partial' });

      const res = await http().post(`/api/bookings/${documentId}/cancel`).set(asMember('alice')).send({});
      expect(res.status).toBe(200);
      expect(res.body.data.refund).toEqual({ amount: 25000, currency: 'RUB', policy: 'partial', state: 'pending' });
      expect(res.body.data.paidAmount).toBe(25000);
    });

    it('refuses to cancel a booking that has started (409 too_late)', async () => {
      const documentId = await book('bob', { tariff: ids.roomHour, startAt: startAt(6, '10:00'), units: 1 });
      await desk(tokens.manager, documentId, 'mark-paid');
      await shift(documentId, { startAt: new Date(Date.now() - HOUR), endAt: new Date(Date.now() + HOUR) });
      const res = await http().post(`/api/bookings/${documentId}/cancel`).set(asMember('bob')).send({});
      expect(res.status).toBe(409);
      expect(res.body.error.details.code).toBe('too_late');
      expect((await stored(documentId)).state).toBe('confirmed');
    });
  });

  describe('POST /api/bookings/:documentId/reschedule (member)', () => {
    it('moves the booking to a free time and keeps its price', async () => {
      const documentId = await book('alice', { tariff: ids.roomHour, startAt: startAt(7, '10:00'), units: 2 });
      const res = await http().post(`/api/bookings/${documentId}/reschedule`).set(asMember('alice')).send({ startAt: startAt(7, '14:00') });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ startAt: startAt(7, '14:00'), endAt: startAt(7, '16:00'), priceTotal: 200000 });
      const audit = await auditOf(documentId);
      expect(audit[0]).toMatchObject({ action: 'booking.reschedule' });
      expect(audit[0].before.startAt).toBe(startAt(7, '10:00'));
      expect(audit[0].after.startAt).toBe(startAt(7, '14:00'));
    });

    it('answers 409 when the new time is taken and 422 when it is outside opening hours, changing nothing', async () => {
      const mine = await book('alice', { tariff: ids.roomHour, startAt: startAt(8, '10:00'), units: 1 });
      await book('bob', { tariff: ids.roomHour, startAt: startAt(8, '12:00'), units: 1 });
      const taken = await http().post(`/api/bookings/${mine}/reschedule`).set(asMember('alice')).send({ startAt: startAt(8, '12:00') });
      expect(taken.status).toBe(409);
      expect(taken.body.error.details.code).toBe('full');
      const closed = await http().post(`/api/bookings/${mine}/reschedule`).set(asMember('alice')).send({ startAt: startAt(8, '20:00') });
      expect(closed.status).toBe(422);
      expect(closed.body.error.details.errors[0].path).toEqual(['startAt']);
      expect(new Date((await stored(mine)).startAt).toISOString()).toBe(startAt(8, '10:00'));
      expect(await auditOf(mine)).toHaveLength(0);
    });
  });

  describe('staff desk (admin routes)', () => {
    it('confirms a request that needs approval, naming the staff member, and writes the audit row', async () => {
      const documentId = await book('alice', { tariff: ids.hallHour, startAt: startAt(9, '10:00'), units: 1 });
      const before = await successfulBookings('alice');
      const res = await desk(tokens.manager, documentId, 'confirm');
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('confirmed');
      const row = await stored(documentId);
      expect(row.confirmedBy).toMatch(/^admin:\d+ Test coworking-manager$/);
      expect(row.confirmedAt).not.toBeNull();
      expect(await successfulBookings('alice')).toBe(before + 1);
      const [audit] = await auditOf(documentId);
      expect(audit).toMatchObject({ actorType: 'admin', action: 'booking.approve', after: { state: 'confirmed' } });
    });

    it('rejects a request with a reason and gives its promo code back', async () => {
      const documentId = await book('bob', { tariff: ids.hallHour, startAt: startAt(9, '14:00'), units: 1, promocode: 'LIFE10' });
      const used = await usedCount('LIFE10');
      const res = await desk(tokens.manager, documentId, 'reject', { reason: 'The hall is closed for works' });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'rejected', cancelReason: 'The hall is closed for works' });
      expect((await redemptionOf(documentId)).state).toBe('released');
      expect(await usedCount('LIFE10')).toBe(used - 1);
    });

    it('marks a booking paid at the desk: a manual payment, the redemption used', async () => {
      const documentId = await book('bob', { tariff: ids.roomHour, startAt: startAt(10, '10:00'), units: 1, promocode: 'LIFE10' });
      const res = await desk(tokens.manager, documentId, 'mark-paid');
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'confirmed', paidAmount: 90000 });
      const payments = await app.strapi.db.query(PAYMENT_UID).findMany({ where: { booking: { documentId } } });
      expect(payments).toEqual([expect.objectContaining({ provider: 'manual', state: 'succeeded', amount: 90000 })]);
      expect((await redemptionOf(documentId)).state).toBe('used');
    });

    it('cancels a paid booking with a full refund by default, or none when staff say so', async () => {
      const full = await book('bob', { tariff: ids.roomHour, startAt: startAt(11, '10:00'), units: 1 });
      await desk(tokens.manager, full, 'mark-paid');
      const before = await successfulBookings('bob');
      const res = await desk(tokens.manager, full, 'cancel', { reason: 'Power outage' });
      expect(res.status).toBe(200);
      expect(res.body.meta.refund).toEqual({ amount: 100000, currency: 'RUB', policy: 'full', state: 'pending' });
      expect((await stored(full)).cancelledBy).toMatch(/^admin:\d+/);
      expect(await successfulBookings('bob')).toBe(before - 1);

      const none = await book('bob', { tariff: ids.roomHour, startAt: startAt(11, '14:00'), units: 1 });
      await desk(tokens.manager, none, 'mark-paid');
      const kept = await desk(tokens.manager, none, 'cancel', { reason: 'No-show', refund: 'none' });
      expect(kept.status).toBe(200);
      expect(kept.body.meta.refund).toBeNull();
      expect(await app.strapi.db.query(REFUND_UID).count({ where: { payment: { booking: { documentId: none } } } })).toBe(0);
    });

    it('moves a booking to another time, refusing a taken one', async () => {
      const documentId = await book('alice', { tariff: ids.roomHour, startAt: startAt(12, '10:00'), units: 1 });
      await book('bob', { tariff: ids.roomHour, startAt: startAt(12, '11:00'), units: 1 });
      const taken = await desk(tokens.manager, documentId, 'reschedule', { startAt: startAt(12, '11:00') });
      expect(taken.status).toBe(409);
      const moved = await desk(tokens.manager, documentId, 'reschedule', { startAt: startAt(12, '15:00'), reason: 'Asked by phone' });
      expect(moved.status).toBe(200);
      expect(moved.body.data.startAt).toBe(startAt(12, '15:00'));
    });

    it('answers 409 when the state machine refuses, 422 for a value outside its rule and 400 for a malformed body', async () => {
      const pending = await book('alice', { tariff: ids.roomHour, startAt: startAt(13, '10:00'), units: 1 });
      const wrong = await desk(tokens.manager, pending, 'confirm');
      expect(wrong.status).toBe(409);
      expect(wrong.body.error).toMatchObject({ name: 'ConflictError', details: { code: 'forbidden_transition' } });
      const bad = await desk(tokens.manager, pending, 'cancel', { refund: 'double' });
      expect(bad.status).toBe(422);
      expect(bad.body.error.details.errors[0].path).toEqual(['refund']);
      const badTime = await desk(tokens.manager, pending, 'reschedule', { startAt: 'tomorrow' });
      expect(badTime.status).toBe(400);
      expect((await stored(pending)).state).toBe('pending_payment');
    });

    it('is guarded by admin RBAC: Support may not act, a member token is not an admin token', async () => {
      const documentId = await book('alice', { tariff: ids.hallHour, startAt: startAt(14, '10:00'), units: 1 });
      for (const action of ['confirm', 'reject', 'cancel', 'mark-paid']) {
        expect((await desk(tokens.support, documentId, action)).status).toBe(403);
      }
      expect((await desk(tokens.alice, documentId, 'confirm')).status).toBe(401);
      expect((await http().post(`/booking-desk/bookings/${documentId}/confirm`)).status).toBe(401);
      expect((await stored(documentId)).state).toBe('awaiting_confirmation');
      expect(await auditOf(documentId)).toHaveLength(0);
    });
  });

  describe('housekeeping job', () => {
    it('expires lapsed holds (releasing their codes), unanswered requests at their start, and completes ended bookings', async () => {
      const lapsed = await book('alice', { tariff: ids.roomHour, startAt: startAt(15, '10:00'), units: 1, promocode: 'LIFE10' });
      const active = await book('alice', { tariff: ids.roomHour, startAt: startAt(15, '12:00'), units: 1 });
      const unanswered = await book('bob', { tariff: ids.hallHour, startAt: startAt(15, '10:00'), units: 1 });
      const ended = await book('bob', { tariff: ids.roomHour, startAt: startAt(15, '14:00'), units: 1 });
      await desk(tokens.manager, ended, 'mark-paid');
      const now = Date.now();
      await shift(lapsed, { holdExpiresAt: new Date(now - 1000) });
      await shift(unanswered, { startAt: new Date(now - HOUR), endAt: new Date(now + HOUR) });
      await shift(ended, { startAt: new Date(now - 2 * HOUR), endAt: new Date(now - HOUR) });
      const used = await usedCount('LIFE10');

      const report = await app.strapi.service('api::booking.housekeeping').run(new Date());

      expect(report.expiredHolds).toBeGreaterThanOrEqual(1);
      expect((await stored(lapsed)).state).toBe('expired');
      expect((await redemptionOf(lapsed)).state).toBe('released');
      expect(await usedCount('LIFE10')).toBe(used - 1);
      expect((await stored(active)).state).toBe('pending_payment');
      expect((await stored(unanswered)).state).toBe('expired');
      expect((await stored(ended)).state).toBe('completed');
      const [audit] = await auditOf(lapsed);
      expect(audit).toMatchObject({ actorType: 'system', actorLabel: 'system:housekeeping', action: 'booking.expire_hold' });

      // A second pass finds nothing more to do.
      const again = await app.strapi.service('api::booking.housekeeping').run(new Date());
      expect(again).toEqual({ expiredHolds: 0, expiredRequests: 0, completed: 0, skipped: 0 });
    });
  });

  describe('request limits', () => {
    it('answers 413 in the error envelope to an oversized body and writes nothing', async () => {
      const bookings = await app.strapi.db.query(BOOKING_UID).count();
      const res = await http()
        .post('/api/bookings')
        .set(asMember('alice'))
        .send({ tariff: ids.roomHour, startAt: startAt(16, '10:00'), units: 1, padding: 'x'.repeat(300 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ status: 413, name: 'PayloadTooLargeError' });
      expect(await app.strapi.db.query(BOOKING_UID).count()).toBe(bookings);
    });
  });
});

describe('booking housekeeping on the real cron', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startStrapi({ SPACE_TIMEZONE, STRAPI_DISABLE_CRON: 'false', BOOKING_HOUSEKEEPING_CRON: '* * * * * *' });
  });

  afterAll(async () => {
    await app.stop();
  });

  it('expires a lapsed hold within seconds, without anyone calling it', async () => {
    const s = app.strapi;
    const room = await createResource(s, { capacity: 1 });
    const tariff = await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 100000 });
    const member = await createRegisteredMember(s);
    const res = await request(s.server.httpServer)
      .post('/api/bookings')
      .set('Authorization', `Bearer ${await memberToken(s, member.id)}`)
      .send({ tariff: tariff.documentId, startAt: at(localDay(2), '10:00').toISOString(), units: 1 });
    expect(res.status).toBe(201);
    const { documentId } = res.body.data;
    await s.db.query(BOOKING_UID).update({ where: { documentId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });

    let state = 'pending_payment';
    for (let waited = 0; waited < 10000 && state === 'pending_payment'; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      state = (await s.db.query(BOOKING_UID).findOne({ where: { documentId } })).state;
    }
    expect(state).toBe('expired');
  });
});
