import type { Core } from '@strapi/strapi';

const ROLE_UID = 'plugin::users-permissions.role';
const PERMISSION_UID = 'plugin::users-permissions.permission';

// Both roles read the catalogue; the route middlewares narrow it to active (and public) entries.
const CATALOGUE = [
  'api::tariff.tariff.find',
  'api::tariff.tariff.findOne',
  'api::resource.resource.find',
  'api::resource.resource.findOne',
] as const;

/**
 * The complete content-API permission set of each users-permissions role. Anything else found on these
 * roles (enabled by hand in the admin panel, or one of Strapi's defaults) is removed at boot.
 * Members work on their own data only; later member endpoints bring their own ownership policies.
 */
const MEMBER_ACCESS = {
  public: [
    ...CATALOGUE,
    // POST /api/auth/refresh: renews a member session with its refresh token (the access token may have expired).
    // Members sign in through POST /api/auth/telegram only and have no password: local login, sign-up, password
    // recovery and e-mail confirmation are not served at all (src/extensions/users-permissions).
    'plugin::users-permissions.auth.refresh',
  ],
  authenticated: [
    ...CATALOGUE,
    'plugin::users-permissions.user.me',
    'api::member.member.updateProfile', // PUT /api/profile, always the caller's own account
    'api::booking.booking.quote', // POST /api/bookings/quote, reads only
    'api::booking.booking.create', // POST /api/bookings: the member booking endpoint, not the generic create
    // GET /api/bookings/mine, POST /api/bookings/:documentId/{cancel,reschedule}: own bookings only (the
    // lifecycle service refuses another member's booking with 403).
    'api::booking.booking.mine',
    'api::booking.booking.cancel',
    'api::booking.booking.reschedule',
    'api::booking.booking.pay', // POST /api/bookings/:documentId/pay: a payment link for the member's own booking
    // Support tickets, own only. `create` and `findOne` are the core routes POST /api/tickets and
    // GET /api/tickets/:documentId, whose controller answers a member with the member endpoints (the ticket is
    // the caller's, another member's is 403), never Strapi's generic create / findOne; GET /api/tickets/mine
    // and POST /api/tickets/:documentId/messages are custom routes. find, update and delete stay closed.
    'api::ticket.ticket.create',
    'api::ticket.ticket.findOne',
    'api::ticket.ticket.mine',
    'api::ticket.ticket.reply',
    // A client may still hold a valid access token when it renews it.
    'plugin::users-permissions.auth.refresh',
    'plugin::users-permissions.auth.logout',
  ],
} as const satisfies Record<string, readonly string[]>;

interface PermissionRow {
  id: number;
  action: string;
}

/**
 * Converges the Public and Authenticated roles to MEMBER_ACCESS, turns local sign-up off and creates the indexes
 * member identity relies on (ensureMemberIndexes).
 */
export async function configureMemberAccess(strapi: Core.Strapi): Promise<void> {
  const knownActions = new Set<string>(strapi.contentAPI.permissions.providers.action.keys());

  for (const [type, actions] of Object.entries(MEMBER_ACCESS)) {
    // A renamed or removed route must fail the boot, not silently drop a permission.
    const unknown = actions.filter((action) => !knownActions.has(action));
    if (unknown.length > 0) throw new Error(`Unknown content-API actions for the ${type} role: ${unknown.join(', ')}`);

    const role = await strapi.db.query(ROLE_UID).findOne({ where: { type } });
    if (!role) throw new Error(`The users-permissions ${type} role is missing.`);

    const wanted = new Set<string>(actions);
    const current: PermissionRow[] = await strapi.db.query(PERMISSION_UID).findMany({ where: { role: role.id } });
    const kept = new Set<string>();
    // Everything not wanted goes, and so do duplicate rows of a wanted action.
    const stale = current.filter((row) => {
      if (!wanted.has(row.action) || kept.has(row.action)) return true;
      kept.add(row.action);
      return false;
    });
    if (stale.length > 0) {
      await strapi.db.query(PERMISSION_UID).deleteMany({ where: { id: { $in: stale.map((row) => row.id) } } });
    }
    for (const action of actions) {
      if (!kept.has(action)) await strapi.db.query(PERMISSION_UID).create({ data: { action, role: role.id } });
    }
  }

  // Members sign up through Telegram only; the register route also checks this flag.
  const store = strapi.store({ type: 'plugin', name: 'users-permissions' });
  const advanced = ((await store.get({ key: 'advanced' })) ?? {}) as Record<string, unknown>;
  if (advanced.allow_register !== false) await store.set({ key: 'advanced', value: { ...advanced, allow_register: false } });

  await ensureMemberIndexes(strapi);
}

export const MEMBER_EMAIL_INDEX = 'up_users_email_lower_uq';
export const SESSION_ID_INDEX = 'strapi_sessions_session_id_idx';

/**
 * - A member e-mail is unique, compared case-insensitively (receipts are keyed on it): the database refuses a
 *   duplicate even when two profile saves race. Rows without an e-mail are left out. A database that already
 *   holds duplicates cannot take the index: the boot goes on with a warning (the profile endpoint still refuses
 *   new duplicates, without the race guarantee) until staff resolve them.
 * - Every member request looks its session up by id (src/extensions/users-permissions): Strapi's sessions table
 *   has no index on it.
 */
export async function ensureMemberIndexes(strapi: Core.Strapi): Promise<void> {
  const knex = strapi.db.connection;
  await knex.raw(`CREATE INDEX IF NOT EXISTS "${SESSION_ID_INDEX}" ON "strapi_sessions" ("session_id")`);
  try {
    await knex.raw(
      `CREATE UNIQUE INDEX IF NOT EXISTS "${MEMBER_EMAIL_INDEX}" ON "up_users" (lower("email")) WHERE "email" IS NOT NULL AND "email" <> ''`,
    );
  } catch (error) {
    const duplicates = await knex('up_users')
      .whereNotNull('email')
      .andWhere('email', '<>', '')
      .groupByRaw('lower(email)')
      .havingRaw('count(*) > 1')
      .select(knex.raw('lower(email) as email'));
    if (duplicates.length === 0) throw error;
    strapi.log.warn(
      `${duplicates.length} e-mail address(es) are shared by several members, so the unique e-mail index ${MEMBER_EMAIL_INDEX} ` +
        'was not created. Give each of those members their own e-mail in the admin panel; the index is created at the next start.',
    );
  }
}
