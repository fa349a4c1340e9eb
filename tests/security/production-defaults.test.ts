/**
 * Finding 8: the generated local-demo .env (SEED_DEMO=true, DOCUMENTATION_PUBLIC=true) made a production server
 * publish its OpenAPI spec and load demo members. Under NODE_ENV=production those values count only with
 * ALLOW_DEMO_SETTINGS=true (config/demo.ts), which scripts/start-local.sh sets and docker-compose.yml forces off.
 */
import fs from 'fs';
import request from 'supertest';
import { startStrapi, type TestApp } from '../helpers/strapi';

const DEMO_ENV = { SEED_DEMO: 'true', DOCUMENTATION_PUBLIC: 'true' };

describe('NODE_ENV=production with the demo .env values', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startStrapi({ NODE_ENV: 'production', ALLOW_DEMO_SETTINGS: '', ...DEMO_ENV });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it.each(['/documentation', '/documentation/openapi.json'])(
    'Given no credentials, when %s is requested, then it is 401',
    async (path) => {
      const res = await request(app.strapi.server.httpServer).get(path);

      expect(res.status).toBe(401);
    },
  );

  it('Given SEED_DEMO=true, when the server has booted, then no demo data was loaded', async () => {
    const tariffs = await app.strapi.db.query('api::tariff.tariff').count();
    const members = await app.strapi.db.query('plugin::users-permissions.user').count();
    const res = await request(app.strapi.server.httpServer).get('/api/tariffs');

    expect(tariffs).toBe(0);
    expect(members).toBe(0);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
  });

  it('Given the demo values were ignored, then the boot log says so', () => {
    // The server log of this file (tests/helpers/server-log.js).
    const log = fs.readFileSync(process.env.LOG_FILE!, 'utf8');

    expect(log).toContain('SEED_DEMO=true ignored under NODE_ENV=production');
    expect(log).toContain('DOCUMENTATION_PUBLIC=true ignored under NODE_ENV=production');
  });
});

describe('NODE_ENV=production with ALLOW_DEMO_SETTINGS=true (what start-local.sh runs)', () => {
  let app: TestApp;

  beforeAll(async () => {
    // The seed itself is covered by tests/api/seed.test.ts; here only that the override is honoured.
    app = await startStrapi({ NODE_ENV: 'production', ALLOW_DEMO_SETTINGS: 'true', DOCUMENTATION_PUBLIC: 'true' });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('Given DOCUMENTATION_PUBLIC=true, when /documentation/openapi.json is requested without credentials, then it is served', async () => {
    const res = await request(app.strapi.server.httpServer).get('/documentation/openapi.json');

    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(app.strapi.config.get('demo.seed')).toBe(false);
  });
});
