/**
 * Member sessions (docs/API.md, Authentication). users-permissions runs with jwtManagement 'refresh': every sign-in
 * opens a session in Strapi's session manager and gets a short-lived access token plus a refresh token. This
 * extension makes the plugin keep the promises the API documents:
 *
 * - an access token works only while its session is open: logout revokes the session, so the access token stops
 *   at once rather than at its expiry, and a refresh retires the access tokens issued before it;
 * - refresh and logout never set a cookie (members' clients are bearer clients): the plugin's refresh cookie is
 *   Secure in production, which Koa refuses to send over plain HTTP (logout answered 500 behind no proxy);
 * - a banned or blocked member cannot renew a session, and the attempt closes it;
 * - the password routes are not served: members sign in through Telegram and have no password, and no caller
 *   (an API token included) may make the server send recovery or confirmation mail.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { assertMemberNotBlocked } from '../../utils/member-access';

const ORIGIN = 'users-permissions';
const SESSION_UID = 'admin::session';
const USER_UID = 'plugin::users-permissions.user';

type Factory<T> = (deps: { strapi: Core.Strapi }) => T;

interface JwtService {
  verify(token: string): Promise<{ id?: number; sessionId?: string }>;
}

interface AuthController {
  refresh(ctx: Context): Promise<unknown>;
  logout(ctx: Context): Promise<unknown>;
}

interface Route {
  method: string;
  path: string;
}

interface UsersPermissionsServer {
  services: { jwt: Factory<JwtService> };
  controllers: { auth: Factory<AuthController> };
  routes: { 'content-api': { routes: Route[] } };
}

/** Local login, sign-up, password recovery and change, e-mail confirmation: not served, for anyone. */
const PASSWORD_ROUTES = new Set([
  'POST /auth/local',
  'POST /auth/local/register',
  'POST /auth/forgot-password',
  'POST /auth/reset-password',
  'POST /auth/change-password',
  'GET /auth/email-confirmation',
  'POST /auth/send-email-confirmation',
]);

interface SessionRow {
  status: string | null;
  expiresAt: string | Date;
  absoluteExpiresAt: string | Date | null;
}

const refreshMode = (strapi: Core.Strapi) => strapi.config.get('plugin::users-permissions.jwtManagement') === 'refresh';

/** Open: neither revoked (deleted), nor rotated by a refresh, nor past its idle or absolute expiry. */
async function sessionIsOpen(strapi: Core.Strapi, sessionId: string): Promise<boolean> {
  const session = (await strapi.db.query(SESSION_UID).findOne({
    where: { sessionId, origin: ORIGIN },
    select: ['status', 'expiresAt', 'absoluteExpiresAt'],
  })) as SessionRow | null;
  if (!session || session.status !== 'active') return false;
  const now = Date.now();
  if (new Date(session.expiresAt).getTime() <= now) return false;
  return session.absoluteExpiresAt === null || new Date(session.absoluteExpiresAt).getTime() > now;
}

/**
 * The plugin sets an httpOnly refresh cookie when the config or this header asks for one; the config does not
 * (config/plugins.ts), and the header is ignored, so refresh tokens travel in JSON bodies only.
 */
const withoutRefreshCookie = (ctx: Context) => {
  delete ctx.request.header['x-strapi-refresh-cookie'];
};

export default (plugin: UsersPermissionsServer): UsersPermissionsServer => {
  const contentApi = plugin.routes['content-api'];
  contentApi.routes = contentApi.routes.filter((route) => !PASSWORD_ROUTES.has(`${route.method} ${route.path}`));

  const createJwtService = plugin.services.jwt;
  plugin.services.jwt = ({ strapi }) => {
    const service = createJwtService({ strapi });
    const verify = service.verify.bind(service);
    // The strategy calls `this.verify`, so the service object itself is patched.
    service.verify = async (token: string) => {
      const payload = await verify(token);
      if (refreshMode(strapi) && (!payload.sessionId || !(await sessionIsOpen(strapi, payload.sessionId)))) {
        throw new Error('Invalid token.');
      }
      return payload;
    };
    return service;
  };

  const createAuthController = plugin.controllers.auth;
  plugin.controllers.auth = ({ strapi }) => {
    const auth = createAuthController({ strapi });
    return {
      ...auth,

      /** POST /api/auth/refresh `{ refreshToken }` → `{ jwt, refreshToken }`; the old refresh token stops working. */
      async refresh(ctx: Context) {
        withoutRefreshCookie(ctx);
        const refreshToken = ((ctx.request as unknown as { body?: { refreshToken?: unknown } }).body ?? {}).refreshToken;
        if (typeof refreshToken === 'string') {
          const sessions = strapi.sessionManager(ORIGIN);
          const session = await sessions.validateRefreshToken(refreshToken);
          if (session.isValid) {
            const member = (await strapi.db.query(USER_UID).findOne({
              where: { id: Number(session.userId) },
              select: ['isBanned', 'blocked'],
            })) as { isBanned: boolean; blocked: boolean | null } | null;
            if (member && (member.isBanned || member.blocked)) {
              await sessions.revokeSessionById(session.userId, session.sessionId);
              assertMemberNotBlocked(member);
            }
          }
        }
        return auth.refresh(ctx);
      },

      /**
       * POST /api/auth/logout with the access token: revokes the session of `{ refreshToken }` if given, otherwise
       * the access token's (`{ scope: "all" }`: every session of the member), and always the access token's own.
       */
      async logout(ctx: Context) {
        withoutRefreshCookie(ctx);
        const result = await auth.logout(ctx);
        const user = ctx.state.user as { id: number } | undefined;
        const sessionId = (ctx.state as { session?: { id?: string } }).session?.id;
        if (user && sessionId) await strapi.sessionManager(ORIGIN).revokeSessionById(String(user.id), sessionId);
        return result;
      },
    };
  };

  return plugin;
};
