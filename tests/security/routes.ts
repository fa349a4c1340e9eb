/**
 * Shared by the authorisation matrix and the route fuzz (tests/security): the route table read from the
 * running server's router, the identities every route is tried with, and fixtures owned by a member.
 */
import type { AddressInfo } from 'net';
import type { Core } from '@strapi/strapi';
import { createApiToken, memberToken, staffToken } from '../helpers/auth';
import { createRegisteredMember, createResource, createTariff, localDay, at } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';

/** One route the HTTP server serves: `key` is `METHOD /path` with the router's own parameter syntax. */
export interface ServedRoute {
  method: string;
  path: string;
  key: string;
}

interface RouterLayer {
  path: string;
  methods: string[];
}

/**
 * Every route of the server's root router after mount (content API, admin API, plugins and the static
 * routes), one entry per method. HEAD is implied by GET; a route answering every method is keyed `ALL`.
 */
export function servedRoutes(strapi: Core.Strapi): ServedRoute[] {
  const seen = new Map<string, ServedRoute>();
  for (const layer of strapi.server.listRoutes() as unknown as RouterLayer[]) {
    // Layers without methods are router-level middlewares (prefix matchers), not routes.
    if (layer.methods.length === 0) continue;
    const methods = layer.methods.length > 8 ? ['ALL'] : layer.methods.filter((method) => method !== 'HEAD');
    for (const method of methods) {
      const key = `${method} ${layer.path}`;
      if (!seen.has(key)) seen.set(key, { method, path: layer.path, key });
    }
  }
  return [...seen.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Plugins that ship inside Strapi's packages (the admin itself is `strapi.admin`). */
const STRAPI_PLUGINS = ['content-manager', 'content-type-builder', 'upload', 'i18n', 'users-permissions', 'email', 'content-releases', 'review-workflows'];

interface RegisteredRouter {
  type?: string;
  prefix?: string;
  routes?: Array<{ method: string; path: string; config?: { prefix?: string } }>;
}

const normalise = (key: string) => (key.length > 1 && key.endsWith('/') ? key.slice(0, -1) : key);

/**
 * `METHOD /path` of the admin-panel routes that Strapi's own packages register (the admin and its bundled
 * plugins), read from their route registries. They are guarded by Strapi's admin RBAC and tested by Strapi;
 * tests/api/roles-matrix.test.ts covers the parts we configure (content manager and settings per staff role).
 * Every other admin-type route is in the matrix: our plugins', a plugin added later, and routes we add under
 * /admin ourselves (such as GET /admin/ip-bans/nginx).
 */
export function strapiAdminRouteKeys(strapi: Core.Strapi): Set<string> {
  const keys = new Set<string>();
  const add = (router: RegisteredRouter, defaultPrefix: string) => {
    for (const route of router.routes ?? []) {
      const prefix = route.config && 'prefix' in route.config ? (route.config.prefix ?? '') : (router.prefix ?? defaultPrefix);
      const methods = route.method === 'ALL' ? ['ALL'] : [route.method];
      for (const method of methods) keys.add(normalise(`${method} ${prefix}${route.path}`));
    }
  };
  const adminRoutes = (strapi as unknown as { admin: { routes: Record<string, RegisteredRouter> } }).admin.routes;
  for (const router of Object.values(adminRoutes)) if ((router.type ?? 'admin') === 'admin') add(router, '/admin');
  for (const name of STRAPI_PLUGINS) {
    const routes = (strapi.plugins[name] as unknown as { routes?: RegisteredRouter['routes'] | Record<string, RegisteredRouter> } | undefined)?.routes;
    if (!routes) continue;
    if (Array.isArray(routes)) add({ routes }, `/${name}`);
    else for (const router of Object.values(routes)) if ((router.type ?? 'admin') === 'admin') add(router, `/${name}`);
  }
  return keys;
}

/** Served routes that are neither content API nor an admin route, each with the reason it is outside the matrix. */
export const STATIC_ROUTES: Record<string, string> = {
  'ALL /_health': "Strapi's liveness probe: 204 to anyone, no data",
  'GET /': 'the static public folder (strapi::public)',
  'GET /((?!uploads/).+)': 'the static public folder (strapi::public)',
  'GET /uploads/(.*)': 'uploaded files; ticket attachments are private (tests/security regression of finding 2)',
};

/** The routes an authorisation matrix must cover: everything served but Strapi's own admin routes and the static ones. */
export function matrixRoutes(strapi: Core.Strapi): ServedRoute[] {
  const strapiAdmin = strapiAdminRouteKeys(strapi);
  return servedRoutes(strapi).filter((route) => !(route.key in STATIC_ROUTES) && (route.path.startsWith('/api/') || !strapiAdmin.has(normalise(route.key))));
}

// ---------------------------------------------------------------------------------------------------------------
// Identities

export const IDENTITIES = [
  'anonymous',
  'member',
  'otherMember',
  'bannedMember',
  'bot',
  'readOnlyToken',
  'fullAccessToken',
  'superAdmin',
  'manager',
  'support',
  'marketing',
] as const;
export type Identity = (typeof IDENTITIES)[number];

export const MEMBER_IDENTITIES: readonly Identity[] = ['member', 'otherMember', 'bannedMember'];

export const STAFF_ROLE_CODES = {
  superAdmin: 'strapi-super-admin',
  manager: 'coworking-manager',
  support: 'coworking-support',
  marketing: 'coworking-marketing',
} as const;

export const BOT_SERVICE_TOKEN = 'security-suite-bot-token-0123456789abcdef';

export interface MemberAccount {
  id: number;
  documentId: string;
  telegramId: string;
  token: string;
}

let sequence = 0;
export const nextNumber = () => ++sequence;

/** A registered member with a Telegram id and an access token; `banned` sets isBanned (the token stays valid). */
export async function memberAccount(strapi: Core.Strapi, { banned = false } = {}): Promise<MemberAccount> {
  const member = await createRegisteredMember(strapi);
  const telegramId = String(7_000_000_000 + process.pid * 1000 + nextNumber());
  await strapi.db.query('plugin::users-permissions.user').update({
    where: { id: member.id },
    data: { telegramId, fullName: 'Test Member', phone: '+79001234567', ...(banned ? { isBanned: true, banReason: 'test', bannedAt: new Date() } : {}) },
  });
  return { ...member, telegramId, token: await memberToken(strapi, member.id) };
}

export interface Identities {
  accounts: Record<'member' | 'otherMember' | 'bannedMember', MemberAccount>;
  bearer: Partial<Record<Identity, string>>;
}

export async function createIdentities(strapi: Core.Strapi): Promise<Identities> {
  const accounts = {
    member: await memberAccount(strapi),
    otherMember: await memberAccount(strapi),
    bannedMember: await memberAccount(strapi, { banned: true }),
  };
  const bearer: Partial<Record<Identity, string>> = {
    member: accounts.member.token,
    otherMember: accounts.otherMember.token,
    bannedMember: accounts.bannedMember.token,
    bot: BOT_SERVICE_TOKEN,
    readOnlyToken: await createApiToken(strapi, 'read-only'),
    fullAccessToken: await createApiToken(strapi, 'full-access'),
  };
  for (const [identity, code] of Object.entries(STAFF_ROLE_CODES)) bearer[identity as Identity] = await staffToken(strapi, code);
  return { accounts, bearer };
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

type BookingState = 'pending_payment' | 'awaiting_confirmation' | 'confirmed' | 'completed' | 'cancelled';

/** A catalogue (one resource, one hourly tariff) and writers of documents owned by a member. */
export async function createCatalogue(strapi: Core.Strapi) {
  const resource = await createResource(strapi, { capacity: 50 });
  const tariff = await createTariff(strapi, { resources: [resource.documentId], billingUnit: 'hour', price: 100000, maxUnits: 4 });
  let slot = 0;

  /** Each booking gets its own hour some days ahead, so fixtures never collide on capacity. */
  const nextSlot = () => {
    const n = slot++;
    const day = localDay(3 + Math.floor(n / 8));
    const hour = 9 + (n % 8);
    return { startAt: at(day, `${String(hour).padStart(2, '0')}:00`), endAt: at(day, `${String(hour + 1).padStart(2, '0')}:00`) };
  };

  const catalogue = {
    resource,
    tariff,
    /** A start time (ISO) free for a one-hour booking, far from every fixture. */
    freeStart: () => at(localDay(20 + (slot++ % 5)), `${String(9 + (slot % 8)).padStart(2, '0')}:00`).toISOString(),

    async booking(owner: { documentId: string }, state: BookingState = 'pending_payment') {
      const { startAt, endAt } = nextSlot();
      // Bookings and payments are written by our services only (src/document-middlewares/protected-fields.ts).
      return asService(strapi, () => strapi.documents('api::booking.booking').create({
        data: {
          member: owner.documentId,
          tariff: tariff.documentId,
          resource: resource.documentId,
          startAt,
          endAt,
          units: 1,
          state,
          priceBase: 100000,
          priceTotal: 100000,
          currency: 'RUB',
          source: 'api',
          ...(state === 'pending_payment' ? { holdExpiresAt: new Date(Date.now() + 60 * 60 * 1000) } : {}),
        } as never,
      }));
    },

    async ticket(owner: { documentId: string; id: number }) {
      const ticket = await strapi.documents('api::ticket.ticket').create({
        data: { member: owner.documentId, subject: 'Fixture ticket', state: 'open', priority: 'normal', lastMessageAt: new Date() } as never,
      });
      await strapi.documents('api::ticket-message.ticket-message').create({
        data: { ticket: ticket.documentId, authorType: 'member', authorMember: owner.documentId, body: 'Fixture message' } as never,
      });
      return ticket;
    },

    /** A succeeded payment of a confirmed booking, known to the YooKassa stand-in when one is given. */
    async payment(owner: { documentId: string }, providerPaymentId = `pay-${process.pid}-${nextNumber()}`) {
      const booking = await catalogue.booking(owner, 'confirmed');
      return asService(strapi, () => strapi.documents('api::payment.payment').create({
        data: {
          booking: booking.documentId,
          member: owner.documentId,
          provider: 'yookassa',
          providerPaymentId,
          idempotenceKey: `fixture-${process.pid}-${nextNumber()}`,
          amount: 100000,
          currency: 'RUB',
          state: 'succeeded',
          paidAt: new Date(),
        } as never,
      }));
    },
  };
  return catalogue;
}

export type Catalogue = Awaited<ReturnType<typeof createCatalogue>>;

// ---------------------------------------------------------------------------------------------------------------
// Answers and writes

/** Strapi's error envelope: `{ data: null, error: { status, name, message, details } }` with the answer's status. */
export function envelopeProblem(status: number, body: unknown): string | null {
  const b = body as { data?: unknown; error?: { status?: unknown; name?: unknown; message?: unknown } } | undefined;
  if (!b || typeof b !== 'object') return 'no JSON body';
  if (b.data !== null) return 'data is not null';
  if (!b.error || typeof b.error !== 'object') return 'no error object';
  if (b.error.status !== status) return `error.status ${String(b.error.status)} differs from ${status}`;
  if (typeof b.error.name !== 'string' || typeof b.error.message !== 'string') return 'error.name or error.message missing';
  return null;
}

/** The tables a refused request must leave alone. */
export const WATCHED_TABLES = {
  bookings: 'api::booking.booking',
  tickets: 'api::ticket.ticket',
  ticketMessages: 'api::ticket-message.ticket-message',
  payments: 'api::payment.payment',
  refunds: 'api::refund.refund',
  users: 'plugin::users-permissions.user',
  files: 'plugin::upload.file',
  newsletters: 'api::newsletter.newsletter',
  newsletterDeliveries: 'api::newsletter-delivery.newsletter-delivery',
  newsletterTemplates: 'api::newsletter-template.newsletter-template',
} as const;

export async function countRows(strapi: Core.Strapi): Promise<Record<keyof typeof WATCHED_TABLES, number>> {
  const counts = {} as Record<keyof typeof WATCHED_TABLES, number>;
  for (const [name, uid] of Object.entries(WATCHED_TABLES)) counts[name as keyof typeof WATCHED_TABLES] = await strapi.db.query(uid).count();
  return counts;
}

/** Puts the server on a loopback port (the YooKassa stand-in sends webhooks to it). */
export async function listen(strapi: Core.Strapi): Promise<string> {
  await new Promise<void>((resolve) => strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(strapi.server.httpServer.address() as AddressInfo).port}`;
}

/** The environment both route suites boot Strapi with: YooKassa at its stand-in, the webhook open to loopback. */
export function routeSuiteEnv(yookassaUrl: string, spaceTimezone: string): Record<string, string> {
  return {
    SPACE_TIMEZONE: spaceTimezone,
    BOT_SERVICE_TOKEN,
    YOOKASSA_SHOP_ID: '100500',
    YOOKASSA_SECRET_KEY: 'test_secret',
    YOOKASSA_API_URL: yookassaUrl,
    YOOKASSA_RETURN_URL: 'https://t.me/coworking_test_bot',
    // The webhook's handler runs for a loopback sender; which identity calls it makes no difference.
    YOOKASSA_WEBHOOK_ALLOWED_IPS: '127.0.0.1,::1',
    OUTBOX_WORKER: 'false',
  };
}
