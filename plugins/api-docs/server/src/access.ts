import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

interface ContentApiToken {
  kind: string;
  // A Date, a timestamp or an ISO string depending on the database driver.
  expiresAt: Date | number | string | null;
}

interface ContentApiTokenService {
  hash(accessKey: string): string;
  getByAccessKey(hash: string): Promise<ContentApiToken | null>;
}

const bearerToken = (ctx: Context): string | null => {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.request.header.authorization ?? '');
  return match ? match[1] : null;
};

/**
 * Accepts an API token (Settings → API Tokens) that exists and has not expired, whatever its type: reading
 * the documentation is the first thing an integrator does with any token. Used next to Strapi's own `admin`
 * strategy (admin session JWT) on the documentation routes, which are admin routes: Strapi would otherwise
 * try only admin credentials there.
 */
export const apiTokenStrategy = (strapi: Core.Strapi) => ({
  name: 'documentation-api-token',
  async authenticate(ctx: Context) {
    const token = bearerToken(ctx);
    if (token === null) return { authenticated: false };
    const tokens = strapi.service('admin::api-token-content-api') as unknown as ContentApiTokenService;
    const apiToken = await tokens.getByAccessKey(tokens.hash(token));
    if (apiToken === null || apiToken.kind !== 'content-api') return { authenticated: false };
    if (apiToken.expiresAt !== null && new Date(apiToken.expiresAt) < new Date()) return { authenticated: false };
    return { authenticated: true, credentials: apiToken };
  },
});
