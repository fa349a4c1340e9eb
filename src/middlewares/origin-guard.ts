import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Context, Next } from 'koa';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Same origin: the Origin names the host the request was sent to (the scheme may differ behind a TLS proxy). */
function isSameOrigin(origin: string, ctx: Context): boolean {
  try {
    return new URL(origin).host === ctx.host;
  } catch {
    return false; // `null` (sandboxed frames, file: pages) and garbage
  }
}

/**
 * Refuses a state-changing request that a browser sent from a foreign page: its Origin header is present and is
 * neither this server's own origin nor one of config/cors.ts. CORS only keeps a foreign page from reading the answer;
 * this keeps the request from happening, e.g. a cross-site POST /admin/access-token riding on the admin refresh
 * cookie. Clients that are not browsers (the bot, webhooks, curl) send no Origin and pass.
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const allowed = new Set(strapi.config.get<string[]>('cors.origins', []));
  return async (ctx: Context, next: Next) => {
    const origin = ctx.get('Origin');
    if (origin && !SAFE_METHODS.has(ctx.method) && !allowed.has(origin) && !isSameOrigin(origin, ctx)) {
      throw new errors.ForbiddenError('Cross-origin request refused: this origin is not allowed');
    }
    await next();
  };
};
