/**
 * Paying for bookings through YooKassa, end to end over HTTP: the real server, the YooKassa stand-in
 * (tests/stand-ins/yookassa) receiving our calls and sending webhooks to our listening server, and the outbox
 * (driven with runOnce) executing refunds. Every outcome is checked in our database and in the stand-in.
 */
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { memberToken, staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';

const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const OUTBOX_UID = 'api::outbox-job.outbox-job';
const AUDIT_UID = 'api::audit-log.audit-log';

describe('payments through YooKassa', () => {
  let app: TestApp;
  let yk: YooKassaStandIn;
  let tariff: string;
  let slot = 0;
  const tokens: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  /** A fresh hour every time, so tests never compete for a slot unless they mean to. */
  const nextSlot = () => {
    slot += 1;
    return at(localDay(1 + Math.floor(slot / 8)), `${String(9 + (slot % 8)).padStart(2, '0')}:00`).toISOString();
  };
  const book = async (member: string, startAt = nextSlot()) => {
    const res = await http().post('/api/bookings').set('Authorization', `Bearer ${tokens[member]}`).send({ tariff, startAt, units: 1 });
    if (res.status !== 201) throw new Error(`booking failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  };
  const bookingState = async (documentId: string) => (await app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId } })).state;
  const paymentRow = (documentId: string) => app.strapi.db.query(PAYMENT_UID).findOne({ where: { documentId } });
  const standInPayment = (bookingId: string) => yk.payments().filter((record) => record.payment.metadata?.bookingId === bookingId);
  const jobs = (kind: string, bookingId: string) =>
    app.strapi.db.query(OUTBOX_UID).findMany({ where: { kind, dedupeKey: { $contains: bookingId } } });
  const outbox = () => app.strapi.service('api::outbox-job.outbox') as { runOnce(worker: string): Promise<unknown> };
  const payments = () => app.strapi.plugin('yookassa').service('payments');
  const confirmationUrlOf = (payment: { confirmation?: unknown }) => (payment.confirmation as { confirmation_url?: string }).confirmation_url;
  const webhook = (body: object, forwardedFor?: string) => {
    const req = http().post('/api/yookassa/webhook');
    if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
    return req.send(body);
  };

  beforeAll(async () => {
    yk = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret' });
    app = await startStrapi({
      SPACE_TIMEZONE,
      YOOKASSA_SHOP_ID: '100500',
      YOOKASSA_SECRET_KEY: 'test_secret',
      YOOKASSA_API_URL: yk.url,
      YOOKASSA_RETURN_URL: 'https://t.me/coworking_test_bot',
      // The stand-in posts from loopback; loopback is also "our proxy", so X-Forwarded-For can name other senders.
      YOOKASSA_WEBHOOK_ALLOWED_IPS: '127.0.0.1,::1',
      TRUSTED_PROXIES: '127.0.0.1,::1',
      YOOKASSA_RECEIPTS: 'true',
      YOOKASSA_VAT_CODE: '11',
      YOOKASSA_RECONCILE_AFTER_MS: '0',
      OUTBOX_WORKER: 'false',
      // Two members book throughout and leave some holds unpaid on purpose; the per-member cap has its own
      // tests (tests/security/booking-abuse.test.ts).
      BOOKING_MAX_UNPAID_HOLDS: '50',
    });
    await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = app.strapi.server.httpServer.address() as AddressInfo;
    yk.setWebhookUrl(`http://127.0.0.1:${port}/api/yookassa/webhook`);

    const room = await createResource(app.strapi, { capacity: 1 });
    tariff = (await createTariff(app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 150000, freeCancellationHours: 24 })).documentId;
    for (const name of ['alice', 'bob']) tokens[name] = await memberToken(app.strapi, (await createRegisteredMember(app.strapi)).id);
    tokens.manager = await staffToken(app.strapi, 'coworking-manager');
  });

  afterAll(async () => {
    // A notification YooKassa is still sending would reach a server that is shutting down.
    yk.setAutoWebhooks(false);
    await yk.webhooksSettled();
    await app.stop();
    await yk.close();
  });

  it('creates the payment with its key, metadata and 54-FZ receipt, and confirms the booking when the member pays', async () => {
    const booking = await book('alice');
    expect(booking.status).toBe('pending_payment');
    expect(booking.payment.confirmationUrl).toMatch(new RegExp(`^${yk.origin}/`));

    const [record] = standInPayment(booking.documentId);
    const row = await paymentRow(booking.payment.documentId);
    expect(record.payment).toMatchObject({ amount: { value: '1500.00', currency: 'RUB' }, metadata: { paymentId: row.documentId } });
    expect(record.idempotenceKeys).toEqual([{ operation: 'create', key: row.idempotenceKey }]);
    expect(record.returnUrl).toBe('https://t.me/coworking_test_bot');
    expect(record.receipt?.items[0]).toMatchObject({ vat_code: 11, payment_subject: 'service', payment_mode: 'full_prepayment' });

    await yk.pay(record.payment.id);

    expect(await bookingState(booking.documentId)).toBe('confirmed');
    expect(await paymentRow(booking.payment.documentId)).toMatchObject({ state: 'succeeded', providerPaymentId: record.payment.id });
    expect(await jobs('member.notify', booking.documentId)).toHaveLength(1);
    expect(yk.webhookDeliveries().at(-1)).toMatchObject({ event: 'payment.succeeded', status: 200 });
  });

  it('keeps the booking waiting after a declined payment, and /pay makes a new link', async () => {
    const booking = await book('alice');
    const [first] = standInPayment(booking.documentId);
    await yk.decline(first.payment.id, { reason: 'insufficient_funds' });
    expect(await paymentRow(booking.payment.documentId)).toMatchObject({ state: 'canceled', cancellationReason: 'insufficient_funds' });
    expect(await bookingState(booking.documentId)).toBe('pending_payment');

    const res = await http().post(`/api/bookings/${booking.documentId}/pay`).set('Authorization', `Bearer ${tokens.alice}`);
    expect(res.status).toBe(200);
    expect(standInPayment(booking.documentId)).toHaveLength(2);
    expect(res.body.data.confirmationUrl).toBe(confirmationUrlOf(standInPayment(booking.documentId)[1].payment));
    expect(res.body.data.confirmationUrl).not.toBe(booking.payment.confirmationUrl);

    const other = await http().post(`/api/bookings/${booking.documentId}/pay`).set('Authorization', `Bearer ${tokens.bob}`);
    expect(other.status).toBe(403);
  });

  it('handles ten deliveries of one webhook as one confirmation and one notification', async () => {
    const booking = await book('bob');
    const [record] = standInPayment(booking.documentId);
    await yk.pay(record.payment.id, { webhook: false });

    const answers = await Promise.all(Array.from({ length: 10 }, () => yk.deliverWebhook('payment.succeeded', record.payment.id)));
    expect(answers.map((delivery) => delivery.status)).toEqual(Array(10).fill(200));
    expect(await bookingState(booking.documentId)).toBe('confirmed');
    const confirmations = await app.strapi.db.query(AUDIT_UID).count({ where: { subjectId: booking.documentId, action: 'booking.payment_succeeded' } });
    expect(confirmations).toBe(1);
    expect(await jobs('member.notify', booking.documentId)).toHaveLength(1);
  });

  it('refuses a webhook from an address outside the allow-list with 403, and changes nothing', async () => {
    const booking = await book('bob');
    const [record] = standInPayment(booking.documentId);
    await yk.pay(record.payment.id, { webhook: false });
    const body = { type: 'notification', event: 'payment.succeeded', object: { id: record.payment.id } };

    const outsider = await webhook(body, '203.0.113.9');
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toMatch(/YooKassa addresses only/);
    // A client's own X-Forwarded-For is read right to left, so naming an allowed address first does not help.
    expect((await webhook(body, '127.0.0.1, 203.0.113.9')).status).toBe(403);
    expect(await bookingState(booking.documentId)).toBe('pending_payment');
    expect(await paymentRow(booking.payment.documentId)).toMatchObject({ state: 'pending' });
  });

  it('ignores a webhook whose body claims success while YooKassa says the payment is pending', async () => {
    const booking = await book('bob');
    const [record] = standInPayment(booking.documentId);
    const forged = await yk.deliverWebhook('payment.succeeded', record.payment.id, { override: { status: 'succeeded', paid: true } });
    expect(forged.status).toBe(200);
    expect(await bookingState(booking.documentId)).toBe('pending_payment');
    expect(await paymentRow(booking.payment.documentId)).toMatchObject({ state: 'pending' });
    // The answer says that nothing happened, for the known payment and for an unknown one alike.
    const again = await webhook({ type: 'notification', event: 'payment.succeeded', object: { id: record.payment.id, status: 'succeeded' } });
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: { data: { outcome: 'unchanged' } } });
    const unknown = await webhook({ type: 'notification', event: 'payment.succeeded', object: { id: 'no-such-payment' } });
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: 200, body: { data: { outcome: 'ignored' } } });
    expect((await webhook({ hello: 'world' })).status).toBe(400);
  });

  it('recovers a lost webhook with the reconciliation job', async () => {
    const booking = await book('alice');
    const [record] = standInPayment(booking.documentId);
    await yk.pay(record.payment.id, { webhook: false });
    expect(await bookingState(booking.documentId)).toBe('pending_payment');

    const report = await payments().reconcile(new Date());

    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect(await bookingState(booking.documentId)).toBe('confirmed');
  });

  it('reuses the Idempotence-Key after an unknown outcome, so YooKassa holds one payment', async () => {
    // YooKassa creates the payment, but every answer is lost: our create ends without a link.
    yk.injectFault({ method: 'POST', path: '/payments', respond: { status: 500 }, executed: true, times: 3 });
    const booking = await book('bob');
    expect(booking.status).toBe('pending_payment');
    expect(booking.payment).toMatchObject({ status: 'pending', confirmationUrl: null });

    const res = await http().post(`/api/bookings/${booking.documentId}/pay`).set('Authorization', `Bearer ${tokens.bob}`);
    expect(res.status).toBe(200);
    const records = standInPayment(booking.documentId);
    expect(records).toHaveLength(1);
    expect(res.body.data.confirmationUrl).toBe(confirmationUrlOf(records[0].payment));
    const row = await paymentRow(booking.payment.documentId);
    const keys = yk.requests().filter((call) => call.method === 'POST' && call.path === '/payments' && call.idempotenceKey === row.idempotenceKey);
    expect(keys.length).toBe(4);
    expect(row.providerPaymentId).toBe(records[0].payment.id);
  });

  it('refunds in part and in full: staff refunds and a member cancellation, executed by the outbox', async () => {
    const booking = await book('alice', at(localDay(5), '10:00').toISOString());
    await yk.pay(standInPayment(booking.documentId)[0].payment.id);
    const payment = booking.payment.documentId;
    const refund = (body: object) =>
      http().post(`/yookassa/payments/${payment}/refund`).set('Authorization', `Bearer ${tokens.manager}`).send(body);

    const partial = await refund({ amount: 50000, reason: 'Projector broken' });
    expect(partial.status).toBe(200);
    expect((await refund({ amount: 200000, reason: 'Too much' })).status).toBe(422);
    await outbox().runOnce('test-worker');
    await yk.webhooksSettled();
    expect(yk.refunds().map((record) => record.refund.amount.value)).toContain('500.00');
    expect(await app.strapi.db.query(REFUND_UID).findOne({ where: { documentId: partial.body.data.documentId } })).toMatchObject({
      state: 'succeeded',
    });

    // Inside the free window the member gets back all that is left.
    const cancelled = await http().post(`/api/bookings/${booking.documentId}/cancel`).set('Authorization', `Bearer ${tokens.alice}`).send({});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.refund).toMatchObject({ amount: 100000, state: 'pending' });
    // Nothing is left to refund now, and staff are told so.
    const again = await refund({ reason: 'Once more' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ name: 'ConflictError', message: 'This payment has already been fully refunded.' });
    await outbox().runOnce('test-worker');
    const providerId = (await paymentRow(payment)).providerPaymentId;
    const atStandIn = yk.refunds().filter((record) => record.refund.payment_id === providerId);
    expect(atStandIn.map((record) => record.refund.amount.value).sort()).toEqual(['1000.00', '500.00']);
    expect(yk.payment(providerId)?.refunded_amount?.value).toBe('1500.00');
  });

  it('confirms a payment that arrives after the hold lapsed when the slot is still free', async () => {
    const booking = await book('alice');
    await app.strapi.db.query(BOOKING_UID).update({ where: { documentId: booking.documentId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });
    await app.strapi.service('api::booking.housekeeping').run(new Date());
    expect(await bookingState(booking.documentId)).toBe('expired');

    await yk.pay(standInPayment(booking.documentId)[0].payment.id);

    expect(await bookingState(booking.documentId)).toBe('confirmed');
    const [audit] = await app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: booking.documentId, action: 'booking.late_payment_confirmed' } });
    expect(audit).toMatchObject({ actorType: 'system', actorLabel: 'system:yookassa' });
  });

  it('refunds a late payment automatically when the slot was taken meanwhile, and tells the member', async () => {
    const startAt = nextSlot();
    const late = await book('alice', startAt);
    await app.strapi.db.query(BOOKING_UID).update({ where: { documentId: late.documentId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });
    const taker = await book('bob', startAt);
    expect(taker.status).toBe('pending_payment');

    const record = standInPayment(late.documentId)[0];
    await yk.pay(record.payment.id);

    expect(await bookingState(late.documentId)).toBe('expired');
    expect(await bookingState(taker.documentId)).toBe('pending_payment');
    const [refund] = await app.strapi.db.query(REFUND_UID).findMany({ where: { payment: { documentId: late.payment.documentId } } });
    expect(refund).toMatchObject({ amount: 150000, state: 'pending' });
    expect(await jobs('member.notify', late.documentId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ payload: expect.objectContaining({ event: 'payment_refunded', amount: 150000 }) })]),
    );

    await outbox().runOnce('test-worker');
    expect(yk.refunds().filter((entry) => entry.refund.payment_id === record.payment.id).map((entry) => entry.refund.amount.value)).toEqual(['1500.00']);
  });
});
