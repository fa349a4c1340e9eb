import request from 'supertest';
import { ensureFirstAdmin } from '../../src/bootstrap/first-admin';
import { startStrapi, type TestApp } from '../helpers/strapi';

const ADMIN_EMAIL = 'owner@coworking.test';
const ADMIN_PASSWORD = 'FirstAdmin123';

describe('boot-time setup', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startStrapi({ ADMIN_EMAIL, ADMIN_PASSWORD });
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('first staff account', () => {
    it('is created from ADMIN_EMAIL / ADMIN_PASSWORD on an empty database, as Super Admin', async () => {
      const res = await request(app.strapi.server.httpServer)
        .post('/admin/login')
        .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });

      expect(res.status).toBe(200);
      expect(typeof res.body.data.token).toBe('string');
      const admin = await app.strapi.db
        .query('admin::user')
        .findOne({ where: { email: ADMIN_EMAIL }, populate: ['roles'] });
      expect(admin.roles.map((role: { code: string }) => role.code)).toEqual(['strapi-super-admin']);
    });

    it('is not created again, nor replaced, once any admin exists', async () => {
      // Given the variables now name another account
      process.env.ADMIN_EMAIL = 'intruder@coworking.test';
      process.env.ADMIN_PASSWORD = 'Intruder123';

      // When the boot step runs again
      await ensureFirstAdmin(app.strapi);

      // Then nothing changed
      const emails = (await app.strapi.db.query('admin::user').findMany({})).map((u: { email: string }) => u.email);
      expect(emails).toEqual([ADMIN_EMAIL]);
    });
  });

  describe('promo codes', () => {
    it('are stored upper-case whatever case staff type', async () => {
      const created = await app.strapi
        .documents('api::promocode.promocode')
        .create({ data: { code: ' summer25 ', kind: 'percent', value: 25, isActive: true } });

      expect(created.code).toBe('SUMMER25');
    });

    it('refuses the same code in another case as a duplicate', async () => {
      const refusal = await app.strapi
        .documents('api::promocode.promocode')
        .create({ data: { code: 'Summer25', kind: 'percent', value: 5, isActive: true } })
        .then(() => null, (error: { message?: string }) => error);
      expect(refusal?.message).toMatch(/unique/i);
      expect(await app.strapi.db.query('api::promocode.promocode').count({ where: { code: 'SUMMER25' } })).toBe(1);
    });
  });
});
