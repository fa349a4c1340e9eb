import { factories } from '@strapi/strapi';
import type { Context } from 'koa';

interface IpBanService {
  nginxDenyList(): Promise<string>;
}

export default factories.createCoreController('api::ip-ban.ip-ban', ({ strapi }) => ({
  /** The active bans as an nginx `deny` include file (GET /api/ip-bans/nginx and GET /admin/ip-bans/nginx). */
  async nginx(ctx: Context) {
    const service = strapi.service('api::ip-ban.ip-ban') as unknown as IpBanService;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = await service.nginxDenyList();
  },
}));
