/** Admin controller of the page's settings: channel status and the staff member's own Telegram id for test sends. */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AdminUser } from '../http';
import { parseBody } from './compose-http';

interface SettingsService {
  find(admin: { id: number; email?: string | null }): Promise<unknown>;
  setTelegramId(adminId: number, telegramId: string | null): Promise<void>;
}

const MINE_BODY = z.object({ telegramId: z.string().regex(/^[0-9]{1,20}$/, 'a Telegram id is digits only').nullable() }).strict();

const settingsController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('newsletter').service('settings') as SettingsService;
  return {
    async find(ctx: Context) {
      const user = ctx.state.user as AdminUser;
      ctx.body = { data: await service().find(user) };
    },
    async updateMine(ctx: Context) {
      const body = parseBody(ctx, MINE_BODY);
      if (!body) return;
      const user = ctx.state.user as AdminUser;
      await service().setTelegramId(user.id, body.telegramId);
      ctx.body = { data: await service().find(user) };
    },
  };
};

export default settingsController;
