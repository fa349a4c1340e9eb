/**
 * GET /admin/ip-bans/nginx: the nginx deny list for staff, with their admin session (or an admin token), for those
 * who may read IP bans in the content manager. API routes of an app are always content-API routes, so this admin
 * one is registered here (from src/index.ts register).
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { IP_BAN_UID } from './ban-list';

export function registerIpBanAdminRoutes(strapi: Core.Strapi): void {
  strapi.server.routes({
    type: 'admin',
    prefix: '/admin',
    routes: [
      {
        method: 'GET',
        path: '/ip-bans/nginx',
        info: { pluginName: 'admin' },
        handler: (ctx: Context) => (strapi.controller(IP_BAN_UID) as unknown as { nginx(ctx: Context): Promise<void> }).nginx(ctx),
        config: {
          policies: [{ name: 'admin::hasPermissions', config: { actions: [['plugin::content-manager.explorer.read', IP_BAN_UID]] } }],
        },
      },
    ],
  });
}
