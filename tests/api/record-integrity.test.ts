/**
 * Integrity of records (docs/ADMIN.md, Integrity of records): booking state, time and money, payment and refund
 * amounts and states, redemption amounts and outbox job states are written by our services only. Through the
 * content manager (every staff role) and the REST API (a full-access token) a change is refused with a message
 * naming the booking-desk action, nothing is written and nothing is audited; our services keep working. Then the
 * price correction route, the deletion guards and the outbox retry route.
 */
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApiToken, memberToken, staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';

const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
const OUTBOX_UID = 'api::outbox-job.outbox-job';
const AUDIT_UID = 'api::audit-log.audit-log';
const USER_UID = 'plugin::users-permissions.user';

type StaffRole = 'manager' | 'support' | 'marketing' | 'superAdmin';
type Actor = StaffRole | 'fullAccessToken';
const ROLE_CODES: Record<StaffRole, string> = {
  manager: 'coworking-manager',
  support: 'coworking-support',
  marketing: 'coworking-marketing',
  superAdmin: 'strapi-super-admin',
};
const STAFF: StaffRole[] = ['manager', 'support', 'marketing', 'superAdmin'];
const ACTORS: Actor[] = [...STAFF, 'fullAccessToken'];

/** Content-manager update on the type, as docs/ROLES.md grants it. */
const CM_UPDATE: Record<string, StaffRole[]> = {
  [BOOKING_UID]: ['manager', 'superAdmin'],
  [PAYMENT_UID]: ['superAdmin'],
  [REFUND_UID]: ['superAdmin'],
  [REDEMPTION_UID]: ['superAdmin'],
  [OUTBOX_UID]: ['manager', 'superAdmin'],
};
const REST_PATHS: Record<string, string | null> = {
  [BOOKING_UID]: '/api/bookings',
  [PAYMENT_UID]: '/api/payments',
  [REFUND_UID]: '/api/refunds',
  [REDEMPTION_UID]: '/api/promocode-redemptions',
  // Outbox jobs have no REST write routes at all.
  [OUTBOX_UID]: null,
};
const RELATIONS: Record<string, string[]> = {
  [BOOKING_UID]: ['member', 'tariff', 'resource', 'promocode', 'payments'],
  [PAYMENT_UID]: ['booking', 'member', 'refunds'],
  [REFUND_UID]: ['payment'],
  [REDEMPTION_UID]: ['booking', 'promocode', 'member'],
  [OUTBOX_UID]: [],
};

const HINT = {
  state: /Change the state with the booking desk: Confirm \/ Reject \/ Cancel \/ Mark as paid/,
  price: /Correct the price with the booking desk's price correction/,
  time: /Move the booking with the booking desk: Reschedule/,
  rebook: /cancel the booking with the booking desk and create a new one in the bookings calendar/,
  payment: /Payments are recorded by the online payment and the booking desk's Mark as paid/,
  refund: /Refunds are made with the booking desk's Cancel \(with refund\) or the payment's Refund action/,
  redemption: /A promo-code redemption follows its booking/,
  outbox: /Put a failed or dead job back in the queue with its Retry button/,
};

describe('integrity of records', () => {
  let app: TestApp;
  let yk: YooKassaStandIn;
  const tokens: Partial<Record<Actor | 'alice' | 'bob', string>> = {};
  const ids: Record<string, string> = {};
  let slot = 0;
  const http = () => request(app.strapi.server.httpServer);
  const bearer = (actor: keyof typeof tokens) => ({ Authorization: `Bearer ${tokens[actor]}` });
  const nextSlot = () => {
    slot += 1;
    return at(localDay(2 + Math.floor(slot / 8)), `${String(9 + (slot % 8)).padStart(2, '0')}:00`).toISOString();
  };
  const book = async (member: 'alice' | 'bob', tariff: string, extra: object = {}) => {
    const res = await http().post('/api/bookings').set(bearer(member)).send({ tariff, startAt: nextSlot(), units: 1, ...extra });
    if (res.status !== 201) throw new Error(`booking failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data as { documentId: string; payment?: { documentId: string } };
  };
  const desk = (actor: Actor, documentId: string, action: string, body: object = {}) =>
    http().post(`/booking-desk/bookings/${documentId}/${action}`).set(bearer(actor)).send(body);
  const auditCount = () => app.strapi.db.query(AUDIT_UID).count();
  const snapshot = (uid: string, documentId: string) =>
    app.strapi.db.query(uid).findOne({
      where: { documentId },
      populate: Object.fromEntries(RELATIONS[uid].map((field) => [field, { select: ['documentId'] }])),
    });
  const cmPath = (uid: string, documentId?: string) => `/content-manager/collection-types/${uid}${documentId ? `/${documentId}` : ''}`;
  /** The same write through the content manager (staff) or the REST API (the full-access token). */
  function write(actor: Actor, uid: string, documentId: string, data: Record<string, unknown>) {
    if (actor === 'fullAccessToken') return http().put(`${REST_PATHS[uid]}/${documentId}`).set(bearer(actor)).send({ data });
    return http().put(cmPath(uid, documentId)).set(bearer(actor)).send(data);
  }

  beforeAll(async () => {
    yk = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret' });
    app = await startStrapi({
      SPACE_TIMEZONE,
      YOOKASSA_SHOP_ID: '100500',
      YOOKASSA_SECRET_KEY: 'test_secret',
      YOOKASSA_API_URL: yk.url,
      YOOKASSA_RETURN_URL: 'https://t.me/coworking_test_bot',
      YOOKASSA_WEBHOOK_ALLOWED_IPS: '127.0.0.1,::1',
      TRUSTED_PROXIES: '127.0.0.1,::1',
      OUTBOX_WORKER: 'false',
      BOOKING_MAX_UNPAID_HOLDS: '50',
    });
    await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = app.strapi.server.httpServer.address() as AddressInfo;
    yk.setWebhookUrl(`http://127.0.0.1:${port}/api/yookassa/webhook`);

    const s = app.strapi;
    const room = await createResource(s, { capacity: 1 });
    const hall = await createResource(s, { capacity: 1 });
    ids.room = room.documentId;
    ids.hall = hall.documentId;
    ids.roomHour = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 100000 })).documentId;
    ids.hallHour = (await createTariff(s, { resources: [hall.documentId], billingUnit: 'hour', price: 200000, requiresApproval: true })).documentId;
    ids.promo = (await s.documents('api::promocode.promocode').create({ data: { code: 'KEEP10', kind: 'percent', value: 10, isActive: true } })).documentId;
    ids.otherPromo = (await s.documents('api::promocode.promocode').create({ data: { code: 'OTHER20', kind: 'percent', value: 20, isActive: true } })).documentId;
    for (const name of ['alice', 'bob'] as const) {
      const member = await createRegisteredMember(s);
      ids[name] = member.documentId;
      tokens[name] = await memberToken(s, member.id);
    }
    for (const role of STAFF) tokens[role] = await staffToken(s, ROLE_CODES[role]);
    tokens.fullAccessToken = await createApiToken(s, 'full-access');
  });

  afterAll(async () => {
    yk.setAutoWebhooks(false);
    await yk.webhooksSettled();
    await app.stop();
    await yk.close();
  });

  describe('our services still write these records', () => {
    it('a member books with a promo code, pays through YooKassa, and staff cancel with a full refund', async () => {
      // Given a booking made by a member with a code: the booking, its redemption and its payment link
      const booking = await book('alice', ids.roomHour, { promocode: 'KEEP10' });
      ids.paid = booking.documentId;
      ids.payment = booking.payment!.documentId;
      // When the member pays on YooKassa
      const [record] = yk.payments().filter((entry) => entry.payment.metadata?.bookingId === booking.documentId);
      await yk.pay(record.payment.id);
      // Then the booking is confirmed and the payment succeeded
      expect((await snapshot(BOOKING_UID, ids.paid)).state).toBe('confirmed');
      expect((await snapshot(PAYMENT_UID, ids.payment)).state).toBe('succeeded');

      // When staff cancel it with the booking desk
      const cancelled = await desk('manager', ids.paid, 'cancel', { reason: 'Closed for repairs', refund: 'full' });
      // Then the refund is recorded against the payment
      expect(cancelled.status).toBe(200);
      const refund = await app.strapi.db.query(REFUND_UID).findOne({ where: { payment: { documentId: ids.payment } } });
      expect(refund).toMatchObject({ amount: 90000, state: 'pending' });
      ids.refund = refund.documentId;
      ids.redemption = (await app.strapi.db.query(REDEMPTION_UID).findOne({ where: { booking: { documentId: ids.paid } } })).documentId;
    });

    it('the booking desk marks a booking paid: a manual payment is written', async () => {
      const booking = await book('bob', ids.roomHour);
      ids.open = booking.documentId;
      const res = await desk('manager', booking.documentId, 'mark-paid', { reason: 'Cash' });
      expect(res.status).toBe(200);
      const manual = await app.strapi.db.query(PAYMENT_UID).findOne({ where: { booking: { documentId: booking.documentId }, provider: 'manual' } });
      expect(manual).toMatchObject({ state: 'succeeded', amount: 100000 });
      ids.confirmed = booking.documentId;
    });
  });

  describe('protected fields cannot be changed outside our services', () => {
    const later = () => new Date(Date.now() + 5 * 24 * 3600 * 1000).toISOString();
    type Change = [uid: string, record: string, field: string, value: () => unknown, hint: RegExp];
    const changes: Change[] = [
      [BOOKING_UID, 'paid', 'state', () => 'pending_payment', HINT.state],
      [BOOKING_UID, 'paid', 'holdExpiresAt', later, HINT.state],
      [BOOKING_UID, 'paid', 'confirmedAt', later, HINT.state],
      [BOOKING_UID, 'paid', 'confirmedBy', () => 'someone', HINT.state],
      [BOOKING_UID, 'paid', 'cancelledAt', later, HINT.state],
      [BOOKING_UID, 'paid', 'cancelledBy', () => 'someone', HINT.state],
      [BOOKING_UID, 'paid', 'cancelReason', () => 'rewritten', HINT.state],
      [BOOKING_UID, 'paid', 'priceBase', () => 1, HINT.price],
      [BOOKING_UID, 'paid', 'discountTotal', () => 1, HINT.price],
      [BOOKING_UID, 'paid', 'priceTotal', () => 1, HINT.price],
      [BOOKING_UID, 'paid', 'discounts', () => [{ kind: 'promocode', label: 'All free', amount: 90000 }], HINT.price],
      [BOOKING_UID, 'paid', 'promocode', () => ({ connect: [{ documentId: ids.otherPromo }] }), HINT.price],
      [BOOKING_UID, 'paid', 'startAt', later, HINT.time],
      [BOOKING_UID, 'paid', 'endAt', later, HINT.time],
      [BOOKING_UID, 'paid', 'units', () => 3, HINT.rebook],
      [BOOKING_UID, 'paid', 'resource', () => ({ connect: [{ documentId: ids.hall }] }), HINT.rebook],
      [BOOKING_UID, 'paid', 'tariff', () => ({ connect: [{ documentId: ids.hallHour }] }), HINT.rebook],
      [BOOKING_UID, 'paid', 'member', () => ({ connect: [{ documentId: ids.bob }] }), HINT.rebook],
      [BOOKING_UID, 'paid', 'payments', () => ({ disconnect: [{ documentId: ids.payment }] }), HINT.payment],
      [PAYMENT_UID, 'payment', 'amount', () => 1, HINT.payment],
      [PAYMENT_UID, 'payment', 'state', () => 'canceled', HINT.payment],
      [PAYMENT_UID, 'payment', 'provider', () => 'manual', HINT.payment],
      [PAYMENT_UID, 'payment', 'providerPaymentId', () => 'forged-id', HINT.payment],
      [PAYMENT_UID, 'payment', 'idempotenceKey', () => 'forged-key', HINT.payment],
      [PAYMENT_UID, 'payment', 'paidAt', later, HINT.payment],
      [PAYMENT_UID, 'payment', 'confirmationUrl', () => 'https://pay.example.net/forged', HINT.payment],
      [PAYMENT_UID, 'payment', 'booking', () => ({ connect: [{ documentId: ids.confirmed }] }), HINT.payment],
      [PAYMENT_UID, 'payment', 'refunds', () => ({ disconnect: [{ documentId: ids.refund }] }), HINT.refund],
      [REFUND_UID, 'refund', 'amount', () => 1, HINT.refund],
      [REFUND_UID, 'refund', 'state', () => 'succeeded', HINT.refund],
      [REFUND_UID, 'refund', 'providerRefundId', () => 'forged-refund', HINT.refund],
      [REFUND_UID, 'refund', 'idempotenceKey', () => 'forged-key', HINT.refund],
      [REFUND_UID, 'refund', 'payment', () => ({ disconnect: [{ documentId: ids.payment }] }), HINT.refund],
      [REDEMPTION_UID, 'redemption', 'amount', () => 1, HINT.redemption],
      [REDEMPTION_UID, 'redemption', 'state', () => 'reserved', HINT.redemption],
      [OUTBOX_UID, 'job', 'state', () => 'queued', HINT.outbox],
      [OUTBOX_UID, 'job', 'attempts', () => 0, HINT.outbox],
      [OUTBOX_UID, 'job', 'lockedUntil', later, HINT.outbox],
      [OUTBOX_UID, 'job', 'lockedBy', () => 'intruder', HINT.outbox],
      [OUTBOX_UID, 'job', 'finishedAt', later, HINT.outbox],
    ];
    const cases = changes.flatMap(([uid, record, field, value, hint]) =>
      ACTORS.filter((actor) => actor !== 'fullAccessToken' || REST_PATHS[uid] !== null).map((actor) => ({
        name: `${actor}: ${uid.split('.')[1]} ${field}`,
        uid,
        record,
        field,
        value,
        hint,
        actor,
        // A role without content-manager update is refused before the guard, with the content manager's own 403.
        guarded: actor === 'fullAccessToken' || CM_UPDATE[uid].includes(actor as StaffRole),
      })),
    );

    beforeAll(async () => {
      // A dead outbox job, as the worker leaves one after its last attempt.
      const outbox = app.strapi.service('api::outbox-job.outbox') as { enqueue(input: object): Promise<{ job: { documentId: string } }> };
      const { job } = await outbox.enqueue({ kind: 'test.integrity', payload: {} });
      await app.strapi.db.query(OUTBOX_UID).update({ where: { documentId: job.documentId }, data: { state: 'dead', attempts: 8, finishedAt: new Date() } });
      ids.job = job.documentId;
    });

    it.each(cases)('$name is refused, unchanged and not audited', async ({ uid, record, field, value, hint, actor, guarded }) => {
      // Given the record as our services left it
      const documentId = ids[record];
      const before = await snapshot(uid, documentId);
      const audits = await auditCount();
      // When the actor writes the field
      const res = await write(actor, uid, documentId, { [field]: value() });
      // Then the write is refused, with the booking-desk action to use when the role may edit the record at all
      expect(res.status).toBe(403);
      if (guarded) {
        expect(res.body.error.message).toMatch(hint);
        expect(res.body.error.details).toMatchObject({ code: 'protected_field', fields: [field] });
      }
      // And nothing changed and nothing was audited
      expect(await snapshot(uid, documentId)).toEqual(before);
      expect(await auditCount()).toBe(audits);
    });

    it.each(['manager', 'superAdmin'] as const)('%s saves the edit form of a booking: the other fields change, the protected ones are sent back unchanged', async (role) => {
      // Given the booking as the content manager's edit view loads it
      const loaded = await http().get(cmPath(BOOKING_UID, ids.paid)).set(bearer(role));
      expect(loaded.status).toBe(200);
      // When the staff member changes the comment and saves the whole form
      const res = await http()
        .put(cmPath(BOOKING_UID, ids.paid))
        .set(bearer(role))
        .send({ ...loaded.body.data, comment: `Seen by ${role}` });
      // Then it is saved, and the state and money are as they were
      expect(res.status).toBe(200);
      const row = await snapshot(BOOKING_UID, ids.paid);
      expect(row).toMatchObject({ comment: `Seen by ${role}`, state: 'cancelled', priceTotal: 90000 });
    });

    it('the content manager shows these fields read-only to every role, the Super Admin included', async () => {
      for (const role of ['manager', 'superAdmin'] as const) {
        const res = await http().get('/admin/users/me/permissions').set(bearer(role));
        const update = res.body.data.find(
          (permission: { action: string; subject: string }) => permission.action === 'plugin::content-manager.explorer.update' && permission.subject === BOOKING_UID,
        );
        expect(update.properties.fields).toContain('comment');
        for (const field of ['state', 'priceTotal', 'discounts', 'startAt', 'payments']) expect(update.properties.fields).not.toContain(field);
      }
    });

    it.each(STAFF)('%s cannot create a booking, payment, refund or redemption in the content manager', async (role) => {
      const bodies: Record<string, object> = {
        [BOOKING_UID]: { startAt: nextSlot(), endAt: nextSlot(), units: 1, priceBase: 1, priceTotal: 1 },
        [PAYMENT_UID]: { idempotenceKey: 'cm-forged', amount: 1, state: 'succeeded' },
        [REFUND_UID]: { idempotenceKey: 'cm-forged', amount: 1 },
        [REDEMPTION_UID]: { amount: 1 },
      };
      for (const [uid, body] of Object.entries(bodies)) {
        const count = await app.strapi.db.query(uid).count();
        const res = await http().post(cmPath(uid)).set(bearer(role)).send(body);
        expect({ uid, status: res.status }).toEqual({ uid, status: 403 });
        expect(await app.strapi.db.query(uid).count()).toBe(count);
      }
    });

    it('an API token cannot create one either: the message says where they are made', async () => {
      const bodies: [string, object, RegExp][] = [
        [BOOKING_UID, { tariff: ids.roomHour, startAt: nextSlot(), units: 1 }, /Bookings are created in the bookings calendar/],
        [PAYMENT_UID, { idempotenceKey: 'rest-forged', amount: 1 }, /Payments are created by the online payment flow/],
        [REFUND_UID, { idempotenceKey: 'rest-forged', amount: 1 }, /Refunds are made with the booking desk's Cancel/],
        [REDEMPTION_UID, { amount: 1 }, /Promo-code redemptions are made when a member books/],
      ];
      for (const [uid, data, message] of bodies) {
        const count = await app.strapi.db.query(uid).count();
        const res = await http().post(REST_PATHS[uid]!).set(bearer('fullAccessToken')).send({ data });
        expect({ uid, status: res.status }).toEqual({ uid, status: 403 });
        expect(res.body.error.message).toMatch(message);
        expect(await app.strapi.db.query(uid).count()).toBe(count);
      }
    });

    it('the Super Admin creates an outbox job only in its initial state', async () => {
      const refused = await http().post(cmPath(OUTBOX_UID)).set(bearer('superAdmin')).send({ kind: 'test.manual', state: 'dead' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(HINT.outbox);
      const created = await http().post(cmPath(OUTBOX_UID)).set(bearer('superAdmin')).send({ kind: 'test.manual', state: 'queued', attempts: 0, runAfter: '2099-01-01T00:00:00.000Z' });
      expect(created.status).toBe(201);
      expect((await snapshot(OUTBOX_UID, created.body.data.documentId)).state).toBe('queued');
    });

    it('a script through the Document Service is refused the same way', async () => {
      await expect(app.strapi.documents(BOOKING_UID).update({ documentId: ids.paid, data: { priceTotal: 5 } })).rejects.toMatchObject({
        name: 'ForbiddenError',
        message: expect.stringMatching(HINT.price),
      });
      expect((await snapshot(BOOKING_UID, ids.paid)).priceTotal).toBe(90000);
    });
  });

  describe('POST /booking-desk/bookings/:documentId/price', () => {
    const price = (actor: Actor, documentId: string, body: object) =>
      http().post(`/booking-desk/bookings/${documentId}/price`).set(bearer(actor)).send(body);
    const corrections = (documentId: string) =>
      app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: documentId, action: 'booking.price_corrected' }, orderBy: { id: 'asc' } });

    beforeAll(async () => {
      // A request waiting for approval: no money taken yet.
      ids.request = (await book('alice', ids.hallHour)).documentId;
    });

    it('overrides the total with a reason: recorded as an override, audited, answered like the other staff actions', async () => {
      const res = await price('manager', ids.request, { priceTotal: 150000, reason: 'Regular client' });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ documentId: ids.request, status: 'awaiting_confirmation', priceTotal: 150000 });
      const row = await snapshot(BOOKING_UID, ids.request);
      expect(row).toMatchObject({ priceBase: 200000, discountTotal: 50000, priceTotal: 150000 });
      expect(row.discounts).toEqual([{ kind: 'correction', label: 'Price correction', amount: 50000 }]);
      const [audit] = await corrections(ids.request);
      expect(audit).toMatchObject({ actorType: 'admin', actorLabel: expect.stringMatching(/^admin:\d+ /) });
      expect(audit.before).toMatchObject({ priceTotal: 200000 });
      expect(audit.after).toMatchObject({ priceTotal: 150000, reason: 'Regular client', override: true });
    });

    it('re-prices through the pricing service, recorded as not an override', async () => {
      const res = await price('superAdmin', ids.request, { reprice: true, reason: 'Back to the tariff' });
      expect(res.status).toBe(200);
      expect(await snapshot(BOOKING_UID, ids.request)).toMatchObject({ priceBase: 200000, discountTotal: 0, priceTotal: 200000, discounts: [] });
      const audits = await corrections(ids.request);
      expect(audits).toHaveLength(2);
      expect(audits[1].after).toMatchObject({ priceTotal: 200000, override: false, reason: 'Back to the tariff' });
    });

    it.each([
      ['no reason', { priceTotal: 100 }, 400],
      ['an empty reason', { priceTotal: 100, reason: '  ' }, 422],
      ['a reason over 500 characters', { priceTotal: 100, reason: 'x'.repeat(501) }, 422],
      ['neither a total nor reprice', { reason: 'Why not' }, 400],
      ['both a total and reprice', { priceTotal: 100, reprice: true, reason: 'Why not' }, 400],
      ['a negative total', { priceTotal: -1, reason: 'Why not' }, 422],
      ['a fractional total (not whole kopecks)', { priceTotal: 10.5, reason: 'Why not' }, 400],
      ['rubles as a string', { priceTotal: '1500', reason: 'Why not' }, 400],
      ['an unknown field', { priceTotal: 100, reason: 'Why not', discounts: [] }, 400],
    ])('refuses %s and changes nothing', async (_name, body, status) => {
      const before = await snapshot(BOOKING_UID, ids.request);
      const audits = await auditCount();
      const res = await price('manager', ids.request, body);
      expect(res.status).toBe(status);
      expect(res.body.error.message).toEqual(expect.any(String));
      expect(await snapshot(BOOKING_UID, ids.request)).toEqual(before);
      expect(await auditCount()).toBe(audits);
    });

    it('answers 409 once money has been taken, and for a link already issued at YooKassa', async () => {
      const paid = await price('manager', ids.confirmed, { priceTotal: 1, reason: 'Too late' });
      expect(paid.status).toBe(409);
      expect(paid.body.error).toMatchObject({ name: 'ConflictError', details: { code: 'paid' } });
      expect(paid.body.error.message).toMatch(/Cancel \(with refund\)/);
      expect((await snapshot(BOOKING_UID, ids.confirmed)).priceTotal).toBe(100000);

      const linked = await book('bob', ids.roomHour);
      const open = await price('manager', linked.documentId, { priceTotal: 1, reason: 'Link out' });
      expect(open.status).toBe(409);
      expect(open.body.error.details.code).toBe('payment_link_open');
      expect((await snapshot(BOOKING_UID, linked.documentId)).priceTotal).toBe(100000);
    });

    it('cancels a prepared payment row that never reached YooKassa, so the next link is for the new amount', async () => {
      // Given a booking waiting for payment whose payment row was prepared but not sent (a crash before submit)
      const booking = await asService(app.strapi, () =>
        app.strapi.documents(BOOKING_UID).create({
          data: {
            member: ids.bob,
            tariff: ids.roomHour,
            resource: ids.room,
            startAt: at(localDay(12), '10:00'),
            endAt: at(localDay(12), '11:00'),
            units: 1,
            state: 'pending_payment',
            holdExpiresAt: new Date(Date.now() + 3600_000),
            priceBase: 100000,
            priceTotal: 100000,
          } as never,
        }),
      );
      const payment = await asService(app.strapi, () =>
        app.strapi.documents(PAYMENT_UID).create({ data: { booking: booking.documentId, provider: 'yookassa', idempotenceKey: `prep-${Date.now()}`, amount: 100000, state: 'pending' } as never }),
      );
      // When staff correct the price
      const res = await price('manager', booking.documentId, { priceTotal: 80000, reason: 'Broken projector' });
      // Then the booking costs the new amount and the old row is cancelled
      expect(res.status).toBe(200);
      expect((await snapshot(BOOKING_UID, booking.documentId)).priceTotal).toBe(80000);
      expect(await snapshot(PAYMENT_UID, payment.documentId)).toMatchObject({ state: 'canceled', cancellationReason: 'price corrected' });
    });

    it('refuses roles without the price action, final states and unknown bookings', async () => {
      expect((await price('support', ids.request, { priceTotal: 1, reason: 'x' })).status).toBe(403);
      expect((await price('marketing', ids.request, { priceTotal: 1, reason: 'x' })).status).toBe(403);
      const final = await price('manager', ids.paid, { priceTotal: 1, reason: 'x' });
      expect(final.status).toBe(409);
      expect(final.body.error.details.code).toBe('final_state');
      expect((await price('manager', 'a'.repeat(24), { priceTotal: 1, reason: 'x' })).status).toBe(404);
      expect((await price('manager', 'not-an-id', { priceTotal: 1, reason: 'x' })).status).toBe(400);
    });
  });

  describe('deletion guards', () => {
    const cmDelete = (actor: StaffRole, uid: string, documentId: string) => http().delete(cmPath(uid, documentId)).set(bearer(actor));

    it.each([
      [BOOKING_UID, 'paid', /This booking has money attached/],
      [PAYMENT_UID, 'payment', /A payment with an amount is a record of money/],
      [REFUND_UID, 'refund', /A refund with an amount is a record of money/],
    ])('%s with money cannot be deleted through the content manager, the REST API or a script', async (uid, record, message) => {
      const documentId = ids[record];
      for (const role of ['manager', 'superAdmin'] as const) {
        const res = await cmDelete(role, uid, documentId);
        expect(res.status).toBe(403);
        if (role === 'superAdmin' || uid === BOOKING_UID) expect(res.body.error.message).toMatch(message);
      }
      const rest = await http().delete(`${REST_PATHS[uid]}/${documentId}`).set(bearer('fullAccessToken'));
      expect(rest.status).toBe(403);
      expect(rest.body.error.message).toMatch(message);
      await expect(app.strapi.documents(uid as typeof BOOKING_UID).delete({ documentId })).rejects.toMatchObject({ name: 'ForbiddenError' });
      await expect(app.strapi.db.query(uid).delete({ where: { documentId } })).rejects.toMatchObject({ name: 'ForbiddenError' });
      expect(await snapshot(uid, documentId)).not.toBeNull();
    });

    it('a booking without money can be deleted', async () => {
      const free = await asService(app.strapi, () =>
        app.strapi.documents(BOOKING_UID).create({
          data: { tariff: ids.roomHour, resource: ids.room, startAt: at(localDay(14), '10:00'), endAt: at(localDay(14), '11:00'), units: 1, state: 'cancelled', priceBase: 0, priceTotal: 0 } as never,
        }),
      );
      expect((await cmDelete('manager', BOOKING_UID, free.documentId)).status).toBe(200);
      expect(await snapshot(BOOKING_UID, free.documentId)).toBeNull();
    });

    it('a member with bookings is deactivated, not deleted; one without bookings can be deleted', async () => {
      const alice = await app.strapi.db.query(USER_UID).findOne({ where: { documentId: ids.alice } });
      const byManager = await http().delete(cmPath(USER_UID, ids.alice)).set(bearer('manager'));
      expect(byManager.status).toBe(403);
      expect(byManager.body.error.message).toMatch(/has bookings and cannot be deleted: deactivate the account instead/);
      const byToken = await http().delete(`/api/users/${alice.id}`).set(bearer('fullAccessToken'));
      expect(byToken.status).toBe(403);
      expect(await app.strapi.db.query(USER_UID).findOne({ where: { id: alice.id } })).not.toBeNull();

      const loner = await createRegisteredMember(app.strapi);
      expect((await http().delete(cmPath(USER_UID, loner.documentId)).set(bearer('manager'))).status).toBe(200);
      expect(await app.strapi.db.query(USER_UID).findOne({ where: { id: loner.id } })).toBeNull();
    });
  });

  describe('POST /admin/outbox-jobs/:documentId/retry', () => {
    const retry = (actor: Actor, documentId: string) => http().post(`/admin/outbox-jobs/${documentId}/retry`).set(bearer(actor)).send({});
    const deadJob = async () => {
      const outbox = app.strapi.service('api::outbox-job.outbox') as { enqueue(input: object): Promise<{ job: { documentId: string } }> };
      const { job } = await outbox.enqueue({ kind: 'test.retry', payload: {} });
      await app.strapi.db.query(OUTBOX_UID).update({ where: { documentId: job.documentId }, data: { state: 'dead', attempts: 8, lastError: 'boom' } });
      return job.documentId;
    };

    it('puts a dead job back in the queue for a Manager, audited', async () => {
      const job = await deadJob();
      const res = await retry('manager', job);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ documentId: job, state: 'queued', attempts: 0 });
      expect(await snapshot(OUTBOX_UID, job)).toMatchObject({ state: 'queued', attempts: 0, lastError: 'boom' });
      const audit = await app.strapi.db.query(AUDIT_UID).findOne({ where: { subjectId: job, action: 'outbox-job.retry' } });
      expect(audit).toMatchObject({ actorType: 'admin', before: { state: 'dead' }, after: { state: 'queued', kind: 'test.retry' } });
    });

    it('refuses a job that is not failed or dead (409), an unknown one (404), a bad id (400) and roles without update (403)', async () => {
      const job = await deadJob();
      expect((await retry('superAdmin', job)).status).toBe(200);
      const again = await retry('manager', job);
      expect(again.status).toBe(409);
      expect(again.body.error.message).toMatch(/Only a failed or dead job can be retried; this one is queued/);
      expect((await retry('manager', 'b'.repeat(24))).status).toBe(404);
      expect((await retry('manager', 'nope')).status).toBe(400);
      const other = await deadJob();
      for (const role of ['support', 'marketing'] as const) expect((await retry(role, other)).status).toBe(403);
      expect((await snapshot(OUTBOX_UID, other)).state).toBe('dead');
    });
  });
});
