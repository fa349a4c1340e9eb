/**
 * Global middleware `global::ip-ban`, right after strapi::errors (config/middlewares.ts): a request from a banned
 * address or range (api::ip-ban.ip-ban) is refused with 403 before routing, authentication or body parsing.
 * The check is an in-memory BlockList (src/api/ip-ban/ban-list.ts), reloaded at most every IP_BAN_REFRESH_SECONDS:
 * no database query per request. The client address honours TRUSTED_PROXIES (src/utils/client-address.ts).
 */
import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { banList } from '../api/ip-ban/ban-list';
import { untilText } from '../api/ip-ban/rules';
import { clientAddress, trustedProxies } from '../utils/client-address';

export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  // Made at boot, so a malformed TRUSTED_PROXIES or IP_BAN_* setting stops the start with its name.
  const bans = banList(strapi);
  trustedProxies();

  return async (ctx: Context, next: Next) => {
    const address = clientAddress(ctx);
    // Kept for code that cannot import src/utils (our plugins are compiled on their own): audit entries' ip.
    ctx.state.clientAddress = address;
    const ban = await bans.match(address);
    if (!ban) return next();
    // Neither the reason nor the range is told: only that this address is blocked, and until when.
    ctx.status = 403;
    ctx.body = {
      data: null,
      error: {
        status: 403,
        name: 'ForbiddenError',
        message: `Requests from your address (${address}) are blocked ${untilText(ban.expiresAt)}. If you think this is a mistake, contact the coworking staff.`,
        details: { blockedUntil: ban.expiresAt === null ? null : ban.expiresAt.toISOString() },
      },
    };
  };
};
