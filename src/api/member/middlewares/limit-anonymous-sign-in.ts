import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { clientAddress } from '../../../utils/client-address';
import { rateLimits, reportAbuse, sendRateLimited, waitText } from '../../../utils/rate-limit';
import { bearerToken } from '../../../utils/member-access';
import { isBotServiceCredential } from '../services/identity';

/**
 * Limits sign-in attempts per client address on POST /api/auth/telegram, except the bot's own calls: the
 * bot signs in every member from one address, while guessing credentials or replaying initData comes from
 * anonymous clients. Rule `signIn` of config/rate-limits.ts (default 30 per minute).
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  return async (ctx: Context, next: Next) => {
    if (isBotServiceCredential(bearerToken(ctx))) return next();
    const address = clientAddress(ctx);
    const decision = await rateLimits(strapi).consume('signIn', `ip:${address}`);
    if (!decision.allowed) {
      await reportAbuse(strapi, address, 'rate_limit');
      return sendRateLimited(ctx, decision, `Too many sign-in attempts. Try again in ${waitText(decision.retryAfterSeconds)}.`, { rule: 'signIn' });
    }
    ctx.set('X-RateLimit-Remaining', String(decision.remaining));
    return next();
  };
};
