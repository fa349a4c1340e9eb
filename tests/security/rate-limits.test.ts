/**
 * Rate limits on every abusable route (issue 13, findings 3 and 4, "One rate-limit library"): through HTTP against
 * the real server, with small limits set by RATE_LIMIT_* so each is reached in a few requests. Each refusal is a
 * 429 in Strapi's error envelope with Retry-After; limits are per member (another member is unaffected) or per
 * address (another address is unaffected); a refused create writes nothing.
 */
import request from 'supertest';
import { createMember, memberToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

const LIMITS = { member: 6, bookingQuote: 3, bookingCreate: 2, ticketCreate: 2, ticketReply: 2, paymentWebhook: 3, signIn: 3 };
const WINDOW_SECONDS = 60;
const UNKNOWN_ID = 'aaaaaaaaaaaaaaaaaaaaaaaa';

describe('rate limits', () => {
  let app: TestApp;
  const ids: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** A fresh registered member's token, so each case starts with a full allowance. */
  async function freshMember(): Promise<{ id: number; documentId: string; token: string }> {
    const member = await createRegisteredMember(app.strapi);
    return { ...member, token: await memberToken(app.strapi, member.id) };
  }

  function expectRateLimited(res: request.Response, rule: string) {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(res.body).toEqual({
      data: null,
      error: {
        status: 429,
        name: 'RateLimitError',
        message: expect.stringMatching(/^Too many .+\. Try again in \d+ seconds?\.$/),
        details: { retryAfterSeconds: retryAfter, rule },
      },
    });
  }

  beforeAll(async () => {
    app = await startStrapi({
      SPACE_TIMEZONE,
      RATE_LIMIT_MEMBER: `${LIMITS.member}/${WINDOW_SECONDS}`,
      RATE_LIMIT_BOOKING_QUOTE: `${LIMITS.bookingQuote}/${WINDOW_SECONDS}`,
      RATE_LIMIT_BOOKING_CREATE: `${LIMITS.bookingCreate}/${WINDOW_SECONDS}`,
      RATE_LIMIT_TICKET_CREATE: `${LIMITS.ticketCreate}/${WINDOW_SECONDS}`,
      RATE_LIMIT_TICKET_REPLY: `${LIMITS.ticketReply}/${WINDOW_SECONDS}`,
      RATE_LIMIT_PAYMENT_WEBHOOK: `${LIMITS.paymentWebhook}/${WINDOW_SECONDS}`,
      RATE_LIMIT_SIGN_IN: `${LIMITS.signIn}/${WINDOW_SECONDS}`,
      // Requests that name another client address in X-Forwarded-For come from "our proxy" on loopback.
      TRUSTED_PROXIES: '127.0.0.1,::1',
      YOOKASSA_WEBHOOK_ALLOWED_IPS: '192.0.2.1',
    });
    const s = app.strapi;
    const pool = await createResource(s, { capacity: 30 });
    // Free, so each booking is confirmed at once and no unpaid-hold limit gets in the way.
    ids.freeDay = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'day', price: 0 })).documentId;
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('every member endpoint shares the `member` allowance, per member', () => {
    const routes: [string, (token: string) => request.Test][] = [
      ['PUT /api/profile', (token) => http().put('/api/profile').set(bearer(token)).send({})],
      ['GET /api/bookings/mine', (token) => http().get('/api/bookings/mine').set(bearer(token))],
      ['POST /api/bookings/:id/cancel', (token) => http().post(`/api/bookings/${UNKNOWN_ID}/cancel`).set(bearer(token)).send({})],
      ['POST /api/bookings/:id/pay', (token) => http().post(`/api/bookings/${UNKNOWN_ID}/pay`).set(bearer(token)).send({})],
      ['POST /api/bookings/:id/reschedule', (token) => http().post(`/api/bookings/${UNKNOWN_ID}/reschedule`).set(bearer(token)).send({})],
      ['GET /api/tickets/mine', (token) => http().get('/api/tickets/mine').set(bearer(token))],
      ['GET /api/tickets/:id', (token) => http().get(`/api/tickets/${UNKNOWN_ID}`).set(bearer(token))],
    ];

    it.each(routes)('Given a member who used the allowance, When they call %s again, Then it is 429 and another member still gets through', async (_name, call) => {
      const member = await freshMember();
      const other = await freshMember();
      for (let i = 0; i < LIMITS.member; i += 1) expect((await call(member.token)).status).not.toBe(429);

      expectRateLimited(await call(member.token), 'member');
      expect((await call(other.token)).status).not.toBe(429);
    });

    it('Given a member who used the allowance on one endpoint, When they call another member endpoint, Then it is 429 too', async () => {
      const member = await freshMember();
      for (let i = 0; i < LIMITS.member; i += 1) expect((await http().get('/api/bookings/mine').set(bearer(member.token))).status).toBe(200);

      expectRateLimited(await http().get('/api/tickets/mine').set(bearer(member.token)), 'member');
    });
  });

  it('Given a member who asked for the allowed quotes, When they ask again, Then it is 429 and another member gets a price', async () => {
    const member = await freshMember();
    const other = await freshMember();
    const body = { tariff: ids.freeDay, startAt: at(localDay(3), '09:00').toISOString(), units: 1 };
    const quote = (token: string) => http().post('/api/bookings/quote').set(bearer(token)).send(body);
    for (let i = 0; i < LIMITS.bookingQuote; i += 1) expect((await quote(member.token)).status).toBe(200);

    expectRateLimited(await quote(member.token), 'bookingQuote');
    expect((await quote(other.token)).status).toBe(200);
  });

  it('Given a member who made the allowed bookings, When they book again, Then it is 429, nothing is written, and another member can book', async () => {
    const member = await freshMember();
    const other = await freshMember();
    const book = (token: string, day: number) =>
      http().post('/api/bookings').set(bearer(token)).send({ tariff: ids.freeDay, startAt: at(localDay(day), '09:00').toISOString(), units: 1 });
    const bookingsOf = (documentId: string) => app.strapi.db.query('api::booking.booking').count({ where: { member: { documentId } } });
    for (let day = 1; day <= LIMITS.bookingCreate; day += 1) expect((await book(member.token, day)).status).toBe(201);
    const before = await bookingsOf(member.documentId);

    expectRateLimited(await book(member.token, LIMITS.bookingCreate + 1), 'bookingCreate');
    expect(await bookingsOf(member.documentId)).toBe(before);
    expect(before).toBe(LIMITS.bookingCreate);
    expect((await book(other.token, 1)).status).toBe(201);
  });

  it('Given a member who opened the allowed tickets, When they open another, Then it is 429, nothing is written, and another member can open one', async () => {
    const member = await freshMember();
    const other = await freshMember();
    const open = (token: string, n: number) => http().post('/api/tickets').set(bearer(token)).send({ subject: `Ticket ${n}`, body: 'The Wi-Fi is down' });
    const ticketsOf = (documentId: string) => app.strapi.db.query('api::ticket.ticket').count({ where: { member: { documentId } } });
    for (let n = 1; n <= LIMITS.ticketCreate; n += 1) expect((await open(member.token, n)).status).toBe(201);

    expectRateLimited(await open(member.token, LIMITS.ticketCreate + 1), 'ticketCreate');
    expect(await ticketsOf(member.documentId)).toBe(LIMITS.ticketCreate);
    expect((await open(other.token, 1)).status).toBe(201);
  });

  it('Given a member who sent the allowed replies, When they reply again, Then it is 429, nothing is written, and another member can reply', async () => {
    const member = await freshMember();
    const other = await freshMember();
    const open = async (token: string) =>
      (await http().post('/api/tickets').set(bearer(token)).send({ subject: 'Heating', body: 'Too cold in room 3' })).body.data.documentId as string;
    const ticket = await open(member.token);
    const otherTicket = await open(other.token);
    const reply = (token: string, documentId: string) => http().post(`/api/tickets/${documentId}/messages`).set(bearer(token)).send({ body: 'Still cold' });
    const messagesOf = (documentId: string) => app.strapi.db.query('api::ticket-message.ticket-message').count({ where: { ticket: { documentId } } });
    for (let i = 0; i < LIMITS.ticketReply; i += 1) expect((await reply(member.token, ticket)).status).toBe(201);
    const before = await messagesOf(ticket);

    expectRateLimited(await reply(member.token, ticket), 'ticketReply');
    expect(await messagesOf(ticket)).toBe(before);
    expect((await reply(other.token, otherTicket)).status).toBe(201);
  });

  it('Given an address that sent the allowed payment notifications, When it sends another, Then it is 429 and another address is still heard', async () => {
    const notify = (address: string) =>
      http().post('/api/yookassa/webhook').set('X-Forwarded-For', address).send({ type: 'notification', event: 'payment.succeeded', object: { id: 'x' } });
    // Not a YooKassa address: refused by the controller (403), but each attempt is counted before it gets there.
    for (let i = 0; i < LIMITS.paymentWebhook; i += 1) expect((await notify('198.51.100.7')).status).toBe(403);

    expectRateLimited(await notify('198.51.100.7'), 'paymentWebhook');
    expect((await notify('198.51.100.8')).status).toBe(403);
  });

  it('Given an address that made the allowed anonymous sign-in attempts, When it tries again, Then it is 429 and another address may still try', async () => {
    const signIn = (address: string) => http().post('/api/auth/telegram').set('X-Forwarded-For', address).send({ initData: 'user=%7B%7D&hash=00' });
    for (let i = 0; i < LIMITS.signIn; i += 1) expect((await signIn('198.51.100.9')).status).toBe(401);

    expectRateLimited(await signIn('198.51.100.9'), 'signIn');
    expect((await signIn('198.51.100.10')).status).toBe(401);
  });

  it('Given an unregistered member, When they are refused by the endpoint, Then the attempt still counts (the limit runs first)', async () => {
    const unregistered = await createMember(app.strapi);
    const token = await memberToken(app.strapi, unregistered.id);
    const open = () => http().post('/api/tickets').set(bearer(token)).send({ subject: 'Hello there', body: 'Hi' });
    for (let i = 0; i < LIMITS.ticketCreate; i += 1) expect((await open()).status).toBe(403);

    expectRateLimited(await open(), 'ticketCreate');
  });
});
