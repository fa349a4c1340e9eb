/**
 * Every content type validates its input through REST: a bad enum value, a missing required field
 * and a too-long string each get 400 with Strapi's error envelope, and nothing is written.
 */
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { startStrapi, type TestApp } from '../helpers/strapi';

interface ValidationCase {
  uid: string;
  path: string;
  valid: Record<string, unknown>;
  enumField?: string;
  requiredField: string;
  longField: [string, number];
  patternField?: [string, string];
}

const long = (n: number) => 'x'.repeat(n + 1);
const now = new Date('2026-12-01T10:00:00.000Z').toISOString();

// Bookings, payments, refunds and promo-code redemptions are created by our services only: the generic create
// answers 403 before validation (tests/api/record-integrity.test.ts), so they are not listed here.
const cases: ValidationCase[] = [
  {
    uid: 'api::resource.resource',
    path: '/api/resources',
    valid: { name: 'Room A', slug: 'room-a', kind: 'meeting_room', capacity: 1 },
    enumField: 'kind',
    requiredField: 'name',
    longField: ['name', 100],
    patternField: ['color', 'red'],
  },
  {
    uid: 'api::tariff.tariff',
    path: '/api/tariffs',
    valid: { name: 'Hour', slug: 'hour', billingUnit: 'hour', price: 50000, minUnits: 1, maxUnits: 8 },
    enumField: 'billingUnit',
    requiredField: 'price',
    longField: ['name', 64],
    patternField: ['color', '#12345'],
  },
  {
    uid: 'api::promocode.promocode',
    path: '/api/promocodes',
    valid: { code: 'WELCOME10', kind: 'percent', value: 10 },
    enumField: 'kind',
    requiredField: 'value',
    longField: ['code', 32],
    patternField: ['code', 'NO SPACES'],
  },
  {
    uid: 'api::ticket.ticket',
    path: '/api/tickets',
    valid: { subject: 'Wi-Fi does not work', priority: 'normal' },
    enumField: 'priority',
    requiredField: 'subject',
    longField: ['subject', 200],
  },
  {
    uid: 'api::ticket-message.ticket-message',
    path: '/api/ticket-messages',
    valid: { authorType: 'member', body: 'Hello' },
    enumField: 'authorType',
    requiredField: 'body',
    longField: ['body', 4000],
  },
];

describe('schema validation through REST', () => {
  let app: TestApp;
  let token: string;

  const rowCount = (strapi: Core.Strapi, uid: string) => strapi.db.query(uid as never).count();

  beforeAll(async () => {
    app = await startStrapi();
    // A full-access API token: the only credential allowed to write every type directly.
    const created = await app.strapi.service('admin::api-token').create({
      name: 'schema-validation',
      type: 'full-access',
      lifespan: null,
    });
    token = created.accessKey;
  });

  afterAll(async () => {
    await app.stop();
  });

  const post = (path: string, data: Record<string, unknown>) =>
    request(app.strapi.server.httpServer).post(path).set('Authorization', `Bearer ${token}`).send({ data });

  const expectValidationError = async (c: ValidationCase, data: Record<string, unknown>, field: string) => {
    const before = await rowCount(app.strapi, c.uid);
    const res = await post(c.path, data);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeNull();
    expect(res.body.error).toMatchObject({ status: 400, name: 'ValidationError' });
    expect(typeof res.body.error.message).toBe('string');
    const paths = (res.body.error.details?.errors ?? []).map((e: { path: string[] }) => e.path.join('.'));
    expect(paths).toContain(field);
    expect(await rowCount(app.strapi, c.uid)).toBe(before);
  };

  describe.each(cases)('$path', (c) => {
    it('accepts a valid record', async () => {
      const res = await post(c.path, c.valid);
      expect(res.status).toBe(201);
      expect(typeof res.body.data.documentId).toBe('string');
      // Keep unique fields free for the next valid create in this file.
      await app.strapi.db.query(c.uid as never).delete({ where: { documentId: res.body.data.documentId } });
    });

    if (c.enumField) {
      const field = c.enumField;
      it(`refuses an unknown ${field}`, () => expectValidationError(c, { ...c.valid, [field]: 'no_such_value' }, field));
    }

    it(`refuses a record without ${c.requiredField}`, () => {
      const data = { ...c.valid };
      delete data[c.requiredField];
      return expectValidationError(c, data, c.requiredField);
    });

    it(`refuses a ${c.longField[0]} longer than ${c.longField[1]} characters`, () =>
      expectValidationError(c, { ...c.valid, [c.longField[0]]: long(c.longField[1]) }, c.longField[0]));

    if (c.patternField) {
      const [field, value] = c.patternField;
      it(`refuses a malformed ${field}`, () => expectValidationError(c, { ...c.valid, [field]: value }, field));
    }
  });

  describe('server-only types are read-only through REST', () => {
    it.each(['/api/outbox-jobs', '/api/audit-logs'])('POST %s is not a route', async (path) => {
      const res = await post(path, { kind: 'telegram.send', action: 'x', at: now });
      expect([404, 405]).toContain(res.status);
    });

    it.each(['/api/outbox-jobs', '/api/audit-logs'])('GET %s lists with a token', async (path) => {
      const res = await request(app.strapi.server.httpServer).get(path).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.data)).toBe(true);
    });
  });

  describe('members (users-permissions user)', () => {
    const member = {
      username: 'tg_100200300',
      email: 'member@example.com',
      password: 'Secret123!',
      telegramId: '100200300',
      phone: '+79001234567',
      language: 'ru',
    };

    it.each([
      ['telegramId', 'abc'],
      ['phone', '89001234567'],
      ['language', 'de'],
      ['fullName', long(100)],
    ])('refuses a bad %s', async (field, value) => {
      const before = await app.strapi.db.query('plugin::users-permissions.user').count();
      const res = await request(app.strapi.server.httpServer)
        .post('/api/users')
        .set('Authorization', `Bearer ${token}`)
        .send({ ...member, [field]: value });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ status: 400 });
      expect(await app.strapi.db.query('plugin::users-permissions.user').count()).toBe(before);
    });
  });
});
