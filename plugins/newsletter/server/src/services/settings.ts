/**
 * What the Newsletters page needs to know about this deployment (docs/NEWSLETTERS.md, Settings): whether each
 * channel is on (Telegram: BOT_TOKEN set; e-mail: SMTP configured), the send rates, the sender address, the
 * space's time zone, and the staff member's own test-send targets: the Telegram id they linked (kept per admin in
 * the plugin store under `staff-telegram:<adminId>`) and their admin e-mail.
 */
import type { Core } from '@strapi/strapi';
import { readSettings } from '../config';

export interface ChannelSettingsView {
  telegram: { enabled: boolean; rate: number };
  email: { enabled: boolean; rate: number; from: string | null };
  me: { telegramId: string | null; email: string | null };
  timeZone: string;
}

const storeKey = (adminId: number) => `staff-telegram:${adminId}`;

const settingsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const store = () => strapi.store({ type: 'plugin', name: 'newsletter' });

  const emailEnabled = (): boolean => {
    const email = strapi.plugin('newsletter').service('email') as { enabled?: () => boolean } | undefined;
    return typeof email?.enabled === 'function' ? email.enabled() : settings.email.enabled;
  };

  const service = {
    /** The Telegram id the staff member linked for test sends, or null. */
    async telegramIdOf(adminId: number): Promise<string | null> {
      const value = (await store().get({ key: storeKey(adminId) })) as { telegramId?: string | null } | string | null;
      if (typeof value === 'string') return value || null;
      return value?.telegramId ?? null;
    },

    async find(admin: { id: number; email?: string | null }): Promise<ChannelSettingsView> {
      return {
        telegram: { enabled: settings.telegram.token !== null, rate: settings.telegramRate },
        email: { enabled: emailEnabled(), rate: settings.emailRate, from: settings.email.from },
        me: { telegramId: await service.telegramIdOf(admin.id), email: admin.email ?? null },
        timeZone: settings.timeZone,
      };
    },

    async setTelegramId(adminId: number, telegramId: string | null): Promise<void> {
      if (telegramId === null) await store().delete({ key: storeKey(adminId) });
      else await store().set({ key: storeKey(adminId), value: { telegramId } });
    },
  };
  return service;
};

export default settingsService;
