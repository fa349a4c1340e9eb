/**
 * Finding 1 (CORS reflected any Origin with credentials; a cross-origin POST /admin/access-token minted an admin
 * token) and finding 9 (X-Powered-By), plus the security headers helmet sets, through HTTP against the real server.
 */
import request from 'supertest';
import { createStaffUser, STAFF_PASSWORD } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

const PUBLIC_ORIGIN = 'https://cowork.example.com';
const EVIL = 'https://evil.example';
const REFRESH_COOKIE = 'strapi_admin_refresh';

const refreshCookie = (res: request.Response): string | undefined => {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((cookie) => cookie.startsWith(`${REFRESH_COOKIE}=`));
};
/** The `name=value` part of a Set-Cookie header, as a browser sends it back. */
const cookiePair = (setCookie: string) => setCookie.split(';')[0];

describe('CORS and headers with the default allow-list (the origin of PUBLIC_URL)', () => {
  let app: TestApp;
  let http: ReturnType<typeof request>;
  let staffEmail: string;

  beforeAll(async () => {
    app = await startStrapi({ PUBLIC_URL: `${PUBLIC_ORIGIN}/`, CORS_ORIGINS: '' });
    http = request(app.strapi.server.httpServer);
    staffEmail = (await createStaffUser(app.strapi, 'strapi-super-admin')).email;
  });

  afterAll(async () => {
    await app?.stop();
  });

  /** Logs in as the admin panel does and returns the refresh cookie it sets. */
  const login = async (): Promise<string> => {
    const res = await http.post('/admin/login').send({ email: staffEmail, password: STAFF_PASSWORD });
    expect(res.status).toBe(200);
    const cookie = refreshCookie(res);
    expect(cookie).toBeDefined();
    return cookie!;
  };

  it.each([EVIL, 'null', 'http://localhost:1337', `${PUBLIC_ORIGIN}.evil.example`])(
    'Given Origin %s, when it reads /api/tariffs, then the answer carries no CORS grant',
    async (origin) => {
      const res = await http.get('/api/tariffs').set('Origin', origin);

      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );

  it('Given the public origin, when it reads /api/tariffs, then that origin alone is granted, with credentials', async () => {
    const res = await http.get('/api/tariffs').set('Origin', PUBLIC_ORIGIN);

    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(PUBLIC_ORIGIN);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('Given a preflight from the public origin, then it is granted and cached for 10 minutes', async () => {
    const res = await http
      .options('/api/bookings')
      .set('Origin', PUBLIC_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');

    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(PUBLIC_ORIGIN);
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it('Given a preflight from a foreign origin, then nothing is granted', async () => {
    const res = await http
      .options('/api/bookings')
      .set('Origin', EVIL)
      .set('Access-Control-Request-Method', 'POST');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('Given the admin logs in, then the refresh cookie is HttpOnly and SameSite=Strict', async () => {
    const cookie = await login();

    expect(cookie).toMatch(/;\s*httponly/i);
    expect(cookie).toMatch(/;\s*samesite=strict/i);
  });

  it.each([EVIL, 'null'])(
    'Given the admin refresh cookie, when a page of origin %s posts /admin/access-token, then it is refused and the cookie still works',
    async (origin) => {
      const cookie = cookiePair(await login());

      const attack = await http.post('/admin/access-token').set('Origin', origin).set('Cookie', cookie).send({});

      expect(attack.status).toBe(403);
      expect(attack.body.error).toMatchObject({ status: 403, name: 'ForbiddenError' });
      expect(attack.body.data).toBeNull();
      expect(refreshCookie(attack)).toBeUndefined();
      expect(attack.headers['access-control-allow-origin']).toBeUndefined();
      // The refused request did not consume the single-use refresh token: the panel itself can still renew.
      const own = await http.post('/admin/access-token').set('Origin', PUBLIC_ORIGIN).set('Cookie', cookie).send({});
      expect(own.status).toBe(200);
      expect(typeof own.body.data.token).toBe('string');
    },
  );

  it('Given the admin panel served by this server, when it renews its token from its own origin, then it gets one', async () => {
    const cookie = cookiePair(await login());

    const res = await http
      .post('/admin/access-token')
      .set('Host', 'cowork.internal:1337')
      .set('Origin', 'http://cowork.internal:1337')
      .set('Cookie', cookie)
      .send({});

    expect(res.status).toBe(200);
    expect(typeof res.body.data.token).toBe('string');
  });

  it('Given a foreign page, when it posts to the content API, then the request is refused before it runs', async () => {
    const res = await http.post('/api/auth/telegram').set('Origin', EVIL).send({ initData: 'x' });

    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/origin/i);
  });

  it.each(['/api/tariffs', '/api/monitoring/health', '/api/no-such-route', '/admin/init'])(
    'Given any answer (%s), then it has no X-Powered-By header',
    async (path) => {
      const res = await http.get(path);

      expect(res.status).toBeLessThan(500);
      expect(res.headers['x-powered-by']).toBeUndefined();
    },
  );

  it('Given an API answer, then helmet sets HSTS, framing, referrer and sniffing policies', async () => {
    const res = await http.get('/api/tariffs');

    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/object-src 'none'/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('Given the Swagger UI page, then its CSP still lets the page run its inline start-up script', async () => {
    const res = await http.get('/documentation');

    expect(res.status).toBe(200);
    const scriptSrc = /script-src ([^;]*)/.exec(res.headers['content-security-policy'])?.[1] ?? '';
    expect(scriptSrc).toContain("'unsafe-inline'");
    expect(res.text).toContain('swagger-ui-bundle.js');
  });
});

describe('CORS with CORS_ORIGINS', () => {
  let app: TestApp;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    app = await startStrapi({
      PUBLIC_URL: PUBLIC_ORIGIN,
      CORS_ORIGINS: 'https://app.example.com, https://miniapp.example.com/',
    });
    http = request(app.strapi.server.httpServer);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it.each(['https://app.example.com', 'https://miniapp.example.com'])(
    'Given listed origin %s, then it is granted with credentials',
    async (origin) => {
      const res = await http.get('/api/tariffs').set('Origin', origin);

      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    },
  );

  it('Given the list is set, then it replaces the default: the public origin is no longer granted', async () => {
    const res = await http.get('/api/tariffs').set('Origin', PUBLIC_ORIGIN);

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
