import request from 'supertest';
import { startStrapi, type TestApp } from '../helpers/strapi';

describe('GET /api/monitoring/health', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startStrapi();
  });

  afterAll(async () => {
    await app.stop();
  });

  it('answers 200 with status ok while the database answers', async () => {
    const res = await request(app.strapi.server.httpServer).get('/api/monitoring/health');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up' } });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('needs no credentials and ignores a bad one', async () => {
    const res = await request(app.strapi.server.httpServer)
      .get('/api/monitoring/health')
      .set('Authorization', 'Bearer not-a-token');

    expect(res.status).toBe(200);
  });

  it('answers 503 once the database stops answering', async () => {
    // Given the database connection pool is gone (as when the database server is down)
    await app.strapi.db.connection.destroy();

    // When the health check runs
    const res = await request(app.strapi.server.httpServer).get('/api/monitoring/health');

    // Then it reports the database down instead of failing with a 500
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'down' } });
  });
});
