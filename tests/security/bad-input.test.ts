/**
 * Issue 13, findings 5 and 9: bad input is a 4xx in Strapi's envelope with a message a person understands,
 * never a 500, never the parser's own text, and it changes nothing. Through HTTP against the real server:
 * bodies the parsers cannot read, start times that name no instant or lie far away, promo codes with
 * impossible settings on every write path, a refund of a payment already refunded, and the 400 / 422 rule.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { createApiToken, memberToken, staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOOKING_UID = 'api::booking.booking';
const PROMOCODE_UID = 'api::promocode.promocode';

describe('bad input never gives a 500 and changes nothing', () => {
  let app: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  const asMember = (name = 'alice') => ({ Authorization: `Bearer ${tokens[name]}` });
  const asStaff = (role: 'manager' | 'admin') => ({ Authorization: `Bearer ${tokens[role]}` });

  /** Rows of every table a refused request could have written. */
  const writes = async () => {
    const db = app.strapi.db.connection;
    const count = async (table: string) => Number((await db(table).count({ n: '*' }))[0].n);
    return {
      bookings: await count('bookings'),
      payments: await count('payments'),
      refunds: await count('refunds'),
      tickets: await count('tickets'),
      messages: await count('ticket_messages'),
      files: await count('files'),
      promocodes: await count('promocodes'),
      audit: await count('audit_logs'),
      members: await count('up_users'),
    };
  };
  /** Sends bytes as they are: superagent would serialise a Buffer sent with a JSON type as JSON. */
  const postBytes = (path: string, headers: Record<string, string>, bytes: Buffer) =>
    new Promise<{ status: number; body: { data: { priceTotal: number } } }>((resolve, reject) => {
      const { port } = app.strapi.server.httpServer.address() as AddressInfo;
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'Content-Length': bytes.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      req.on('error', reject);
      req.end(bytes);
    });
  const storedBooking = (documentId: string) =>
    app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId }, select: ['state', 'startAt', 'endAt', 'holdExpiresAt'] });

  beforeAll(async () => {
    app = await startStrapi({ SPACE_TIMEZONE });
    await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    const s = app.strapi;
    const room = await createResource(s, { capacity: 1 });
    const pool = await createResource(s, { capacity: 10 });
    ids.roomHour = (await createTariff(s, { resources: [room.documentId], billingUnit: 'hour', price: 100000 })).documentId;
    ids.poolDay = (await createTariff(s, { resources: [pool.documentId], billingUnit: 'day', price: 150000, maxUnits: 5 })).documentId;
    for (const name of ['alice', 'bob']) {
      const member = await createRegisteredMember(s);
      tokens[name] = await memberToken(s, member.id);
    }
    tokens.manager = await staffToken(s, 'coworking-manager');
    tokens.admin = await staffToken(s, 'strapi-super-admin');
    tokens.fullAccess = await createApiToken(s, 'full-access');

    const booked = await http().post('/api/bookings').set(asMember()).send({ tariff: ids.roomHour, startAt: at(localDay(2), '10:00').toISOString(), units: 1 });
    if (booked.status !== 201) throw new Error(`fixture booking: ${booked.status} ${JSON.stringify(booked.body)}`);
    ids.booking = booked.body.data.documentId;
    const ticket = await http().post('/api/tickets').set(asMember()).send({ subject: 'Wi-Fi is down', body: 'Since this morning' });
    if (ticket.status !== 201) throw new Error(`fixture ticket: ${ticket.status} ${JSON.stringify(ticket.body)}`);
    ids.ticket = ticket.body.data.documentId;
  });

  afterAll(async () => {
    await app.stop();
  });

  /** Every custom route that takes a body, as the member (or staff) who could use it, with a real id in its path. */
  const bodyRoutes = (): Array<[method: 'post' | 'put', path: string, headers: Record<string, string>]> => [
    ['post', '/api/auth/telegram', {}],
    ['post', '/api/auth/telegram/bot-status', {}],
    ['put', '/api/profile', asMember()],
    ['post', '/api/bookings/quote', asMember()],
    ['post', '/api/bookings', asMember()],
    ['post', `/api/bookings/${ids.booking}/cancel`, asMember()],
    ['post', `/api/bookings/${ids.booking}/pay`, asMember()],
    ['post', `/api/bookings/${ids.booking}/reschedule`, asMember()],
    ['post', '/api/tickets', asMember()],
    ['post', `/api/tickets/${ids.ticket}/messages`, asMember()],
    ['post', '/api/yookassa/webhook', {}],
    ['post', `/booking-desk/bookings/${ids.booking}/reschedule`, asStaff('manager')],
    ['post', `/booking-desk/bookings/${ids.booking}/cancel`, asStaff('manager')],
  ];

  const send = (method: 'post' | 'put', path: string, headers: Record<string, string>) => {
    const req = http()[method](path);
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    return req;
  };

  const expectRefusal = (res: request.Response, status: number, code: string, message: RegExp) => {
    expect({ status: res.status, body: res.body }).toMatchObject({
      status,
      body: { data: null, error: { status, message: expect.stringMatching(message), details: { code } } },
    });
  };

  describe('bodies the parsers cannot read (finding 5a, 5b)', () => {
    it('Given "Content-Encoding: gzip" on a body that is not gzip, when it reaches any route, then 400 and nothing is written', async () => {
      const before = await writes();
      for (const [method, path, headers] of bodyRoutes()) {
        const res = await send(method, path, headers).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('{"subject":"x"}');
        expectRefusal(res, 400, 'invalid_encoding', /^The request body could not be decompressed/);
      }
      expect(await writes()).toEqual(before);
      expect((await storedBooking(ids.booking)).state).toBe('pending_payment');
    });

    it('Given a real gzip body, when it is sent, then it is read as usual', async () => {
      const body = gzipSync(JSON.stringify({ tariff: ids.roomHour, startAt: at(localDay(3), '10:00').toISOString(), units: 1 }));
      const res = await postBytes('/api/bookings/quote', { ...asMember(), 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body);
      expect(res.status).toBe(200);
      expect(res.body.data.priceTotal).toBe(100000);
    });

    it('Given a Content-Encoding nobody supports, then 415', async () => {
      const before = await writes();
      const res = await http().post('/api/bookings/quote').set(asMember()).set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send('{}');
      expectRefusal(res, 415, 'unsupported_encoding', /unsupported Content-Encoding/);
      expect(res.body.error.name).toBe('UnsupportedMediaTypeError');
      expect(await writes()).toEqual(before);
    });

    it.each([
      ['a property name without quotes', '{a:1}'],
      ['a trailing comma', '{"tariff":"x",}'],
      ['a cut-off document', '{"tariff":'],
      ['a bare string', '"hello"'],
      ['a prototype key', '{"__proto__":{"admin":true}}'],
    ])('Given JSON with %s, then 400 "not valid JSON" without the parser\'s text', async (_case, body) => {
      const before = await writes();
      for (const [method, path, headers] of bodyRoutes()) {
        const res = await send(method, path, headers).set('Content-Type', 'application/json').send(body);
        expectRefusal(res, 400, 'invalid_json', /^The request body is not valid JSON\.$/);
        expect(JSON.stringify(res.body)).not.toMatch(/position|Unexpected|Expected|prototype/);
      }
      expect(await writes()).toEqual(before);
    });

    it('Given a JSON body over the limit, then 413', async () => {
      const before = await writes();
      const res = await http().post('/api/tickets').set(asMember()).set('Content-Type', 'application/json').send(JSON.stringify({ subject: 'Big', body: 'x'.repeat(300_000) }));
      expectRefusal(res, 413, 'body_too_large', /too large/);
      expect(await writes()).toEqual(before);
    });

    it('Given multipart without a boundary, when it reaches any route, then 400', async () => {
      const before = await writes();
      for (const [method, path, headers] of bodyRoutes()) {
        const res = await send(method, path, headers).set('Content-Type', 'multipart/form-data').send('--x\r\nContent-Disposition: form-data; name="subject"\r\n\r\nHi\r\n--x--\r\n');
        expectRefusal(res, 400, 'invalid_multipart', /not valid multipart\/form-data/);
      }
      expect(await writes()).toEqual(before);
    });

    it.each([
      ['a ticket', () => '/api/tickets'],
      ['a reply', () => `/api/tickets/${ids.ticket}/messages`],
    ])('Given %s whose multipart body is cut short inside a file, then 400, no ticket, no message, no file', async (_case, path) => {
      const before = await writes();
      const truncated = [
        '--cut',
        'Content-Disposition: form-data; name="subject"',
        '',
        'Cut short',
        '--cut',
        'Content-Disposition: form-data; name="body"',
        '',
        'The photo never ends',
        '--cut',
        'Content-Disposition: form-data; name="attachments"; filename="photo.png"',
        'Content-Type: image/png',
        '',
        '\x89PNG\r\n\x1a\n0000',
      ].join('\r\n');
      const res = await http().post(path()).set(asMember()).set('Content-Type', 'multipart/form-data; boundary=cut').send(truncated);
      expectRefusal(res, 400, 'invalid_multipart', /not valid multipart\/form-data/);
      expect(await writes()).toEqual(before);
    });
  });

  describe('start times that name no instant, or lie far away (finding 5e, 9)', () => {
    const offsets = ['2026-12-11T10:00:00+99:00', '2026-12-11T10:00:00-24:00', '2026-12-11T10:00:00+03:60'];
    const paths = () =>
      [
        ['quote', () => http().post('/api/bookings/quote').set(asMember()), { tariff: ids.roomHour, units: 1 }],
        ['create', () => http().post('/api/bookings').set(asMember()), { tariff: ids.roomHour, units: 1 }],
        ['member reschedule', () => http().post(`/api/bookings/${ids.booking}/reschedule`).set(asMember()), {}],
        ['desk reschedule', () => http().post(`/booking-desk/bookings/${ids.booking}/reschedule`).set(asStaff('manager')), {}],
      ] as const;

    it.each(offsets)('Given startAt %s, when quote, create, member and desk reschedule get it, then each answers the same 400 and nothing moves', async (startAt) => {
      const before = await writes();
      const booking = await storedBooking(ids.booking);
      for (const [name, open, body] of paths()) {
        const res = await open().send({ ...body, startAt });
        expect({ name, status: res.status }).toEqual({ name, status: 400 });
        expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
        expect(res.body.error.details.errors).toEqual([
          expect.objectContaining({ path: ['startAt'], message: expect.stringMatching(/ISO 8601 date-time with a time zone.*-23:59 to \+23:59/) }),
        ]);
      }
      expect(await writes()).toEqual(before);
      expect(await storedBooking(ids.booking)).toEqual(booking);
    });

    it('Given the largest offset RFC 3339 allows, then the time is judged by the booking rules, not refused as unreadable', async () => {
      // 10:00 at +23:59 is 10:01 UTC the day before (13:01 in Moscow): a real instant, just not on the hour.
      const res = await http().post('/api/bookings/quote').set(asMember()).send({ tariff: ids.roomHour, startAt: `${localDay(4)}T10:00:00+23:59`, units: 1 });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ priceTotal: 100000, available: false });
    });

    it.each([
      ['an hourly', () => ids.roomHour],
      ['a day', () => ids.poolDay],
    ])('Given %s booking at 9999-12-31T23:59:59Z, then 422 "beyond the horizon", not "already passed", and nothing is written', async (_case, tariff) => {
      const before = await writes();
      const res = await http().post('/api/bookings').set(asMember('bob')).send({ tariff: tariff(), startAt: '9999-12-31T23:59:59Z', units: 1 });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toMatchObject({ reason: 'beyond_horizon' });
      expect(res.body.error.message).toMatch(/^Bookings open at most 30 days ahead, up to \d{4}-\d{2}-\d{2}\.$/);
      const quote = await http().post('/api/bookings/quote').set(asMember('bob')).send({ tariff: tariff(), startAt: '9999-12-31T23:59:59Z', units: 1 });
      expect(quote.status).toBe(200);
      expect(quote.body.data.available).toBe(false);
      expect(await writes()).toEqual(before);
    });

    it('Given a member moving a booking to 9999-12-31T23:59:59Z, then 422 with the horizon message and the booking stays', async () => {
      const booking = await storedBooking(ids.booking);
      const res = await http().post(`/api/bookings/${ids.booking}/reschedule`).set(asMember()).send({ startAt: '9999-12-31T23:59:59Z' });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(/^Bookings open at most 30 days ahead/);
      expect(await storedBooking(ids.booking)).toEqual(booking);
    });
  });

  describe('promo codes with impossible settings (finding 5d)', () => {
    const rest = (method: 'post' | 'put', path: string, data: object) =>
      http()[method](path).set('Authorization', `Bearer ${tokens.fullAccess}`).send({ data });
    const cm = (method: 'post' | 'put', path: string, data: object) =>
      http()[method](`/content-manager/collection-types/${PROMOCODE_UID}${path}`).set(asStaff('admin')).send(data);
    const storedPromo = (code: string) =>
      app.strapi.db.query(PROMOCODE_UID).findOne({ where: { code }, select: ['kind', 'value', 'validFrom', 'validUntil', 'maxUses'] });
    const fieldsOf = (res: request.Response) => res.body.error.details.errors.map((error: { path: string[] }) => error.path.join('.'));

    it.each([
      ['a 150 % discount', { kind: 'percent', value: 150 }, ['value'], /percent discount must be a whole number from 1 to 100, not 150/],
      ['a fixed discount of nothing', { kind: 'fixed', value: 0 }, ['value'], /./],
      ['a window that ends before it starts', { kind: 'percent', value: 10, validFrom: '2026-06-01T00:00:00Z', validUntil: '2026-05-01T00:00:00Z' }, ['validUntil'], /later than validFrom/],
      ['a use limit of 0', { kind: 'percent', value: 10, maxUses: 0 }, ['maxUses'], /./],
    ])('Given %s, when it is created through REST, the content manager or the Document Service, then 400 naming the field and no row', async (_case, settings, fields, message) => {
      const before = await writes();
      const viaRest = await rest('post', '/api/promocodes', { code: 'BADREST', ...settings });
      expect(viaRest.status).toBe(400);
      expect(viaRest.body.error).toMatchObject({ status: 400, name: 'ValidationError', message: expect.stringMatching(message) });
      expect(fieldsOf(viaRest)).toEqual(expect.arrayContaining(fields));

      const viaCm = await cm('post', '', { code: 'BADCM', isActive: true, ...settings });
      expect(viaCm.status).toBe(400);
      expect(fieldsOf(viaCm)).toEqual(expect.arrayContaining(fields));

      await expect(app.strapi.documents(PROMOCODE_UID).create({ data: { code: 'BADDOCS', isActive: true, ...settings } as never })).rejects.toMatchObject({
        name: 'ValidationError',
      });
      expect(await writes()).toEqual(before);
    });

    it('Given a stored fixed code, when an update makes it a percent code of its 5000 kopecks, then 400 and it stays as it was', async () => {
      const created = await rest('post', '/api/promocodes', { code: 'FIXED50', kind: 'fixed', value: 5000 });
      expect(created.status).toBe(201);
      const documentId = created.body.data.documentId;

      const viaRest = await rest('put', `/api/promocodes/${documentId}`, { kind: 'percent' });
      expect(viaRest.status).toBe(400);
      expect(fieldsOf(viaRest)).toEqual(['value']);
      const viaCm = await cm('put', `/${documentId}`, { value: 150, kind: 'percent' });
      expect(viaCm.status).toBe(400);
      expect(await storedPromo('FIXED50')).toMatchObject({ kind: 'fixed', value: 5000 });

      // A sensible change still goes through.
      expect((await rest('put', `/api/promocodes/${documentId}`, { value: 7000 })).status).toBe(200);
      expect(await storedPromo('FIXED50')).toMatchObject({ kind: 'fixed', value: 7000 });
    });

    it('Given a 150 % code already in the database, when a member quotes or books with it, then 422 "cannot be used" and no booking', async () => {
      // Written around every write path's check, as a code stored before it existed would be.
      await app.strapi.db.query(PROMOCODE_UID).create({ data: { code: 'LEGACY150', kind: 'percent', value: 150, isActive: true, publishedAt: new Date() } });
      const before = await writes();
      const body = { tariff: ids.roomHour, startAt: at(localDay(5), '12:00').toISOString(), units: 1, promocode: 'legacy150' };
      for (const path of ['/api/bookings/quote', '/api/bookings']) {
        const res = await http().post(path).set(asMember('bob')).send(body);
        expect(res.status).toBe(422);
        expect(res.body.error).toMatchObject({
          message: 'This promo code cannot be used at the moment. Please contact the staff.',
          details: { reason: 'misconfigured', errors: [expect.objectContaining({ path: ['promocode'] })] },
        });
      }
      expect(await writes()).toEqual(before);
    });
  });

  describe('one rule for 400 and 422 (finding 9)', () => {
    it.each([
      ['units as a string (a wrong type)', () => ({ tariff: ids.roomHour, startAt: at(localDay(3), '10:00').toISOString(), units: '1' }), 400],
      ['a field the client may not send', () => ({ tariff: ids.roomHour, startAt: at(localDay(3), '10:00').toISOString(), units: 1, priceTotal: 1 }), 400],
      ['a missing start time', () => ({ tariff: ids.roomHour, units: 1 }), 400],
      ['units of 0 (a value that breaks a rule)', () => ({ tariff: ids.roomHour, startAt: at(localDay(3), '10:00').toISOString(), units: 0 }), 422],
      ['an empty promo code', () => ({ tariff: ids.roomHour, startAt: at(localDay(3), '10:00').toISOString(), units: 1, promocode: ' ' }), 422],
    ])('Given a quote with %s, then %i', async (_case, body, status) => {
      const res = await http().post('/api/bookings/quote').set(asMember()).send(body());
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ status, name: 'ValidationError' });
    });

    it('Given a ticket with a field a member may not set, then 400; with a too-short subject, then 422; neither writes', async () => {
      const before = await writes();
      const unknown = await http().post('/api/tickets').set(asMember()).send({ subject: 'Forged', body: 'x', state: 'closed' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details.errors[0].message).toMatch(/Unknown field\(s\): state/);
      const short = await http().post('/api/tickets').set(asMember()).send({ subject: 'no', body: 'Hello' });
      expect(short.status).toBe(422);
      expect(await writes()).toEqual(before);
    });

    it('Given a profile with a wrong type, then 400; with values that break a rule, then 422', async () => {
      const wrongType = await http().put('/api/profile').set(asMember()).send({ fullName: 42 });
      expect(wrongType.status).toBe(400);
      const badValues = await http().put('/api/profile').set(asMember()).send({ fullName: 'A', phone: '12345', email: 'not-an-email', consentTerms: true });
      expect(badValues.status).toBe(422);
    });

    it('Given a desk cancellation with an unknown refund choice, then 422; with an unknown field, then 400', async () => {
      const choice = await http().post(`/booking-desk/bookings/${ids.booking}/cancel`).set(asStaff('manager')).send({ refund: 'double' });
      expect(choice.status).toBe(422);
      const unknown = await http().post(`/booking-desk/bookings/${ids.booking}/cancel`).set(asStaff('manager')).send({ refundAll: true });
      expect(unknown.status).toBe(400);
      expect((await storedBooking(ids.booking)).state).toBe('pending_payment');
    });
  });

  describe('a refund of a payment already refunded (finding 9)', () => {
    it('Given a payment refunded in full, when staff refund it again, then 409 "already been fully refunded" and no refund row', async () => {
      // Given a booking paid at the desk and refunded in full
      const booked = await http().post('/api/bookings').set(asMember('bob')).send({ tariff: ids.roomHour, startAt: at(localDay(6), '15:00').toISOString(), units: 1 });
      expect(booked.status).toBe(201);
      const paid = await http().post(`/booking-desk/bookings/${booked.body.data.documentId}/mark-paid`).set(asStaff('manager')).send({});
      expect(paid.status).toBe(200);
      const payment = (await app.strapi.db.query('api::payment.payment').findOne({
        where: { booking: { documentId: booked.body.data.documentId } },
      })) as { documentId: string };
      const refund = (body: object) => http().post(`/yookassa/payments/${payment.documentId}/refund`).set(asStaff('admin')).send(body);
      const tooMuch = await refund({ amount: 100001, reason: 'Too much' });
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body.error.message).toBe('At most 100000 kopecks of this payment are left to refund.');
      expect((await refund({ reason: 'Power cut' })).status).toBe(200);

      // When staff refund it again
      const before = await writes();
      const again = await refund({ reason: 'Once more' });

      // Then they are told why, and nothing is written
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ status: 409, name: 'ConflictError', message: 'This payment has already been fully refunded.' });
      expect(await writes()).toEqual(before);
    });
  });
});
