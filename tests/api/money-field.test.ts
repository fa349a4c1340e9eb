/**
 * The money custom field (plugin::booking-desk.money): staff type and see rubles in the admin, but every money
 * attribute stays an integer number of kopecks in the database, the REST API, the content manager's answers
 * and our own endpoints (ARCHITECTURE §3.1). Runs on SQLite and, with DATABASE_CLIENT=postgres, on PostgreSQL.
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { createApiToken, createMember, memberToken, staffToken } from '../helpers/auth';
import { at, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, usesPostgres, type TestApp } from '../helpers/strapi';

const MONEY = 'plugin::booking-desk.money';

/** Every money attribute of the model (promocode.value is not one: a percent or kopecks, by kind). */
const MONEY_ATTRIBUTES: [uid: string, attribute: string][] = [
  ['api::tariff.tariff', 'price'],
  ['api::booking.booking', 'priceBase'],
  ['api::booking.booking', 'discountTotal'],
  ['api::booking.booking', 'priceTotal'],
  ['api::payment.payment', 'amount'],
  ['api::refund.refund', 'amount'],
  ['api::promocode.promocode', 'minOrderAmount'],
  ['api::promocode-redemption.promocode-redemption', 'amount'],
];

const schemaFile = (uid: string) => {
  const name = uid.split('.')[1];
  return path.resolve(__dirname, '../../src/api', name, 'content-types', name, 'schema.json');
};

describe('the money custom field', () => {
  let app: TestApp;
  let managerToken: string;
  let apiToken: string;
  const http = () => request(app.strapi.server.httpServer);
  const schemaOf = (uid: string) =>
    (app.strapi.contentTypes as unknown as Record<string, { attributes: Record<string, Record<string, unknown>>; info: { pluralName: string } }>)[uid];
  const cm = (method: 'get' | 'post' | 'put', url: string) =>
    http()[method](`/content-manager${url}`).set('Authorization', `Bearer ${managerToken}`);

  beforeAll(async () => {
    app = await startStrapi({ SPACE_TIMEZONE });
    managerToken = await staffToken(app.strapi, 'coworking-manager');
    apiToken = await createApiToken(app.strapi, 'full-access');
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('declaration', () => {
    it('is registered by the booking-desk plugin over an integer', () => {
      const field = app.strapi.get('custom-fields').get(MONEY);
      expect(field).toMatchObject({ name: 'money', plugin: 'booking-desk', type: 'integer' });
    });

    it.each(MONEY_ATTRIBUTES)('%s.%s is declared as the money field in schema.json and is an integer at runtime', (uid, attribute) => {
      // Given the schema file as written in the repository
      const declared = JSON.parse(fs.readFileSync(schemaFile(uid), 'utf8')).attributes[attribute];
      expect(declared).toMatchObject({ type: 'customField', customField: MONEY });

      // Then the loaded content type keeps the custom field and its integer type, min and required
      const loaded = schemaOf(uid).attributes[attribute];
      expect(loaded).toMatchObject({ type: 'integer', customField: MONEY });
      expect(loaded.min).toBe(declared.min);
      expect(loaded.required).toBe(declared.required);
    });

    it('leaves promocode.value a plain integer (a percent for percent codes)', () => {
      const value = schemaOf('api::promocode.promocode').attributes.value;
      expect(value.type).toBe('integer');
      expect(value.customField).toBeUndefined();
    });
  });

  describe('database columns', () => {
    it.each(MONEY_ATTRIBUTES)('%s.%s is an integer column', async (uid, attribute) => {
      const meta = app.strapi.db.metadata.get(uid) as unknown as {
        tableName: string;
        attributes: Record<string, { columnName?: string }>;
      };
      const column = meta.attributes[attribute].columnName ?? attribute;
      const knex = app.strapi.db.connection;

      if (usesPostgres()) {
        const { rows } = await knex.raw('SELECT data_type FROM information_schema.columns WHERE table_name = ? AND column_name = ?', [
          meta.tableName,
          column,
        ]);
        expect(rows).toEqual([{ data_type: 'integer' }]);
      } else {
        const columns: { name: string; type: string }[] = await knex.raw(`PRAGMA table_info(${meta.tableName})`);
        expect(columns.find((c) => c.name === column)?.type.toLowerCase()).toBe('integer');
      }
    });
  });

  describe('content manager', () => {
    it('describes the money attributes as the custom field over an integer', async () => {
      const res = await cm('get', '/init');
      expect(res.status).toBe(200);
      const byUid = new Map<string, { attributes: Record<string, Record<string, unknown>> }>(
        res.body.data.contentTypes.map((ct: { uid: string }) => [ct.uid, ct]),
      );
      for (const [uid, attribute] of MONEY_ATTRIBUTES) {
        expect({ uid, attribute, ...byUid.get(uid)?.attributes[attribute] }).toMatchObject({ uid, attribute, type: 'integer', customField: MONEY });
      }
    });

    it.each(['api::booking.booking', 'api::tariff.tariff'])('keeps the money fields in the %s edit layout', async (uid) => {
      const res = await cm('get', `/content-types/${uid}/configuration`);
      expect(res.status).toBe(200);
      const fields = MONEY_ATTRIBUTES.filter(([owner]) => owner === uid).map(([, attribute]) => attribute);
      const edit: { name: string; size: number }[] = res.body.data.contentType.layouts.edit.flat();
      for (const name of fields) {
        // Sized as the integer it is (the field registers no size of its own).
        expect(edit.find((field) => field.name === name)).toEqual({ name, size: 4 });
        expect(res.body.data.contentType.metadatas[name].edit).toBeDefined();
      }
    });

    it('creates and reads a tariff price as integer kopecks', async () => {
      // Given the input turned "700,50" into kopecks
      const created = await cm('post', '/collection-types/api::tariff.tariff').send({
        name: 'Money hour',
        slug: 'money-hour',
        billingUnit: 'hour',
        price: 70050,
        minUnits: 1,
        maxUnits: 8,
      });
      expect(created.status).toBe(201);
      expect(created.body.data.price).toBe(70050);

      // Then the database, the edit view and the list view hold the same integer
      const { documentId } = created.body.data;
      const row = await app.strapi.db.query('api::tariff.tariff').findOne({ where: { documentId } });
      expect(row.price).toBe(70050);
      const one = await cm('get', `/collection-types/api::tariff.tariff/${documentId}`);
      expect(one.body.data.price).toBe(70050);
      const list = await cm('get', '/collection-types/api::tariff.tariff?page=1&pageSize=10');
      expect(list.body.results.find((t: { documentId: string }) => t.documentId === documentId).price).toBe(70050);
    });

    it.each([
      ['a negative amount', -100],
      ['a fraction of a kopeck', 700.5],
      ['rubles as text', '700,50'],
    ])('refuses %s with a validation error and writes nothing', async (_case, price) => {
      const before = await app.strapi.db.query('api::tariff.tariff').count();
      const res = await cm('post', '/collection-types/api::tariff.tariff').send({
        name: 'Bad price',
        slug: `bad-price-${before}`,
        billingUnit: 'hour',
        price,
        minUnits: 1,
        maxUnits: 8,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('ValidationError');
      expect(await app.strapi.db.query('api::tariff.tariff').count()).toBe(before);
    });
  });

  describe('REST and our endpoints', () => {
    it.each([
      ['a negative price', -1],
      ['a fraction of a kopeck', 0.5],
    ])('REST refuses %s', async (_case, price) => {
      const before = await app.strapi.db.query('api::tariff.tariff').count();
      const res = await http()
        .post('/api/tariffs')
        .set('Authorization', `Bearer ${apiToken}`)
        .send({ data: { name: 'Bad', slug: `bad-rest-${before}`, billingUnit: 'hour', price, minUnits: 1, maxUnits: 8 } });
      expect(res.status).toBe(400);
      expect(await app.strapi.db.query('api::tariff.tariff').count()).toBe(before);
    });

    it('answers integer kopecks from the REST API and the quote endpoint', async () => {
      // Given a tariff at 1 234,56 ₽ an hour, written as kopecks
      const room = await createResource(app.strapi, { capacity: 1 });
      const tariff = await createTariff(app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 123456 });

      // Then REST answers the integer
      const rest = await http().get(`/api/tariffs/${tariff.documentId}`).set('Authorization', `Bearer ${apiToken}`);
      expect(rest.status).toBe(200);
      expect(rest.body.data.price).toBe(123456);

      // And the quote of two hours is integer kopecks too
      const member = await createMember(app.strapi);
      const quote = await http()
        .post('/api/bookings/quote')
        .set('Authorization', `Bearer ${await memberToken(app.strapi, member.id)}`)
        .send({ tariff: tariff.documentId, startAt: at(localDay(1), '10:00').toISOString(), units: 2 });
      expect(quote.status).toBe(200);
      expect(quote.body.data).toMatchObject({ priceBase: 246912, priceTotal: 246912 });
    });

    it('documents the money attributes as integers in the OpenAPI document', async () => {
      const res = await http().get('/documentation/openapi.json');
      expect(res.status).toBe(200);
      // promocode-redemption has no public routes, so it is not in the document.
      const documented = MONEY_ATTRIBUTES.filter(([uid]) => uid !== 'api::promocode-redemption.promocode-redemption');
      for (const [uid, attribute] of documented) {
        const plural = schemaOf(uid).info.pluralName;
        const schema = res.body.paths[`/api/${plural}/{id}`].get.responses['200'].content['application/json'].schema;
        expect({ uid, attribute, type: schema.properties.data.properties[attribute].type }).toEqual({ uid, attribute, type: 'integer' });
      }
    });

    it('keeps booking and payment amounts integers through REST', async () => {
      // Given a booking and its payment stored in kopecks (straight in the database, as our services do)
      const booking = await app.strapi.db.query('api::booking.booking').create({
        data: {
          documentId: 'moneybooking000000000001',
          startAt: new Date('2031-01-01T10:00:00Z'),
          endAt: new Date('2031-01-01T11:00:00Z'),
          units: 1,
          state: 'confirmed',
          priceBase: 100000,
          discountTotal: 12345,
          priceTotal: 87655,
        },
      });
      await app.strapi.db.query('api::payment.payment').create({
        data: { documentId: 'moneypayment000000000001', idempotenceKey: 'money-1', amount: 87655, state: 'succeeded', booking: booking.id },
      });

      const res = await http()
        .get('/api/bookings/moneybooking000000000001?populate=payments')
        .set('Authorization', `Bearer ${apiToken}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ priceBase: 100000, discountTotal: 12345, priceTotal: 87655 });
      expect(res.body.data.payments).toEqual([expect.objectContaining({ amount: 87655 })]);
    });
  });
});
