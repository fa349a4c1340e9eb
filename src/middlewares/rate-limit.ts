import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { clientAddress } from '../utils/client-address';
import { rateLimits, reportAbuse, sendRateLimited, waitText, type RateLimitRuleName } from '../utils/rate-limit';

/**
 * Route middleware `global::rate-limit`: takes one point of `rule` per request, keyed by the signed-in member
 * (`by: 'member'`, the default; other callers, such as API tokens, fall back to their address) or by the client
 * address (`by: 'ip'`). A route may carry several (e.g. `member` and `bookingCreate`); each is counted.
 *
 *   config: { middlewares: [{ name: 'global::rate-limit', config: { rule: 'bookingCreate' } }] }
 */
export interface RateLimitMiddlewareConfig {
  rule: RateLimitRuleName;
  /** `staff`: the signed-in admin user (admin routes of our plugins), else the address. */
  by?: 'member' | 'ip' | 'staff';
  /** What was refused, for the 429 message ("Too many price quotes"); the wait is appended. */
  refused?: string;
}

const ADDRESS_PREFIX = 'ip:';

export const clientKey = (ctx: Context, by: 'member' | 'ip' | 'staff' = 'member'): string => {
  const user = ctx.state.user as { id?: number } | undefined;
  if (by === 'staff' && ctx.state.auth?.strategy?.name === 'admin' && user?.id !== undefined) return `staff:${user.id}`;
  const isMember = ctx.state.auth?.strategy?.name === 'users-permissions';
  if (by === 'member' && isMember && user?.id !== undefined) return `member:${user.id}`;
  return `${ADDRESS_PREFIX}${clientAddress(ctx)}`;
};

export default (config: RateLimitMiddlewareConfig, { strapi }: { strapi: Core.Strapi }) => {
  if (!config?.rule) throw new Error('global::rate-limit needs config.rule');
  if (!strapi.config.get(`rate-limits.rules.${config.rule}`)) throw new Error(`global::rate-limit: unknown rule "${config.rule}"`);
  // Made at boot, so a Redis store is connected before the first request.
  const limits = rateLimits(strapi);
  return async (ctx: Context, next: Next) => {
    const key = clientKey(ctx, config.by);
    const decision = await limits.consume(config.rule, key);
    if (!decision.allowed) {
      // Only address-keyed refusals count towards an address ban: members' requests through the bot all come
      // from the bot's address, and one member's flood must not ban it.
      if (key.startsWith(ADDRESS_PREFIX)) await reportAbuse(strapi, key.slice(ADDRESS_PREFIX.length), 'rate_limit');
      return sendRateLimited(ctx, decision, `${config.refused ?? 'Too many requests'}. Try again in ${waitText(decision.retryAfterSeconds)}.`, {
        rule: config.rule,
      });
    }
    ctx.set('X-RateLimit-Remaining', String(decision.remaining));
    return next();
  };
};

/** A route's middleware entry for `rule`: `config: { middlewares: [rateLimit('member'), rateLimit('bookingQuote', …)] }`. */
export const rateLimit = (rule: RateLimitRuleName, options: Omit<RateLimitMiddlewareConfig, 'rule'> = {}) => ({
  name: 'global::rate-limit',
  config: { rule, ...options },
});
