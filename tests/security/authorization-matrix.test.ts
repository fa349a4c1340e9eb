/**
 * The authorisation matrix: every route the running server serves (read from its router, tests/security/routes.ts)
 * × every identity, against the expectation table below. A served route without a row fails, and so does a row
 * whose route is no longer served, so a new route cannot ship without someone deciding who may call it.
 *
 * Outcomes are coarse classes:
 *   A  allowed: the request got past authentication and authorisation (2xx, or a 400 / 409 / 413 / 415 / 422
 *      about the body or the state of the thing)
 *   D  denied: 401 or 403
 *   H  hidden: 404 (the thing is not shown to this caller, or the route answers 404 by design)
 * Any 5xx fails whatever the table says. The admin-panel routes of Strapi's own packages (/admin, /content-manager,
 * ..., read from their route registries) are outside this table: see strapiAdminRouteKeys in routes.ts and
 * tests/api/roles-matrix.test.ts. Routes we add under /admin ourselves are in it.
 *
 * Updating the table: run with SECURITY_MATRIX_DUMP=1 and the test log prints the rows the server answers today in
 * this format; compare, and paste what is right.
 */
import type { Core } from '@strapi/strapi';
import request from 'supertest';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { SPACE_TIMEZONE, localDay } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import {
  routeSuiteEnv,
  createCatalogue,
  createIdentities,
  IDENTITIES,
  listen,
  matrixRoutes,
  memberAccount,
  nextNumber,
  type Catalogue,
  type Identities,
  type Identity,
  type MemberAccount,
  type ServedRoute,
} from './routes';

type Outcome = 'A' | 'D' | 'H';

// prettier-ignore
/** Who may call what. Columns in IDENTITIES order (routes.ts). */
const EXPECTATIONS: Record<string, string> = {
  //                                                   anon mem  oth  ban  bot  ro   full sa   mgr  sup  mkt
  // our custom content-API routes (docs/API.md)
  'POST /api/auth/telegram':                          'D    D    D    D    A    D    D    D    D    D    D',
  'POST /api/auth/telegram/bot-status':               'D    D    D    D    A    D    D    D    D    D    D',
  'GET /api/availability':                            'A    A    A    A    A    A    A    A    A    A    A',
  'POST /api/bookings/:documentId/cancel':            'D    A    D    D    D    D    D    D    D    D    D',
  'POST /api/bookings/:documentId/pay':               'D    A    D    D    D    D    D    D    D    D    D',
  'POST /api/bookings/:documentId/reschedule':        'D    A    D    D    D    D    D    D    D    D    D',
  'GET /api/bookings/mine':                           'D    A    A    D    D    D    D    D    D    D    D',
  'POST /api/bookings/quote':                         'D    A    A    D    D    D    D    D    D    D    D',
  'GET /api/monitoring/health':                       'A    A    A    A    A    A    A    A    A    A    A',
  // An API token is not a member: refused (it was a 500 for a full-access token: issue 13 finding 5c).
  'PUT /api/profile':                                 'D    A    A    D    D    D    D    D    D    D    D',
  'POST /api/tickets/:documentId/messages':           'D    A    D    D    D    D    D    D    D    D    D',
  'GET /api/tickets/mine':                            'D    A    A    D    D    D    D    D    D    D    D',
  'POST /api/yookassa/webhook':                       'A    A    A    A    A    A    A    A    A    A    A',
  // E-mail tracking (plugins/newsletter): public, but a token that was not signed for a delivery is refused.
  'GET /api/newsletter/o/:token':                     'H    H    H    H    H    H    H    H    H    H    H',
  'GET /api/newsletter/c/:token':                     'H    H    H    H    H    H    H    H    H    H    H',
  'GET /api/newsletter/u/:token':                     'H    H    H    H    H    H    H    H    H    H    H',
  'POST /api/newsletter/u/:token':                    'H    H    H    H    H    H    H    H    H    H    H',

  // collections' generic CRUD (docs/ROLES.md): members use the custom routes; POST /api/bookings and /api/tickets and GET /api/tickets/:id are the member endpoints for a member JWT
  'GET /api/audit-logs':                              'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/audit-logs/:id':                          'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/bookings':                                'D    D    D    D    D    A    A    D    D    D    D',
  // The generic create of bookings, payments, refunds and redemptions is refused to every caller, the full-access
  // token included (403: they are made by our flows, docs/ADMIN.md, Integrity of records); members' POST /api/bookings is theirs.
  'POST /api/bookings':                               'D    A    A    D    D    D    D    D    D    D    D',
  // A booking, payment or refund with money attached (the fixtures have) cannot be deleted by anyone.
  'DELETE /api/bookings/:id':                         'D    D    D    D    D    D    D    D    D    D    D',
  'GET /api/bookings/:id':                            'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/bookings/:id':                            'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/newsletter-deliveries':                   'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/newsletter-deliveries/:id':               'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/newsletters':                             'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/newsletters/:id':                         'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/outbox-jobs':                             'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/outbox-jobs/:id':                         'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/payments':                                'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/payments':                               'D    D    D    D    D    D    D    D    D    D    D',
  'DELETE /api/payments/:id':                         'D    D    D    D    D    D    D    D    D    D    D',
  'GET /api/payments/:id':                            'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/payments/:id':                            'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/promocode-redemptions':                   'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/promocode-redemptions':                  'D    D    D    D    D    D    D    D    D    D    D',
  'DELETE /api/promocode-redemptions/:id':            'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/promocode-redemptions/:id':               'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/promocode-redemptions/:id':               'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/promocodes':                              'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/promocodes':                             'D    D    D    D    D    D    A    D    D    D    D',
  'DELETE /api/promocodes/:id':                       'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/promocodes/:id':                          'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/promocodes/:id':                          'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/refunds':                                 'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/refunds':                                'D    D    D    D    D    D    D    D    D    D    D',
  'DELETE /api/refunds/:id':                          'D    D    D    D    D    D    D    D    D    D    D',
  'GET /api/refunds/:id':                             'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/refunds/:id':                             'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/resources':                               'A    A    A    A    D    A    A    D    D    D    D',
  'POST /api/resources':                              'D    D    D    D    D    D    A    D    D    D    D',
  'DELETE /api/resources/:id':                        'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/resources/:id':                           'A    A    A    A    D    A    A    D    D    D    D',
  'PUT /api/resources/:id':                           'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/tariffs':                                 'A    A    A    A    D    A    A    D    D    D    D',
  'POST /api/tariffs':                                'D    D    D    D    D    D    A    D    D    D    D',
  'DELETE /api/tariffs/:id':                          'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/tariffs/:id':                             'A    A    A    A    D    A    A    D    D    D    D',
  'PUT /api/tariffs/:id':                             'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/ticket-messages':                         'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/ticket-messages':                        'D    D    D    D    D    D    A    D    D    D    D',
  'DELETE /api/ticket-messages/:id':                  'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/ticket-messages/:id':                     'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/ticket-messages/:id':                     'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/tickets':                                 'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/tickets':                                'D    A    A    D    D    D    A    D    D    D    D',
  'DELETE /api/tickets/:id':                          'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/tickets/:id':                             'D    A    D    D    D    A    A    D    D    D    D',
  'PUT /api/tickets/:id':                             'D    D    D    D    D    D    A    D    D    D    D',
  // IP bans: API tokens manage them like any content type; the nginx export needs the find scope
  'GET /api/ip-bans':                                 'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/ip-bans':                                'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/ip-bans/:id':                             'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/ip-bans/:id':                             'D    D    D    D    D    D    A    D    D    D    D',
  'DELETE /api/ip-bans/:id':                          'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/ip-bans/nginx':                           'D    D    D    D    D    A    A    D    D    D    D',

  // users-permissions (docs/ROLES.md, members and Public beyond the content types)
  'GET /api/auth/:provider/callback':                 'D    D    D    D    D    D    A    D    D    D    D',
  'POST /api/auth/logout':                            'D    A    A    A    D    D    D    D    D    D    D',
  // A banned member may not sign in or act (utils/member-access.ts), so may not renew a session either: today 200.
  'POST /api/auth/refresh':                           'A    A    A    D    D    D    A    D    D    D    D',
  'GET /api/auth/sessions':                           'D    D    D    D    D    D    D    D    D    D    D',
  'DELETE /api/auth/sessions/:sessionId':             'D    D    D    D    D    D    D    D    D    D    D',
  'GET /api/connect/(.*)':                            'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/users':                                   'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/users':                                  'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/users-permissions/permissions':           'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/users-permissions/roles':                 'D    D    D    D    D    A    A    D    D    D    D',
  'POST /api/users-permissions/roles':                'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/users-permissions/roles/:id':             'D    D    D    D    D    A    A    D    D    D    D',
  'DELETE /api/users-permissions/roles/:role':        'D    D    D    D    D    D    A    D    D    D    D',
  'PUT /api/users-permissions/roles/:role':           'D    D    D    D    D    D    A    D    D    D    D',
  'DELETE /api/users/:id':                            'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/users/:id':                               'D    D    D    D    D    A    A    D    D    D    D',
  'PUT /api/users/:id':                               'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/users/count':                             'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/users/me':                                'D    A    A    A    D    D    D    D    D    D    D',

  // Strapi plugins' content-API routes: upload, i18n, e-mail, content-type builder
  'GET /api/content-type-builder/components':         'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/content-type-builder/components/:uid':    'D    D    D    D    D    D    H    D    D    D    D',
  'GET /api/content-type-builder/content-types':      'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/content-type-builder/content-types/:uid': 'D    D    D    D    D    D    A    D    D    D    D',
  // Full-access tokens pass every content-API permission (Strapi's design); the body has no recipient, so an
  // allowed caller gets a validation error. Today: 500 "Couldn't send email: No recipients defined".
  'GET /api/i18n/locales':                            'D    D    D    D    D    D    A    D    D    D    D',
  'POST /api/upload':                                 'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/upload/files':                            'D    D    D    D    D    A    A    D    D    D    D',
  'DELETE /api/upload/files/:id':                     'D    D    D    D    D    D    A    D    D    D    D',
  'GET /api/upload/files/:id':                        'D    D    D    D    D    A    A    D    D    D    D',
  'GET /api/upload/files/page':                       'D    D    D    D    D    D    A    D    D    D    D',

  // our plugins' admin routes (admin JWT and an RBAC action each) and the documentation
  'POST /booking-desk/bookings/:documentId/cancel':   'D    D    D    D    D    D    D    A    A    D    D',
  'POST /booking-desk/bookings/:documentId/confirm':  'D    D    D    D    D    D    D    A    A    D    D',
  'POST /booking-desk/bookings/:documentId/mark-paid': 'D    D    D    D    D    D    D    A    A    D    D',
  'POST /booking-desk/bookings/:documentId/reject':   'D    D    D    D    D    D    D    A    A    D    D',
  'POST /booking-desk/bookings/:documentId/reschedule': 'D    D    D    D    D    D    D    A    A    D    D',
  // Bookings calendar (docs/ADMIN.md, Bookings calendar): Support reads it; creating bookings is the Manager's
  'GET /booking-desk/calendar':                       'D    D    D    D    D    D    D    A    A    A    D',
  'GET /booking-desk/calendar/bookings/:documentId':  'D    D    D    D    D    D    D    A    A    A    D',
  'POST /booking-desk/bookings':                      'D    D    D    D    D    D    D    A    A    D    D',
  'POST /booking-desk/bookings/quote':                'D    D    D    D    D    D    D    A    A    D    D',
  // Member card (docs/ADMIN.md, Member card): Support reads, messages and writes notes; bans are the Manager's
  'GET /booking-desk/members':                       'D    D    D    D    D    D    D    A    A    A    D',
  'GET /booking-desk/members/:documentId':           'D    D    D    D    D    D    D    A    A    A    D',
  'POST /booking-desk/members/:documentId/ban':      'D    D    D    D    D    D    D    A    A    D    D',
  'POST /booking-desk/members/:documentId/message':  'D    D    D    D    D    D    D    A    A    A    D',
  'POST /booking-desk/members/:documentId/notes':    'D    D    D    D    D    D    D    A    A    A    D',
  'POST /booking-desk/members/:documentId/unban':    'D    D    D    D    D    D    D    A    A    D    D',
  'POST /booking-desk/bookings/:documentId/price':    'D    D    D    D    D    D    D    A    A    D    D',
  // Home-page figures (docs/ADMIN.md, Home page): any of calendar.read / inbox.read / revenue.read opens it
  'GET /booking-desk/home':                           'D    D    D    D    D    D    D    A    A    A    D',
  // Staff with content-manager update on outbox jobs (docs/ROLES.md)
  'POST /admin/outbox-jobs/:documentId/retry':        'D    D    D    D    D    D    D    A    A    D    D',
  // Support inbox (docs/ADMIN.md, Support inbox): inbox.read to read, inbox.reply to answer and change; Manager and Support
  'GET /booking-desk/tickets':                        'D    D    D    D    D    D    D    A    A    A    D',
  'GET /booking-desk/tickets/assignees':              'D    D    D    D    D    D    D    A    A    A    D',
  'GET /booking-desk/tickets/:documentId':            'D    D    D    D    D    D    D    A    A    A    D',
  'PATCH /booking-desk/tickets/:documentId':          'D    D    D    D    D    D    D    A    A    A    D',
  'POST /booking-desk/tickets/:documentId/reply':     'D    D    D    D    D    D    D    A    A    A    D',
  // Newsletters page (plugins/newsletter): Manager and Marketing (read / send / manage), not Support
  'GET /newsletter/newsletters':                      'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters':                     'D    D    D    D    D    D    D    A    A    D    A',
  'GET /newsletter/newsletters/:documentId':          'D    D    D    D    D    D    D    A    A    D    A',
  'PUT /newsletter/newsletters/:documentId':          'D    D    D    D    D    D    D    A    A    D    A',
  'DELETE /newsletter/newsletters/:documentId':       'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters/:documentId/media':   'D    D    D    D    D    D    D    A    A    D    A',
  'DELETE /newsletter/newsletters/:documentId/media/:fileId': 'D    D    D    D    D    D    D    H    H    D    H',
  'POST /newsletter/audience/preview':                'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters/:documentId/test':    'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters/:documentId/send':    'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters/:documentId/pause':   'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters/:documentId/resume':  'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters/:documentId/cancel':  'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/newsletters/:documentId/resend':  'D    D    D    D    D    D    D    A    A    D    A',
  'GET /newsletter/newsletters/:documentId/progress': 'D    D    D    D    D    D    D    A    A    D    A',
  'GET /newsletter/newsletters/:documentId/deliveries': 'D    D    D    D    D    D    D    A    A    D    A',
  'GET /newsletter/newsletters/:documentId/deliveries.csv': 'D    D    D    D    D    D    D    A    A    D    A',
  'GET /newsletter/settings':                         'D    D    D    D    D    D    D    A    A    D    A',
  'PUT /newsletter/settings/me':                      'D    D    D    D    D    D    D    A    A    D    A',
  'GET /newsletter/members':                          'D    D    D    D    D    D    D    A    A    D    A',
  'GET /newsletter/templates':                        'D    D    D    D    D    D    D    A    A    D    A',
  'POST /newsletter/templates':                       'D    D    D    D    D    D    D    A    A    D    A',
  'PUT /newsletter/templates/:documentId':            'D    D    D    D    D    D    D    A    A    D    A',
  'DELETE /newsletter/templates/:documentId':         'D    D    D    D    D    D    D    A    A    D    A',
  // Staff who may read IP bans in the content manager (docs/ROLES.md)
  'GET /admin/ip-bans/nginx':                         'D    D    D    D    D    D    D    A    A    A    D',
  'GET /documentation':                               'A    A    A    A    A    A    A    A    A    A    A',
  'GET /documentation/assets/:file':                  'A    A    A    A    A    A    A    A    A    A    A',
  'GET /documentation/openapi.json':                  'A    A    A    A    A    A    A    A    A    A    A',
  'GET /monitoring/health':                           'D    D    D    D    D    D    D    A    A    D    A',
  'POST /yookassa/payments/:documentId/refund':       'D    D    D    D    D    D    D    A    A    D    D',
};

const COLUMNS = 'anon mem  oth  ban  bot  ro   full sa   mgr  sup  mkt';

function parseRow(key: string, row: string): Record<Identity, Outcome> {
  const cells = row.trim().split(/\s+/);
  if (cells.length !== IDENTITIES.length || cells.some((cell) => !['A', 'D', 'H'].includes(cell))) {
    throw new Error(`Row "${key}" must have ${IDENTITIES.length} cells of A, D or H: "${row}"`);
  }
  return Object.fromEntries(IDENTITIES.map((identity, i) => [identity, cells[i] as Outcome])) as Record<Identity, Outcome>;
}

const outcomeOf = (status: number): Outcome | `${number}` => {
  if ((status >= 200 && status < 400) || [400, 409, 413, 415, 422].includes(status)) return 'A';
  if (status === 401 || status === 403) return 'D';
  if (status === 404) return 'H';
  return `${status}`;
};

// ---------------------------------------------------------------------------------------------------------------
// How each route is called: a path with its parameters filled in, a query, a minimal valid-ish body.

interface Call {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Replaces the identity's bearer (e.g. a fresh session of the same kind for logout). */
  bearer?: string | null;
}

interface RecipeContext {
  identity: Identity;
  /** The member whose documents the request targets: the caller for member and banned, else `member` (so `otherMember` reaches someone else's). */
  owner: MemberAccount;
  strapi: Core.Strapi;
  catalogue: Catalogue;
  /** A brand-new member of the caller's kind with its own token, for routes that end or change a session. */
  freshCaller(): Promise<MemberAccount | null>;
}

type Recipe = (c: RecipeContext) => Promise<Call> | Call;

const json = (path: string, body: unknown = {}): Call => ({ path, body });

/** Documents written straight through the Document Service, for the generic collection routes. */
const COLLECTION_DATA: Record<string, (c: RecipeContext) => Promise<{ documentId: string }>> = {
  bookings: (c) => c.catalogue.booking(c.owner),
  tickets: (c) => c.catalogue.ticket(c.owner),
  payments: (c) => c.catalogue.payment(c.owner),
  tariffs: (c) => c.strapi.documents('api::tariff.tariff').create({ data: { name: `T${nextNumber()}`, slug: `matrix-t-${process.pid}-${nextNumber()}`, billingUnit: 'hour', price: 1000, minUnits: 1, maxUnits: 2 } as never }),
  resources: (c) => c.strapi.documents('api::resource.resource').create({ data: { name: `R${nextNumber()}`, slug: `matrix-r-${process.pid}-${nextNumber()}`, kind: 'meeting_room', capacity: 2 } as never }),
  promocodes: (c) => c.strapi.documents('api::promocode.promocode').create({ data: { code: `MATRIX${process.pid}X${nextNumber()}`, kind: 'percent', value: 10 } as never }),
  'promocode-redemptions': (c) => asService(c.strapi, () => c.strapi.documents('api::promocode-redemption.promocode-redemption').create({ data: { amount: 1000 } as never })),
  refunds: (c) => asService(c.strapi, () => c.strapi.documents('api::refund.refund').create({ data: { idempotenceKey: `matrix-refund-${process.pid}-${nextNumber()}`, amount: 500 } as never })),
  'ticket-messages': async (c) => {
    const ticket = await c.catalogue.ticket(c.owner);
    return c.strapi.documents('api::ticket-message.ticket-message').create({ data: { ticket: ticket.documentId, authorType: 'member', authorMember: c.owner.documentId, body: 'Hello' } as never });
  },
  newsletters: (c) => draftNewsletter(c),
  'newsletter-deliveries': (c) =>
    asService(c.strapi, () =>
      c.strapi.documents('api::newsletter-delivery.newsletter-delivery').create({
        data: { deliveryKey: `matrix-delivery-${process.pid}-${nextNumber()}`, telegramId: '100200300', newsletterRef: 1, memberRef: c.owner.id, channel: 'telegram' } as never,
      }),
    ),
  // TEST-NET-3 addresses: a fixture ban must never cover the loopback address the tests come from.
  'ip-bans': (c) => c.strapi.documents('api::ip-ban.ip-ban' as 'api::tariff.tariff').create({ data: { address: `203.0.113.${nextNumber() % 250}`, reason: 'matrix', source: 'staff' } as never }),
  'outbox-jobs': (c) => asService(c.strapi, () => c.strapi.documents('api::outbox-job.outbox-job').create({ data: { kind: 'test.job', attempts: 8, state: 'dead' } as never })),
  'audit-logs': (c) => c.strapi.documents('api::audit-log.audit-log').create({ data: { actorType: 'system', action: 'test.action', at: new Date() } as never }),
};

/** Minimal create bodies of the generic collection routes (an allowed caller may get 201 or a 400 validation error). */
const COLLECTION_CREATE_BODY: Record<string, (c: RecipeContext) => unknown> = {
  bookings: (c) => ({ tariff: c.catalogue.tariff.documentId, startAt: c.catalogue.freeStart(), units: 1 }),
  tickets: () => ({ subject: 'Matrix ticket', body: 'Something is broken' }),
};

/** The generic routes of a collection, derived from its path: /api/<plural> and /api/<plural>/:id. */
function collectionRecipe(route: ServedRoute): Recipe | undefined {
  const match = /^\/api\/([a-z-]+)(\/:id)?$/.exec(route.path);
  if (!match || !(match[1] in COLLECTION_DATA)) return undefined;
  const plural = match[1];
  const withId = Boolean(match[2]);
  return async (c) => {
    if (!withId) {
      if (route.method !== 'POST') return { path: route.path };
      const memberBody = COLLECTION_CREATE_BODY[plural]?.(c);
      return json(route.path, memberBody && ['member', 'otherMember', 'bannedMember'].includes(c.identity) ? memberBody : { data: {} });
    }
    // Every call gets its own document, so a permitted delete or update cannot disturb another call.
    const doc = await COLLECTION_DATA[plural](c);
    return { path: `/api/${plural}/${doc.documentId}`, body: route.method === 'PUT' ? { data: {} } : undefined };
  };
}

const RECIPES: Record<string, Recipe> = {
  // --- our custom content-API routes (docs/API.md)
  'GET /api/availability': (c) => ({ path: '/api/availability', query: { tariff: c.catalogue.tariff.documentId, date: localDay(2) } }),
  'POST /api/bookings/quote': (c) => json('/api/bookings/quote', { tariff: c.catalogue.tariff.documentId, startAt: c.catalogue.freeStart(), units: 1 }),
  'GET /api/bookings/mine': () => ({ path: '/api/bookings/mine' }),
  'POST /api/bookings/:documentId/cancel': async (c) => json(`/api/bookings/${(await c.catalogue.booking(c.owner, 'confirmed')).documentId}/cancel`, {}),
  'POST /api/bookings/:documentId/pay': async (c) => json(`/api/bookings/${(await c.catalogue.booking(c.owner)).documentId}/pay`, {}),
  'POST /api/bookings/:documentId/reschedule': async (c) =>
    json(`/api/bookings/${(await c.catalogue.booking(c.owner, 'confirmed')).documentId}/reschedule`, { startAt: c.catalogue.freeStart() }),
  'POST /api/auth/telegram': (c) => json('/api/auth/telegram', { telegramId: c.owner.telegramId }),
  'POST /api/auth/telegram/bot-status': (c) => json('/api/auth/telegram/bot-status', { telegramId: c.owner.telegramId, blocked: false }),
  'PUT /api/profile': () => {
    const n = nextNumber();
    return { path: '/api/profile', body: { fullName: 'Анна Тестова', phone: '+7 900 123-45-67', email: `matrix-profile-${process.pid}-${n}@example.com`, consentTerms: true } };
  },
  'GET /api/tickets/mine': () => ({ path: '/api/tickets/mine' }),
  'GET /api/tickets/:id': async (c) => ({ path: `/api/tickets/${(await c.catalogue.ticket(c.owner)).documentId}` }),
  'POST /api/tickets/:documentId/messages': async (c) => json(`/api/tickets/${(await c.catalogue.ticket(c.owner)).documentId}/messages`, { body: 'A reply' }),
  'POST /api/yookassa/webhook': () => json('/api/yookassa/webhook', { type: 'notification', event: 'payment.succeeded', object: { id: 'matrix-unknown-payment', status: 'succeeded' } }),
  'GET /api/monitoring/health': () => ({ path: '/api/monitoring/health' }),
  'GET /api/ip-bans/nginx': () => ({ path: '/api/ip-bans/nginx' }),

  // --- users-permissions (its password routes for members are turned off: docs/ROLES.md)
  'GET /api/connect/(.*)': () => ({ path: '/api/connect/github' }),
  'GET /api/auth/:provider/callback': () => ({ path: '/api/auth/github/callback', query: { access_token: 'not-a-token' } }),
  'POST /api/auth/refresh': async (c) => {
    // A real refresh token of the caller's kind (anonymous and non-members hold one of a fresh member).
    const account = (await c.freshCaller()) ?? (await memberAccount(c.strapi));
    const refresh = await c.strapi.sessionManager('users-permissions').generateRefreshToken(String(account.id), undefined, { type: 'refresh' });
    return json('/api/auth/refresh', { refreshToken: refresh.token });
  },
  'POST /api/auth/logout': async (c) => {
    const fresh = await c.freshCaller();
    return { ...json('/api/auth/logout', {}), ...(fresh ? { bearer: fresh.token } : {}) };
  },
  'GET /api/auth/sessions': () => ({ path: '/api/auth/sessions' }),
  'DELETE /api/auth/sessions/:sessionId': async (c) => {
    const fresh = await c.freshCaller();
    return { path: '/api/auth/sessions/not-a-session', ...(fresh ? { bearer: fresh.token } : {}) };
  },
  'GET /api/users/count': () => ({ path: '/api/users/count' }),
  'GET /api/users': () => ({ path: '/api/users' }),
  'GET /api/users/me': () => ({ path: '/api/users/me' }),
  'GET /api/users/:id': (c) => ({ path: `/api/users/${c.owner.id}` }),
  'POST /api/users': () => {
    const n = nextNumber();
    return json('/api/users', { username: `matrix-user-${process.pid}-${n}`, email: `matrix-user-${process.pid}-${n}@example.com`, password: 'Passw0rd-1' });
  },
  'PUT /api/users/:id': async (c) => json(`/api/users/${(await memberAccount(c.strapi)).id}`, { fullName: 'Changed Name' }),
  'DELETE /api/users/:id': async (c) => ({ path: `/api/users/${(await memberAccount(c.strapi)).id}` }),
  'GET /api/users-permissions/roles': () => ({ path: '/api/users-permissions/roles' }),
  'GET /api/users-permissions/roles/:id': async (c) => ({ path: `/api/users-permissions/roles/${(await authenticatedRole(c.strapi)).id}` }),
  'POST /api/users-permissions/roles': () => json('/api/users-permissions/roles', { name: `Matrix ${nextNumber()}`, description: 'test', permissions: {} }),
  'PUT /api/users-permissions/roles/:role': async (c) => json(`/api/users-permissions/roles/${(await throwawayRole(c.strapi)).id}`, { name: `Matrix ${nextNumber()}`, description: 'changed', permissions: {} }),
  'DELETE /api/users-permissions/roles/:role': async (c) => ({ path: `/api/users-permissions/roles/${(await throwawayRole(c.strapi)).id}` }),
  'GET /api/users-permissions/permissions': () => ({ path: '/api/users-permissions/permissions' }),

  // --- upload, i18n, e-mail, content-type builder (their content-API routes)
  'POST /api/upload': () => json('/api/upload', {}),
  'GET /api/upload/files': () => ({ path: '/api/upload/files' }),
  'GET /api/upload/files/page': () => ({ path: '/api/upload/files/page' }),
  'GET /api/upload/files/:id': async (c) => ({ path: `/api/upload/files/${(await throwawayFile(c.strapi)).id}` }),
  'DELETE /api/upload/files/:id': async (c) => ({ path: `/api/upload/files/${(await throwawayFile(c.strapi)).id}` }),
  'GET /api/i18n/locales': () => ({ path: '/api/i18n/locales' }),
  // No recipient: an allowed caller gets a validation error and nothing is sent.
  'GET /api/content-type-builder/content-types': () => ({ path: '/api/content-type-builder/content-types' }),
  'GET /api/content-type-builder/content-types/:uid': () => ({ path: '/api/content-type-builder/content-types/api::tariff.tariff' }),
  'GET /api/content-type-builder/components': () => ({ path: '/api/content-type-builder/components' }),
  'GET /api/content-type-builder/components/:uid': () => ({ path: '/api/content-type-builder/components/default.nothing' }),

  // --- our plugins' admin routes (admin JWT + RBAC action)
  'POST /booking-desk/bookings/:documentId/confirm': async (c) => json(`/booking-desk/bookings/${(await c.catalogue.booking(c.owner, 'awaiting_confirmation')).documentId}/confirm`, {}),
  'POST /booking-desk/bookings/:documentId/reject': async (c) => json(`/booking-desk/bookings/${(await c.catalogue.booking(c.owner, 'awaiting_confirmation')).documentId}/reject`, { reason: 'No' }),
  'POST /booking-desk/bookings/:documentId/cancel': async (c) => json(`/booking-desk/bookings/${(await c.catalogue.booking(c.owner, 'confirmed')).documentId}/cancel`, { reason: 'Closed', refund: 'none' }),
  'POST /booking-desk/bookings/:documentId/mark-paid': async (c) => json(`/booking-desk/bookings/${(await c.catalogue.booking(c.owner)).documentId}/mark-paid`, {}),
  'POST /booking-desk/bookings/:documentId/reschedule': async (c) =>
    json(`/booking-desk/bookings/${(await c.catalogue.booking(c.owner, 'confirmed')).documentId}/reschedule`, { startAt: c.catalogue.freeStart() }),
  'GET /booking-desk/home': () => ({ path: '/booking-desk/home' }),
  'GET /booking-desk/tickets': () => ({ path: '/booking-desk/tickets', query: { state: 'open' } }),
  'GET /booking-desk/tickets/assignees': () => ({ path: '/booking-desk/tickets/assignees' }),
  'GET /booking-desk/tickets/:documentId': async (c) => ({ path: `/booking-desk/tickets/${(await c.catalogue.ticket(c.owner)).documentId}` }),
  'PATCH /booking-desk/tickets/:documentId': async (c) => json(`/booking-desk/tickets/${(await c.catalogue.ticket(c.owner)).documentId}`, { priority: 'high' }),
  'POST /booking-desk/tickets/:documentId/reply': async (c) => json(`/booking-desk/tickets/${(await c.catalogue.ticket(c.owner)).documentId}/reply`, { body: 'Matrix reply' }),
  'POST /yookassa/payments/:documentId/refund': async (c) => json(`/yookassa/payments/${(await c.catalogue.payment(c.owner)).documentId}/refund`, { amount: 100, reason: 'Matrix' }),
  // Bookings calendar: a staff booking for the owner at a free hour (an allowed caller may get 201, 409 or 422).
  'GET /booking-desk/calendar': () => ({ path: '/booking-desk/calendar', query: { from: localDay(2), to: localDay(3) } }),
  'GET /booking-desk/calendar/bookings/:documentId': async (c) => ({ path: `/booking-desk/calendar/bookings/${(await c.catalogue.booking(c.owner)).documentId}` }),
  'POST /booking-desk/bookings': (c) => json('/booking-desk/bookings', { member: c.owner.documentId, tariff: c.catalogue.tariff.documentId, startAt: c.catalogue.freeStart(), units: 1 }),
  'POST /booking-desk/bookings/quote': (c) => json('/booking-desk/bookings/quote', { member: c.owner.documentId, tariff: c.catalogue.tariff.documentId, startAt: c.catalogue.freeStart(), units: 1 }),
  // Member card: bans and messages go to a member of their own, so no other call meets a banned owner.
  'GET /booking-desk/members': () => ({ path: '/booking-desk/members', query: { q: 'Test', pageSize: '5' } }),
  'GET /booking-desk/members/:documentId': (c) => ({ path: `/booking-desk/members/${c.owner.documentId}` }),
  'POST /booking-desk/members/:documentId/ban': async (c) => json(`/booking-desk/members/${(await memberAccount(c.strapi)).documentId}/ban`, { reason: 'Matrix' }),
  'POST /booking-desk/members/:documentId/unban': async (c) => json(`/booking-desk/members/${(await memberAccount(c.strapi, { banned: true })).documentId}/unban`, { reason: 'Matrix' }),
  'POST /booking-desk/members/:documentId/message': async (c) => json(`/booking-desk/members/${(await memberAccount(c.strapi)).documentId}/message`, { text: 'Matrix' }),
  'POST /booking-desk/members/:documentId/notes': (c) => json(`/booking-desk/members/${c.owner.documentId}/notes`, { body: 'Matrix' }),
  'GET /monitoring/health': () => ({ path: '/monitoring/health' }),
  'GET /admin/ip-bans/nginx': () => ({ path: '/admin/ip-bans/nginx' }),
  'POST /booking-desk/bookings/:documentId/price': async (c) => json(`/booking-desk/bookings/${(await c.catalogue.booking(c.owner, 'awaiting_confirmation')).documentId}/price`, { priceTotal: 50000, reason: 'Matrix' }),
  'POST /admin/outbox-jobs/:documentId/retry': async (c) => json(`/admin/outbox-jobs/${(await COLLECTION_DATA['outbox-jobs'](c)).documentId}/retry`, {}),
  // Newsletters page: each call gets a draft of its own (Telegram is not configured here, so nothing is sent:
  // send and test answer 422 to an allowed caller, pause / resume / cancel / resend 409).
  'GET /newsletter/newsletters': () => ({ path: '/newsletter/newsletters' }),
  'POST /newsletter/newsletters': () => json('/newsletter/newsletters', { title: 'Matrix', channels: ['telegram'], body: 'Hello, members', audience: { segment: 'all', params: {} } }),
  'GET /newsletter/newsletters/:documentId': async (c) => ({ path: `/newsletter/newsletters/${(await draftNewsletter(c)).documentId}` }),
  'PUT /newsletter/newsletters/:documentId': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}`, { title: 'Matrix, edited' }),
  'DELETE /newsletter/newsletters/:documentId': async (c) => ({ path: `/newsletter/newsletters/${(await draftNewsletter(c)).documentId}` }),
  'POST /newsletter/newsletters/:documentId/media': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/media`, {}),
  'DELETE /newsletter/newsletters/:documentId/media/:fileId': async (c) => ({ path: `/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/media/999999` }),
  'POST /newsletter/audience/preview': () => json('/newsletter/audience/preview', { audience: { segment: 'all', params: {} } }),
  'POST /newsletter/newsletters/:documentId/test': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/test`, { telegramId: '100200300' }),
  'POST /newsletter/newsletters/:documentId/send': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/send`, {}),
  'POST /newsletter/newsletters/:documentId/pause': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/pause`, {}),
  'POST /newsletter/newsletters/:documentId/resume': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/resume`, {}),
  'POST /newsletter/newsletters/:documentId/cancel': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/cancel`, {}),
  'POST /newsletter/newsletters/:documentId/resend': async (c) => json(`/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/resend`, {}),
  'GET /newsletter/newsletters/:documentId/progress': async (c) => ({ path: `/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/progress` }),
  'GET /newsletter/newsletters/:documentId/deliveries': async (c) => ({ path: `/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/deliveries` }),
  'GET /newsletter/newsletters/:documentId/deliveries.csv': async (c) => ({ path: `/newsletter/newsletters/${(await draftNewsletter(c)).documentId}/deliveries.csv` }),
  'GET /newsletter/settings': () => ({ path: '/newsletter/settings' }),
  'PUT /newsletter/settings/me': () => json('/newsletter/settings/me', { telegramId: '100200300' }),
  'GET /newsletter/members': () => ({ path: '/newsletter/members', query: { q: 'Test' } }),
  'GET /newsletter/templates': () => ({ path: '/newsletter/templates' }),
  'POST /newsletter/templates': () => json('/newsletter/templates', { name: 'Matrix', subject: 'Hello', html: '<p>Hello, {{firstName}}</p>' }),
  'PUT /newsletter/templates/:documentId': async (c) => json(`/newsletter/templates/${(await newsletterTemplate(c)).documentId}`, { name: 'Matrix, edited' }),
  'DELETE /newsletter/templates/:documentId': async (c) => ({ path: `/newsletter/templates/${(await newsletterTemplate(c)).documentId}` }),
  'GET /api/newsletter/o/:token': () => ({ path: '/api/newsletter/o/not-a-token' }),
  'GET /api/newsletter/c/:token': () => ({ path: '/api/newsletter/c/not-a-token', query: { l: '1' } }),
  'GET /api/newsletter/u/:token': () => ({ path: '/api/newsletter/u/not-a-token' }),
  'POST /api/newsletter/u/:token': () => ({ path: '/api/newsletter/u/not-a-token', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
  'GET /documentation': () => ({ path: '/documentation' }),
  'GET /documentation/openapi.json': () => ({ path: '/documentation/openapi.json' }),
  'GET /documentation/assets/:file': () => ({ path: '/documentation/assets/swagger-ui.css' }),
};

/** A draft newsletter to all members, written as the Newsletters page would (its fields are refused to other writers). */
function draftNewsletter(c: RecipeContext): Promise<{ documentId: string }> {
  return asService(c.strapi, () =>
    c.strapi.documents('api::newsletter.newsletter').create({
      data: { title: 'Matrix', body: 'Hello, members', channels: ['telegram'], segment: 'all', segmentParams: {}, state: 'draft' } as never,
    }),
  );
}
const newsletterTemplate = (c: RecipeContext) =>
  c.strapi.documents('api::newsletter-template.newsletter-template').create({ data: { name: `Matrix ${nextNumber()}`, html: '<p>Hello</p>' } as never });
const authenticatedRole = (strapi: Core.Strapi) => strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
const throwawayRole = (strapi: Core.Strapi) =>
  strapi.db.query('plugin::users-permissions.role').create({ data: { name: `Throwaway ${process.pid} ${nextNumber()}`, type: `throwaway-${process.pid}-${nextNumber()}`, description: 'matrix' } });
const throwawayFile = (strapi: Core.Strapi) =>
  strapi.db.query('plugin::upload.file').create({
    data: { name: 'matrix.png', hash: `matrix_${process.pid}_${nextNumber()}`, ext: '.png', mime: 'image/png', size: 1, url: '/uploads/matrix.png', provider: 'local', folderPath: '/' },
  });

const recipeOf = (route: ServedRoute): Recipe | undefined => RECIPES[route.key] ?? collectionRecipe(route);

// ---------------------------------------------------------------------------------------------------------------

describe('authorisation matrix: every served route × every identity', () => {
  let app: TestApp;
  let yookassa: YooKassaStandIn;
  let ids: Identities;
  let catalogue: Catalogue;
  let routes: ServedRoute[];
  const dump: string[] = [];

  beforeAll(async () => {
    yookassa = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret', autoWebhooks: false });
    app = await startStrapi({
      ...routeSuiteEnv(yookassa.url, SPACE_TIMEZONE),
      // About 1 100 requests from one address and a few members in a minute: the limits are raised, not
      // turned off, so the limiter still runs on every route it guards (users-permissions' own /api/auth/*
      // limiter has no such knob and is off).
      RATE_LIMIT_SIGN_IN: '100000/60',
      RATE_LIMIT_MEMBER: '100000/60',
      RATE_LIMIT_BOOKING_QUOTE: '100000/60',
      RATE_LIMIT_BOOKING_CREATE: '100000/60',
      RATE_LIMIT_TICKET_CREATE: '100000/60',
      RATE_LIMIT_TICKET_REPLY: '100000/60',
      RATE_LIMIT_UPLOAD: '100000/60',
      RATE_LIMIT_PAYMENT_WEBHOOK: '100000/60',
      AUTH_RATELIMIT_ENABLED: 'false',
    });
    await listen(app.strapi);
    ids = await createIdentities(app.strapi);
    catalogue = await createCatalogue(app.strapi);
    routes = matrixRoutes(app.strapi);
  });

  afterAll(async () => {
    if (process.env.SECURITY_MATRIX_DUMP) {
      // eslint-disable-next-line no-console
      console.log(`  //${' '.repeat(52)}${COLUMNS}\n${dump.sort().join('\n')}`);
    }
    await app?.stop();
    await yookassa?.close();
  });

  it('the table has a row for every served route, and every row names a served route', () => {
    const served = routes.map((route) => route.key);
    expect({ servedWithoutRow: served.filter((key) => !(key in EXPECTATIONS)), rowsNotServed: Object.keys(EXPECTATIONS).filter((key) => !served.includes(key)) }).toEqual({
      servedWithoutRow: [],
      rowsNotServed: [],
    });
  });

  it('every served route has a way to be called (a recipe or a generic collection route)', () => {
    expect(routes.filter((route) => !recipeOf(route)).map((route) => route.key)).toEqual([]);
  });

  /** Calls `route` as every identity; returns the row the server answers and the cells that differ from `expected`. */
  async function walk(route: ServedRoute, recipe: Recipe, expected: Record<Identity, Outcome> | null) {
    const actual: Record<string, string> = {};
    const problems: string[] = [];
    for (const identity of IDENTITIES) {
      const owner = identity === 'bannedMember' ? ids.accounts.bannedMember : ids.accounts.member;
      const call = await recipe({
        identity,
        owner,
        strapi: app.strapi,
        catalogue,
        freshCaller: async () =>
          identity === 'member' || identity === 'otherMember' ? memberAccount(app.strapi) : identity === 'bannedMember' ? memberAccount(app.strapi, { banned: true }) : null,
      });
      const res = await send(app.strapi, route.method, call, call.bearer === undefined ? ids.bearer[identity] : call.bearer);
      const outcome = outcomeOf(res.status);
      actual[identity] = outcome.length === 1 ? outcome : `${outcome}!`;
      if (outcome !== expected?.[identity]) {
        problems.push(`${identity}: expected ${expected?.[identity] ?? '(no row)'}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
      }
    }
    dump.push(`  '${route.key}':${' '.repeat(Math.max(1, 50 - route.key.length))}'${IDENTITIES.map((identity) => actual[identity].padEnd(4)).join(' ').trimEnd()}',`);
    return problems;
  }

  // The route list comes from the server, which boots in beforeAll; the table's keys name the tests.
  it.each(Object.keys(EXPECTATIONS).sort())('%s', async (key) => {
    const route = routes.find((candidate) => candidate.key === key);
    const recipe = route && recipeOf(route);
    if (!route || !recipe) return; // reported by the two tests above
    expect(await walk(route, recipe, parseRow(key, EXPECTATIONS[key]))).toEqual([]);
  });

  // With SECURITY_MATRIX_DUMP=1, the routes without a row are called too, so the printed rows cover every served route.
  (process.env.SECURITY_MATRIX_DUMP ? it : it.skip)('(dump) the served routes without a row', async () => {
    for (const route of routes.filter((candidate) => !(candidate.key in EXPECTATIONS))) {
      const recipe = recipeOf(route);
      if (recipe) await walk(route, recipe, null);
    }
  });
});

async function send(strapi: Core.Strapi, method: string, call: Call, bearer: string | null | undefined) {
  const agent = request(strapi.server.httpServer);
  let req = method === 'GET' ? agent.get(call.path) : method === 'POST' ? agent.post(call.path) : method === 'PUT' ? agent.put(call.path) : method === 'DELETE' ? agent.delete(call.path) : agent.patch(call.path);
  if (call.query) req = req.query(call.query);
  if (bearer) req = req.set('Authorization', `Bearer ${bearer}`);
  for (const [name, value] of Object.entries(call.headers ?? {})) req = req.set(name, value);
  return call.body === undefined ? req : req.send(call.body as object);
}
