import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { isBotServiceCredential } from '../api/member/services/identity';
import { bearerToken } from '../utils/member-access';
import { rateLimits, sendRateLimited, type RateLimitRuleName } from '../utils/rate-limit';

/**
 * Route middleware `global::rate-limit`: takes one point of `rule` per request, keyed by the signed-in member
 * (`by: 'member'`, the default; anonymous callers fall back to their address) or by the client address
 * (`by: 'ip'`). `exemptBot` lets the bot's service credential through (it speaks for every member from one address).
 *
 *   config: { middlewares: [{ name: 'global::rate-limit', config: { rule: 'bookingCreate' } }] }
 */
export interface RateLimitMiddlewareConfig {
  rule: RateLimitRuleName;
  by?: 'member' | 'ip';
  exemptBot?: boolean;
  message?: string;
}

export const clientKey = (ctx: Context, by: 'member' | 'ip' = 'member'): string => {
  const user = ctx.state.user as { id?: number } | undefined;
  const isMember = ctx.state.auth?.strategy?.name === 'users-permissions';
  if (by === 'member' && isMember && user?.id !== undefined) return `member:${user.id}`;
  return `ip:${ctx.request.ip}`;
};

export default (config: RateLimitMiddlewareConfig, { strapi }: { strapi: Core.Strapi }) => {
  if (!config?.rule) throw new Error('global::rate-limit needs config.rule');
  return async (ctx: Context, next: Next) => {
    if (config.exemptBot && isBotServiceCredential(bearerToken(ctx))) return next();
    const decision = await rateLimits(strapi).consume(config.rule, clientKey(ctx, config.by));
    if (!decision.allowed) {
      return sendRateLimited(ctx, decision, config.message ?? `Too many requests. Try again in ${decision.retryAfterSeconds} s.`, {
        rule: config.rule,
      });
    }
    ctx.set('X-RateLimit-Remaining', String(decision.remaining));
    return next();
  };
};
