/**
 * Walks the access matrix of docs/ROLES.md through HTTP: every content type × every actor × every action,
 * checking both the status and what happened in the database. Then the catalogue filters, the auth
 * endpoints and the convergence of permissions at boot.
 */
import request from 'supertest';
import { configureMemberAccess } from '../../src/bootstrap/users-permissions';
import { ensureStaffRoles } from '../../src/bootstrap/admin-roles';
import { createApiToken, createMember, memberToken, staffToken, type TestMember } from '../helpers/auth';
import { asService } from '../helpers/integrity';
import { startStrapi, type TestApp } from '../helpers/strapi';

type Action = 'find' | 'findOne' | 'create' | 'update' | 'delete';
type RestActor = 'public' | 'member' | 'readOnlyToken' | 'fullAccessToken';
type AdminActor = 'manager' | 'support' | 'marketing' | 'superAdmin';
type Outcome = 'allowed' | 'refused' | 'absent';

const ALL: Action[] = ['find', 'findOne', 'create', 'update', 'delete'];
const READ: Action[] = ['find', 'findOne'];
const NO_DELETE: Action[] = ['find', 'findOne', 'create', 'update'];
const NONE: Action[] = [];
// Bookings, payments and refunds are created by our flows only, never through the generic routes (docs/ADMIN.md, Integrity of records).
const NO_CREATE: Action[] = ['find', 'findOne', 'update', 'delete'];
// Redemptions: the only change a write could make is to a protected field (amount, state), so updates are refused too.
const READ_DELETE: Action[] = ['find', 'findOne', 'delete'];
// A refund always has an amount (at least 1 kopeck): a record of money, never deleted.
const NO_CREATE_DELETE: Action[] = ['find', 'findOne', 'update'];

/** The expectation table: what each actor may do on each content type (REST for the first four, content manager for the rest). */
const MATRIX = {
  member: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: ALL, manager: ALL, support: READ, marketing: READ, superAdmin: ALL },
  booking: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: NO_CREATE, manager: NO_CREATE, support: READ, marketing: NONE, superAdmin: NO_CREATE },
  tariff: { public: READ, member: READ, readOnlyToken: READ, fullAccessToken: ALL, manager: ALL, support: READ, marketing: READ, superAdmin: ALL },
  resource: { public: READ, member: READ, readOnlyToken: READ, fullAccessToken: ALL, manager: ALL, support: READ, marketing: NONE, superAdmin: ALL },
  promocode: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: ALL, manager: ALL, support: NONE, marketing: ALL, superAdmin: ALL },
  promocodeRedemption: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: READ_DELETE, manager: READ, support: NONE, marketing: NONE, superAdmin: READ_DELETE },
  payment: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: NO_CREATE, manager: READ, support: NONE, marketing: NONE, superAdmin: NO_CREATE },
  refund: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: NO_CREATE_DELETE, manager: READ, support: NONE, marketing: NONE, superAdmin: NO_CREATE_DELETE },
  ticket: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: ALL, manager: ALL, support: NO_DELETE, marketing: NONE, superAdmin: ALL },
  ticketMessage: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: ALL, manager: ALL, support: NO_DELETE, marketing: NONE, superAdmin: ALL },
  // Composed and sent on the Newsletters page (plugins/newsletter); read-only everywhere else (docs/ROLES.md, ⁷).
  newsletter: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: READ, manager: READ, support: NONE, marketing: READ, superAdmin: ['find', 'findOne', 'delete'] },
  newsletterDelivery: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: READ, manager: READ, support: NONE, marketing: READ, superAdmin: READ },
  newsletterTemplate: { public: NONE, member: NONE, readOnlyToken: NONE, fullAccessToken: NONE, manager: READ, support: NONE, marketing: READ, superAdmin: ALL },
  outboxJob: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: ALL, manager: ['find', 'findOne', 'update'], support: NONE, marketing: NONE, superAdmin: ALL },
  auditLog: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: ALL, manager: READ, support: NONE, marketing: NONE, superAdmin: READ },
  ipBan: { public: NONE, member: NONE, readOnlyToken: READ, fullAccessToken: ALL, manager: ALL, support: READ, marketing: NONE, superAdmin: ALL },
  // Staff notes: written from the member card only (booking desk, audited); no REST routes at all.
  memberNote: { public: NONE, member: NONE, readOnlyToken: NONE, fullAccessToken: NONE, manager: READ, support: READ, marketing: NONE, superAdmin: ALL },
} satisfies Record<string, Record<RestActor | AdminActor, Action[]>>;

type TypeKey = keyof typeof MATRIX;

const allows = (type: TypeKey, actor: RestActor | AdminActor, action: Action) => {
  const allowed: readonly Action[] = MATRIX[type][actor];
  return allowed.includes(action);
};

interface Fixture {
  uid: string;
  restPath: string;
  /** REST routes that exist; the server writes audit-log and outbox rows itself. */
  restRoutes: Action[];
  /** Valid attributes of a new entry (REST data, content-manager body and Document Service data alike). */
  data(n: number): Record<string, unknown>;
  /** A valid change of one field, checked in the database afterwards. */
  change: Record<string, unknown>;
}

let authenticatedRoleId = 0;
const hour = (h: number) => new Date(Date.UTC(2030, 0, 1, h)).toISOString();

// Lifecycle fields are named `state`: the content manager takes a body `status` for the draft/published
// switch (strapi/strapi#25018); tests/api/content-manager.test.ts covers editing them. Fixtures keep defaults.
const FIXTURES: Record<TypeKey, Fixture> = {
  member: {
    uid: 'plugin::users-permissions.user',
    restPath: '/api/users',
    restRoutes: ALL,
    data: (n) => ({ username: `matrix-${n}`, email: `matrix-${n}@example.com`, password: 'Member-Passw0rd', role: authenticatedRoleId }),
    change: { fullName: 'Changed Name' },
  },
  booking: {
    uid: 'api::booking.booking',
    restPath: '/api/bookings',
    restRoutes: ALL,
    // Free, so that the allowed delete is not refused for the money attached (tests/api/record-integrity.test.ts).
    data: () => ({ startAt: hour(10), endAt: hour(12), units: 2, priceBase: 0, priceTotal: 0, source: 'admin' }),
    change: { comment: 'Changed' },
  },
  tariff: {
    uid: 'api::tariff.tariff',
    restPath: '/api/tariffs',
    restRoutes: ALL,
    data: (n) => ({ name: `Tariff ${n}`, slug: `tariff-${n}`, billingUnit: 'hour', price: 50000, minUnits: 1, maxUnits: 8 }),
    change: { description: 'Changed' },
  },
  resource: {
    uid: 'api::resource.resource',
    restPath: '/api/resources',
    restRoutes: ALL,
    data: (n) => ({ name: `Room ${n}`, slug: `room-${n}`, kind: 'meeting_room', capacity: 6 }),
    change: { description: 'Changed' },
  },
  promocode: {
    uid: 'api::promocode.promocode',
    restPath: '/api/promocodes',
    restRoutes: ALL,
    data: (n) => ({ code: `MATRIX${n}`, kind: 'percent', value: 10 }),
    change: { description: 'Changed' },
  },
  promocodeRedemption: {
    uid: 'api::promocode-redemption.promocode-redemption',
    restPath: '/api/promocode-redemptions',
    restRoutes: ALL,
    data: () => ({ amount: 1000 }),
    change: { amount: 555 },
  },
  payment: {
    uid: 'api::payment.payment',
    restPath: '/api/payments',
    restRoutes: ALL,
    data: (n) => ({ idempotenceKey: `matrix-payment-${n}`, amount: 0 }),
    change: { cancellationReason: 'Changed' },
  },
  refund: {
    uid: 'api::refund.refund',
    restPath: '/api/refunds',
    restRoutes: ALL,
    data: (n) => ({ idempotenceKey: `matrix-refund-${n}`, amount: 5000 }),
    change: { reason: 'Changed' },
  },
  ticket: {
    uid: 'api::ticket.ticket',
    restPath: '/api/tickets',
    restRoutes: ALL,
    data: (n) => ({ subject: `Ticket ${n}` }),
    change: { subject: 'Changed subject' },
  },
  ticketMessage: {
    uid: 'api::ticket-message.ticket-message',
    restPath: '/api/ticket-messages',
    restRoutes: ALL,
    data: (n) => ({ body: `Message ${n}`, authorType: 'member' }),
    change: { body: 'Changed body' },
  },
  newsletter: {
    uid: 'api::newsletter.newsletter',
    restPath: '/api/newsletters',
    restRoutes: READ,
    data: (n) => ({ title: `Newsletter ${n}`, body: 'Hello, members' }),
    change: { title: 'Changed title' },
  },
  newsletterDelivery: {
    uid: 'api::newsletter-delivery.newsletter-delivery',
    restPath: '/api/newsletter-deliveries',
    restRoutes: READ,
    data: (n) => ({ deliveryKey: `matrix-delivery-${n}`, telegramId: '100200300', newsletterRef: 1, memberRef: 1, channel: 'telegram' }),
    change: { error: 'Changed' },
  },
  outboxJob: {
    uid: 'api::outbox-job.outbox-job',
    restPath: '/api/outbox-jobs',
    restRoutes: READ,
    // The state, attempts and lock are the worker's (protected); a new job starts queued, due far in the future.
    data: () => ({ kind: 'test.job', runAfter: hour(8) }),
    change: { lastError: 'Changed' },
  },
  auditLog: {
    uid: 'api::audit-log.audit-log',
    restPath: '/api/audit-logs',
    restRoutes: READ,
    data: () => ({ actorType: 'system', action: 'test.action', at: hour(9) }),
    change: { actorLabel: 'Changed' },
  },
  ipBan: {
    uid: 'api::ip-ban.ip-ban',
    restPath: '/api/ip-bans',
    restRoutes: ALL,
    // Documentation addresses (RFC 5737), never the test client's own.
    data: (n) => ({ address: `198.51.100.${n % 250}`, reason: `Matrix ${n}` }),
    change: { reason: 'Changed' },
  },
  newsletterTemplate: {
    uid: 'api::newsletter-template.newsletter-template',
    restPath: '/api/newsletter-templates',
    restRoutes: NONE,
    data: (n) => ({ name: `Template ${n}`, html: '<p>Hello, {{firstName}}</p>' }),
    change: { name: 'Changed name' },
  },
  memberNote: {
    uid: 'api::member-note.member-note',
    restPath: '/api/member-notes',
    restRoutes: NONE,
    data: (n) => ({ body: `Matrix note ${n}`, authorLabel: 'Matrix' }),
    change: { body: 'Changed note' },
  },
};

const REST_ACTORS: RestActor[] = ['public', 'member', 'readOnlyToken', 'fullAccessToken'];
const ADMIN_ACTORS: AdminActor[] = ['manager', 'support', 'marketing', 'superAdmin'];
const ROLE_CODES: Record<AdminActor, string> = {
  manager: 'coworking-manager',
  support: 'coworking-support',
  marketing: 'coworking-marketing',
  superAdmin: 'strapi-super-admin',
};
const TYPES = Object.keys(MATRIX) as TypeKey[];

const outcomeOf = (status: number): Outcome | `unexpected ${number}` => {
  if (status >= 200 && status < 300) return 'allowed';
  if (status === 401 || status === 403) return 'refused';
  if (status === 404 || status === 405) return 'absent';
  return `unexpected ${status}`;
};

describe('roles and permissions', () => {
  let app: TestApp;
  let member: TestMember;
  const bearer: Partial<Record<RestActor | AdminActor, string>> = {};
  let sequence = 0;

  const http = () => request(app.strapi.server.httpServer);
  const as = (actor: RestActor | AdminActor, req: request.Test) => {
    const token = bearer[actor];
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  interface Entry {
    id: number;
    documentId: string;
  }

  async function createEntry(type: TypeKey, values = FIXTURES[type].data(sequence++)): Promise<Entry> {
    const created =
      type === 'member'
        ? await app.strapi.plugin('users-permissions').service('user').add({ ...values, provider: 'local', confirmed: true })
        : await asService(app.strapi, () => app.strapi.documents(FIXTURES[type].uid as 'api::tariff.tariff').create({ data: values as never }));
    return { id: Number(created.id), documentId: created.documentId };
  }

  const rowOf = (type: TypeKey, documentId: string) => app.strapi.db.query(FIXTURES[type].uid).findOne({ where: { documentId } });
  const countOf = (type: TypeKey) => app.strapi.db.query(FIXTURES[type].uid).count();

  /**
   * Sends one request of the matrix and reads back what it did to the database: a refused or absent write
   * must leave no trace, an allowed one must show.
   */
  async function attempt(type: TypeKey, action: Action, send: (entry: Entry | null, body: Record<string, unknown>) => request.Test) {
    const fixture = FIXTURES[type];
    const entry = action === 'find' || action === 'create' ? null : await createEntry(type);
    const countBefore = await countOf(type);
    const res = await send(entry, action === 'create' ? fixture.data(sequence++) : fixture.change);
    const outcome = outcomeOf(res.status);
    const allowed = outcome === 'allowed';

    const [field, value] = Object.entries(fixture.change)[0];
    let written: { actual: unknown; expected: unknown } | undefined;
    if (action === 'create') written = { actual: (await countOf(type)) - countBefore, expected: allowed ? 1 : 0 };
    if (action === 'update') written = { actual: (await rowOf(type, entry!.documentId))?.[field] === value, expected: allowed };
    if (action === 'delete') written = { actual: (await rowOf(type, entry!.documentId)) === null, expected: allowed };
    // The response body is shown only when the outcome is wrong.
    return { outcome, body: res.body, written };
  }

  function expectOutcome(result: Awaited<ReturnType<typeof attempt>>, expected: Outcome) {
    expect({ outcome: result.outcome, body: result.outcome === expected ? undefined : result.body }).toEqual({ outcome: expected, body: undefined });
    if (result.written) expect(result.written.actual).toEqual(result.written.expected);
  }

  beforeAll(async () => {
    app = await startStrapi();
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    authenticatedRoleId = role.id;
    member = await createMember(app.strapi);
    bearer.member = await memberToken(app.strapi, member.id);
    bearer.readOnlyToken = await createApiToken(app.strapi, 'read-only');
    bearer.fullAccessToken = await createApiToken(app.strapi, 'full-access');
    for (const actor of ADMIN_ACTORS) bearer[actor] = await staffToken(app.strapi, ROLE_CODES[actor]);
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('REST API (/api/<plural>) for Public, members and API tokens', () => {
    // A member's POST /api/bookings is the booking endpoint, not the generic create (tests/api/booking-create.test.ts).
    const isMemberBookingEndpoint = (type: TypeKey, actor: RestActor, action: Action) =>
      type === 'booking' && actor === 'member' && action === 'create';
    const cases = TYPES.flatMap((type) =>
      REST_ACTORS.flatMap((actor) =>
        ALL.filter((action) => !isMemberBookingEndpoint(type, actor, action)).map((action) => {
          const expected: Outcome = !FIXTURES[type].restRoutes.includes(action)
            ? 'absent'
            : allows(type, actor, action)
              ? 'allowed'
              : 'refused';
          return { name: `${actor} ${action} ${FIXTURES[type].restPath} is ${expected}`, type, actor, action, expected };
        }),
      ),
    );

    it.each(cases)('$name', async ({ type, actor, action, expected }) => {
      const { restPath } = FIXTURES[type];
      // users-permissions addresses users by numeric id and takes the body unwrapped.
      const ref = (entry: Entry) => (type === 'member' ? entry.id : entry.documentId);
      const wrap = (body: Record<string, unknown>) => (type === 'member' ? body : { data: body });

      const result = await attempt(type, action, (entry, body) => {
        switch (action) {
          case 'find':
            return as(actor, http().get(restPath));
          case 'findOne':
            return as(actor, http().get(`${restPath}/${ref(entry!)}`));
          case 'create':
            return as(actor, http().post(restPath)).send(wrap(body));
          case 'update':
            return as(actor, http().put(`${restPath}/${ref(entry!)}`)).send(wrap(body));
          case 'delete':
            return as(actor, http().delete(`${restPath}/${ref(entry!)}`));
        }
      });
      expectOutcome(result, expected);
    });
  });

  describe('content manager (/content-manager/collection-types/<uid>) for the admin roles', () => {
    const cases = TYPES.flatMap((type) =>
      ADMIN_ACTORS.flatMap((actor) =>
        ALL.map((action) => {
          const expected: Outcome = allows(type, actor, action) ? 'allowed' : 'refused';
          return { name: `${actor} ${action} ${FIXTURES[type].uid} is ${expected}`, type, actor, action, expected };
        }),
      ),
    );

    it.each(cases)('$name', async ({ type, actor, action, expected }) => {
      const base = `/content-manager/collection-types/${FIXTURES[type].uid}`;
      const result = await attempt(type, action, (entry, body) => {
        switch (action) {
          case 'find':
            return as(actor, http().get(base));
          case 'findOne':
            return as(actor, http().get(`${base}/${entry!.documentId}`));
          case 'create':
            return as(actor, http().post(base)).send(body);
          case 'update':
            return as(actor, http().put(`${base}/${entry!.documentId}`)).send(body);
          case 'delete':
            return as(actor, http().delete(`${base}/${entry!.documentId}`));
        }
      });
      expectOutcome(result, expected);
    });
  });

  describe('admin settings, users, roles and tokens stay with the Super Admin', () => {
    const endpoints = ['/admin/users', '/admin/roles', '/admin/api-tokens', '/admin/webhooks', '/admin/project-settings', '/users-permissions/roles', '/users-permissions/advanced'];
    const cases = ADMIN_ACTORS.flatMap((actor) =>
      endpoints.map((path) => ({ name: `${actor} GET ${path}`, actor, path, expected: actor === 'superAdmin' ? 200 : 403 })),
    );

    it.each(cases)('$name answers $expected', async ({ actor, path, expected }) => {
      expect((await as(actor, http().get(path))).status).toBe(expected);
    });

    it.each([
      ['manager', 200],
      ['marketing', 200],
      ['support', 403],
      ['superAdmin', 200],
    ] as const)('analytics (plugin::monitoring.read): %s gets %i from the monitoring admin route', async (actor, expected) => {
      expect((await as(actor, http().get('/monitoring/health'))).status).toBe(expected);
    });

    it('keeps Super Admin and our three staff roles, and drops the unused sample roles', async () => {
      const roles: { code: string; name: string }[] = await app.strapi.db.query('admin::role').findMany({ orderBy: { id: 'asc' } });
      expect(roles.map(({ code, name }) => [code, name])).toEqual([
        ['strapi-super-admin', 'Super Admin'],
        ['coworking-manager', 'Manager'],
        ['coworking-support', 'Support'],
        ['coworking-marketing', 'Marketing'],
      ]);
    });
  });

  describe('catalogue seen by Public and members', () => {
    let shown: Entry;
    let inactive: Entry;
    let nonPublic: Entry;
    let openRoom: Entry;
    let closedRoom: Entry;
    const tariffsQuery = '/api/tariffs?filters[slug][$startsWith]=catalogue-';
    const resourcesQuery = '/api/resources?filters[slug][$startsWith]=catalogue-';
    const slugsOf = (res: request.Response) => (res.body.data as { slug: string }[]).map(({ slug }) => slug).sort();

    beforeAll(async () => {
      openRoom = await createEntry('resource', { name: 'Open room', slug: 'catalogue-open', kind: 'meeting_room', capacity: 4, bufferMinutes: 15 });
      closedRoom = await createEntry('resource', { name: 'Closed room', slug: 'catalogue-closed', kind: 'meeting_room', capacity: 4, isActive: false });
      const tariff = (slug: string, extra: Record<string, unknown>) =>
        createEntry('tariff', { name: `Tariff ${slug}`, slug, billingUnit: 'hour', price: 50000, minUnits: 1, maxUnits: 8, ...extra });
      shown = await tariff('catalogue-shown', { resources: [openRoom.documentId, closedRoom.documentId] });
      inactive = await tariff('catalogue-inactive', { isActive: false });
      nonPublic = await tariff('catalogue-private', { isPublic: false });
    });

    it.each(['public', 'member'] as const)('%s lists only active public tariffs, whatever filters it sends', async (actor) => {
      expect(slugsOf(await as(actor, http().get(tariffsQuery)))).toEqual(['catalogue-shown']);
      expect(slugsOf(await as(actor, http().get(`${tariffsQuery}&filters[isActive][$eq]=false`)))).toEqual([]);
      expect(slugsOf(await as(actor, http().get(`${tariffsQuery}&filters[$or][0][isPublic][$eq]=false&filters[$or][1][isActive][$eq]=false`)))).toEqual([]);
    });

    it.each(['public', 'member'] as const)('%s gets 404 for an inactive or non-public tariff', async (actor) => {
      expect((await as(actor, http().get(`/api/tariffs/${shown.documentId}`))).status).toBe(200);
      expect((await as(actor, http().get(`/api/tariffs/${inactive.documentId}`))).status).toBe(404);
      expect((await as(actor, http().get(`/api/tariffs/${nonPublic.documentId}`))).status).toBe(404);
    });

    it.each(['public', 'member'] as const)('%s gets a tariff with its active resources and their public fields only', async (actor) => {
      for (const query of ['', '?populate=*', '?populate[resources][populate]=tariffs']) {
        const res = await as(actor, http().get(`/api/tariffs/${shown.documentId}${query}`));
        expect(res.status).toBe(200);
        const resources: Record<string, unknown>[] = res.body.data.resources;
        expect(resources.map(({ documentId }) => documentId)).toEqual([openRoom.documentId]);
        expect(Object.keys(resources[0]).sort()).toEqual(
          ['id', 'documentId', 'name', 'slug', 'kind', 'description', 'capacity', 'openingHours', 'closedDates', 'color', 'location'].sort(),
        );
      }
    });

    it.each(['public', 'member'] as const)('%s lists only active resources, without their tariffs', async (actor) => {
      const res = await as(actor, http().get(`${resourcesQuery}&populate=tariffs`));
      expect(slugsOf(res)).toEqual(['catalogue-open']);
      expect(res.body.data[0]).not.toHaveProperty('tariffs');
      expect(res.body.data[0]).not.toHaveProperty('lockVersion');
      expect((await as(actor, http().get(`/api/resources/${closedRoom.documentId}`))).status).toBe(404);
    });

    it('a staff API token sees the whole catalogue, still without private fields', async () => {
      expect(slugsOf(await as('readOnlyToken', http().get(tariffsQuery)))).toEqual(['catalogue-inactive', 'catalogue-private', 'catalogue-shown']);
      const room = await as('readOnlyToken', http().get(`/api/resources/${closedRoom.documentId}`));
      expect(room.status).toBe(200);
      expect(room.body.data).not.toHaveProperty('lockVersion');
    });
  });

  describe('auth endpoints and member data', () => {
    it('sign-up is off: POST /api/auth/local/register is not served and creates nobody', async () => {
      const before = await countOf('member');
      const res = await http().post('/api/auth/local/register').send({ username: 'newcomer', email: 'newcomer@example.com', password: 'Passw0rd-1' });
      expect([404, 405]).toContain(res.status);
      expect(await countOf('member')).toBe(before);
      const advanced = await app.strapi.store({ type: 'plugin', name: 'users-permissions' }).get({ key: 'advanced' });
      expect(advanced).toMatchObject({ allow_register: false });
    });

    it('session renewal is open to Public (the access token may have expired) and logout to members', async () => {
      // Past the permission check: the plugin itself asks for the refresh token (tests/security/auth-session.test.ts).
      const refresh = await http().post('/api/auth/refresh').send({});
      expect(refresh.status).toBe(400);
      expect(refresh.body.error.message).toBe('Missing refresh token');
      expect((await as('member', http().post('/api/auth/logout').send({}))).status).toBe(200);
      // The logout closed the member's session: the access token of this file no longer works.
      expect((await as('member', http().get('/api/users/me'))).status).toBe(401);
      bearer.member = await memberToken(app.strapi, member.id);
    });

    it.each([
      ['public', 'POST', '/api/auth/local'],
      ['member', 'POST', '/api/auth/local'],
      ['fullAccessToken', 'POST', '/api/auth/forgot-password'],
      ['public', 'POST', '/api/auth/reset-password'],
      ['public', 'GET', '/api/auth/email-confirmation?confirmation=abc'],
      ['public', 'POST', '/api/auth/send-email-confirmation'],
      ['member', 'POST', '/api/auth/change-password'],
    ] as const)('members have no password: %s %s %s is not served', async (actor, method, path) => {
      const req = method === 'GET' ? http().get(path) : http().post(path).send({});
      // Strapi's router answers a path it does not serve with 404 or 405, as for any unknown route.
      expect([404, 405]).toContain((await as(actor, req)).status);
    });

    it.each([
      ['public', 'GET', '/api/connect/github'],
      ['public', 'GET', '/api/auth/github/callback'],
      ['public', 'GET', '/api/users/me'],
      ['member', 'GET', '/api/auth/sessions'],
      ['member', 'GET', '/api/users/count'],
      ['member', 'GET', '/api/users-permissions/roles'],
      ['member', 'POST', '/api/upload'],
    ] as const)('%s %s %s is refused', async (actor, method, path) => {
      const req = method === 'GET' ? http().get(path) : http().post(path).send({});
      expect((await as(actor, req)).status).toBe(403);
    });

    it('a member reads only their own record, through /api/users/me', async () => {
      const other = await createMember(app.strapi);
      const me = await as('member', http().get('/api/users/me'));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: member.id, email: member.email });
      expect(me.body).not.toHaveProperty('password');

      for (const path of ['/api/users', `/api/users/${other.id}`, `/api/users/${member.id}`]) {
        expect((await as('member', http().get(path))).status).toBe(403);
      }
    });
  });

  describe('permissions converge at every boot', () => {
    const PUBLIC_UID = 'plugin::users-permissions.permission';

    it('configureMemberAccess removes a permission enabled by hand and restores a removed one', async () => {
      const publicRole = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
      const actionsOf = async () =>
        ((await app.strapi.db.query(PUBLIC_UID).findMany({ where: { role: publicRole.id } })) as { action: string }[]).map(({ action }) => action).sort();
      const converged = await actionsOf();

      // Given someone enabled booking.find for Public, removed tariff.find and turned sign-up on
      await app.strapi.db.query(PUBLIC_UID).create({ data: { action: 'api::booking.booking.find', role: publicRole.id } });
      await app.strapi.db.query(PUBLIC_UID).deleteMany({ where: { role: publicRole.id, action: 'api::tariff.tariff.find' } });
      const store = app.strapi.store({ type: 'plugin', name: 'users-permissions' });
      await store.set({ key: 'advanced', value: { ...((await store.get({ key: 'advanced' })) as object), allow_register: true } });
      expect((await http().get('/api/bookings')).status).toBe(200);
      expect((await http().get('/api/tariffs')).status).toBe(403);

      // When the bootstrap step runs again
      await configureMemberAccess(app.strapi);

      // Then the roles are back to the declared state
      expect(await actionsOf()).toEqual(converged);
      expect((await http().get('/api/bookings')).status).toBe(403);
      expect((await http().get('/api/tariffs')).status).toBe(200);
      expect(await store.get({ key: 'advanced' })).toMatchObject({ allow_register: false });
    });

    it('ensureStaffRoles reverts a staff role edited by hand, and a second run changes nothing', async () => {
      const roles = app.strapi.service('admin::role');
      const support = await roles.findOne({ code: ROLE_CODES.support });
      const deleteTicket = (entry: Entry) => as('support', http().delete(`/content-manager/collection-types/api::ticket.ticket/${entry.documentId}`));

      // Given Support was renamed and allowed to delete tickets by hand
      await app.strapi.db.query('admin::role').update({ where: { id: support.id }, data: { name: 'Helpdesk' } });
      await app.strapi.db.query('admin::permission').create({
        data: { action: 'plugin::content-manager.explorer.delete', subject: 'api::ticket.ticket', properties: {}, conditions: [], actionParameters: {}, role: support.id },
      });
      expect((await deleteTicket(await createEntry('ticket'))).status).toBe(200);

      // When the bootstrap step runs again
      await ensureStaffRoles(app.strapi);

      // Then the role is back, and running it once more touches no permission row
      expect((await roles.findOne({ code: ROLE_CODES.support })).name).toBe('Support');
      expect((await deleteTicket(await createEntry('ticket'))).status).toBe(403);
      const permissionIds = async () => ((await app.strapi.db.query('admin::permission').findMany({ select: ['id'], orderBy: { id: 'asc' } })) as { id: number }[]).map(({ id }) => id);
      const before = await permissionIds();
      await ensureStaffRoles(app.strapi);
      expect(await permissionIds()).toEqual(before);
    });

    it('ensureStaffRoles adopts a role of the same name made by hand instead of failing on the unique name', async () => {
      const marketing = await app.strapi.service('admin::role').findOne({ code: ROLE_CODES.marketing });
      await app.strapi.db.query('admin::role').update({ where: { id: marketing.id }, data: { code: 'made-by-hand' } });

      await ensureStaffRoles(app.strapi);

      const named: { id: number; code: string }[] = await app.strapi.db.query('admin::role').findMany({ where: { name: 'Marketing' } });
      expect(named).toEqual([expect.objectContaining({ id: marketing.id, code: ROLE_CODES.marketing })]);
      expect((await as('marketing', http().get('/content-manager/collection-types/api::newsletter.newsletter'))).status).toBe(200);
    });

    it('no admin role keeps a content-manager write on the audit log', async () => {
      const manager = await app.strapi.service('admin::role').findOne({ code: ROLE_CODES.manager });
      const auditWrites = { subject: 'api::audit-log.audit-log', action: { $startsWith: 'plugin::content-manager.explorer.' }, $not: { action: 'plugin::content-manager.explorer.read' } };
      await app.strapi.db.query('admin::permission').create({
        data: { action: 'plugin::content-manager.explorer.delete', subject: 'api::audit-log.audit-log', properties: {}, conditions: [], actionParameters: {}, role: manager.id },
      });
      expect(await app.strapi.db.query('admin::permission').count({ where: auditWrites })).toBe(1);

      await ensureStaffRoles(app.strapi);

      expect(await app.strapi.db.query('admin::permission').count({ where: auditWrites })).toBe(0);
    });
  });
});
