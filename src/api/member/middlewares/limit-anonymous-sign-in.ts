import type { Context, Next } from 'koa';
import { createFixedWindowLimiter } from '../../../utils/fixed-window-limiter';
import { bearerToken } from '../../../utils/member-access';
import { isBotServiceCredential } from '../services/identity';

/**
 * Limits sign-in attempts per client address on POST /api/auth/telegram, except the bot's own calls: the
 * bot signs in every member from one address, while guessing credentials or replaying initData comes from
 * anonymous clients. Limit: AUTH_TELEGRAM_RATE_LIMIT per minute (default 30).
 */
export default (_config: unknown) => {
  const limiter = createFixedWindowLimiter({ max: Number(process.env.AUTH_TELEGRAM_RATE_LIMIT ?? 30), windowMs: 60_000 });

  return async (ctx: Context, next: Next) => {
    if (isBotServiceCredential(bearerToken(ctx))) return next();
    const decision = limiter.hit(ctx.request.ip);
    ctx.set('X-RateLimit-Remaining', String(decision.remaining));
    if (!decision.allowed) {
      ctx.set('Retry-After', String(decision.retryAfterSeconds));
      ctx.status = 429;
      ctx.body = {
        data: null,
        error: { status: 429, name: 'RateLimitError', message: 'Too many sign-in attempts. Try again in a minute.', details: {} },
      };
      return;
    }
    return next();
  };
};
