/**
 * Staff alerts in Telegram (docs/NOTIFICATIONS.md § Staff alerts): the real server writes `staff.alert` outbox
 * jobs in the transactions of the events (a booking request, a ticket and a member's reply, a failed payment or
 * refund, a dead job), and the handler posts them to the staff chat of the Telegram stand-in, driven with runOnce.
 * YooKassa is the stand-in too, behind a small proxy that can make YooKassa cancel refunds (the stand-in's
 * refunds always succeed).
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { staffAlertSettings } from '../../src/api/notification/services/staff-alerts';
import { localDateOf } from '../../src/domain/space-time';
import { memberToken, staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';

const OUTBOX_UID = 'api::outbox-job.outbox-job';
const USER_UID = 'plugin::users-permissions.user';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const STAFF_CHAT = -1001234567890;
const PUBLIC_URL = 'https://coworking.example';
const ADMIN = `${PUBLIC_URL}/admin`;

interface Job {
  documentId: string;
  kind: string;
  state: string;
  dedupeKey: string | null;
  lastError: string | null;
  payload: Record<string, unknown>;
}

type OutboxHandle = {
  runOnce(worker: string): Promise<{ claimed: number; done: number; failed: number; dead: number; deferred: number; expired: number }>;
  enqueue(job: { kind: string; payload: unknown; dedupeKey?: string; maxAttempts?: number }): Promise<{ job: { documentId: string } }>;
  registerHandler(kind: string, handler: () => Promise<void>, options?: object): void;
  claimBatch(worker: string, now: Date, limit: number, options: object): Promise<Array<{ documentId: string }>>;
};

/** Forwards to the YooKassa stand-in; with `cancelRefunds` on, YooKassa's answers about refunds say `canceled`. */
async function startRefundCancellingProxy(target: string) {
  const state = { cancelRefunds: false };
  const server: Server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name, value]) => typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)),
    ) as Record<string, string>;
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    let body = await upstream.text();
    if (state.cancelRefunds && /\/refunds(\/[^/?]+)?$/.test(req.url ?? '') && upstream.status === 200) {
      body = JSON.stringify({ ...JSON.parse(body), status: 'canceled', cancellation_details: { party: 'yoo_money', reason: 'rejected_by_payee' } });
    }
    res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { state, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('staff alerts', () => {
  it('reads STAFF_CHAT_ID, STAFF_ALERTS_LANGUAGE and STAFF_ALERTS_PER_MINUTE, refusing bad values', () => {
    expect(staffAlertSettings({})).toMatchObject({ chatId: null, language: 'ru', perMinute: 20 });
    expect(staffAlertSettings({ STAFF_CHAT_ID: ' -100123 ', STAFF_ALERTS_LANGUAGE: 'en' })).toMatchObject({ chatId: '-100123', language: 'en' });
    expect(() => staffAlertSettings({ STAFF_CHAT_ID: 'staff chat' })).toThrow(/STAFF_CHAT_ID/);
    expect(() => staffAlertSettings({ STAFF_ALERTS_LANGUAGE: 'de' })).toThrow(/STAFF_ALERTS_LANGUAGE/);
    expect(() => staffAlertSettings({ STAFF_ALERTS_PER_MINUTE: '0' })).toThrow(/STAFF_ALERTS_PER_MINUTE/);
  });
});

describe('staff alerts in the staff chat', () => {
  let app: TestApp;
  let telegram: TelegramStandIn;
  let yk: YooKassaStandIn;
  let proxy: Awaited<ReturnType<typeof startRefundCancellingProxy>>;
  let approvalTariff: string;
  let paidTariff: string;
  let slot = 0;
  const tokens: Record<string, string> = {};
  const members: Record<string, { id: number; documentId: string }> = {};

  const api = () => request(app.strapi.server.httpServer);
  const outbox = () => app.strapi.service('api::outbox-job.outbox') as OutboxHandle;
  const staffAlerts = () =>
    app.strapi.service('api::notification.staff-alerts') as {
      register(env: NodeJS.ProcessEnv): boolean;
      enqueue(alert: object): Promise<{ created: boolean } | null>;
      render(alert: object): Promise<{ text: string; link: string } | null>;
    };
  const nextSlot = () => {
    slot += 1;
    return at(localDay(2 + Math.floor(slot / 8)), `${String(9 + (slot % 8)).padStart(2, '0')}:00`);
  };
  const alertJobs = async (): Promise<Job[]> => (await app.strapi.db.query(OUTBOX_UID).findMany({ where: { kind: 'staff.alert' }, orderBy: { id: 'asc' } })) as Job[];
  const alertJobsAbout = async (documentId: string) => (await alertJobs()).filter((job) => (job.dedupeKey ?? '').includes(documentId));
  /** The staff chat's messages as sent (HTML source), the link included. */
  const staffMessages = () => telegram.chat(STAFF_CHAT).map((entry) => entry.source?.text ?? entry.text ?? '');
  const messagesWith = (fragment: string) => staffMessages().filter((text) => text.includes(fragment));
  /** Runs the outbox until no staff alert is waiting (the alerts' rate limit spreads them over several polls). */
  async function drain() {
    for (let i = 0; i < 50; i += 1) {
      await outbox().runOnce('test');
      const waiting = (await alertJobs()).filter((job) => job.state === 'queued' || job.state === 'running');
      if (waiting.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('staff alerts still queued');
  }
  const book = async (member: string, tariff: string, headers: Record<string, string> = {}, startAt = nextSlot()) => {
    const res = await api()
      .post('/api/bookings')
      .set('Authorization', `Bearer ${tokens[member]}`)
      .set(headers)
      .send({ tariff, startAt: startAt.toISOString(), units: 1 });
    if (res.status !== 201 && res.status !== 200) throw new Error(`booking failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data as { documentId: string; status: string; startAt: string };
  };

  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: false });
    telegram.addUser({ id: STAFF_CHAT, first_name: 'Staff' });
    yk = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret' });
    proxy = await startRefundCancellingProxy(yk.origin);
    app = await startStrapi({
      SPACE_TIMEZONE,
      PUBLIC_URL,
      STAFF_CHAT_ID: String(STAFF_CHAT),
      // 10 a second: fast enough for a test, slow enough to see the spacing.
      STAFF_ALERTS_PER_MINUTE: '600',
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      OUTBOX_WORKER: 'false',
      OUTBOX_BACKOFF_BASE_MS: '200',
      OUTBOX_BACKOFF_JITTER: '0',
      YOOKASSA_SHOP_ID: '100500',
      YOOKASSA_SECRET_KEY: 'test_secret',
      YOOKASSA_API_URL: `${proxy.url}/v3`,
      YOOKASSA_RETURN_URL: 'https://t.me/coworking_test_bot',
      YOOKASSA_WEBHOOK_ALLOWED_IPS: '127.0.0.1,::1',
      YOOKASSA_RECONCILE_AFTER_MS: '0',
      BOOKING_MAX_UNPAID_HOLDS: '50',
    });
    await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = app.strapi.server.httpServer.address() as AddressInfo;
    yk.setWebhookUrl(`http://127.0.0.1:${port}/api/yookassa/webhook`);

    const room = await createResource(app.strapi, { capacity: 20 });
    await app.strapi.documents('api::resource.resource').update({ documentId: room.documentId, data: { name: 'Переговорная <Север>' } as never });
    approvalTariff = (await createTariff(app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 123450, requiresApproval: true })).documentId;
    paidTariff = (await createTariff(app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 150000 })).documentId;
    for (const [name, fullName] of [
      ['anna', 'Анна Смирнова'],
      ['boris', 'Борис <Б> Иванов'],
    ]) {
      members[name] = await createRegisteredMember(app.strapi);
      await app.strapi.db.query(USER_UID).update({ where: { id: members[name].id }, data: { fullName, telegramUsername: `${name}_tg` } });
      tokens[name] = await memberToken(app.strapi, members[name].id);
    }
    tokens.manager = await staffToken(app.strapi, 'coworking-manager');
  });

  afterAll(async () => {
    await yk?.webhooksSettled();
    await app?.stop();
    await proxy?.close();
    await yk?.close();
    await telegram?.close();
  });

  it('posts a booking request awaiting approval once, with the member, the money and a link to the calendar', async () => {
    const booking = await book('anna', approvalTariff, { 'Idempotency-Key': 'alert-approval-1' });
    expect(booking.status).toBe('awaiting_confirmation');
    // Written with the booking.
    expect((await alertJobsAbout(booking.documentId)).map((job) => job.dedupeKey)).toEqual([`staff.alert:booking:${booking.documentId}:awaiting`]);

    await drain();
    const date = localDateOf(new Date(booking.startAt), SPACE_TIMEZONE);
    const link = `${ADMIN}/plugins/booking-desk/calendar?date=${date}&amp;booking=${booking.documentId}`;
    const sent = messagesWith(booking.documentId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(`<a href="${link}">`);
    expect(sent[0]).toContain('Заявка ждёт подтверждения');
    expect(sent[0]).toContain('Анна Смирнова (@anna_tg)');
    expect(sent[0]).toContain('1 234,50 ₽');
    expect(sent[0]).toContain('Переговорная &lt;Север&gt;');
    const [call] = telegram.calls('sendMessage').filter((c) => String(c.params.chat_id) === String(STAFF_CHAT));
    expect(call.params.parse_mode).toBe('HTML');

    // The same request again (a retried POST): the booking is replayed, nothing new is written or sent.
    const again = await book('anna', approvalTariff, { 'Idempotency-Key': 'alert-approval-1' }, new Date(booking.startAt));
    expect(again.documentId).toBe(booking.documentId);
    expect(await staffAlerts().enqueue({ event: 'booking_awaiting', booking: booking.documentId })).toEqual({ created: false });
    await drain();
    expect(await alertJobsAbout(booking.documentId)).toHaveLength(1);
    expect(messagesWith(booking.documentId)).toHaveLength(1);

    // A booking that needs no approval alerts nobody.
    const paid = await book('anna', paidTariff);
    expect(await alertJobsAbout(paid.documentId)).toHaveLength(0);
  });

  it('posts a new ticket and a member reply, each once, with a link to the inbox', async () => {
    const created = await api()
      .post('/api/tickets')
      .set('Authorization', `Bearer ${tokens.boris}`)
      .send({ subject: 'Wi-Fi <slow>', body: 'Nothing loads & the printer is offline', priority: 'high' });
    expect(created.status).toBe(201);
    const ticket = created.body.data.documentId as string;
    const reply = await api().post(`/api/tickets/${ticket}/messages`).set('Authorization', `Bearer ${tokens.boris}`).send({ body: 'Still broken' });
    expect(reply.status).toBe(201);
    const message = reply.body.data.documentId as string;
    expect((await alertJobsAbout(ticket)).map((job) => job.dedupeKey)).toEqual([`staff.alert:ticket:${ticket}:new`]);
    expect((await alertJobsAbout(message)).map((job) => job.dedupeKey)).toEqual([`staff.alert:ticket-message:${message}`]);

    await drain();
    const link = `<a href="${ADMIN}/plugins/booking-desk/inbox/${ticket}">`;
    const sent = messagesWith(link);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('Новое обращение');
    expect(sent[0]).toContain('Wi-Fi &lt;slow&gt;');
    expect(sent[0]).toContain('Борис &lt;Б&gt; Иванов');
    expect(sent[0]).toContain('приоритет: высокий');
    expect(sent[0]).toContain('Nothing loads &amp; the printer is offline');
    expect(sent[1]).toContain('Ответ участника');
    expect(sent[1]).toContain('Still broken');

    // Re-processing (the job run again, the same event enqueued again) sends nothing more.
    expect(await staffAlerts().enqueue({ event: 'ticket_reply', ticket, message })).toEqual({ created: false });
    await drain();
    expect(messagesWith(link)).toHaveLength(2);
  });

  it('posts a payment the bank declined once, however many webhooks arrive, and keeps quiet about an abandoned checkout', async () => {
    const declined = await book('anna', paidTariff);
    const [record] = yk.payments().filter((entry) => entry.payment.metadata?.bookingId === declined.documentId);
    await yk.decline(record.payment.id, { reason: 'insufficient_funds' });
    await yk.webhooksSettled();
    // YooKassa repeats the notification.
    await yk.deliverWebhook('payment.canceled', record.payment.id);
    await yk.deliverWebhook('payment.canceled', record.payment.id);
    const payment = (await app.strapi.db.query(PAYMENT_UID).findOne({ where: { providerPaymentId: record.payment.id } })) as { documentId: string; state: string };
    expect(payment.state).toBe('canceled');
    expect((await alertJobsAbout(payment.documentId)).map((job) => job.dedupeKey)).toEqual([`staff.alert:payment:${payment.documentId}:failed`]);

    await drain();
    const sent = messagesWith(`booking=${declined.documentId}`).filter((text) => text.includes('Платёж не прошёл'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('1 500,00 ₽');
    expect(sent[0]).toContain('insufficient_funds');
    expect(sent[0]).toContain('Анна Смирнова');

    // The member closed the payment page: YooKassa cancels with expired_on_confirmation; no alert.
    const abandoned = await book('anna', paidTariff);
    const [left] = yk.payments().filter((entry) => entry.payment.metadata?.bookingId === abandoned.documentId);
    await yk.expire(left.payment.id);
    await yk.webhooksSettled();
    const leftRow = (await app.strapi.db.query(PAYMENT_UID).findOne({ where: { providerPaymentId: left.payment.id } })) as { documentId: string; state: string };
    expect(leftRow.state).toBe('canceled');
    expect(await alertJobsAbout(leftRow.documentId)).toHaveLength(0);
  });

  it('posts a refund YooKassa cancelled once, with a link to the booking', async () => {
    const booking = await book('boris', paidTariff);
    const [record] = yk.payments().filter((entry) => entry.payment.metadata?.bookingId === booking.documentId);
    await yk.pay(record.payment.id);
    await yk.webhooksSettled();
    const payment = (await app.strapi.db.query(PAYMENT_UID).findOne({ where: { providerPaymentId: record.payment.id } })) as { documentId: string; state: string };
    expect(payment.state).toBe('succeeded');

    proxy.state.cancelRefunds = true;
    try {
      const res = await api()
        .post(`/yookassa/payments/${payment.documentId}/refund`)
        .set('Authorization', `Bearer ${tokens.manager}`)
        .send({ amount: 50000, reason: 'Goodwill' });
      expect(res.status).toBe(200);
      const refund = res.body.data.documentId as string;
      await drain();
      // YooKassa's refund.succeeded notification of the stand-in arrives too; the refund is fetched as canceled.
      await yk.webhooksSettled();
      await drain();
      expect((await app.strapi.db.query(REFUND_UID).findOne({ where: { documentId: refund } })).state).toBe('canceled');
      expect((await alertJobsAbout(refund)).map((job) => job.dedupeKey)).toEqual([`staff.alert:refund:${refund}:failed`]);
      const sent = messagesWith(`booking=${booking.documentId}`).filter((text) => text.includes('Возврат не прошёл'));
      expect(sent).toHaveLength(1);
      expect(sent[0]).toContain('500,00 ₽');
      expect(sent[0]).toContain('Борис &lt;Б&gt; Иванов');

      // The refund job run again (a re-processed job): the refund is no longer pending, nothing more is sent.
      await (app.strapi.plugin('yookassa').service('payments') as { executeRefund(id: string): Promise<void> }).executeRefund(refund);
      await drain();
      expect(await alertJobsAbout(refund)).toHaveLength(1);
    } finally {
      proxy.state.cancelRefunds = false;
    }
  });

  it('posts an outbox job gone dead with a link to it, but never a staff alert that died itself', async () => {
    outbox().registerHandler('test.broken', async () => {
      throw Object.assign(new Error('the remote side said no'), { permanent: true });
    });
    const { job } = await outbox().enqueue({ kind: 'test.broken', payload: {}, dedupeKey: 'test.broken:1' });
    await drain();
    const dead = (await app.strapi.db.query(OUTBOX_UID).findOne({ where: { documentId: job.documentId } })) as Job;
    expect(dead.state).toBe('dead');
    const alerts = (await alertJobs()).filter((alert) => alert.payload.job === job.documentId);
    expect(alerts).toHaveLength(1);
    const link = `<a href="${ADMIN}/content-manager/collection-types/api::outbox-job.outbox-job/${job.documentId}">`;
    const sent = messagesWith(link);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('<code>test.broken</code>');
    expect(sent[0]).toContain('the remote side said no');

    // A worker that died on the last attempt: its job expires to dead and is posted too.
    outbox().registerHandler('test.abandoned', async () => undefined, { leaseMs: 100 });
    const abandoned = (await outbox().enqueue({ kind: 'test.abandoned', payload: {}, maxAttempts: 1 })).job;
    expect(await outbox().claimBatch('crashed-worker', new Date(), 1, { kinds: ['test.abandoned'], leaseMs: 100 })).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await drain();
    expect((await app.strapi.db.query(OUTBOX_UID).findOne({ where: { documentId: abandoned.documentId } })).state).toBe('dead');
    expect(messagesWith(`outbox-job.outbox-job/${abandoned.documentId}"`)).toHaveLength(1);

    // The staff chat is gone: the alert about a new ticket dies at once, and no alert is written about it.
    const before = (await alertJobs()).length;
    telegram.failNext('sendMessage', 1, { error_code: 400, description: 'Bad Request: chat not found' });
    const created = await api().post('/api/tickets').set('Authorization', `Bearer ${tokens.anna}`).send({ subject: 'Lost alert', body: 'x' });
    expect(created.status).toBe(201);
    await drain();
    const [lost] = await alertJobsAbout(created.body.data.documentId);
    expect(lost.state).toBe('dead');
    expect(lost.lastError).toContain('chat not found');
    const after = await alertJobs();
    expect(after).toHaveLength(before + 1);
    expect(after.filter((alert) => alert.payload.job === lost.documentId)).toHaveLength(0);
  });

  it('spaces a burst of alerts by the rate limit', async () => {
    const before = telegram.calls('sendMessage').length;
    for (let i = 0; i < 5; i += 1) {
      const res = await api().post('/api/tickets').set('Authorization', `Bearer ${tokens.boris}`).send({ subject: `Burst ${i}`, body: 'x' });
      expect(res.status).toBe(201);
    }
    await drain();
    const calls = telegram.calls('sendMessage').slice(before);
    expect(calls).toHaveLength(5);
    // STAFF_ALERTS_PER_MINUTE=600 here: one start every 100 ms (the stand-in sees them with some network jitter).
    for (let i = 1; i < calls.length; i += 1) expect(calls[i].at - calls[i - 1].at).toBeGreaterThanOrEqual(60);
    expect(calls[4].at - calls[0].at).toBeGreaterThanOrEqual(380);
  });

  it('writes no job at all while STAFF_CHAT_ID is unset, and writes in English when asked', async () => {
    const env = { ...process.env };
    try {
      expect(staffAlerts().register({ ...env, STAFF_CHAT_ID: '' })).toBe(false);
      const res = await api().post('/api/tickets').set('Authorization', `Bearer ${tokens.anna}`).send({ subject: 'Quiet', body: 'x' });
      expect(res.status).toBe(201);
      const booking = await book('boris', approvalTariff);
      outbox().registerHandler('test.quiet', async () => {
        throw Object.assign(new Error('no'), { permanent: true });
      });
      const { job } = await outbox().enqueue({ kind: 'test.quiet', payload: {} });
      await outbox().runOnce('test');
      expect((await app.strapi.db.query(OUTBOX_UID).findOne({ where: { documentId: job.documentId } })).state).toBe('dead');
      const written = await alertJobs();
      expect(written.filter((alert) => [res.body.data.documentId, booking.documentId, job.documentId].some((id) => JSON.stringify(alert.payload).includes(id)))).toHaveLength(0);

      staffAlerts().register({ ...env, STAFF_ALERTS_LANGUAGE: 'en' });
      const english = await staffAlerts().render({ event: 'booking_awaiting', booking: booking.documentId });
      expect(english?.text).toContain('Booking request awaits approval');
      expect(english?.text).toContain('RUB 1,234.50');
      expect(english?.link).toContain(`booking=${booking.documentId}`);
    } finally {
      staffAlerts().register(env);
    }
  });
});
